package localstore_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/blobtest"
	"github.com/jianbao/admin/shared/localstore"
)

func newStore(t *testing.T) (*localstore.Store, *httptest.Server) {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s, err := localstore.New(t.TempDir(), srv.URL, []byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle(localstore.PathPrefix, s.Handler())
	return s, srv
}

func TestConformance(t *testing.T) {
	s, srv := newStore(t)
	blobtest.Run(t, s, srv.Client())
}

func TestSignedURLs(t *testing.T) {
	s, srv := newStore(t)
	var mu sync.Mutex
	var created []string
	s.OnPut = func(_ context.Context, key string) { mu.Lock(); created = append(created, key); mu.Unlock() }
	ctx := context.Background()
	req, _ := s.PresignPut(ctx, "originals/a.jpg", "image/jpeg", 4, time.Minute)

	put := func(url, ct, body string) int {
		hr, _ := http.NewRequest("PUT", url, strings.NewReader(body))
		hr.Header.Set("Content-Type", ct)
		resp, err := srv.Client().Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	tests := []struct {
		name, url, ct, body string
		want                int
	}{
		{"other content type", req.URL, "text/plain", "data", 403},
		{"other key", strings.Replace(req.URL, "originals/a.jpg", "originals/b.jpg", 1), "image/jpeg", "data", 403},
		{"tampered expiry", strings.Replace(req.URL, "expires=", "expires=9", 1), "image/jpeg", "data", 403},
		{"tampered size", strings.Replace(req.URL, "size=4", "size=9", 1), "image/jpeg", "datadata!", 403},
		{"no signature", srv.URL + "/blob/originals/a.jpg", "image/jpeg", "data", 403},
		{"escape the directory", srv.URL + "/blob/%2E%2E/etc/passwd?expires=9999999999&sig=x", "image/jpeg", "data", 400},
		{"more than declared", req.URL, "image/jpeg", strings.Repeat("x", 200_000), 400},
		{"less than declared", req.URL, "image/jpeg", "dat", 400},
		{"good", req.URL, "image/jpeg", "data", 200},
		{"again: never over an existing original", req.URL, "image/jpeg", "DATA", 409},
	}
	for _, tt := range tests {
		if got := put(tt.url, tt.ct, tt.body); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(created) != 1 || created[0] != "originals/a.jpg" {
		t.Fatalf("object-created events: %v", created)
	}
	old, _ := s.PresignGet(ctx, "originals/a.jpg", -time.Minute)
	if resp, _ := srv.Client().Get(old); resp.StatusCode != 403 {
		t.Errorf("an expired link served %d", resp.StatusCode)
	}
	for _, bad := range []string{"", "/abs", "a/../b", "a//b", "a b", "键"} {
		if err := s.Put(ctx, bad, strings.NewReader("x"), 1, ""); err == nil {
			t.Errorf("key %q accepted", bad)
		}
	}
}
