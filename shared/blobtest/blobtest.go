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
		req, err := s.PresignPut(ctx, "originals/2026/11/2.png", "image/png", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		hr, _ := http.NewRequest(req.Method, req.URL, strings.NewReader("png-bytes"))
		for k, v := range req.Headers {
			hr.Header.Set(k, v)
		}
		resp, err := httpClient.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("presigned PUT: %d", resp.StatusCode)
		}
		u, err := s.PresignGet(ctx, "originals/2026/11/2.png", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		resp, err = httpClient.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "png-bytes" {
			t.Fatalf("presigned GET: %d %q", resp.StatusCode, b)
		}
	})
}
