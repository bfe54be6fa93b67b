package scf

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
)

// The fuzz targets feed arbitrary bytes to the event decoders and adapters: whatever the platform
// or an attacker sends, decoding may fail but must never panic, and what decodes keeps its
// properties (a repeated header stays repeated; an object key survives escaping and the
// /appid/bucket/ prefix).

func addSeeds(f *testing.F, fixture string, more ...string) {
	b, err := os.ReadFile("testdata/" + fixture)
	if err != nil {
		f.Fatalf("the seed fixture: %v", err) // a missing fixture fails, it is never dropped
	}
	f.Add(b)
	for _, s := range more {
		f.Add([]byte(s))
	}
}

func fuzzHTTP(f *testing.F, fixture string) {
	addSeeds(f, fixture, `{"httpMethod":"GET","path":"/x","queryString":{"a":[1,true,null]}}`,
		`{"httpMethod":"POST","isBase64Encoded":"true","body":"%%%"}`, `{"requestContext":{"stage":"release"},"path":"/release"}`)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		w.Write([]byte(r.URL.String()))
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		var ev HTTPRequest
		if json.Unmarshal(data, &ev) != nil {
			return
		}
		resp, err := ServeEvent(context.Background(), h, &ev, HTTPOptions{BasePath: "/base"})
		if err != nil || resp == nil {
			t.Fatalf("ServeEvent: %v", err)
		}
		if _, err := json.Marshal(resp); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == http.StatusOK {
			// Both cookies arrive: a repeated header is an array in the integration response.
			if c, ok := resp.Headers["Set-Cookie"].([]string); !ok || len(c) != 2 {
				t.Fatalf("Set-Cookie = %#v, want both values", resp.Headers["Set-Cookie"])
			}
		}
	})
}

func FuzzAPIGatewayEvent(f *testing.F)  { fuzzHTTP(f, "apigw_event.json") }
func FuzzFunctionURLEvent(f *testing.F) { fuzzHTTP(f, "function_url_event.json") }

func FuzzCOSEvent(f *testing.F) {
	addSeeds(f, "cos_event.json", `{"Records":[{"cos":{"cosObject":{"key":"/1/b/%zz"}},"event":{"eventTime":"x"}}]}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		var ev COSEvent
		if json.Unmarshal(data, &ev) != nil {
			return
		}
		for _, r := range ev.Records {
			key, err := r.ObjectKey()
			r.FullBucket()
			b := r.COS.Bucket
			if err != nil || b.AppID == "" || b.Name == "" || strings.Contains(b.AppID+b.Name, "/") {
				continue
			}
			// The key COS would send for it, escaped under the prefix, decodes to the same key.
			again := r
			again.COS.Object.Key = "/" + b.AppID + "/" + b.Name + "/" + url.QueryEscape(key)
			if got, err := again.ObjectKey(); err != nil || got != key {
				t.Fatalf("key %q → %q → %q (%v)", key, again.COS.Object.Key, got, err)
			}
		}
	})
}

func FuzzTimerEvent(f *testing.F) {
	addSeeds(f, "timer_event.json", `{"Time":1545205770}`, `{"Time":"1e308"}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		var ev TimerEvent
		json.Unmarshal(data, &ev)
	})
}
