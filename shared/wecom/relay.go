package wecom

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

// Alertmanager's webhook payload (version 4).
type AlertmanagerPayload struct {
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`
	Status            string            `json:"status"`
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []Alert           `json:"alerts"`
}

// Alert is one alert of a group.
type Alert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
}

// CloudMonitorAlarm is a Tencent Cloud Monitor alarm callback, decoded tolerantly: only the fields
// the message needs, all optional.
type CloudMonitorAlarm struct {
	AlarmStatus     string `json:"alarmStatus"` // "1" firing, "0" resolved
	AlarmType       string `json:"alarmType"`
	FirstOccurTime  string `json:"firstOccurTime"`
	AlarmPolicyInfo struct {
		PolicyName string `json:"policyName"`
		Conditions struct {
			MetricShowName   string `json:"metricShowName"`
			CalcType         string `json:"calcType"`
			CalcValue        string `json:"calcValue"`
			CurrentValue     string `json:"currentValue"`
			Unit             string `json:"unit"`
			ProductShowName  string `json:"productShowName"`
			AlarmNotifyType  string `json:"alarmNotifyType"`
			AlarmNotifyPriod int    `json:"alarmNotifyPeriod"`
		} `json:"conditions"`
	} `json:"alarmPolicyInfo"`
	AlarmObjInfo struct {
		Region     string            `json:"region"`
		Namespace  string            `json:"namespace"`
		Dimensions map[string]string `json:"dimensions"`
	} `json:"alarmObjInfo"`
}

// tz: alert times are shown in the staff's time.
var tz = appraisal.Shanghai

// RenderAlertmanager turns one alert group into markdown messages, each within the robot's
// size limit and split between alerts, firing ones first, with the resolved ones marked.
func RenderAlertmanager(p AlertmanagerPayload) []string {
	alerts := append([]Alert(nil), p.Alerts...)
	sort.SliceStable(alerts, func(i, j int) bool { return alerts[i].Status == "firing" && alerts[j].Status != "firing" })
	firing := 0
	for _, a := range alerts {
		if a.Status == "firing" {
			firing++
		}
	}
	color, word := "warning", "告警"
	if firing == 0 {
		color, word = "info", "已恢复"
	}
	head := fmt.Sprintf("### <font color=\"%s\">%s</font> %s（%d 条告警，%d 条进行中）\n", color, word, groupName(p), len(alerts), firing)
	if p.TruncatedAlerts > 0 {
		head += fmt.Sprintf("> 另有 %d 条被 Alertmanager 截断\n", p.TruncatedAlerts)
	}
	var lines []string
	for _, a := range alerts {
		lines = append(lines, alertLine(a))
	}
	return pack(head, lines)
}

func groupName(p AlertmanagerPayload) string {
	keys := make([]string, 0, len(p.GroupLabels))
	for k := range p.GroupLabels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+"="+p.GroupLabels[k])
	}
	if len(parts) == 0 {
		return p.Receiver
	}
	return strings.Join(parts, " ")
}

func alertLine(a Alert) string {
	name := a.Labels["alertname"]
	text := a.Annotations["summary"]
	if text == "" {
		text = a.Annotations["description"]
	}
	state := "<font color=\"warning\">进行中</font>"
	when := "开始 " + a.StartsAt.In(tz).Format("01-02 15:04")
	if a.Status == "resolved" {
		state = "<font color=\"info\">已恢复</font>"
		when = "恢复 " + a.EndsAt.In(tz).Format("01-02 15:04")
	}
	sev := a.Labels["severity"]
	if sev != "" {
		sev = " [" + sev + "]"
	}
	return fmt.Sprintf("- %s **%s**%s %s（%s）\n", state, name, sev, text, when)
}

// pack joins lines after head into messages of at most MaxMarkdownBytes, never splitting a line
// unless one line alone is too long, and then on a UTF-8 boundary.
func pack(head string, lines []string) []string {
	var out []string
	cur := head
	for _, l := range lines {
		if len(cur)+len(l) > MaxMarkdownBytes && cur != head {
			out = append(out, cur)
			cur = head
		}
		cur += l
		if len(cur) > MaxMarkdownBytes {
			cur = Truncate(cur, MaxMarkdownBytes)
		}
	}
	return append(out, cur)
}

// RenderCloudMonitor turns a Cloud Monitor alarm into one markdown message.
func RenderCloudMonitor(a CloudMonitorAlarm) string {
	c := a.AlarmPolicyInfo.Conditions
	color, word := "warning", "云监控告警"
	if a.AlarmStatus == "0" {
		color, word = "info", "云监控告警恢复"
	}
	msg := fmt.Sprintf("### <font color=\"%s\">%s</font> %s\n- 指标：%s %s %s%s（当前 %s%s）\n- 对象：%s %s\n- 首次发生：%s\n",
		color, word, a.AlarmPolicyInfo.PolicyName, c.MetricShowName, c.CalcType, c.CalcValue, c.Unit, c.CurrentValue, c.Unit,
		a.AlarmObjInfo.Namespace, dims(a.AlarmObjInfo.Dimensions), a.FirstOccurTime)
	return Truncate(msg, MaxMarkdownBytes)
}

func dims(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, ",")
}

// Limiter counts messages per minute across instances (a Redis throttle in production).
type Limiter interface {
	Hit(ctx context.Context, key string, window time.Duration) (int, error)
}

// MaxPerMinute is the robot's limit.
const MaxPerMinute = 20

// Relay receives Alertmanager webhooks and Cloud Monitor callbacks and posts them to the robot.
type Relay struct {
	Robot   *Robot
	Limit   Limiter
	Token   string // required as ?token= on every call: the relay's URL is public
	Log     *slog.Logger
	Prefix  string // Limiter key prefix
	Timeout time.Duration
}

// Handler serves POST /alertmanager and POST /cloud-monitor (under whatever prefix it is mounted).
func (rl *Relay) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		// The token comes as ?token= (Cloud Monitor callbacks) or as a bearer token (Alertmanager's
		// http_config, so it stays out of URLs and logs).
		tok := r.URL.Query().Get("token")
		if b, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			tok = b
		}
		if rl.Token == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(rl.Token)) != 1 {
			http.Error(w, "bad token", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		var msgs []string
		switch {
		case strings.HasSuffix(r.URL.Path, "/alertmanager"):
			var p AlertmanagerPayload
			if err := json.Unmarshal(body, &p); err != nil || len(p.Alerts) == 0 {
				http.Error(w, "not an Alertmanager payload", http.StatusBadRequest)
				return
			}
			msgs = RenderAlertmanager(p)
		case strings.HasSuffix(r.URL.Path, "/cloud-monitor"):
			var a CloudMonitorAlarm
			if err := json.Unmarshal(body, &a); err != nil {
				http.Error(w, "not a Cloud Monitor alarm", http.StatusBadRequest)
				return
			}
			msgs = []string{RenderCloudMonitor(a)}
		default:
			http.NotFound(w, r)
			return
		}
		sent, dropped := rl.send(r.Context(), msgs)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]int{"sent": sent, "dropped": dropped})
	})
}

// send posts the messages within the robot's rate: over it, the rest are dropped and logged
// (Alertmanager repeats unresolved groups, so nothing firing stays unseen for long).
func (rl *Relay) send(ctx context.Context, msgs []string) (sent, dropped int) {
	for _, m := range msgs {
		if rl.Limit != nil {
			n, err := rl.Limit.Hit(ctx, rl.Prefix+"wecom:minute", time.Minute)
			if err == nil && n > MaxPerMinute {
				dropped++
				continue
			}
		}
		if err := rl.Robot.Markdown(ctx, m); err != nil {
			rl.Log.ErrorContext(ctx, "alert not relayed", "err", err)
			dropped++
			continue
		}
		sent++
	}
	if dropped > 0 {
		rl.Log.WarnContext(ctx, "alerts dropped over the robot's rate limit", "dropped", dropped)
	}
	return sent, dropped
}
