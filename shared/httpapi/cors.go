package httpapi

import (
	"net/http"
	"slices"
)

// corsHeaders are the request headers a browser client may send across origins.
const corsHeaders = "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key, X-Request-Id, Accept-Language"

// withCORS lets the listed origins (the admin console's, exactly; never a wildcard) call the API
// from a browser, with credentials: the one cookie, the device secret, only binds the refresh
// grace window to the browser that logged in (DeviceCookie); tokens still travel in the
// Authorization header, so a credentialed request from a listed origin can do nothing a token
// does not allow. An origin not listed gets no CORS headers and the browser refuses the response.
// Preflights are answered here, before routing, for every path.
func withCORS(next http.Handler, origins []string) http.Handler {
	if len(origins) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		allowed := origin != "" && slices.Contains(origins, origin)
		if origin != "" {
			w.Header().Add("Vary", "Origin")
		}
		if allowed {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			w.Header().Set("Access-Control-Expose-Headers", "ETag, X-Request-Id, Retry-After, Location")
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			if allowed {
				w.Header().Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE")
				w.Header().Set("Access-Control-Allow-Headers", corsHeaders)
				w.Header().Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
			w.WriteHeader(http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}
