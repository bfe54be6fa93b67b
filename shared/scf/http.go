package scf

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
)

// MaxHTTPBody is the gateway's request size limit. Anything larger never reaches a function:
// uploads go straight to COS with presigned URLs.
const MaxHTTPBody = 6 << 20

// HTTPOptions tune the HTTP event adapter.
type HTTPOptions struct {
	// BasePath is stripped from the request path when present (a custom domain's path mapping).
	BasePath string
}

// NewRequest turns an API Gateway or Function URL event into an *http.Request. The stage
// (/release, /test, /prepub) and the base path are stripped from the path when they prefix it,
// so the handler sees the same paths as the shim.
func NewRequest(ctx context.Context, ev *HTTPRequest, opts HTTPOptions) (*http.Request, error) {
	method := strings.ToUpper(strings.TrimSpace(ev.HTTPMethod))
	if method == "" && ev.RequestContext != nil {
		method = strings.ToUpper(ev.RequestContext.HTTPMethod)
	}
	if method == "" || method == "ANY" || strings.ContainsAny(method, " \t\r\n/") {
		return nil, fmt.Errorf("scf: event has no usable httpMethod %q", ev.HTTPMethod)
	}

	path := ev.Path
	if path == "" {
		path = "/"
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	if ev.RequestContext != nil && ev.RequestContext.Stage != "" {
		path = stripPrefix(path, "/"+ev.RequestContext.Stage)
	}
	if opts.BasePath != "" {
		path = stripPrefix(path, opts.BasePath)
	}

	query := ev.QueryString
	if len(query) == 0 {
		query = ev.QueryStringParameters
	}
	u := &url.URL{Path: path, RawQuery: encodeQuery(query)}

	var body []byte
	if ev.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			return nil, fmt.Errorf("scf: body is marked base64 but is not: %w", err)
		}
		body = b
	} else {
		body = []byte(ev.Body)
	}

	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("scf: build request: %w", err)
	}
	req.RequestURI = u.RequestURI()
	for k, vs := range ev.Headers {
		for _, v := range vs {
			req.Header.Add(k, v) // Add canonicalises the gateway's lower-case names
		}
	}
	req.Host = req.Header.Get("Host")
	req.ContentLength = int64(len(body))
	if ev.RequestContext != nil {
		if ip := ev.RequestContext.SourceIP; ip != "" {
			req.RemoteAddr = ip + ":0"
		}
		if req.Header.Get("X-Request-Id") == "" && ev.RequestContext.RequestID != "" {
			req.Header.Set("X-Request-Id", ev.RequestContext.RequestID)
		}
	}
	if req.Header.Get("X-Request-Id") == "" {
		if inv, ok := FromContext(ctx); ok && inv.RequestID != "" {
			req.Header.Set("X-Request-Id", inv.RequestID)
		}
	}
	return req, nil
}

// StripBasePath serves h with base (a custom domain's path mapping) taken off the request path.
// The API functions learn the base from the configuration, which Go1 delivers with the first
// invoke, so they wrap their handler when they build it rather than passing HTTPOptions.BasePath,
// which must be known before the runtime starts.
func StripBasePath(base string, h http.Handler) http.Handler {
	if base == "" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := stripPrefix(r.URL.Path, base); p != r.URL.Path {
			r2 := r.Clone(r.Context())
			r2.URL.Path, r2.URL.RawPath = p, ""
			r2.RequestURI = r2.URL.RequestURI()
			r = r2
		}
		h.ServeHTTP(w, r)
	})
}

func stripPrefix(path, prefix string) string {
	if path == prefix {
		return "/"
	}
	if strings.HasPrefix(path, prefix+"/") {
		return path[len(prefix):]
	}
	return path
}

// encodeQuery keeps a bare key (?flag) bare, which url.Values.Encode would turn into ?flag=.
func encodeQuery(q Values) string {
	if len(q) == 0 {
		return ""
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range q[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k))
			if v != "" {
				b.WriteByte('=')
				b.WriteString(url.QueryEscape(v))
			}
		}
	}
	return b.String()
}

// responseRecorder collects what a handler writes into an integration response.
type responseRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *responseRecorder) Header() http.Header { return r.header }

func (r *responseRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *responseRecorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(p)
}

// Response converts what the handler wrote into the integration response: binary bodies are
// base64, repeated headers become arrays.
func (r *responseRecorder) Response() *HTTPResponse {
	status := r.status
	if status == 0 {
		status = http.StatusOK
	}
	ct := r.header.Get("Content-Type")
	if ct == "" && r.body.Len() > 0 {
		ct = http.DetectContentType(r.body.Bytes())
		r.header.Set("Content-Type", ct)
	}
	out := &HTTPResponse{StatusCode: status, Headers: make(map[string]any, len(r.header))}
	for k, vs := range r.header {
		switch len(vs) {
		case 0:
		case 1:
			out.Headers[k] = vs[0]
		default:
			out.Headers[k] = append([]string(nil), vs...)
		}
	}
	if isText(ct) {
		out.Body = r.body.String()
	} else {
		out.Body = base64.StdEncoding.EncodeToString(r.body.Bytes())
		out.IsBase64Encoded = true
	}
	return out
}

// isText reports whether a body of this content type can travel as a JSON string unchanged.
func isText(contentType string) bool {
	if contentType == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"),
		mt == "application/json", strings.HasSuffix(mt, "+json"),
		mt == "application/xml", strings.HasSuffix(mt, "+xml"),
		mt == "application/javascript", mt == "application/x-www-form-urlencoded",
		mt == "image/svg+xml":
		return true
	}
	return false
}

// ServeEvent runs h for one HTTP event and returns the integration response.
func ServeEvent(ctx context.Context, h http.Handler, ev *HTTPRequest, opts HTTPOptions) (*HTTPResponse, error) {
	req, err := NewRequest(ctx, ev, opts)
	if err != nil {
		// A malformed event is the caller's mistake: answer 400 rather than fail the invoke.
		return &HTTPResponse{
			StatusCode: http.StatusBadRequest,
			Headers:    map[string]any{"Content-Type": "application/problem+json"},
			Body:       problemBody(http.StatusBadRequest, "bad_event", err.Error()),
		}, nil
	}
	rec := &responseRecorder{header: make(http.Header)}
	h.ServeHTTP(rec, req)
	return rec.Response(), nil
}

func problemBody(status int, code, detail string) string {
	b, _ := json.Marshal(map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": status, "code": code, "detail": detail})
	return string(b)
}

// HTTPHandler serves an http.Handler from HTTP events. build runs on the first invocation, not at
// start: under Go1 the environment (configuration and role credentials) arrives with the invoke.
// A failed build is retried on the next invocation rather than cached.
func HTTPHandler(build func(ctx context.Context) (http.Handler, error), opts HTTPOptions) Handler {
	var (
		mu sync.Mutex
		h  http.Handler
	)
	get := func(ctx context.Context) (http.Handler, error) {
		mu.Lock()
		defer mu.Unlock()
		if h != nil {
			return h, nil
		}
		built, err := build(ctx)
		if err != nil {
			return nil, err
		}
		h = built
		return h, nil
	}
	return Typed(func(ctx context.Context, ev HTTPRequest) (*HTTPResponse, error) {
		handler, err := get(ctx)
		if err != nil {
			// The instance stays usable: this request is told to come back (503, Retry-After),
			// the next one tries to start again. An error here would be an invocation failure,
			// which the HTTP entry turns into a bare 5xx, and nothing says when to retry.
			fmt.Fprintf(os.Stderr, "scf: start handler: %v\n", err)
			return unavailable(), nil
		}
		return ServeEvent(ctx, handler, &ev, opts)
	})
}

// unavailable is the answer of an instance that could not start its handler (its database
// refused a connection, its secrets could not be read): a problem document like every other
// error of the API, with Retry-After.
func unavailable() *HTTPResponse {
	body := `{"type":"about:blank","title":"服务暂时不可用","status":503,"code":"unavailable","detail":"服务正在启动或依赖暂时不可用，请稍后重试"}`
	return &HTTPResponse{StatusCode: http.StatusServiceUnavailable, Body: body,
		Headers: map[string]any{"Content-Type": "application/problem+json", "Retry-After": "2", "Cache-Control": "no-store"}}
}

// StartHTTP serves an API group under the Go1 runtime. It is what an API function's main calls.
func StartHTTP(build func(ctx context.Context) (http.Handler, error), opts HTTPOptions) error {
	return ListenAndServe(context.Background(), os.Getenv, NewFunction(HTTPHandler(build, opts), nil))
}
