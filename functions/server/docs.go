package main

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"

	"github.com/swaggest/swgui/v5emb"
)

// inlineScript matches a script element with a body (not a src= one).
var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// docsHandler serves the API reference (Swagger UI, its assets compiled in, so it works on an
// intranet with no CDN in reach) under the server's header policy, with a Content-Security-Policy
// of its own: Swagger UI starts from two inline scripts, which are allowed by their hashes —
// computed here from the page the handler renders, so a new version of the module cannot slip an
// unlisted script in — and it reads the OpenAPI document from this origin.
func docsHandler() http.Handler {
	ui := v5emb.New("鉴宝 Admin API", "/openapi.json", "/docs/")
	rec := httptest.NewRecorder()
	ui.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/docs/", nil))
	scripts := []string{"'self'"}
	for _, m := range inlineScript.FindAllStringSubmatch(rec.Body.String(), -1) {
		sum := sha256.Sum256([]byte(m[1]))
		scripts = append(scripts, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	csp := "default-src 'none'; script-src " + strings.Join(scripts, " ") +
		"; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:" +
		"; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") && r.URL.Path != "/docs/" {
			http.NotFound(w, r) // no directory listings
			return
		}
		w.Header().Set("Content-Security-Policy", csp)
		ui.ServeHTTP(w, r)
	})
}
