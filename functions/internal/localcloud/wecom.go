package localcloud

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The WeCom group robot (qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…), answered here so what
// the functions and tools alert is seen: with the cloud as their proxy, the robot's host is one
// of the cloud's own (HTTPS from its authority). A message is checked the way the robot checks
// it — a known msgtype, its content present and within the robot's 4096 bytes for markdown
// (2048 for text), a key — and refused with the robot's errcode otherwise
// (https://developer.work.weixin.qq.com/document/path/91770). GET /wecom on the control host
// lists what arrived.

const wecomHost = "qyapi.weixin.qq.com"

// RobotMessage is one message a robot accepted.
type RobotMessage struct {
	Key     string    `json:"key"`
	Type    string    `json:"msgtype"`
	Content string    `json:"content"`
	At      time.Time `json:"at"`
}

type robot struct {
	mu   sync.Mutex
	msgs []RobotMessage
}

func (rb *robot) messages() []RobotMessage {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	return append([]RobotMessage{}, rb.msgs...)
}

func (c *Cloud) serveRobot(w http.ResponseWriter, r *http.Request) {
	reply := func(code int, msg string) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"errcode": code, "errmsg": msg})
	}
	if r.Method != http.MethodPost || r.URL.Path != "/cgi-bin/webhook/send" {
		http.Error(w, "the robot takes POST /cgi-bin/webhook/send", http.StatusNotFound)
		return
	}
	key := r.URL.Query().Get("key")
	if key == "" {
		reply(93000, "invalid webhook url")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		reply(40035, "invalid body")
		return
	}
	var msg struct {
		MsgType  string `json:"msgtype"`
		Markdown *struct {
			Content string `json:"content"`
		} `json:"markdown"`
		Text *struct {
			Content string `json:"content"`
		} `json:"text"`
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		reply(40035, "invalid json: "+err.Error())
		return
	}
	var content string
	limit := 0
	switch {
	case msg.MsgType == "markdown" && msg.Markdown != nil:
		content, limit = msg.Markdown.Content, 4096
	case msg.MsgType == "text" && msg.Text != nil:
		content, limit = msg.Text.Content, 2048
	default:
		reply(40008, "invalid message type "+msg.MsgType)
		return
	}
	if strings.TrimSpace(content) == "" {
		reply(44004, "empty content")
		return
	}
	if len(content) > limit {
		reply(40058, "content exceed max length")
		return
	}
	c.robot.mu.Lock()
	c.robot.msgs = append(c.robot.msgs, RobotMessage{Key: key, Type: msg.MsgType, Content: content, At: time.Now()})
	c.robot.mu.Unlock()
	c.Log.Info("wecom robot message", "msgtype", msg.MsgType, "bytes", len(content))
	reply(0, "ok")
}
