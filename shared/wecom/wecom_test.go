package wecom

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTruncate(t *testing.T) {
	s := strings.Repeat("青", 2000) // 6000 bytes
	got := Truncate(s, MaxMarkdownBytes)
	if len(got) > MaxMarkdownBytes || !utf8.ValidString(got) || len(got) != 4095 {
		t.Fatalf("len %d valid %v", len(got), utf8.ValidString(got))
	}
	if Truncate("abc", 10) != "abc" {
		t.Fatal("short strings stay")
	}
}

func TestRobot(t *testing.T) {
	var got map[string]any
	errcode := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("key") != "robot-key" || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(400)
			return
		}
		json.NewDecoder(r.Body).Decode(&got)
		json.NewEncoder(w).Encode(map[string]any{"errcode": errcode, "errmsg": "ok"})
	}))
	defer srv.Close()
	r := New(srv.URL + "/cgi-bin/webhook/send?key=robot-key")
	if err := r.Notify(context.Background(), "媒体处理失败", "媒体 42 处理失败 3 次"); err != nil {
		t.Fatal(err)
	}
	content := got["markdown"].(map[string]any)["content"].(string)
	if got["msgtype"] != "markdown" || !strings.Contains(content, "媒体 42 处理失败 3 次") {
		t.Fatalf("sent %v", got)
	}
	errcode = 93000
	if err := r.Notify(context.Background(), "x", "y"); err == nil || !strings.Contains(err.Error(), "93000") {
		t.Fatalf("errcode not reported: %v", err)
	}
	bad := New("http://127.0.0.1:1/cgi-bin/webhook/send?key=secret-key")
	if err := bad.Notify(context.Background(), "x", "y"); err == nil || strings.Contains(err.Error(), "secret-key") {
		t.Fatalf("error leaks the key or is missing: %v", err)
	}
}
