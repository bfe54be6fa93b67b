// Package cos is the local cloud's COS: buckets addressed virtual-host style
// (<bucket>-<appid>.cos.<region>.<domain>), objects on disk, bucket configurations kept as written,
// COS's own request signatures (q-sign-algorithm=sha1, header or presigned query) checked, the
// create-only PUT (x-cos-forbid-overwrite), copies, and an event for every object created, which
// the local SCF delivers to the functions whose COS triggers match.
// (https://cloud.tencent.com/document/product/436/7751 the XML API; /436/7778 signing.)
package cos

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"hash/crc64"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Keys resolves a key id (and its session token) to its secret key.
type Keys interface {
	SecretKey(secretID, token string) (key string, ok bool)
}

// Event is an object created in a bucket.
type Event struct {
	Bucket, Region, Key, ETag, Kind string // Kind: cos:ObjectCreated:Put, …:Copy, …:Post
	Size                            int64
	Time                            time.Time
	Host                            string
}

// Server is every bucket of the account.
type Server struct {
	Dir    string // objects live under Dir/<bucket>/
	Region string
	AppID  uint64
	Keys   Keys
	Log    *slog.Logger
	// Created, when set, hears of every object created.
	Created func(Event)

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	name    string
	created time.Time
	acl     string            // canned ACL: private, public-read, public-read-write
	config  map[string][]byte // sub-resource (website, cors, lifecycle, tagging, versioning, …) → the XML as written
	objects map[string]*object
}

type object struct {
	Key          string            `json:"key"`
	Size         int64             `json:"size"`
	ETag         string            `json:"etag"`
	ContentType  string            `json:"content_type"`
	CacheControl string            `json:"cache_control,omitempty"`
	Disposition  string            `json:"content_disposition,omitempty"`
	Encoding     string            `json:"content_encoding,omitempty"`
	Meta         map[string]string `json:"meta,omitempty"`
	ACL          string            `json:"acl,omitempty"`
	Modified     time.Time         `json:"modified"`
	// CRC64 is the object's CRC-64/ECMA, which COS returns as x-cos-hash-crc64ecma and the COS
	// SDK checks every upload against.
	CRC64 uint64 `json:"crc64"`
}

// Bucket names a bucket the account holds, for the other products (SCF reads code from it).
func (s *Server) Object(bucketName, key string) (io.ReadCloser, int64, error) {
	s.mu.Lock()
	b := s.buckets[bucketName]
	var o *object
	if b != nil {
		o = b.objects[strings.TrimLeft(key, "/")]
	}
	s.mu.Unlock()
	if o == nil {
		return nil, 0, fmt.Errorf("cos: no object %s in %s", key, bucketName)
	}
	f, err := os.Open(s.path(bucketName, o.Key))
	return f, o.Size, err
}

// Buckets lists the buckets, for the cloud's own inventory.
func (s *Server) Buckets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for n := range s.buckets {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (s *Server) path(bucketName, key string) string {
	sum := sha1.Sum([]byte(key))
	return filepath.Join(s.Dir, bucketName, hex.EncodeToString(sum[:]))
}

// errorXML is COS's error body.
type errorXML struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Resource  string   `xml:"Resource"`
	RequestId string   `xml:"RequestId"`
}

func fail(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("x-cos-request-id", strconv.FormatInt(time.Now().UnixNano(), 36))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		xml.NewEncoder(w).Encode(errorXML{Code: code, Message: msg, Resource: r.Host + r.URL.Path})
	}
}

// ServeBucket serves a request to the bucket named by the host.
func (s *Server) ServeBucket(w http.ResponseWriter, r *http.Request, name string) {
	if origin := r.Header.Get("Origin"); origin != "" {
		rule := s.corsRule(name, origin, cmpOr(r.Header.Get("Access-Control-Request-Method"), r.Method))
		if r.Method == http.MethodOptions {
			if rule == nil {
				fail(w, r, http.StatusForbidden, "AccessForbidden", "CORSResponse: this CORS request is not allowed.")
				return
			}
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Methods", strings.Join(rule.Methods, ","))
			if hdr := r.Header.Get("Access-Control-Request-Headers"); hdr != "" {
				h.Set("Access-Control-Allow-Headers", hdr)
			}
			if rule.MaxAge > 0 {
				h.Set("Access-Control-Max-Age", strconv.Itoa(rule.MaxAge))
			}
			h.Set("Vary", "Origin")
			w.WriteHeader(http.StatusOK)
			return
		}
		if rule != nil {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Expose-Headers", strings.Join(rule.Expose, ","))
			w.Header().Set("Vary", "Origin")
		}
	}
	if msg := s.verify(r); msg != "" {
		s.Log.Warn("COS signature refused", "bucket", name, "method", r.Method, "path", r.URL.Path, "why", msg)
		fail(w, r, http.StatusForbidden, "SignatureDoesNotMatch", msg)
		return
	}
	// COS keys never begin with a slash: clients that send "//a/b" and "/a/b" mean one object.
	key := strings.TrimLeft(r.URL.Path, "/")
	q := r.URL.Query()
	if key == "" {
		s.serveBucket(w, r, name, q)
		return
	}
	s.serveObject(w, r, name, key, q)
}

type corsRule struct {
	Origins []string `xml:"AllowedOrigin"`
	Methods []string `xml:"AllowedMethod"`
	Headers []string `xml:"AllowedHeader"`
	Expose  []string `xml:"ExposeHeader"`
	MaxAge  int      `xml:"MaxAgeSeconds"`
}

// corsRule is the bucket's first CORS rule that allows origin to use method, or nil: COS
// answers a browser's preflight, and adds the CORS headers to its answers, by these rules.
func (s *Server) corsRule(bucketName, origin, method string) *corsRule {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[bucketName]
	if b == nil || b.config["cors"] == nil {
		return nil
	}
	var cfg struct {
		Rules []corsRule `xml:"CORSRule"`
	}
	xml.Unmarshal(b.config["cors"], &cfg)
	for _, r := range cfg.Rules {
		if (slices.Contains(r.Origins, origin) || slices.Contains(r.Origins, "*")) && slices.Contains(r.Methods, strings.ToUpper(method)) {
			return &r
		}
	}
	return nil
}

// subresources are the bucket configurations kept as written (GET answers the PUT's XML).
var subresources = []string{"website", "cors", "lifecycle", "tagging", "versioning", "encryption", "logging", "accelerate",
	"referer", "policy", "replication", "origin", "domain", "intelligenttiering", "intelligent-tiering", "object-lock", "inventory",
	"inventory-configurations"}

// notConfigured is what a GET of an unset configuration answers, per sub-resource: the status and
// code COS gives, or 200 with an empty document where COS answers that.
var notConfigured = map[string]struct {
	status int
	code   string
	empty  string
}{
	"website":             {404, "NoSuchWebsiteConfiguration", ""},
	"cors":                {404, "NoSuchCORSConfiguration", ""},
	"lifecycle":           {404, "NoSuchLifecycleConfiguration", ""},
	"encryption":          {404, "NoSuchEncryptionConfiguration", ""},
	"policy":              {404, "NoSuchBucketPolicy", ""},
	"replication":         {404, "ReplicationConfigurationnotFoundError", ""},
	"origin":              {404, "NoSuchOriginConfiguration", ""},
	"domain":              {404, "NoSuchDomainConfiguration", ""},
	"intelligenttiering":  {404, "NoSuchIntelligentTieringConfiguration", ""},
	"intelligent-tiering": {404, "NoSuchIntelligentTieringConfiguration", ""},
	"object-lock":         {404, "NoSuchObjectLockConfiguration", ""},
	"referer":             {404, "NoSuchRefererConfiguration", ""},
	"tagging":             {200, "", `<Tagging><TagSet></TagSet></Tagging>`},
	"versioning":          {200, "", `<VersioningConfiguration></VersioningConfiguration>`},
	"logging":             {200, "", `<BucketLoggingStatus></BucketLoggingStatus>`},
	"accelerate":          {200, "", `<AccelerateConfiguration><Status>Suspended</Status><Type>COS</Type></AccelerateConfiguration>`},
}

func subresource(q url.Values) string {
	for _, k := range append([]string{"acl", "delete", "location"}, subresources...) {
		if q.Has(k) {
			return k
		}
	}
	return ""
}

func (s *Server) serveBucket(w http.ResponseWriter, r *http.Request, name string, q url.Values) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buckets == nil {
		s.buckets = map[string]*bucket{}
	}
	b := s.buckets[name]
	sub := subresource(q)
	if b == nil && !(r.Method == http.MethodPut && sub == "") {
		fail(w, r, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist.")
		return
	}
	switch {
	case r.Method == http.MethodPut && sub == "":
		if b != nil {
			fail(w, r, http.StatusConflict, "BucketAlreadyOwnedByYou", "The bucket exists.")
			return
		}
		if err := os.MkdirAll(filepath.Join(s.Dir, name), 0o755); err != nil {
			fail(w, r, 500, "InternalError", err.Error())
			return
		}
		s.buckets[name] = &bucket{name: name, created: time.Now(), acl: cannedACL(r.Header), config: map[string][]byte{}, objects: map[string]*object{}}
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodHead:
		w.Header().Set("x-cos-bucket-region", s.Region)
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodDelete && sub == "":
		if len(b.objects) > 0 {
			fail(w, r, http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty.")
			return
		}
		delete(s.buckets, name)
		os.RemoveAll(filepath.Join(s.Dir, name))
		w.WriteHeader(http.StatusNoContent)
	case sub == "acl" && r.Method == http.MethodPut:
		b.acl = cannedACL(r.Header)
		w.WriteHeader(http.StatusOK)
	case sub == "acl" && r.Method == http.MethodGet:
		writeXML(w, aclXML(s.owner(), b.acl))
	case sub == "location":
		writeXML(w, struct {
			XMLName xml.Name `xml:"LocationConstraint"`
			Region  string   `xml:",chardata"`
		}{Region: s.Region})
	case sub == "delete" && r.Method == http.MethodPost:
		s.deleteMulti(w, r, b)
	case sub != "" && r.Method == http.MethodPut:
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			fail(w, r, 400, "InvalidRequest", err.Error())
			return
		}
		if sub != "policy" && xml.Unmarshal(body, new(struct{})) != nil {
			fail(w, r, 400, "MalformedXML", "The XML you provided was not well-formed.")
			return
		}
		b.config[sub] = body
		w.WriteHeader(http.StatusOK)
	case sub != "" && r.Method == http.MethodGet:
		if body, ok := b.config[sub]; ok {
			w.Header().Set("Content-Type", "application/xml")
			w.Write(body)
			return
		}
		nc := notConfigured[sub]
		if nc.status == 200 {
			w.Header().Set("Content-Type", "application/xml")
			io.WriteString(w, nc.empty)
			return
		}
		fail(w, r, nc.status, nc.code, "The "+sub+" configuration does not exist.")
	case sub != "" && r.Method == http.MethodDelete:
		delete(b.config, sub)
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodGet && q.Has("versions"):
		s.versions(w, b, q)
	case r.Method == http.MethodGet:
		s.list(w, r, b, q)
	default:
		fail(w, r, http.StatusMethodNotAllowed, "MethodNotAllowed", r.Method+" on a bucket")
	}
}

func (s *Server) owner() string {
	return "qcs::cam::uin/" + strconv.FormatUint(s.AppID, 10) + ":uin/" + strconv.FormatUint(s.AppID, 10)
}

func cannedACL(h http.Header) string { return cmpOr(objectACL(h), "private") }

// objectACL is the canned ACL a request sets, COS's header or its S3-compatible one (the
// provider's bucket objects go through an S3 client), or "" when it sets none.
func objectACL(h http.Header) string {
	if a := h.Get("x-cos-acl"); a != "" {
		return a
	}
	return h.Get("x-amz-acl")
}

type grantee struct {
	XMLName     xml.Name `xml:"Grantee"`
	XSI         string   `xml:"xmlns:xsi,attr"`
	Type        string   `xml:"xsi:type,attr"`
	URI         string   `xml:"URI,omitempty"`
	ID          string   `xml:"ID,omitempty"`
	DisplayName string   `xml:"DisplayName,omitempty"`
}

type grant struct {
	Grantee    grantee `xml:"Grantee"`
	Permission string  `xml:"Permission"`
}

type accessControlPolicy struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	Owner   struct {
		ID          string `xml:"ID"`
		DisplayName string `xml:"DisplayName"`
	} `xml:"Owner"`
	Grants []grant `xml:"AccessControlList>Grant"`
}

// aclXML is the AccessControlPolicy of a canned ACL: the owner's FULL_CONTROL, and AllUsers
// READ (public-read) or READ and WRITE (public-read-write).
func aclXML(owner, canned string) accessControlPolicy {
	var p accessControlPolicy
	p.Owner.ID, p.Owner.DisplayName = owner, owner
	xsi := "http://www.w3.org/2001/XMLSchema-instance"
	p.Grants = []grant{{Grantee: grantee{XSI: xsi, Type: "CanonicalUser", ID: owner, DisplayName: owner}, Permission: "FULL_CONTROL"}}
	all := "http://cam.qcloud.com/groups/global/AllUsers"
	switch canned {
	case "public-read":
		p.Grants = append(p.Grants, grant{Grantee: grantee{XSI: xsi, Type: "Group", URI: all}, Permission: "READ"})
	case "public-read-write":
		p.Grants = append(p.Grants, grant{Grantee: grantee{XSI: xsi, Type: "Group", URI: all}, Permission: "READ"},
			grant{Grantee: grantee{XSI: xsi, Type: "Group", URI: all}, Permission: "WRITE"})
	}
	return p
}

func writeXML(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/xml")
	xml.NewEncoder(w).Encode(v)
}

type listResult struct {
	XMLName        xml.Name `xml:"ListBucketResult"`
	Name           string   `xml:"Name"`
	Prefix         string   `xml:"Prefix"`
	Marker         string   `xml:"Marker"`
	MaxKeys        int      `xml:"MaxKeys"`
	IsTruncated    bool     `xml:"IsTruncated"`
	NextMarker     string   `xml:"NextMarker,omitempty"`
	Contents       []listed `xml:"Contents"`
	CommonPrefixes []struct {
		Prefix string `xml:"Prefix"`
	} `xml:"CommonPrefixes"`
}

type listed struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
}

// versions answers GET ?versions (ListObjectVersions), which the provider's force_clean pages
// through before deleting a bucket. A bucket that never had versioning has one version of each
// object, "null".
func (s *Server) versions(w http.ResponseWriter, b *bucket, q url.Values) {
	type version struct {
		Key          string `xml:"Key"`
		VersionID    string `xml:"VersionId"`
		IsLatest     bool   `xml:"IsLatest"`
		LastModified string `xml:"LastModified"`
		ETag         string `xml:"ETag"`
		Size         int64  `xml:"Size"`
		StorageClass string `xml:"StorageClass"`
	}
	res := struct {
		XMLName       xml.Name  `xml:"ListVersionsResult"`
		Name          string    `xml:"Name"`
		Prefix        string    `xml:"Prefix"`
		KeyMarker     string    `xml:"KeyMarker"`
		MaxKeys       int       `xml:"MaxKeys"`
		IsTruncated   bool      `xml:"IsTruncated"`
		NextKeyMarker string    `xml:"NextKeyMarker,omitempty"`
		Versions      []version `xml:"Version"`
	}{Name: b.name, Prefix: q.Get("prefix"), KeyMarker: q.Get("key-marker"), MaxKeys: 1000}
	keys := make([]string, 0, len(b.objects))
	for k := range b.objects {
		if strings.HasPrefix(k, res.Prefix) && k > res.KeyMarker {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if len(res.Versions) == res.MaxKeys {
			res.IsTruncated, res.NextKeyMarker = true, res.Versions[len(res.Versions)-1].Key
			break
		}
		o := b.objects[k]
		res.Versions = append(res.Versions, version{Key: k, VersionID: "null", IsLatest: true, LastModified: o.Modified.UTC().Format(time.RFC3339),
			ETag: `"` + o.ETag + `"`, Size: o.Size, StorageClass: "STANDARD"})
	}
	writeXML(w, res)
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, b *bucket, q url.Values) {
	prefix, marker, delim := q.Get("prefix"), q.Get("marker"), q.Get("delimiter")
	max, _ := strconv.Atoi(q.Get("max-keys"))
	if max <= 0 || max > 1000 {
		max = 1000
	}
	keys := make([]string, 0, len(b.objects))
	for k := range b.objects {
		if strings.HasPrefix(k, prefix) && k > marker {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	res := listResult{Name: b.name, Prefix: prefix, Marker: marker, MaxKeys: max}
	seen := map[string]bool{}
	for _, k := range keys {
		if len(res.Contents)+len(res.CommonPrefixes) >= max {
			res.IsTruncated, res.NextMarker = true, k
			break
		}
		if delim != "" {
			if i := strings.Index(k[len(prefix):], delim); i >= 0 {
				p := k[:len(prefix)+i+len(delim)]
				if !seen[p] {
					seen[p] = true
					res.CommonPrefixes = append(res.CommonPrefixes, struct {
						Prefix string `xml:"Prefix"`
					}{p})
				}
				continue
			}
		}
		o := b.objects[k]
		res.Contents = append(res.Contents, listed{Key: k, LastModified: o.Modified.UTC().Format(time.RFC3339), ETag: `"` + o.ETag + `"`, Size: o.Size, StorageClass: "STANDARD"})
	}
	writeXML(w, res)
}

func (s *Server) deleteMulti(w http.ResponseWriter, r *http.Request, b *bucket) {
	var req struct {
		Quiet   bool `xml:"Quiet"`
		Objects []struct {
			Key string `xml:"Key"`
		} `xml:"Object"`
	}
	if err := xml.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
		fail(w, r, 400, "MalformedXML", err.Error())
		return
	}
	type deleted struct {
		Key string `xml:"Key"`
	}
	var res struct {
		XMLName xml.Name  `xml:"DeleteResult"`
		Deleted []deleted `xml:"Deleted"`
	}
	for _, o := range req.Objects {
		delete(b.objects, o.Key)
		os.Remove(s.path(b.name, o.Key))
		res.Deleted = append(res.Deleted, deleted{o.Key})
	}
	writeXML(w, res)
}

func (s *Server) serveObject(w http.ResponseWriter, r *http.Request, name, key string, q url.Values) {
	s.mu.Lock()
	b := s.buckets[name]
	if b == nil {
		s.mu.Unlock()
		fail(w, r, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist.")
		return
	}
	o := b.objects[key]
	sub := subresource(q)
	switch {
	case r.Method == http.MethodPut && sub == "":
		s.mu.Unlock()
		s.put(w, r, b, key)
		return
	case sub == "acl" && r.Method == http.MethodPut:
		if o != nil {
			o.ACL = cannedACL(r.Header)
		}
	case sub == "acl" && r.Method == http.MethodGet && o != nil:
		w.Header().Set("x-cos-acl", cmpOr(o.ACL, "default"))
		s.mu.Unlock()
		writeXML(w, aclXML(s.owner(), cmpOr(o.ACL, b.acl)))
		return
	case sub == "tagging" && r.Method == http.MethodGet && o != nil:
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/xml")
		io.WriteString(w, `<Tagging><TagSet></TagSet></Tagging>`)
		return
	case sub == "tagging":
	case r.Method == http.MethodDelete:
		delete(b.objects, key)
		os.Remove(s.path(name, key))
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
		return
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && o != nil:
		o := *o
		s.mu.Unlock()
		s.get(w, r, name, &o)
		return
	}
	s.mu.Unlock()
	if o == nil && r.Method != http.MethodPut {
		fail(w, r, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, bucketName string, o *object) {
	h := w.Header()
	h.Set("Content-Type", o.ContentType)
	h.Set("ETag", `"`+o.ETag+`"`)
	h.Set("Last-Modified", o.Modified.UTC().Format(http.TimeFormat))
	h.Set("Content-Length", strconv.FormatInt(o.Size, 10))
	for k, v := range map[string]string{"Cache-Control": o.CacheControl, "Content-Disposition": o.Disposition, "Content-Encoding": o.Encoding} {
		if v != "" {
			h.Set(k, v)
		}
	}
	for k, v := range o.Meta {
		h.Set("x-cos-meta-"+k, v)
	}
	h.Set("x-cos-storage-class", "STANDARD")
	h.Set("x-cos-hash-crc64ecma", strconv.FormatUint(o.CRC64, 10))
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	f, err := os.Open(s.path(bucketName, o.Key))
	if err != nil {
		fail(w, r, 500, "InternalError", err.Error())
		return
	}
	defer f.Close()
	io.Copy(w, f)
}

// put stores an object: the body, or a copy of x-cos-copy-source. With x-cos-forbid-overwrite:
// true an existing key is refused with 409 FileAlreadyExists (the bucket never had versioning).
func (s *Server) put(w http.ResponseWriter, r *http.Request, b *bucket, key string) {
	kind := "cos:ObjectCreated:Put"
	var src io.Reader = r.Body
	var copied *object
	if cs := r.Header.Get("x-cos-copy-source"); cs != "" {
		kind = "cos:ObjectCreated:Copy"
		srcBucket, srcKey, err := s.copySource(cs)
		if err != nil {
			fail(w, r, 400, "InvalidArgument", err.Error())
			return
		}
		s.mu.Lock()
		sb := s.buckets[srcBucket]
		if sb != nil && sb.objects[srcKey] != nil {
			c := *sb.objects[srcKey]
			copied = &c
		}
		s.mu.Unlock()
		if copied == nil {
			fail(w, r, 404, "NoSuchKey", "The copy source does not exist.")
			return
		}
		f, err := os.Open(s.path(srcBucket, srcKey))
		if err != nil {
			fail(w, r, 500, "InternalError", err.Error())
			return
		}
		defer f.Close()
		src = f
	}
	tmp, err := os.CreateTemp(filepath.Join(s.Dir, b.name), ".upload-*")
	if err != nil {
		fail(w, r, 500, "InternalError", err.Error())
		return
	}
	defer os.Remove(tmp.Name())
	h, crc := md5.New(), crc64.New(crc64.MakeTable(crc64.ECMA))
	n, err := io.Copy(io.MultiWriter(tmp, h, crc), src)
	tmp.Close()
	if err != nil {
		fail(w, r, 400, "IncompleteBody", err.Error())
		return
	}
	if copied == nil && r.ContentLength >= 0 && n != r.ContentLength {
		fail(w, r, 400, "IncompleteBody", "the body is not Content-Length long")
		return
	}
	o := &object{Key: key, Size: n, ETag: hex.EncodeToString(h.Sum(nil)), ContentType: cmpOr(r.Header.Get("Content-Type"), "application/octet-stream"),
		CacheControl: r.Header.Get("Cache-Control"), Disposition: r.Header.Get("Content-Disposition"), Encoding: r.Header.Get("Content-Encoding"),
		ACL: objectACL(r.Header), Modified: time.Now(), Meta: map[string]string{}, CRC64: crc.Sum64()}
	if copied != nil && !strings.EqualFold(r.Header.Get("x-cos-metadata-directive"), "Replaced") {
		o.ContentType, o.CacheControl, o.Disposition, o.Encoding, o.Meta = copied.ContentType, copied.CacheControl, copied.Disposition, copied.Encoding, copied.Meta
	}
	for k, v := range r.Header {
		if m, ok := strings.CutPrefix(strings.ToLower(k), "x-cos-meta-"); ok && len(v) > 0 {
			o.Meta[m] = v[0]
		}
	}
	s.mu.Lock()
	if strings.EqualFold(r.Header.Get("x-cos-forbid-overwrite"), "true") && b.objects[key] != nil {
		s.mu.Unlock()
		fail(w, r, http.StatusConflict, "FileAlreadyExists", "The object already exists.")
		return
	}
	if err := os.Rename(tmp.Name(), s.path(b.name, key)); err != nil {
		s.mu.Unlock()
		fail(w, r, 500, "InternalError", err.Error())
		return
	}
	b.objects[key] = o
	s.mu.Unlock()
	w.Header().Set("ETag", `"`+o.ETag+`"`)
	w.Header().Set("x-cos-hash-crc64ecma", strconv.FormatUint(o.CRC64, 10))
	if copied != nil {
		writeXML(w, struct {
			XMLName      xml.Name `xml:"CopyObjectResult"`
			ETag         string   `xml:"ETag"`
			LastModified string   `xml:"LastModified"`
		}{ETag: `"` + o.ETag + `"`, LastModified: o.Modified.UTC().Format(time.RFC3339)})
	} else {
		w.WriteHeader(http.StatusOK)
	}
	if s.Created != nil {
		s.Created(Event{Bucket: b.name, Region: s.Region, Key: key, ETag: o.ETag, Kind: kind, Size: o.Size, Time: o.Modified, Host: r.Host})
	}
}

// copySource reads x-cos-copy-source: <bucket>.cos.<region>.<domain>/<key>, the key URL-encoded.
func (s *Server) copySource(cs string) (bucketName, key string, err error) {
	host, path, ok := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(cs, "http://"), "https://"), "/")
	if !ok {
		return "", "", fmt.Errorf("x-cos-copy-source %q is not <bucket host>/<key>", cs)
	}
	bucketName, _, _ = strings.Cut(host, ".")
	if key, err = url.PathUnescape(path); err != nil {
		return "", "", err
	}
	return bucketName, key, nil
}

// verify checks a request's COS signature, in the Authorization header or presigned in the
// query, and returns why it is refused ("" when it is good). Anonymous requests are let through
// to what a public-read bucket serves (GET and HEAD). An AWS V4 signature (the S3 SDK the
// Terraform provider also uses) is accepted on its key id alone: its signature is not checked.
func (s *Server) verify(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	q := r.URL.Query()
	if auth == "" && q.Get("q-sign-algorithm") != "" {
		auth = r.URL.RawQuery
	}
	token := cmpOr(r.Header.Get("x-cos-security-token"), q.Get("x-cos-security-token"))
	switch {
	case auth == "":
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			return "" // the bucket's ACL decides (public-read)
		}
		return "an anonymous " + r.Method
	case strings.HasPrefix(auth, "AWS4-HMAC-SHA256 "):
		cred := strings.TrimPrefix(strings.Split(strings.TrimPrefix(auth, "AWS4-HMAC-SHA256 "), ",")[0], "Credential=")
		id, _, _ := strings.Cut(cred, "/")
		if _, ok := s.Keys.SecretKey(id, cmpOr(r.Header.Get("X-Amz-Security-Token"), token)); !ok {
			return "unknown access key " + id
		}
		return ""
	}
	// Not url.ParseQuery: the values hold semicolons (q-sign-time=start;end).
	p := url.Values{}
	for _, kv := range strings.Split(auth, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		p.Set(k, v)
	}
	if p.Get("q-sign-algorithm") != "sha1" {
		return "not a q-sign-algorithm=sha1 signature: " + auth[:min(len(auth), 40)]
	}
	key, ok := s.Keys.SecretKey(p.Get("q-ak"), token)
	if !ok {
		return "unknown or expired key " + p.Get("q-ak")
	}
	start, end, _ := strings.Cut(p.Get("q-sign-time"), ";")
	from, _ := strconv.ParseInt(start, 10, 64)
	until, _ := strconv.ParseInt(end, 10, 64)
	now := time.Now().Unix()
	if now < from-60 || now > until {
		return "the signature is outside its q-sign-time"
	}
	format := func(names string, get func(string) string) string {
		var pairs []string
		for _, n := range strings.Split(names, ";") {
			if n == "" {
				continue
			}
			pairs = append(pairs, n+"="+safeEncode(get(n)))
		}
		sort.Strings(pairs)
		return strings.Join(pairs, "&")
	}
	params := format(p.Get("q-url-param-list"), func(n string) string {
		for k, v := range q {
			if strings.ToLower(k) == n && len(v) > 0 {
				return v[0]
			}
		}
		return ""
	})
	headers := format(p.Get("q-header-list"), func(n string) string {
		if n == "host" {
			return cmpOr(r.Header.Get("Host"), r.Host)
		}
		return r.Header.Get(n)
	})
	formatString := strings.ToLower(r.Method) + "\n" + r.URL.Path + "\n" + params + "\n" + headers + "\n"
	sum := sha1.Sum([]byte(formatString))
	toSign := "sha1\n" + p.Get("q-sign-time") + "\n" + hex.EncodeToString(sum[:]) + "\n"
	mac := func(k, msg string) string {
		h := hmac.New(sha1.New, []byte(k))
		h.Write([]byte(msg))
		return hex.EncodeToString(h.Sum(nil))
	}
	if !hmac.Equal([]byte(mac(mac(key, p.Get("q-key-time")), toSign)), []byte(p.Get("q-signature"))) {
		return "the signature does not match"
	}
	return ""
}

// safeEncode is COS's encoding of a signed value: RFC 3986 unreserved characters kept.
func safeEncode(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func cmpOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// Inventory lists each bucket's objects, for the cloud's check that a destroy left nothing.
func (s *Server) Inventory() map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]string{}
	for n, b := range s.buckets {
		keys := []string{}
		for k := range b.objects {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		out[n] = keys
	}
	return out
}

// snapshot is for debugging: the buckets as JSON.
func (s *Server) snapshot() []byte {
	b, _ := json.Marshal(s.Inventory())
	return b
}

// ServeWebsite answers the static website endpoint of a bucket (<bucket>.cos-website.<region>…):
// GET and HEAD without a signature, for a bucket with a website configuration whose objects the
// public may read; a path ending in "/" is its index document, a missing key the error document
// with 404, as COS serves them.
func (s *Server) ServeWebsite(w http.ResponseWriter, r *http.Request, name string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		fail(w, r, http.StatusMethodNotAllowed, "MethodNotAllowed", "The website endpoint serves GET and HEAD.")
		return
	}
	s.mu.Lock()
	b := s.buckets[name]
	var site struct {
		Index string `xml:"IndexDocument>Suffix"`
		Error string `xml:"ErrorDocument>Key"`
	}
	if b != nil {
		xml.Unmarshal(b.config["website"], &site)
	}
	if b == nil || b.config["website"] == nil {
		s.mu.Unlock()
		fail(w, r, http.StatusNotFound, "NoSuchWebsiteConfiguration", "The bucket has no website configuration.")
		return
	}
	key := strings.TrimPrefix(r.URL.Path, "/")
	if key == "" || strings.HasSuffix(key, "/") {
		key += site.Index
	}
	status := http.StatusOK
	o := b.objects[key]
	if o == nil && site.Error != "" {
		o, status = b.objects[site.Error], http.StatusNotFound
	}
	if o == nil {
		s.mu.Unlock()
		fail(w, r, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	acl := o.ACL
	if acl == "" || acl == "default" {
		acl = b.acl // an object without its own ACL inherits the bucket's
	}
	if !strings.HasPrefix(acl, "public-read") {
		s.mu.Unlock()
		fail(w, r, http.StatusForbidden, "AccessDenied", "The object is private.")
		return
	}
	obj := *o
	s.mu.Unlock()
	if status != http.StatusOK {
		w.Header().Set("Content-Type", obj.ContentType)
		w.WriteHeader(status)
		if r.Method == http.MethodGet {
			if f, err := os.Open(s.path(name, obj.Key)); err == nil {
				io.Copy(w, f)
				f.Close()
			}
		}
		return
	}
	s.get(w, r, name, &obj)
}
