package console

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func get(t testing.TB, h http.Handler, method, target string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec.Result()
}

func body(t testing.TB, r *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The committed build is what the binary serves: the page, every asset it names, the config.
func TestServesTheBuild(t *testing.T) {
	h := Handler(Config{})
	index := get(t, h, http.MethodGet, "/console/")
	page := body(t, index)
	if index.StatusCode != http.StatusOK || !strings.Contains(page, `<div id="app">`) {
		t.Fatalf("index: %d %.200s", index.StatusCode, page)
	}
	if cc := index.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("index Cache-Control = %q, want no-cache (a deployment must show at once)", cc)
	}
	if csp := index.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("index CSP = %q", csp)
	}
	assets := regexp.MustCompile(`/console/assets/[^"]+`).FindAllString(page, -1)
	if len(assets) == 0 {
		t.Fatal("index names no assets")
	}
	for _, a := range assets {
		r := get(t, h, http.MethodGet, a)
		if r.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", a, r.StatusCode)
		}
		if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("%s Cache-Control = %q, want immutable (hashed names)", a, cc)
		}
	}
}

func TestConfig(t *testing.T) {
	for _, base := range []string{"", "https://api.jianbao.example"} {
		r := get(t, Handler(Config{APIBaseURL: base}), http.MethodGet, "/console/config.json")
		var got Config
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil || got.APIBaseURL != base {
			t.Errorf("config.json = %+v, %v; want %q", got, err, base)
		}
	}
}

func TestRefusals(t *testing.T) {
	h := Handler(Config{})
	for _, tc := range []struct {
		method, target string
		want           int
	}{
		{http.MethodPost, "/console/", http.StatusMethodNotAllowed},
		{http.MethodGet, "/console/assets/nope.js", http.StatusNotFound},
		{http.MethodGet, "/console/../../go.mod", http.StatusNotFound},
	} {
		if r := get(t, h, tc.method, tc.target); r.StatusCode != tc.want {
			t.Errorf("%s %s = %d, want %d", tc.method, tc.target, r.StatusCode, tc.want)
		}
	}
}
