package cos_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/jianbao/admin/shared/blobtest"
	"github.com/jianbao/admin/shared/cos"
)

// fakeCOS serves an S3-compatible bucket addressed virtual-host style, as COS is. Every host
// name dials the fake, so "<bucket>.localhost" works without DNS.
func fakeCOS(t *testing.T, bucket string) (bucketURL string, client *http.Client) {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	faker := gofakes3.New(backend, gofakes3.WithHostBucket(true))
	srv := httptest.NewServer(faker.Server())
	t.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	client = &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}}}
	return "http://" + bucket + ".localhost:" + port, client
}

func TestConformance(t *testing.T) {
	bucketURL, client := fakeCOS(t, "jianbao-media-1250000000")
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
	bucketURL, client := fakeCOS(t, "jianbao-media-1250000000")
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(bucketURL, "http://"))
	s, err := cos.New(cos.Options{BucketURL: bucketURL, Endpoint: "http://127.0.0.1:" + port, DisableCRC: true,
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
