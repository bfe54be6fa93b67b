package httpapi

import "net/http"

// The server's one header policy. Every response gets it, whatever writes it — the API, the
// console's files, the API docs, the local object store, a 404 — because the shim wraps its whole
// mux in SecureHeaders and the API's own middleware (all an SCF function serves) sets the same.
//
//   - nosniff: a file is only ever what its Content-Type says (an uploaded "image" cannot run as
//     HTML or script from our origin).
//   - HSTS: browsers ignore it over plain HTTP (RFC 6797 §8.1); behind a gateway or ingress that
//     ends TLS, this is the answer the browser sees over HTTPS.
//   - No referrer: links carry tokens and signed URLs in their query strings.
//   - No framing: a genuine certificate must not be shown inside someone else's page (a fake
//     listing), and no console page may be clickjacked. X-Frame-Options for old browsers,
//     frame-ancestors for the rest.
//   - A default Content-Security-Policy that allows nothing: JSON, images and CSV need none. A
//     page that needs more (the console, the docs, the certificate pages) replaces it with its
//     own, which still forbids framing.
const (
	defaultCSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
	hsts       = "max-age=31536000; includeSubDomains"
)

// setSecurityHeaders applies the policy to h before anything is written.
func setSecurityHeaders(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Strict-Transport-Security", hsts)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", defaultCSP)
}

// SecureHeaders applies the server's header policy to every response of next. Handlers that
// serve a page set their own Content-Security-Policy over the default.
func SecureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setSecurityHeaders(w.Header())
		next.ServeHTTP(w, r)
	})
}

// PageCSP is the policy of a page of ours that runs no script: its own inline styles, images
// from the given sources (plus data: URLs), nothing else, and never inside a frame.
func PageCSP(imgSources ...string) string {
	img := "img-src data:"
	for _, s := range imgSources {
		img += " " + s
	}
	return "default-src 'none'; " + img + "; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
}
