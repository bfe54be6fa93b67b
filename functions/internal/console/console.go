// Package console serves the admin console — the single-page app in /console, built by Vite into
// dist/ and committed — from the binary itself, so `go run ./functions/server` shows the product
// with nothing else installed. The test command rebuilds the console and fails when dist/ is stale.
//
// In the cloud the same files are a COS static website behind CDN (terraform/modules/console);
// there config.json, written next to them, names the API's base URL. Here the console and the API
// share an origin, so config.json names none.
package console

import (
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed all:dist
var dist embed.FS

// Prefix is where the console lives on the shim.
const Prefix = "/console/"

// Config is what the console reads at start (config.json). The field names are the console's
// (console/src/lib/api.ts).
type Config struct {
	// APIBaseURL is where the API answers; empty for the console's own origin.
	APIBaseURL string `json:"api_base_url"`
}

// csp allows what the console does and nothing else: its own scripts; inline styles (Element Plus
// positions popups with style attributes, and the printable certificate shown in a frame carries
// its own style); images and video from the API's origin or storage over https, data: for the
// certificate's QR code and blob: for CSV downloads.
const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob: https:; media-src 'self' blob: https:; connect-src 'self'; " +
	"frame-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"

// isDir reports whether p names a directory of the build.
func isDir(files fs.FS, p string) bool {
	st, err := fs.Stat(files, strings.TrimPrefix(p, "/"))
	return err == nil && st.IsDir()
}

// Files is the built console, as served.
func Files() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed pattern above guarantees the directory
	}
	return sub
}

// Handler serves the console under Prefix: hashed assets cached for a year, everything else
// (index.html, config.json) revalidated on every load so a deployment is seen at once. It serves
// files only, never a directory's listing; the server's header policy (httpapi.SecureHeaders)
// wraps it, and its own Content-Security-Policy replaces the default.
func Handler(cfg Config) http.Handler {
	sub := Files()
	files := http.FileServerFS(sub)
	body, _ := json.Marshal(cfg)
	return http.StripPrefix(strings.TrimSuffix(Prefix, "/"), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		p := path.Clean("/" + r.URL.Path)
		if p != "/" && (strings.HasSuffix(r.URL.Path, "/") || isDir(sub, p)) {
			http.NotFound(w, r) // files only: no directory listings
			return
		}
		switch {
		case p == "/config.json":
			h.Set("Content-Type", "application/json")
			h.Set("Cache-Control", "no-cache")
			_, _ = w.Write(body)
			return
		case strings.HasPrefix(p, "/assets/"):
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		default:
			h.Set("Cache-Control", "no-cache")
		}
		files.ServeHTTP(w, r)
	}))
}
