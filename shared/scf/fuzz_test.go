package scf

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"testing"
)

// The fuzz targets feed arbitrary bytes to the event decoders and adapters: whatever the platform
// or an attacker sends, decoding may fail but must never panic.

func addSeeds(f *testing.F, fixture string, more ...string) {
	if b, err := os.ReadFile("testdata/" + fixture); err == nil {
		f.Add(b)
	}
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
			r.ObjectKey()
			r.FullBucket()
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
