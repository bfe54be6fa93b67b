package scf_test

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/jianbao/admin/shared/scf"
	"github.com/jianbao/admin/shared/scf/scftest"
)

// TestFunctionBinary builds a function binary for the platform and talks to it as SCF does.
func TestFunctionBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := scftest.BuildFunction(t, ".", "./testdata/fixturefn")
	fn := scftest.StartBinary(t, bin)

	httpInvoke := func(t *testing.T, event []byte, env map[string]string) *scf.HTTPResponse {
		t.Helper()
		resp := fn.Invoke(t, event, env)
		if resp.Error != nil {
			t.Fatalf("invoke error: %+v", resp.Error)
		}
		var out scf.HTTPResponse
		if err := json.Unmarshal(resp.Payload, &out); err != nil {
			t.Fatalf("integration response %s: %v", resp.Payload, err)
		}
		return &out
	}
	event := func(method, target string) []byte {
		path, query, _ := strings.Cut(target, "?")
		q, _ := url.ParseQuery(query)
		b, _ := json.Marshal(map[string]any{"httpMethod": method, "path": path, "queryString": q, "headers": map[string]string{"host": "x"}})
		return b
	}

	t.Run("api gateway event", func(t *testing.T) {
		raw, _ := os.ReadFile("testdata/apigw_event.json")
		out := httpInvoke(t, raw, nil)
		if out.StatusCode != 200 || out.IsBase64Encoded || out.Headers["Content-Type"] != "application/json" {
			t.Fatalf("response %+v", out)
		}
		var echo map[string]any
		if err := json.Unmarshal([]byte(out.Body), &echo); err != nil {
			t.Fatal(err)
		}
		if echo["path"] != "/api/echo" || echo["body"] != `{"title":"ming vase","note":"青花瓷"}` ||
			echo["request_id"] != "c6af9ac6-7b61-11e6-9a41-93e8deadbeef" ||
			!reflect.DeepEqual(echo["query"].(map[string]any)["tag"], []any{"porcelain", "jade"}) {
			t.Errorf("echo = %v", echo)
		}
	})

	t.Run("function url event", func(t *testing.T) {
		raw, _ := os.ReadFile("testdata/function_url_event.json")
		out := httpInvoke(t, raw, nil)
		var echo map[string]any
		json.Unmarshal([]byte(out.Body), &echo)
		if out.StatusCode != 200 || echo["method"] != "GET" || echo["request_id"] != "fn-url-req-1" ||
			echo["query"].(map[string]any)["q"].([]any)[0] != "青花瓷" {
			t.Errorf("response %+v, echo %v", out, echo)
		}
	})

	t.Run("multi-value headers and binary bodies", func(t *testing.T) {
		out := httpInvoke(t, event("GET", "/api/cookies"), nil)
		if out.StatusCode != 204 || !reflect.DeepEqual(out.Headers["Set-Cookie"], []any{"a=1", "b=2"}) {
			t.Errorf("cookies: %+v", out)
		}
		out = httpInvoke(t, event("GET", "/api/binary"), nil)
		raw, err := base64.StdEncoding.DecodeString(out.Body)
		if !out.IsBase64Encoded || err != nil || string(raw[:4]) != "\x89PNG" {
			t.Errorf("binary: %+v", out)
		}
	})

	t.Run("environment reaches os.Getenv", func(t *testing.T) {
		out := httpInvoke(t, event("GET", "/api/env?name=TENCENTCLOUD_SESSIONTOKEN"), map[string]string{"TENCENTCLOUD_SESSIONTOKEN": "tok-123"})
		if out.Body != "tok-123" {
			t.Errorf("env body = %q", out.Body)
		}
		// A later invoke carries new credentials; the handler must see them.
		out = httpInvoke(t, event("GET", "/api/env?name=TENCENTCLOUD_SESSIONTOKEN"), map[string]string{"TENCENTCLOUD_SESSIONTOKEN": "tok-456"})
		if out.Body != "tok-456" {
			t.Errorf("env body after rotation = %q", out.Body)
		}
	})

	t.Run("panic is an error response and the process lives on", func(t *testing.T) {
		resp := fn.Invoke(t, event("GET", "/api/panic"), nil)
		if resp.Error == nil || resp.Error.Message != "fixture panic on purpose" || len(resp.Error.StackTrace) == 0 {
			t.Fatalf("want a panic error, got %+v / %s", resp.Error, resp.Payload)
		}
		if out := httpInvoke(t, event("GET", "/api/env?name=HOME"), nil); out.StatusCode != 200 {
			t.Errorf("after panic: %+v", out)
		}
	})
}
