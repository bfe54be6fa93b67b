package scf

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
)

func decodeHTTP(tb testing.TB, name string) *HTTPRequest {
	tb.Helper()
	var ev HTTPRequest
	if err := json.Unmarshal(readFixture(tb, name), &ev); err != nil {
		tb.Fatal(err)
	}
	return &ev
}

func TestNewRequestAPIGateway(t *testing.T) {
	req, err := NewRequest(context.Background(), decodeHTTP(t, "apigw_event.json"), HTTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != http.MethodPost || req.URL.Path != "/api/echo" {
		t.Errorf("got %s %s, want POST /api/echo (stage stripped)", req.Method, req.URL.Path)
	}
	q := req.URL.Query()
	if !reflect.DeepEqual(q["tag"], []string{"porcelain", "jade"}) || q.Get("verbose") != "1" || !q.Has("flag") {
		t.Errorf("query = %v", q)
	}
	if req.Header.Get("User-Agent") == "" || req.Host != "service-f94sy04v-1250000000.gz.apigw.tencentcs.com" {
		t.Errorf("headers not canonicalised: %v host %q", req.Header, req.Host)
	}
	if req.Header.Get("X-Request-Id") != "c6af9ac6-7b61-11e6-9a41-93e8deadbeef" || req.RemoteAddr != "10.0.2.14:0" {
		t.Errorf("request id %q, remote %q", req.Header.Get("X-Request-Id"), req.RemoteAddr)
	}
	body, _ := io.ReadAll(req.Body)
	if string(body) != `{"title":"ming vase","note":"青花瓷"}` {
		t.Errorf("body = %q", body)
	}
}

func TestNewRequestPaths(t *testing.T) {
	tests := []struct {
		name, path, stage, base, want string
	}{
		{"plain", "/api/v1/orders", "", "", "/api/v1/orders"},
		{"stage prefix", "/release/api/v1/orders", "release", "", "/api/v1/orders"},
		{"stage not a prefix of a longer segment", "/releases/x", "release", "", "/releases/x"},
		{"base path", "/jianbao/api/v1/orders", "", "/jianbao", "/api/v1/orders"},
		{"stage then base", "/test/jianbao/api", "test", "/jianbao", "/api"},
		{"no leading slash", "api", "", "", "/api"},
		{"empty", "", "", "", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := &HTTPRequest{HTTPMethod: "get", Path: tt.path}
			if tt.stage != "" {
				ev.RequestContext = &RequestContext{Stage: tt.stage}
			}
			req, err := NewRequest(context.Background(), ev, HTTPOptions{BasePath: tt.base})
			if err != nil {
				t.Fatal(err)
			}
			if req.URL.Path != tt.want {
				t.Errorf("path = %q, want %q", req.URL.Path, tt.want)
			}
		})
	}
}

func TestNewRequestRejectsBadEvents(t *testing.T) {
	for _, ev := range []*HTTPRequest{
		{},
		{HTTPMethod: "ANY", Path: "/"},
		{HTTPMethod: "GET /x", Path: "/"},
		{HTTPMethod: "POST", Path: "/", Body: "***", IsBase64Encoded: true},
	} {
		if _, err := NewRequest(context.Background(), ev, HTTPOptions{}); err == nil {
			t.Errorf("%+v: want an error", ev)
		}
	}
}

func TestServeEventResponses(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/cookies", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
		http.SetCookie(w, &http.Cookie{Name: "b", Value: "2"})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"ok":true}`))
	})
	png := []byte{0x89, 'P', 'N', 'G', 0, 0xff}
	mux.HandleFunc("/png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(png)
	})
	mux.HandleFunc("/sniffed", func(w http.ResponseWriter, r *http.Request) { w.Write(png) })
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {})

	tests := []struct {
		path       string
		status     int
		body       string
		base64     bool
		setCookies []string
	}{
		{"/cookies", 201, `{"ok":true}`, false, []string{"a=1", "b=2"}},
		{"/png", 200, base64.StdEncoding.EncodeToString(png), true, nil},
		{"/sniffed", 200, base64.StdEncoding.EncodeToString(png), true, nil},
		{"/empty", 200, "", false, nil},
		{"/missing", 404, "404 page not found\n", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := ServeEvent(context.Background(), mux, &HTTPRequest{HTTPMethod: "GET", Path: tt.path}, HTTPOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status || resp.Body != tt.body || resp.IsBase64Encoded != tt.base64 {
				t.Errorf("got %d %q base64=%v", resp.StatusCode, resp.Body, resp.IsBase64Encoded)
			}
			if tt.setCookies != nil && !reflect.DeepEqual(resp.Headers["Set-Cookie"], tt.setCookies) {
				t.Errorf("Set-Cookie = %#v", resp.Headers["Set-Cookie"])
			}
		})
	}
}

func TestServeEventBadEventIs400(t *testing.T) {
	resp, err := ServeEvent(context.Background(), http.NotFoundHandler(), &HTTPRequest{}, HTTPOptions{})
	if err != nil || resp.StatusCode != 400 {
		t.Fatalf("got %+v, %v", resp, err)
	}
}

// TestStripBasePath: the base path from the configuration comes off the path, and only a whole
// leading segment of it.
func TestStripBasePath(t *testing.T) {
	var got string
	h := StripBasePath("/jianbao", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.URL.Path + "|" + r.RequestURI }))
	for in, want := range map[string]string{
		"/jianbao/api/v1/orders?x=1": "/api/v1/orders|/api/v1/orders?x=1",
		"/jianbao":                   "/|/",
		"/jianbaox/api":              "/jianbaox/api|/jianbaox/api",
		"/api/v1/orders":             "/api/v1/orders|/api/v1/orders",
	} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", in, nil))
		if got != want {
			t.Errorf("%s → %s, want %s", in, got, want)
		}
	}
}

// TestAFailedStartIsA503AndTriedAgain: an instance whose handler cannot start (MySQL refused a
// connection) answers 503 with Retry-After in the API's problem shape — not an invocation
// error, which would leave the caller a bare 5xx — and tries again on the next event.
func TestAFailedStartIsA503AndTriedAgain(t *testing.T) {
	builds := 0
	h := HTTPHandler(func(context.Context) (http.Handler, error) {
		builds++
		if builds == 1 {
			return nil, errors.New("mysql.busy: Error 1040: Too many connections")
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }), nil
	}, HTTPOptions{})
	event := []byte(`{"httpMethod":"GET","path":"/health","headers":{},"queryString":{},"body":""}`)
	var first, second HTTPResponse
	for _, out := range []*HTTPResponse{&first, &second} {
		b, err := h(context.Background(), event)
		if err != nil {
			t.Fatalf("an invocation error: %v", err)
		}
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatal(err)
		}
	}
	var problem struct {
		Status int    `json:"status"`
		Code   string `json:"code"`
	}
	if first.StatusCode != 503 || first.Headers["Retry-After"] != "2" || first.Headers["Content-Type"] != "application/problem+json" ||
		json.Unmarshal([]byte(first.Body), &problem) != nil || problem.Status != 503 || problem.Code != "unavailable" {
		t.Errorf("the failed start answered %+v", first)
	}
	if second.StatusCode != 200 || second.Body != "ok" || builds != 2 {
		t.Errorf("the next event: %+v after %d builds", second, builds)
	}
}
