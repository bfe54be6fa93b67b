// Package localstore is the object store of embedded mode: objects in a local directory, and
// HMAC-signed URLs that the server itself serves, so a browser uploads with a presigned PUT exactly
// as it would to COS. A successful PUT reports the new object, as a COS upload trigger would.
package localstore

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

// PathPrefix is where the server mounts Handler.
const PathPrefix = "/blob/"

// Store keeps objects under a directory.
type Store struct {
	dir     string
	baseURL string
	secret  []byte
	// MaxPut bounds an upload through a signed URL.
	MaxPut int64
	// OnPut, if set, is told of every object created through a signed URL.
	OnPut func(ctx context.Context, key string)
}

var _ appraisal.BlobStore = (*Store)(nil)

// New keeps objects in dir; signed URLs start with baseURL (the server's public address).
func New(dir, baseURL string, secret []byte) (*Store, error) {
	if len(secret) < 32 {
		return nil, errors.New("localstore: the signing secret must have at least 32 bytes")
	}
	for _, sub := range []string{"objects", "meta"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("localstore: %w", err)
		}
	}
	return &Store{dir: dir, baseURL: strings.TrimRight(baseURL, "/"), secret: secret, MaxPut: 1 << 30}, nil
}

// Dir is where the objects are.
func (s *Store) Dir() string { return s.dir }

var errBadKey = appraisal.E(appraisal.KindInvalid, "storage.bad_key", "not a valid object key")

// checkKey allows the keys we generate and nothing that could leave the directory.
func checkKey(key string) error {
	if key == "" || len(key) > 512 || strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/") {
		return errBadKey
	}
	for _, part := range strings.Split(key, "/") {
		if part == "" || part == "." || part == ".." {
			return errBadKey
		}
	}
	for _, c := range key {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("/_.-", c)) {
			return errBadKey
		}
	}
	return nil
}

func (s *Store) objectPath(key string) string {
	return filepath.Join(s.dir, "objects", filepath.FromSlash(key))
}
func (s *Store) metaPath(key string) string {
	return filepath.Join(s.dir, "meta", filepath.FromSlash(key)+".json")
}

type meta struct {
	ContentType string `json:"content_type"`
	SHA256      string `json:"sha256"`
}

var errNotFound = appraisal.E(appraisal.KindNotFound, "storage.not_found", "no such object")

// Put implements appraisal.BlobStore. The object appears whole or not at all (write, then rename).
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	_, err := s.put(key, r, size, contentType, false)
	return err
}

var errExists = appraisal.E(appraisal.KindConflict, "storage.exists", "the object exists and may not be replaced")

// put writes key from r, at most limit bytes. With once it refuses an existing key: the object is
// linked into place, which fails atomically when the name is taken, so two racing uploads cannot
// both win.
func (s *Store) put(key string, r io.Reader, limit int64, contentType string, once bool) (int64, error) {
	if err := checkKey(key); err != nil {
		return 0, err
	}
	p := s.objectPath(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return 0, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".put-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	var src io.Reader = r
	if limit > 0 {
		src = io.LimitReader(r, limit+1)
	}
	n, err := io.Copy(io.MultiWriter(tmp, h), src)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	if limit > 0 && n > limit {
		return 0, appraisal.E(appraisal.KindInvalid, "storage.too_large", "the object is larger than allowed")
	}
	m, _ := json.Marshal(meta{ContentType: contentType, SHA256: hex.EncodeToString(h.Sum(nil))})
	if err := os.MkdirAll(filepath.Dir(s.metaPath(key)), 0o700); err != nil {
		return 0, err
	}
	if once {
		if err := os.Link(tmp.Name(), p); errors.Is(err, fs.ErrExist) {
			return 0, errExists
		} else if err != nil {
			return 0, err
		}
		return n, os.WriteFile(s.metaPath(key), m, 0o600)
	}
	if err := os.WriteFile(s.metaPath(key), m, 0o600); err != nil {
		return 0, err
	}
	return n, os.Rename(tmp.Name(), p)
}

// Get implements appraisal.BlobStore.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, appraisal.ObjectInfo, error) {
	info, err := s.Head(ctx, key)
	if err != nil {
		return nil, info, err
	}
	f, err := os.Open(s.objectPath(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, info, errNotFound
	}
	return f, info, err
}

// Head implements appraisal.BlobStore.
func (s *Store) Head(ctx context.Context, key string) (appraisal.ObjectInfo, error) {
	if err := checkKey(key); err != nil {
		return appraisal.ObjectInfo{}, err
	}
	st, err := os.Stat(s.objectPath(key))
	if errors.Is(err, fs.ErrNotExist) {
		return appraisal.ObjectInfo{}, errNotFound
	}
	if err != nil {
		return appraisal.ObjectInfo{}, err
	}
	var m meta
	if b, err := os.ReadFile(s.metaPath(key)); err == nil {
		json.Unmarshal(b, &m)
	}
	return appraisal.ObjectInfo{Key: key, Size: st.Size(), ContentType: m.ContentType, ETag: m.SHA256, Modified: st.ModTime().UTC()}, nil
}

// Delete implements appraisal.BlobStore. Deleting a missing object is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	os.Remove(s.metaPath(key))
	if err := os.Remove(s.objectPath(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// List implements appraisal.BlobStore.
func (s *Store) List(ctx context.Context, prefix string) ([]appraisal.ObjectInfo, error) {
	root := filepath.Join(s.dir, "objects")
	var out []appraisal.ObjectInfo
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".put-") {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		key := filepath.ToSlash(rel)
		if strings.HasPrefix(key, prefix) {
			info, err := s.Head(ctx, key)
			if err == nil {
				out = append(out, info)
			}
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, err
}

// sign covers the method, key, content type, size (-1 for a GET) and expiry: a signed PUT is good
// for exactly one object of one type and length.
func (s *Store) sign(method, key, contentType string, size, expires int64) string {
	m := hmac.New(sha256.New, s.secret)
	fmt.Fprintf(m, "%s\n%s\n%s\n%d\n%d", method, key, contentType, size, expires)
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Store) signedURL(method, key, contentType string, size int64, expires time.Time) string {
	q := url.Values{}
	q.Set("expires", strconv.FormatInt(expires.Unix(), 10))
	if size >= 0 {
		q.Set("size", strconv.FormatInt(size, 10))
	}
	q.Set("sig", s.sign(method, key, contentType, size, expires.Unix()))
	return s.baseURL + PathPrefix + key + "?" + q.Encode()
}

// PresignPut implements appraisal.BlobStore.
func (s *Store) PresignPut(ctx context.Context, key, contentType string, size int64, expires time.Duration) (appraisal.PresignedRequest, error) {
	if err := checkKey(key); err != nil {
		return appraisal.PresignedRequest{}, err
	}
	if size < 0 {
		return appraisal.PresignedRequest{}, appraisal.E(appraisal.KindInvalid, "storage.bad_size", "a presigned upload needs its size")
	}
	exp := time.Now().Add(expires).Truncate(time.Second)
	return appraisal.PresignedRequest{Method: http.MethodPut, URL: s.signedURL(http.MethodPut, key, contentType, size, exp),
		Headers: map[string]string{"Content-Type": contentType}, Expires: exp}, nil
}

// PresignGet implements appraisal.BlobStore.
func (s *Store) PresignGet(ctx context.Context, key string, window time.Duration) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	_, end := appraisal.SigningWindow(time.Now(), window)
	return s.signedURL(http.MethodGet, key, "", -1, end.Truncate(time.Second)), nil
}

// fileCSP is the policy of a stored file: opened in a tab (the console's "original" button), the
// browser shows it on its own image or video page, which styles itself inline. That and the file
// itself are allowed; no script, no framing.
const fileCSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// Handler serves signed URLs: GET downloads, PUT uploads (and reports the new object to OnPut).
// Anything unsigned, expired or tampered with is refused.
func (s *Store) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimPrefix(r.URL.Path, PathPrefix)
		if checkKey(key) != nil {
			http.Error(w, "bad key", http.StatusBadRequest)
			return
		}
		exp, err := strconv.ParseInt(r.URL.Query().Get("expires"), 10, 64)
		if err != nil || time.Now().Unix() > exp {
			http.Error(w, "the link has expired", http.StatusForbidden)
			return
		}
		ct, size := "", int64(-1)
		if r.Method == http.MethodPut {
			ct = r.Header.Get("Content-Type")
			if size, err = strconv.ParseInt(r.URL.Query().Get("size"), 10, 64); err != nil {
				http.Error(w, "bad signature", http.StatusForbidden)
				return
			}
		}
		want := s.sign(r.Method, key, ct, size, exp)
		if !hmac.Equal([]byte(want), []byte(r.URL.Query().Get("sig"))) {
			http.Error(w, "bad signature", http.StatusForbidden)
			return
		}
		switch r.Method {
		case http.MethodGet:
			rc, info, err := s.Get(r.Context(), key)
			if err != nil {
				http.Error(w, "not found", http.StatusNotFound)
				return
			}
			defer rc.Close()
			if info.ContentType != "" {
				w.Header().Set("Content-Type", info.ContentType)
			}
			// The link is the same for its whole window: let the browser keep the bytes as long
			// as the link is good.
			w.Header().Set("Cache-Control", fmt.Sprintf("private, max-age=%d", max(exp-time.Now().Unix(), 0)))
			w.Header().Set("Content-Length", strconv.FormatInt(info.Size, 10))
			w.Header().Set("ETag", `"`+info.ETag+`"`)
			w.Header().Set("Content-Security-Policy", fileCSP)
			io.Copy(w, rc)
		case http.MethodPut:
			// Exactly the signed length (as COS checks a signed Content-Length), never over an
			// existing object (as COS's x-cos-forbid-overwrite).
			if size > s.MaxPut || r.ContentLength != size {
				http.Error(w, "the body must have exactly the declared size", http.StatusBadRequest)
				return
			}
			n, err := s.put(key, r.Body, size, ct, true)
			switch {
			case appraisal.KindOf(err) == appraisal.KindConflict:
				http.Error(w, "the object exists and may not be replaced", http.StatusConflict)
				return
			case appraisal.KindOf(err) == appraisal.KindInvalid:
				http.Error(w, "the body must have exactly the declared size", http.StatusBadRequest)
				return
			case err != nil:
				http.Error(w, "storage failed", http.StatusInternalServerError)
				return
			case n != size:
				s.Delete(r.Context(), key)
				http.Error(w, "the body must have exactly the declared size", http.StatusBadRequest)
				return
			}
			if s.OnPut != nil {
				s.OnPut(context.WithoutCancel(r.Context()), key)
			}
			w.WriteHeader(http.StatusOK)
		default:
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
}
