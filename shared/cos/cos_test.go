package cos_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/blobtest"
	"github.com/jianbao/admin/shared/cos"
	"github.com/jianbao/admin/shared/cos/costest"
)

func TestConformance(t *testing.T) {
	fake := costest.New(t, "jianbao-media-1250000000")
	bucketURL, client := fake.BucketURL, fake.Client
	calls := 0
	s, err := cos.New(cos.Options{BucketURL: bucketURL, HTTPClient: client, DisableCRC: true,
		Credentials: func() cos.Credentials {
			calls++
			return cos.Credentials{SecretID: "AKIDtest", SecretKey: "secret", SessionToken: "token"}
		}})
	if err != nil {
		t.Fatal(err)
	}
	blobtest.Run(t, s, client)
	if calls == 0 {
		t.Fatal("credentials were never read: they must be loaded per request")
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	if _, err := cos.New(cos.Options{BucketURL: "::", Credentials: func() cos.Credentials { return cos.Credentials{} }}); err == nil {
		t.Error("a bad URL was accepted")
	}
	if _, err := cos.New(cos.Options{BucketURL: "https://b-1.cos.ap-guangzhou.myqcloud.com"}); err == nil {
		t.Error("missing credentials were accepted")
	}
}

// TestEndpoint reaches the fake through an endpoint address while naming the bucket's host, as
// the function binaries do in tests (no DNS for "<bucket>.localhost").
func TestEndpoint(t *testing.T) {
	fake := costest.New(t, "jianbao-media-1250000000")
	bucketURL, client := fake.BucketURL, fake.Client
	s, err := cos.New(cos.Options{BucketURL: bucketURL, Endpoint: fake.Endpoint, DisableCRC: true,
		Credentials: func() cos.Credentials { return cos.Credentials{SecretID: "id", SecretKey: "key"} }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Put(ctx, "originals/x.jpg", strings.NewReader("x"), 1, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	// The object is in the bucket: the dialing client sees it by the bucket's own host.
	check, _ := cos.New(cos.Options{BucketURL: bucketURL, HTTPClient: client, DisableCRC: true,
		Credentials: func() cos.Credentials { return cos.Credentials{SecretID: "id", SecretKey: "key"} }})
	if info, err := check.Head(ctx, "originals/x.jpg"); err != nil || info.Size != 1 {
		t.Fatalf("head: %+v %v", info, err)
	}
}

// TestRetrigger checks the request a retrigger sends. gofakes3 does not implement COS's
// x-cos-copy-source, so a small fake answers as COS documents it.
func TestRetrigger(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		w.Header().Set("Content-Type", "application/xml")
		w.Write([]byte(`<CopyObjectResult><ETag>"abc"</ETag><LastModified>2026-11-25T00:00:00Z</LastModified></CopyObjectResult>`))
	}))
	defer srv.Close()
	bucketURL := "http://jianbao-media-1250000000.cos.ap-guangzhou.myqcloud.com"
	s, err := cos.New(cos.Options{BucketURL: bucketURL, Endpoint: srv.URL, DisableCRC: true,
		Credentials: func() cos.Credentials { return cos.Credentials{SecretID: "id", SecretKey: "key", SessionToken: "tok"} }})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Retrigger(context.Background(), "originals/2026/11/7.jpg"); err != nil {
		t.Fatal(err)
	}
	if got.Method != http.MethodPut || got.URL.Path != "/originals/2026/11/7.jpg" ||
		got.Header.Get("X-Cos-Copy-Source") != "jianbao-media-1250000000.cos.ap-guangzhou.myqcloud.com/originals/2026/11/7.jpg" ||
		got.Header.Get("X-Cos-Metadata-Directive") != "Replaced" || got.Header.Get("X-Cos-Security-Token") != "tok" ||
		!strings.HasPrefix(got.Header.Get("Authorization"), "q-sign-algorithm=sha1") {
		t.Fatalf("retrigger sent %s %s %v", got.Method, got.URL, got.Header)
	}
}

// TestPresignPutSignsLengthAndNoOverwrite: the upload URL's signature covers the declared length,
// the type and the create-only header, so COS itself refuses another length or a dropped header
// (the fake cannot check COS signatures; docs/deploy.md lists the check to run on a bucket).
func TestPresignPutSignsLengthAndNoOverwrite(t *testing.T) {
	fake := costest.New(t, "jianbao-media-1250000000")
	s, err := cos.New(cos.Options{BucketURL: fake.BucketURL, HTTPClient: fake.Client, DisableCRC: true,
		Credentials: func() cos.Credentials { return cos.Credentials{SecretID: "id", SecretKey: "key"} }})
	if err != nil {
		t.Fatal(err)
	}
	req, err := s.PresignPut(context.Background(), "originals/2026/11/9.jpg", "image/jpeg", 12345, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(req.URL)
	if err != nil {
		t.Fatal(err)
	}
	signed := strings.Split(u.Query().Get("q-header-list"), ";")
	for _, h := range []string{"content-length", "content-type", "x-cos-forbid-overwrite"} {
		if !slices.Contains(signed, h) {
			t.Errorf("%s is not signed: q-header-list=%v", h, signed)
		}
	}
	if req.Headers[cos.ForbidOverwrite] != "true" {
		t.Errorf("the client is not told to send %s: %v", cos.ForbidOverwrite, req.Headers)
	}
	if _, ok := req.Headers["Content-Length"]; ok {
		t.Error("browsers set Content-Length themselves; it must not be in the headers to send")
	}
	if _, err := s.PresignPut(context.Background(), "originals/x.jpg", "image/jpeg", -1, time.Minute); appraisal.KindOf(err) != appraisal.KindInvalid {
		t.Errorf("a presign without a size: %v", err)
	}
}
