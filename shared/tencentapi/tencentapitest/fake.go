// Package tencentapitest is a small hand-written stand-in for the Tencent Cloud API endpoint
// (API 3.0: POST JSON, action in X-TC-Action, answer wrapped in {"Response": …}). Tencent Cloud
// cannot run here; this speaks just enough of the envelope for the SDK's common client to talk to
// it, and records what it was asked.
package tencentapitest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/jianbao/admin/shared/tencentapi"
)

// Handler answers one action: it gets the request's parameters and returns the Response object
// (without RequestId), or an error code and message.
type Handler func(params map[string]any) (resp any, code, message string)

// Call is one request the fake received.
type Call struct {
	Service, Action, Version, Region string
	Params                           map[string]any
}

// Fake is a running endpoint.
type Fake struct {
	mu       sync.Mutex
	handlers map[string]Handler // by action
	calls    []Call
	srv      *httptest.Server
}

// New starts a fake closed at the end of the test.
func New(tb testing.TB) *Fake {
	tb.Helper()
	f := &Fake{handlers: map[string]Handler{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.srv.Close)
	return f
}

// Handle sets the answer for an action.
func (f *Fake) Handle(action string, h Handler) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handlers[action] = h
}

// Client returns an SDK client pointed at the fake.
func (f *Fake) Client(region string) *tencentapi.Client {
	return tencentapi.NewForTest(strings.TrimPrefix(f.srv.URL, "http://"), region)
}

// Calls returns the requests received so far.
func (f *Fake) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	reply := func(v map[string]any) {
		v["RequestId"] = "fake-request"
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"Response": v})
	}
	fail := func(code, msg string) {
		reply(map[string]any{"Error": map[string]string{"Code": code, "Message": msg}})
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "TC3-HMAC-SHA256 Credential=test-id/") {
		fail("AuthFailure.SignatureFailure", "unsigned request")
		return
	}
	body, _ := io.ReadAll(r.Body)
	var params map[string]any
	if err := json.Unmarshal(body, &params); err != nil {
		fail("InvalidParameter", "body is not JSON")
		return
	}
	action := r.Header.Get("X-TC-Action")
	call := Call{Action: action, Version: r.Header.Get("X-TC-Version"), Region: r.Header.Get("X-TC-Region"), Params: params}
	// The service is the first label of the credential scope: …/<date>/<service>/tc3_request.
	if parts := strings.Split(r.Header.Get("Authorization"), "/"); len(parts) >= 3 {
		call.Service = parts[2]
	}
	f.mu.Lock()
	f.calls = append(f.calls, call)
	h := f.handlers[action]
	f.mu.Unlock()
	if h == nil {
		fail("InvalidAction", "the fake does not know "+action)
		return
	}
	resp, code, msg := h(params)
	if code != "" {
		fail(code, msg)
		return
	}
	b, _ := json.Marshal(resp)
	out := map[string]any{}
	json.Unmarshal(b, &out)
	reply(out)
}

// Endpoint is the fake's host:port, for a client's Endpoint (SSM_ENDPOINT in a process's
// environment); the key it accepts is "test-id".
func (f *Fake) Endpoint() string { return strings.TrimPrefix(f.srv.URL, "http://") }
