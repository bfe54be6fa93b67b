// Command fixturefn is a function binary for the runtime tests: it serves a few HTTP routes that
// exercise each part of the event adapter, one that panics, and one that reads the environment
// the platform injects per invoke.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/jianbao/admin/shared/scf"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"method": r.Method, "path": r.URL.Path, "query": r.URL.Query(), "raw_query": r.URL.RawQuery,
			"host": r.Host, "user_agent": r.UserAgent(), "request_id": r.Header.Get("X-Request-Id"),
			"remote_addr": r.RemoteAddr, "body": string(body),
		})
	})
	mux.HandleFunc("/api/env", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, os.Getenv(r.URL.Query().Get("name")))
	})
	mux.HandleFunc("/api/panic", func(w http.ResponseWriter, r *http.Request) {
		panic("fixture panic on purpose")
	})
	mux.HandleFunc("/api/cookies", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
		http.SetCookie(w, &http.Cookie{Name: "b", Value: "2"})
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/api/binary", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write([]byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xff})
	})
	if err := scf.StartHTTP(func(context.Context) (http.Handler, error) { return mux, nil }, scf.HTTPOptions{}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
