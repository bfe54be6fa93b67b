// Package wecom posts to a WeCom (企业微信) group robot: markdown messages, cut to the robot's
// 4096-byte limit on a UTF-8 boundary. The webhook URL carries the robot's key, so it comes from
// the environment and is never logged.
package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"
)

// MaxMarkdownBytes is the robot's limit for a markdown message.
const MaxMarkdownBytes = 4096

// Robot is one group robot.
type Robot struct {
	URL  string
	HTTP *http.Client
}

// New returns a robot for a webhook URL (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…).
func New(url string) *Robot {
	return &Robot{URL: url, HTTP: &http.Client{Timeout: 10 * time.Second}}
}

// Truncate cuts s to at most n bytes without splitting a character.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// Markdown sends one markdown message.
func (r *Robot) Markdown(ctx context.Context, content string) error {
	body, _ := json.Marshal(map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": Truncate(content, MaxMarkdownBytes)}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("wecom: bad webhook URL")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.HTTP.Do(req)
	if err != nil {
		// The error text would carry the URL, and with it the robot's key.
		return fmt.Errorf("wecom: the robot did not answer")
	}
	defer resp.Body.Close()
	var out struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		return fmt.Errorf("wecom: HTTP %d", resp.StatusCode)
	}
	if out.ErrCode != 0 {
		return fmt.Errorf("wecom: errcode %d: %s", out.ErrCode, out.ErrMsg)
	}
	return nil
}

// Notify implements media.Notifier.
func (r *Robot) Notify(ctx context.Context, title, text string) error {
	return r.Markdown(ctx, "### <font color=\"warning\">"+title+"</font>\n"+text)
}
