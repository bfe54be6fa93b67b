// Package blobtest is the conformance suite every appraisal.BlobStore passes: the local store and
// the COS store (against an S3-compatible fake) run the same tests.
package blobtest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

// Run tests s. httpClient reaches the store's presigned URLs.
func Run(t *testing.T, s appraisal.BlobStore, httpClient *http.Client) {
	ctx := context.Background()
	t.Run("put get head list delete", func(t *testing.T) {
		body := []byte("青花瓷 original bytes")
		if err := s.Put(ctx, "originals/2026/11/1.jpg", bytes.NewReader(body), int64(len(body)), "image/jpeg"); err != nil {
			t.Fatal(err)
		}
		s.Put(ctx, "derived/1/thumb.jpg", strings.NewReader("t"), 1, "image/jpeg")
		rc, info, err := s.Get(ctx, "originals/2026/11/1.jpg")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, body) || info.Size != int64(len(body)) {
			t.Fatalf("got %q (%d)", got, info.Size)
		}
		h, err := s.Head(ctx, "originals/2026/11/1.jpg")
		if err != nil || h.Size != int64(len(body)) || h.ContentType != "image/jpeg" {
			t.Fatalf("head %+v %v", h, err)
		}
		list, err := s.List(ctx, "originals/")
		if err != nil || len(list) != 1 || list[0].Key != "originals/2026/11/1.jpg" {
			t.Fatalf("list %+v %v", list, err)
		}
		if err := s.Delete(ctx, "originals/2026/11/1.jpg"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Head(ctx, "originals/2026/11/1.jpg"); appraisal.KindOf(err) != appraisal.KindNotFound {
			t.Fatalf("head after delete: %v", err)
		}
		if _, _, err := s.Get(ctx, "originals/none.jpg"); appraisal.KindOf(err) != appraisal.KindNotFound {
			t.Fatalf("get missing: %v", err)
		}
		if err := s.Delete(ctx, "originals/none.jpg"); err != nil {
			t.Fatalf("deleting a missing object: %v", err)
		}
	})

	t.Run("presigned put and get", func(t *testing.T) {
		req, err := s.PresignPut(ctx, "originals/2026/11/2.png", "image/png", int64(len("png-bytes")), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if got := put(t, httpClient, req, "png-bytes"); got != 200 {
			t.Fatalf("presigned PUT: %d", got)
		}
		u, err := s.PresignGet(ctx, "originals/2026/11/2.png", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := httpClient.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "png-bytes" {
			t.Fatalf("presigned GET: %d %q", resp.StatusCode, b)
		}
	})

	t.Run("links are stable within their window", func(t *testing.T) { stableLinks(t, s) })

	// An original is evidence: the upload URL creates it once, and a second PUT to the same URL
	// (within its lifetime) is refused with the first bytes kept.
	t.Run("presigned put never replaces", func(t *testing.T) {
		key := "originals/2026/11/3.jpg"
		req, err := s.PresignPut(ctx, key, "image/jpeg", 5, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if got := put(t, httpClient, req, "first"); got != 200 {
			t.Fatalf("first PUT: %d", got)
		}
		if got := put(t, httpClient, req, "other"); got != http.StatusConflict {
			t.Fatalf("second PUT to the same URL: %d, want 409", got)
		}
		rc, _, err := s.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if string(b) != "first" {
			t.Fatalf("after a second PUT the object holds %q, want the first bytes", b)
		}
		// The server's own writes (renditions, reprocessing) may still replace.
		if err := s.Put(ctx, key, strings.NewReader("first"), 5, "image/jpeg"); err != nil {
			t.Fatalf("server-side Put over an existing object: %v", err)
		}
	})
}

// put sends body to a presigned request with the headers it names.
func put(t *testing.T, c *http.Client, req appraisal.PresignedRequest, body string) int {
	t.Helper()
	hr, _ := http.NewRequest(req.Method, req.URL, strings.NewReader(body))
	for k, v := range req.Headers {
		hr.Header.Set(k, v)
	}
	resp, err := c.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// stableLinks checks that links signed within one window are the same (browsers then reuse what
// they downloaded), and differ between objects.
func stableLinks(t *testing.T, s appraisal.BlobStore) {
	ctx := context.Background()
	a, err := s.PresignGet(ctx, "derived/1/thumb.jpg", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.PresignGet(ctx, "derived/1/thumb.jpg", time.Hour)
	if a != b {
		t.Fatalf("two links within one window differ:\n%s\n%s", a, b)
	}
	if c, _ := s.PresignGet(ctx, "derived/1/large.jpg", time.Hour); c == a {
		t.Fatal("links to two objects are the same")
	}
}
