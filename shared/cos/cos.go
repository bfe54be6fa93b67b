// Package cos is the object store on Tencent COS through tencentyun/cos-go-sdk-v5. Credentials
// are read for every request from a function, because on SCF the run role's temporary keys
// arrive (and rotate) with each invoke; presigned URLs carry the session token.
package cos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	sdk "github.com/tencentyun/cos-go-sdk-v5"

	"github.com/jianbao/admin/shared/appraisal"
)

// Credentials are a key pair and, for temporary keys, a session token.
type Credentials struct {
	SecretID, SecretKey, SessionToken string
}

// Options configure the store.
type Options struct {
	// BucketURL is https://<bucket>-<appid>.cos.<region>.myqcloud.com, or a test server's address.
	BucketURL string
	// Credentials is called before every request.
	Credentials func() Credentials
	// HTTPClient carries the requests (its Transport, if any, is wrapped with signing).
	HTTPClient *http.Client
	// DisableCRC turns off the CRC64 check of uploads, which only real COS answers.
	DisableCRC bool
	// Endpoint, when set, is where requests go, with the bucket's host in the Host header: a
	// private endpoint, or an S3-compatible server in tests. Presigned URLs still name BucketURL.
	Endpoint string
}

// Store implements appraisal.BlobStore on one bucket.
type Store struct {
	c          *sdk.Client
	bucketHost string // <bucket>-<appid>.cos.<region>.myqcloud.com, whatever the endpoint
	auth       *sdk.AuthorizationTransport
	creds      func() Credentials
}

var _ appraisal.BlobStore = (*Store)(nil)

// New opens a bucket.
func New(o Options) (*Store, error) {
	u, err := url.Parse(o.BucketURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("cos: bad bucket URL %q", o.BucketURL)
	}
	if o.Credentials == nil {
		return nil, errors.New("cos: no credentials")
	}
	base := http.DefaultTransport
	timeout := 60 * time.Second
	if o.HTTPClient != nil {
		if o.HTTPClient.Transport != nil {
			base = o.HTTPClient.Transport
		}
		timeout = o.HTTPClient.Timeout
	}
	// The SDK finds the signer (and presigns with it) only when it is the client's transport
	// itself, so credentials are loaded into it at the start of every operation instead.
	auth := &sdk.AuthorizationTransport{Transport: base}
	s := &Store{auth: auth, creds: o.Credentials, bucketHost: u.Host}
	target := u
	if o.Endpoint != "" {
		if target, err = url.Parse(o.Endpoint); err != nil || target.Host == "" {
			return nil, fmt.Errorf("cos: bad endpoint %q", o.Endpoint)
		}
	}
	s.c = sdk.NewClient(&sdk.BaseURL{BucketURL: target}, &http.Client{Transport: auth, Timeout: timeout})
	if o.Endpoint != "" {
		s.c.Host = u.Host
	}
	if o.DisableCRC {
		s.c.Conf.EnableCRC = false
	}
	return s, nil
}

// load puts the current credentials into the signer.
func (s *Store) load() {
	c := s.creds()
	s.auth.SetCredential(c.SecretID, c.SecretKey, c.SessionToken)
}

func classify(err error, what string) error {
	if err == nil {
		return nil
	}
	if sdk.IsNotFoundError(err) {
		return appraisal.Wrap(err, appraisal.KindNotFound, "storage.not_found", "no such object")
	}
	return appraisal.Wrap(err, appraisal.KindUnavailable, "storage.unavailable", "COS "+what+" failed")
}

// RenditionCacheControl is stored with what the server writes (renditions): browsers keep a
// rendition as long as the signed link to it lasts. Not immutable: reprocessing rewrites the key.
const RenditionCacheControl = "private, max-age=1200"

// Put implements appraisal.BlobStore.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	s.load()
	_, err := s.c.Object.Put(ctx, key, r, &sdk.ObjectPutOptions{
		ObjectPutHeaderOptions: &sdk.ObjectPutHeaderOptions{ContentType: contentType, ContentLength: size, CacheControl: RenditionCacheControl}})
	return classify(err, "put")
}

// Create writes an object only if the key is free (COS's x-cos-forbid-overwrite), so of many
// writers exactly one succeeds: a conflict (storage.exists) for the others.
func (s *Store) Create(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	s.load()
	h := http.Header{}
	h.Set("x-cos-forbid-overwrite", "true")
	_, err := s.c.Object.Put(ctx, key, r, &sdk.ObjectPutOptions{
		ObjectPutHeaderOptions: &sdk.ObjectPutHeaderOptions{ContentType: contentType, ContentLength: size, XOptionHeader: &h}})
	var e *sdk.ErrorResponse
	if errors.As(err, &e) && e.Response != nil && e.Response.StatusCode == http.StatusConflict {
		return appraisal.Wrap(err, appraisal.KindConflict, "storage.exists", "the object exists")
	}
	return classify(err, "put")
}

// Get implements appraisal.BlobStore.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, appraisal.ObjectInfo, error) {
	s.load()
	resp, err := s.c.Object.Get(ctx, key, nil)
	if err != nil {
		return nil, appraisal.ObjectInfo{}, classify(err, "get")
	}
	return resp.Body, info(key, resp.Response), nil
}

func info(key string, r *http.Response) appraisal.ObjectInfo {
	t, _ := http.ParseTime(r.Header.Get("Last-Modified"))
	return appraisal.ObjectInfo{Key: key, Size: r.ContentLength, ContentType: r.Header.Get("Content-Type"),
		ETag: r.Header.Get("ETag"), Modified: t}
}

// Head implements appraisal.BlobStore.
func (s *Store) Head(ctx context.Context, key string) (appraisal.ObjectInfo, error) {
	s.load()
	resp, err := s.c.Object.Head(ctx, key, nil)
	if err != nil {
		return appraisal.ObjectInfo{}, classify(err, "head")
	}
	return info(key, resp.Response), nil
}

// Delete implements appraisal.BlobStore. COS answers a delete of a missing object with success.
func (s *Store) Delete(ctx context.Context, key string) error {
	s.load()
	_, err := s.c.Object.Delete(ctx, key)
	if sdk.IsNotFoundError(err) {
		return nil
	}
	return classify(err, "delete")
}

// List implements appraisal.BlobStore.
func (s *Store) List(ctx context.Context, prefix string) ([]appraisal.ObjectInfo, error) {
	s.load()
	var out []appraisal.ObjectInfo
	marker := ""
	for {
		res, _, err := s.c.Bucket.Get(ctx, &sdk.BucketGetOptions{Prefix: prefix, Marker: marker, MaxKeys: 1000})
		if err != nil {
			return nil, classify(err, "list")
		}
		for _, o := range res.Contents {
			t, _ := time.Parse(time.RFC3339, o.LastModified)
			out = append(out, appraisal.ObjectInfo{Key: o.Key, Size: o.Size, ETag: o.ETag, Modified: t})
		}
		if !res.IsTruncated {
			return out, nil
		}
		marker = res.NextMarker
		if marker == "" && len(res.Contents) > 0 {
			marker = res.Contents[len(res.Contents)-1].Key
		}
	}
}

// ForbidOverwrite is COS's header for a create-only PUT: with it, a PUT to an existing key fails
// with 409 FileAlreadyExists. COS ignores it in a bucket that has ever had versioning on, so the
// media bucket never has (terraform/modules/cos).
const ForbidOverwrite = "x-cos-forbid-overwrite"

// PresignPut implements appraisal.BlobStore. Content-Type, Content-Length and
// x-cos-forbid-overwrite are in the signature (q-header-list), so the client must send exactly the
// declared type and size, and cannot drop the no-overwrite header: a second PUT to the same URL
// is refused by COS.
func (s *Store) PresignPut(ctx context.Context, key, contentType string, size int64, expires time.Duration) (appraisal.PresignedRequest, error) {
	if size < 0 {
		return appraisal.PresignedRequest{}, appraisal.E(appraisal.KindInvalid, "storage.bad_size", "a presigned upload needs its size")
	}
	s.load()
	h := http.Header{}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	h.Set(ForbidOverwrite, "true")
	u, err := s.c.Object.GetPresignedURL2(ctx, http.MethodPut, key, expires, &sdk.PresignedURLOptions{Header: &h})
	if err != nil {
		return appraisal.PresignedRequest{}, classify(err, "presign")
	}
	// Browsers set Content-Length from the body themselves (and may not set it by hand), so it
	// is not among the headers the client is told to send.
	return appraisal.PresignedRequest{Method: http.MethodPut, URL: u.String(),
		Headers: map[string]string{"Content-Type": contentType, ForbidOverwrite: "true"}, Expires: time.Now().Add(expires)}, nil
}

// PresignGet implements appraisal.BlobStore: the signature's start and end are the window's, so
// the URL is the same for every call in it (until the run role's keys rotate).
func (s *Store) PresignGet(ctx context.Context, key string, window time.Duration) (string, error) {
	s.load()
	start, end := appraisal.SigningWindow(time.Now(), window)
	at := &sdk.AuthTime{SignStartTime: start, SignEndTime: end, KeyStartTime: start, KeyEndTime: end}
	u, err := s.c.Object.GetPresignedURL2(ctx, http.MethodGet, key, end.Sub(start), &sdk.PresignedURLOptions{AuthTime: at})
	if err != nil {
		return "", classify(err, "presign")
	}
	return u.String(), nil
}

// Retrigger copies an object onto itself, which COS reports as cos:ObjectCreated:Copy: the upload
// trigger runs again. This is how reprocessing reaches the SCF media functions.
func (s *Store) Retrigger(ctx context.Context, key string) error {
	s.load()
	src := s.bucketHost + "/" + key
	_, _, err := s.c.Object.Copy(ctx, key, src, &sdk.ObjectCopyOptions{
		ObjectCopyHeaderOptions: &sdk.ObjectCopyHeaderOptions{XCosMetadataDirective: "Replaced"}})
	return classify(err, "copy")
}
