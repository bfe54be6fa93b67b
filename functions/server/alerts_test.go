package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/jianbao/admin/shared/media/mediatest"
	"github.com/jianbao/admin/shared/testenv"
)

// timeScale compresses the monitoring configuration's time for TestAlertsReachTheRobot: every
// duration in the rules (`for`, range selectors) and in Alertmanager's grouping is divided by it,
// so five minutes of real alerting take ten seconds. The expressions, thresholds, labels, routes
// and the relay are the repository's, unchanged; the times it measures are reported at full
// scale (× timeScale) beside the compressed ones.
const timeScale = 30

// TestAlertsReachTheRobot runs the repository's monitoring for real: Prometheus (Debian's) with
// tke/monitoring/prometheus.yml scraping the shim's metrics port, rules.yml, Alertmanager with
// alertmanager.yml calling the shim's relay, and the relay posting to a WeCom robot of the
// test's. A burst of failed videos (the shim's ffprobe is missing) must raise the media alert and
// resolve it; then it kills the shim's MariaDB (a server of the test's own) under steady traffic
// and waits for the availability (fast burn) and error-ratio alerts to arrive at the robot in the
// robot's format, checks every Grafana panel's query returns data, starts MariaDB again and waits
// for the resolved messages.
func TestAlertsReachTheRobot(t *testing.T) {
	prometheus := needTool(t, "prometheus")
	alertmanager := needTool(t, "prometheus-alertmanager", "alertmanager")
	if testing.Short() {
		t.Skip("starts Prometheus, Alertmanager and a MariaDB server")
	}
	db := testenv.OwnMySQL(t)
	rdb := testenv.Redis(t)
	robot := newRobot(t)
	const token = "relay-token-for-the-alert-test"
	const pw = "alert-test-bootstrap-password"
	metricsAddr := freeAddr(t)
	base, _, _ := startRun(t, map[string]string{
		"MYSQL_DSN": db.DSN, "REDIS_ADDR": rdb.Addr, "REDIS_PREFIX": rdb.Prefix, "BOOTSTRAP_ADMIN_PASSWORD": pw,
		"JWT_SECRET": strings.Repeat("j", 32), "PII_SECRET": strings.Repeat("p", 32),
		"METRICS_ADDR": metricsAddr, "ALERT_RELAY_TOKEN": token,
		// The video tools are missing (a broken layer): every video fails — the media burst.
		"FFPROBE_PATH": filepath.Join(t.TempDir(), "no-ffprobe"), "MEDIA_MAX_ATTEMPTS": "1",
		"WECOM_WEBHOOK_URL": robot.URL + "/cgi-bin/webhook/send?key=oncall",
	})

	// The monitoring configuration, from the repository, time-compressed and pointed here.
	dir := t.TempDir()
	mon := filepath.Join("..", "..", "tke", "monitoring")
	amAddr, promAddr := freeAddr(t), freeAddr(t)
	writeFile(t, filepath.Join(dir, "relay-token"), token)
	writeYAML(t, filepath.Join(dir, "rules.yml"), scaleRules(t, readYAML(t, filepath.Join(mon, "rules.yml"))))
	am := readYAML(t, filepath.Join(mon, "alertmanager.yml"))
	scaleRoute(t, am["route"].(map[string]any))
	for _, r := range am["receivers"].([]any) {
		for _, w := range asList(r.(map[string]any)["webhook_configs"]) {
			w := w.(map[string]any)
			u, _ := url.Parse(w["url"].(string))
			w["url"] = base + u.Path // the relay's path, on the shim
			w["http_config"].(map[string]any)["authorization"].(map[string]any)["credentials_file"] = filepath.Join(dir, "relay-token")
		}
	}
	writeYAML(t, filepath.Join(dir, "alertmanager.yml"), am)
	prom := readYAML(t, filepath.Join(mon, "prometheus.yml"))
	prom["global"] = map[string]any{"scrape_interval": "1s", "evaluation_interval": "1s"}
	prom["alerting"] = map[string]any{"alertmanagers": []any{map[string]any{"static_configs": []any{map[string]any{"targets": []any{amAddr}}}}}}
	var jobs []any
	_, metricsPort, _ := strings.Cut(metricsAddr, ":")
	for _, j := range prom["scrape_configs"].([]any) {
		j := j.(map[string]any)
		if j["job_name"] != "jianbao-pods" {
			continue // the cluster's own jobs need a cluster
		}
		delete(j, "kubernetes_sd_configs")
		// What Kubernetes discovery would say of a prod API pod, fed to the same relabelling.
		j["static_configs"] = []any{map[string]any{"targets": []any{"127.0.0.1"}, "labels": map[string]any{
			"__meta_kubernetes_namespace": "jianbao-system", "__meta_kubernetes_pod_name": "api-7d9f-abcde",
			"__meta_kubernetes_pod_label_app_kubernetes_io_name":    "api",
			"__meta_kubernetes_pod_annotation_prometheus_io_scrape": "true",
			"__meta_kubernetes_pod_annotation_prometheus_io_port":   metricsPort,
			"__meta_kubernetes_pod_annotation_prometheus_io_path":   "/metrics"}}}
		jobs = append(jobs, j)
	}
	if len(jobs) != 1 {
		t.Fatalf("prometheus.yml has no jianbao-pods job")
	}
	prom["scrape_configs"] = jobs
	writeYAML(t, filepath.Join(dir, "prometheus.yml"), prom)

	startDaemon(t, "alertmanager", alertmanager, "--config.file="+filepath.Join(dir, "alertmanager.yml"),
		"--storage.path="+filepath.Join(dir, "am"), "--web.listen-address="+amAddr, "--cluster.listen-address=")
	startDaemon(t, "prometheus", prometheus, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "tsdb"), "--web.listen-address="+promAddr)
	waitFor(t, 30*time.Second, "Prometheus scraping the shim", func() bool {
		return len(promQuery(t, promAddr, `up{job="jianbao-pods",namespace="jianbao-system",pod="api-7d9f-abcde"} == 1`)) == 1
	})

	// Steady traffic, as the console's users make it; a little writing and a photo, so the
	// dashboard's order and media panels have something to show.
	c := newAPIClient(t, base)
	admin := c.login("admin", pw)
	cust := c.want(201, admin, "POST", "/api/v1/customers", map[string]any{"name": "告警测试"}).str("id")
	item := c.want(201, admin, "POST", "/api/v1/items", map[string]any{"customer_id": cust, "category_id": "8", "title": "告警测试瓶"}).str("id")
	c.want(201, admin, "POST", "/api/v1/orders", map[string]any{"item_id": item, "product_id": "1"})
	settle(t, c, admin, upload(t, c, admin, item, "image", "image/jpeg", "a.jpg", mediatest.JPEG(t, 640, 480, 1)))
	// A burst of media failures: videos the broken tools cannot process.
	ffmpeg, _ := mediatest.Tools(t)
	clip, err := os.ReadFile(mediatest.PhoneClip(t, ffmpeg, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if r := settle(t, c, admin, upload(t, c, admin, item, "video", "video/mp4", fmt.Sprintf("v%d.mp4", i), clip)); r.str("status") != "FAILED" {
			t.Fatalf("a video with no ffprobe: %s", r.raw)
		}
	}
	mediaFault := time.Now()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	var firstError time.Time
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			req, _ := http.NewRequest("GET", base+"/api/v1/orders?page_size=5", nil)
			req.Header.Set("Authorization", "Bearer "+admin)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				continue
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			mu.Lock()
			statuses[resp.StatusCode]++
			if resp.StatusCode >= 500 && firstError.IsZero() {
				firstError = time.Now()
			}
			mu.Unlock()
		}
	}()
	t.Cleanup(func() { close(stop); wg.Wait() })
	time.Sleep(3 * time.Second) // a baseline of good answers in every window

	fault := time.Now()
	db.Stop()
	firing := map[string]time.Duration{}
	waitFor(t, 3*time.Minute, "the fast-burn and error-ratio alerts at the robot", func() bool {
		for _, m := range robot.messages() {
			for _, name := range []string{"ApiErrorBudgetFastBurn", "ApiErrorRatioHigh"} {
				if _, seen := firing[name]; !seen && strings.Contains(m.content, name) && strings.Contains(m.content, "进行中") {
					firing[name] = m.at.Sub(firstErrorAt(&mu, &firstError))
				}
			}
		}
		return len(firing) == 2
	})
	mu.Lock()
	t.Logf("answers so far: %v; the first 5xx %v after MariaDB died (until then the read cache answered)", statuses, firstError.Sub(fault).Round(100*time.Millisecond))
	mu.Unlock()

	// Every panel of the dashboard answers from this Prometheus while the alert is on.
	checkDashboard(t, promAddr, filepath.Join(mon, "grafana", "jianbao.json"))

	recovery := time.Now()
	db.Start()
	resolved := map[string]time.Duration{}
	waitFor(t, 3*time.Minute, "the resolved messages at the robot", func() bool {
		for _, m := range robot.messages() {
			if m.at.Before(recovery) {
				continue
			}
			for name := range firing {
				if _, seen := resolved[name]; !seen && strings.Contains(m.content, name) && strings.Contains(m.content, "已恢复") {
					resolved[name] = m.at.Sub(recovery)
				}
			}
		}
		return len(resolved) == 2
	})
	// The media burst's alert, and its resolution once no file has failed for its window.
	var mediaFiring, mediaResolved time.Duration
	waitFor(t, 3*time.Minute, "the media failure alert and its resolution at the robot", func() bool {
		for _, m := range robot.messages() {
			if strings.Contains(m.content, "MediaFailureRatioHigh") {
				if mediaFiring == 0 && strings.Contains(m.content, "进行中") {
					mediaFiring = m.at.Sub(mediaFault)
				}
				if mediaFiring != 0 && mediaResolved == 0 && strings.Contains(m.content, "已恢复") {
					mediaResolved = m.at.Sub(mediaFault)
				}
			}
		}
		return mediaFiring != 0 && mediaResolved != 0
	})
	t.Logf("MediaFailureRatioHigh: failures → message %v (at full scale ≈ %v), → resolved %v (≈ %v)",
		mediaFiring.Round(100*time.Millisecond), (mediaFiring * timeScale).Round(time.Second),
		mediaResolved.Round(100*time.Millisecond), (mediaResolved * timeScale).Round(time.Second))
	for _, name := range []string{"ApiErrorBudgetFastBurn", "ApiErrorRatioHigh"} {
		t.Logf("%s: first 5xx → message %v (at full scale ≈ %v), recovery → resolved %v (≈ %v)", name,
			firing[name].Round(100*time.Millisecond), (firing[name] * timeScale).Round(time.Second),
			resolved[name].Round(100*time.Millisecond), (resolved[name] * timeScale).Round(time.Second))
	}
	for _, m := range robot.messages() {
		if m.key != "oncall" {
			t.Errorf("a message went to robot %q, not the on-call group's", m.key)
		}
	}
}

// firstErrorAt reads the time of the first 5xx the traffic saw.
func firstErrorAt(mu *sync.Mutex, at *time.Time) time.Time {
	mu.Lock()
	defer mu.Unlock()
	return *at
}

// robotServer is a WeCom group robot: it checks each message as the robot does (markdown or
// text, content within the robot's limit) and keeps it.
type robotServer struct {
	*httptest.Server
	mu   sync.Mutex
	msgs []robotMessage
}

type robotMessage struct {
	key, content string
	at           time.Time
}

func newRobot(t *testing.T) *robotServer {
	rb := &robotServer{}
	rb.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct {
			MsgType  string `json:"msgtype"`
			Markdown struct {
				Content string `json:"content"`
			} `json:"markdown"`
		}
		if r.URL.Path != "/cgi-bin/webhook/send" || json.NewDecoder(r.Body).Decode(&m) != nil || m.MsgType != "markdown" ||
			m.Markdown.Content == "" || len(m.Markdown.Content) > 4096 {
			t.Errorf("the robot got a message it refuses: %s %s %+v", r.URL.Path, r.URL.RawQuery, m)
			io.WriteString(w, `{"errcode":40008,"errmsg":"invalid message"}`)
			return
		}
		rb.mu.Lock()
		rb.msgs = append(rb.msgs, robotMessage{key: r.URL.Query().Get("key"), content: m.Markdown.Content, at: time.Now()})
		rb.mu.Unlock()
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	t.Cleanup(rb.Close)
	return rb
}

func (rb *robotServer) messages() []robotMessage {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	return append([]robotMessage(nil), rb.msgs...)
}

// checkDashboard runs every panel's query (the namespace variable as every namespace) and wants
// data from each.
func checkDashboard(t *testing.T, promAddr, file string) {
	t.Helper()
	var d struct {
		Panels []struct {
			Title   string
			Type    string
			Targets []struct{ Expr string }
		}
	}
	b, err := os.ReadFile(file)
	if err != nil || json.Unmarshal(b, &d) != nil {
		t.Fatalf("the dashboard: %v", err)
	}
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			expr := strings.ReplaceAll(tg.Expr, "$namespace", ".*")
			if len(promQuery(t, promAddr, expr)) == 0 {
				t.Errorf("panel %q: no data for %s", p.Title, tg.Expr)
			}
		}
	}
}

func promQuery(t *testing.T, addr, expr string) []any {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/api/v1/query?query=" + url.QueryEscape(expr))
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var out struct {
		Status string
		Error  string
		Data   struct{ Result []any }
	}
	if json.NewDecoder(resp.Body).Decode(&out) != nil {
		return nil // still starting (Prometheus answers 503 in plain text until it is ready)
	}
	if out.Status != "success" {
		t.Fatalf("query %s: %s", expr, out.Error)
	}
	return out.Data.Result
}

// needTool finds a binary under one of its names, or skips (fails in CI).
func needTool(t *testing.T, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	if testenv.CI() {
		t.Fatalf("%s is required in CI (scripts/test.sh installs it)", names[0])
	}
	t.Skipf("%s is not installed", names[0])
	return ""
}

func startDaemon(t *testing.T, name, bin string, args ...string) {
	t.Helper()
	var out syncBuffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("%s's log:\n%s", name, tail(out.String(), 3000))
		}
	})
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func waitFor(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %v", what, limit)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func readYAML(t *testing.T, file string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return m
}

func writeYAML(t *testing.T, file string, v any) {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, file, string(b))
}

func writeFile(t *testing.T, file, s string) {
	t.Helper()
	if err := os.WriteFile(file, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

var (
	promDuration = regexp.MustCompile(`^(\d+)(ms|s|m|h|d|w)$`)
	rangeVector  = regexp.MustCompile(`\[(\d+(?:ms|s|m|h|d|w))\]`)
)

// scaleDuration divides a Prometheus duration by timeScale, in milliseconds.
func scaleDuration(t *testing.T, s string) string {
	t.Helper()
	m := promDuration.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("not a duration: %q", s)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	unit := map[string]time.Duration{"ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour,
		"d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[m[2]]
	return fmt.Sprintf("%dms", max(1, (time.Duration(n)*unit/timeScale).Milliseconds()))
}

func scaleRules(t *testing.T, rules map[string]any) map[string]any {
	for _, g := range rules["groups"].([]any) {
		for _, r := range g.(map[string]any)["rules"].([]any) {
			r := r.(map[string]any)
			if f, ok := r["for"].(string); ok {
				r["for"] = scaleDuration(t, f)
			}
			r["expr"] = rangeVector.ReplaceAllStringFunc(r["expr"].(string), func(sel string) string {
				return "[" + scaleDuration(t, sel[1:len(sel)-1]) + "]"
			})
		}
	}
	return rules
}

func scaleRoute(t *testing.T, route map[string]any) {
	for _, k := range []string{"group_wait", "group_interval", "repeat_interval"} {
		if s, ok := route[k].(string); ok {
			route[k] = scaleDuration(t, s)
		}
	}
	for _, r := range asList(route["routes"]) {
		scaleRoute(t, r.(map[string]any))
	}
}
