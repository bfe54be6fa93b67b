package wecom_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jianbao/admin/shared/logs"
	"github.com/jianbao/admin/shared/redis"
	"github.com/jianbao/admin/shared/testenv"
	"github.com/jianbao/admin/shared/wecom"
)

// fakeRobot is a local WeCom group robot that records what it is sent.
type fakeRobot struct {
	mu   sync.Mutex
	msgs []string
}

func (f *fakeRobot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var m struct {
		Markdown struct{ Content string } `json:"markdown"`
	}
	json.NewDecoder(r.Body).Decode(&m)
	f.mu.Lock()
	f.msgs = append(f.msgs, m.Markdown.Content)
	f.mu.Unlock()
	w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
}

func payload(n int) wecom.AlertmanagerPayload {
	p := wecom.AlertmanagerPayload{Version: "4", Status: "firing", Receiver: "wecom", GroupLabels: map[string]string{"alertname": "鉴宝服务"}}
	for i := 0; i < n; i++ {
		status := "firing"
		if i%5 == 4 {
			status = "resolved"
		}
		p.Alerts = append(p.Alerts, wecom.Alert{Status: status,
			Labels:      map[string]string{"alertname": fmt.Sprintf("订单接口延迟过高-%02d", i), "severity": "critical"},
			Annotations: map[string]string{"summary": fmt.Sprintf("第 %d 个实例：API P95 超过 200 毫秒已持续 5 分钟，请值班同学立即排查青花瓷订单链路", i)},
			StartsAt:    time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), EndsAt: time.Date(2026, 11, 25, 12, 30, 0, 0, time.UTC)})
	}
	return p
}

func relay(t *testing.T, robotURL string) (*httptest.Server, *wecom.Relay) {
	t.Helper()
	r := testenv.EmbeddedRedis(t)
	rl := &wecom.Relay{Robot: wecom.New(robotURL), Limit: redis.NewThrottle(r.Client, r.Prefix), Token: "t0ken", Log: logs.Discard()}
	srv := httptest.NewServer(http.StripPrefix("/hooks", rl.Handler()))
	t.Cleanup(srv.Close)
	return srv, rl
}

// TestThirtyAlerts: an Alertmanager group of 30 alerts becomes messages within the robot's size
// and rate limits, with the Chinese text intact and every alert in them.
func TestThirtyAlerts(t *testing.T) {
	robot := &fakeRobot{}
	rs := httptest.NewServer(robot)
	defer rs.Close()
	srv, _ := relay(t, rs.URL+"/cgi-bin/webhook/send?key=k")
	body, _ := json.Marshal(payload(30))
	resp, err := http.Post(srv.URL+"/hooks/alertmanager?token=t0ken", "application/json", bytes.NewReader(body))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v %v", err, resp.Status)
	}
	robot.mu.Lock()
	defer robot.mu.Unlock()
	if len(robot.msgs) < 2 || len(robot.msgs) > wecom.MaxPerMinute {
		t.Fatalf("%d messages", len(robot.msgs))
	}
	all := strings.Join(robot.msgs, "")
	for i, m := range robot.msgs {
		if len(m) > wecom.MaxMarkdownBytes || !utf8.ValidString(m) {
			t.Errorf("message %d: %d bytes, valid UTF-8 %v", i, len(m), utf8.ValidString(m))
		}
	}
	for i := 0; i < 30; i++ {
		if !strings.Contains(all, fmt.Sprintf("订单接口延迟过高-%02d", i)) || !strings.Contains(all, fmt.Sprintf("第 %d 个实例：API P95 超过 200 毫秒", i)) {
			t.Errorf("alert %d is missing or garbled", i)
		}
	}
	if !strings.Contains(all, "已恢复") || !strings.Contains(all, "进行中") {
		t.Error("firing and resolved alerts are not told apart")
	}
}

// TestRateLimit: past 20 messages a minute the relay drops the rest instead of tripping the robot.
func TestRateLimit(t *testing.T) {
	robot := &fakeRobot{}
	rs := httptest.NewServer(robot)
	defer rs.Close()
	srv, _ := relay(t, rs.URL)
	body, _ := json.Marshal(payload(1))
	for i := 0; i < 25; i++ {
		resp, err := http.Post(srv.URL+"/hooks/alertmanager?token=t0ken", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	robot.mu.Lock()
	defer robot.mu.Unlock()
	if len(robot.msgs) != wecom.MaxPerMinute {
		t.Fatalf("%d messages reached the robot, want %d", len(robot.msgs), wecom.MaxPerMinute)
	}
}

func TestRelayRefusals(t *testing.T) {
	srv, _ := relay(t, "http://127.0.0.1:1")
	tests := []struct {
		name, path, body string
		want             int
	}{
		{"no token", "/hooks/alertmanager", `{}`, 401},
		{"wrong token", "/hooks/alertmanager?token=nope", `{}`, 401},
		{"not a payload", "/hooks/alertmanager?token=t0ken", `{"alerts":[]}`, 400},
		{"garbage", "/hooks/cloud-monitor?token=t0ken", `{{`, 400},
		{"unknown hook", "/hooks/other?token=t0ken", `{}`, 404},
	}
	req, _ := http.NewRequest("POST", srv.URL+"/hooks/alertmanager", strings.NewReader(`{"alerts":[]}`))
	req.Header.Set("Authorization", "Bearer t0ken")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 400 {
		t.Errorf("a bearer token must be accepted (then the empty payload is refused): %v %v", err, resp.Status)
	}
	for _, tt := range tests {
		resp, err := http.Post(srv.URL+tt.path, "application/json", strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, resp.StatusCode, tt.want)
		}
	}
}

func TestCloudMonitor(t *testing.T) {
	var a wecom.CloudMonitorAlarm
	json.Unmarshal([]byte(`{"alarmStatus":"1","alarmType":"metric","firstOccurTime":"2026-11-25 20:00:00",
	  "alarmObjInfo":{"region":"广州","namespace":"qce/scf_v2","dimensions":{"functionName":"api-orders"}},
	  "alarmPolicyInfo":{"policyName":"jianbao-prod-functions","conditions":{"metricShowName":"错误次数","calcType":">","calcValue":"5","currentValue":"12","unit":"次"}}}`), &a)
	m := wecom.RenderCloudMonitor(a)
	if !strings.Contains(m, "jianbao-prod-functions") || !strings.Contains(m, "错误次数 > 5次") || !strings.Contains(m, "functionName=api-orders") {
		t.Fatalf("%s", m)
	}
}
