package main

import (
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/jianbao/admin/functions/internal/console"
)

// policy is what every response of the server carries, whatever mounts the handler.
var policy = map[string]string{
	"X-Content-Type-Options":    "nosniff",
	"Strict-Transport-Security": "max-age=31536000; includeSubDomains",
	"Referrer-Policy":           "no-referrer",
	"X-Frame-Options":           "DENY",
}

// TestOneHeaderPolicy sends a request to everything the shim mounts — the API, its errors, the
// docs and each of their assets, the console and each file of its build, the certificate page,
// the local object store, redirects and 404s — and checks each answer against the one header
// policy: nosniff, HSTS, no referrer, no framing, and a Content-Security-Policy. Directories are
// never listed.
func TestOneHeaderPolicy(t *testing.T) {
	base, _, _ := startRun(t, map[string]string{})
	paths := []string{"/api/v1/labels", "/api/v1/orders", "/api/v1/nope", "/healthz", "/readyz", "/openapi.json",
		"/docs", "/docs/", "/c/" + strings.Repeat("x", 43), "/blob/originals/x.jpg", "/nope", "/", "/favicon.ico", "/console"}
	_, docs := get(t, base+"/docs/")
	for _, m := range regexp.MustCompile(`(?:src|href)="(/docs/[^"]+)"`).FindAllStringSubmatch(docs, -1) {
		paths = append(paths, m[1])
	}
	var dirs []string
	fs.WalkDir(console.Files(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case d.IsDir() && p != ".":
			dirs = append(dirs, console.Prefix+p+"/", console.Prefix+p)
		case !d.IsDir():
			paths = append(paths, console.Prefix+p)
		}
		return nil
	})
	paths = append(append(paths, console.Prefix), dirs...)
	paths = append(paths, "/docs/nope/", "/blob/")

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, p := range paths {
		resp, err := noRedirect.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for k, v := range policy {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("GET %s (%d): %s = %q, want %q", p, resp.StatusCode, k, got, v)
			}
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("GET %s (%d): Content-Security-Policy %q does not forbid framing", p, resp.StatusCode, csp)
		}
	}
	for _, d := range append(dirs, "/docs/nope/", "/blob/") {
		if code, body := get(t, base+d); code == http.StatusOK || strings.Contains(body, "<pre>") {
			t.Errorf("GET %s lists a directory: %d %.200s", d, code, body)
		}
	}
	if len(dirs) == 0 {
		t.Error("the console build has no directories to try")
	}
}
