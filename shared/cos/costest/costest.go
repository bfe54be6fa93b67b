// Package costest serves an S3-compatible stand-in for a COS bucket (gofakes3, in memory),
// addressed virtual-host style as COS is, for the tests of every package that talks to COS. Only
// tests import it.
package costest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Fake is one running bucket, closed at the end of the test.
type Fake struct {
	// BucketURL is http://<bucket>.localhost:<port>, the bucket's own address.
	BucketURL string
	// Endpoint is http://127.0.0.1:<port>: give it as COS_ENDPOINT (cos.Options.Endpoint) where
	// "<bucket>.localhost" does not resolve; the bucket then travels in the Host header.
	Endpoint string
	// Host is <bucket>.localhost:<port>, for requests sent to Endpoint by hand.
	Host string
	// Client dials the fake whatever the host, so BucketURL works without DNS.
	Client *http.Client
}

// New starts a fake holding one empty bucket.
func New(tb testing.TB, bucket string) Fake {
	tb.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(forbidOverwrite(backend, bucket, gofakes3.New(backend, gofakes3.WithHostBucket(true)).Server()))
	tb.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	return Fake{
		BucketURL: "http://" + bucket + ".localhost:" + port,
		Endpoint:  "http://127.0.0.1:" + port,
		Host:      bucket + ".localhost:" + port,
		Client: &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}}},
	}
}

// forbidOverwrite gives the fake COS's create-only PUT, which gofakes3 does not know: a PUT with
// x-cos-forbid-overwrite: true to an existing key answers 409 FileAlreadyExists, as COS documents
// for a bucket that never had versioning on.
func forbidOverwrite(backend *s3mem.Backend, bucket string, next http.Handler) http.Handler {
	var mu sync.Mutex // one create-only PUT at a time, so the check and the write are one step
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut || !strings.EqualFold(r.Header.Get("x-cos-forbid-overwrite"), "true") {
			next.ServeHTTP(w, r)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		key := strings.TrimPrefix(r.URL.Path, "/")
		if _, err := backend.HeadObject(bucket, key); err == nil {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusConflict)
			fmt.Fprintf(w, "<Error><Code>FileAlreadyExists</Code><Message>The object already exists</Message><Resource>%s</Resource></Error>", key)
			return
		}
		next.ServeHTTP(w, r)
	})
}
