package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/logs"
	"github.com/jianbao/admin/shared/testenv"
)

// syncBuffer is an io.Writer safe for the server goroutine and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitHealthy(t testing.TB, base string, errc <-chan error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-errc:
			t.Fatalf("server stopped early: %v", err)
		default:
		}
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("server did not become healthy")
}

func startRun(t *testing.T, env map[string]string) (base string, out *syncBuffer, stop func() error) {
	t.Helper()
	addr := freeAddr(t)
	env["HTTP_ADDR"] = addr
	if env["PUBLIC_BASE_URL"] == "" {
		env["PUBLIC_BASE_URL"] = "http://" + addr
	}
	if env["DATA_DIR"] == "" {
		env["DATA_DIR"] = t.TempDir()
	}
	out = &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, func(k string) string { return env[k] }, out) }()
	base = "http://" + addr
	waitHealthy(t, base, errc)
	var once sync.Once
	var runErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-errc:
			case <-time.After(30 * time.Second):
				runErr = errors.New("run did not return after cancel")
			}
		})
		return runErr
	}
	t.Cleanup(func() { stop() })
	return base, out, stop
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func login(t *testing.T, base, user, pw string) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": user, "password": pw})
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	if resp.StatusCode != 200 || m["access_token"] == nil {
		t.Fatalf("login: %d %v", resp.StatusCode, m)
	}
	return m
}

// TestRunEmbedded is the README's promise: no configuration, and the API serves.
func TestRunEmbedded(t *testing.T) {
	base, out, stop := startRun(t, map[string]string{})

	for path, want := range map[string]string{
		"/healthz":      `"status":"ok"`,
		"/readyz":       `"status":"ready"`,
		"/openapi.json": `"/api/v1/auth/login"`,
		"/docs":         "<html",
	} {
		if code, body := get(t, base+path); code != 200 || !strings.Contains(body, want) {
			t.Errorf("GET %s: %d %.200s", path, code, body)
		}
	}

	// The docs work offline: no script or style from another host, and every asset the page names
	// is served here.
	_, page := get(t, base+"/docs/")
	if regexp.MustCompile(`(src|href)="(https?:)?//`).MatchString(page) {
		t.Errorf("/docs/ loads from another host:\n%s", page)
	}
	assets := regexp.MustCompile(`(?:src|href)="(/docs/[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(assets) < 2 {
		t.Errorf("/docs/ names %d local assets:\n%s", len(assets), page)
	}
	for _, a := range assets {
		if code, _ := get(t, base+a[1]); code != 200 {
			t.Errorf("docs asset %s: %d", a[1], code)
		}
	}

	m := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no generated password printed:\n%s", out.String())
	}
	login(t, base, "admin", m[1])

	logged := out.String()
	if !strings.Contains(logged, "embedded mode") || !strings.Contains(logged, `"request_id"`) {
		t.Errorf("logs lack the embedded-mode notice or request ids:\n%s", logged)
	}
	// The password is shown once on the terminal, never inside a log line.
	for _, line := range strings.Split(logged, "\n") {
		if strings.HasPrefix(line, "{") && strings.Contains(line, m[1]) {
			t.Errorf("a log line carries the generated password: %s", line)
		}
	}
	if err := stop(); err != nil {
		t.Fatalf("run returned %v after cancel", err)
	}
}

// TestRunRealBackends runs the shim on the machine's MariaDB and Redis.
func TestRunRealBackends(t *testing.T) {
	db := testenv.MySQL(t)
	rdb := testenv.Redis(t)
	const pw = "a-long-bootstrap-password"
	base, out, _ := startRun(t, map[string]string{
		"MYSQL_DSN": db.DSN, "REDIS_ADDR": rdb.Addr, "BOOTSTRAP_ADMIN_PASSWORD": pw,
		"JWT_SECRET": strings.Repeat("j", 32), "PII_SECRET": strings.Repeat("p", 32),
	})
	if code, body := get(t, base+"/readyz"); code != 200 {
		t.Fatalf("readyz %d %s", code, body)
	}
	login(t, base, "admin", pw)
	if strings.Contains(out.String(), "embedded mode") || strings.Contains(out.String(), pw) {
		t.Errorf("real-backend run mentions embedded mode or leaks the password:\n%s", out.String())
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	err := run(context.Background(), func(k string) string {
		return map[string]string{"APP_ENV": "prod", "ACCESS_TOKEN_TTL": "2h"}[k]
	}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "ACCESS_TOKEN_TTL") || !strings.Contains(err.Error(), "MYSQL_DSN") {
		t.Fatalf("err = %v", err)
	}
}

// TestServeDrains cancels while a request is in flight: readiness flips first, the request still
// completes, and serve returns cleanly.
func TestServeDrains(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	var draining atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "done")
	})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		errc <- serve(ctx, &http.Server{Handler: mux}, lis, 100*time.Millisecond, 10*time.Second, &draining, logs.Discard())
	}()

	type result struct {
		body string
		err  error
	}
	resc := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + lis.Addr().String() + "/slow")
		if err != nil {
			resc <- result{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resc <- result{body: string(b)}
	}()
	<-started
	cancel()
	for !draining.Load() {
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case err := <-errc:
		t.Fatalf("serve returned %v with a request in flight", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	if r := <-resc; r.err != nil || r.body != "done" {
		t.Fatalf("in-flight request: %q, %v", r.body, r.err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("serve: %v", err)
	}
}

// TestBinaryStopsOnSIGTERM builds the real binary and stops it the way Kubernetes does.
func TestBinaryStopsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the server binary")
	}
	bin := filepath.Join(t.TempDir(), "server")
	if b, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, b)
	}
	addr := freeAddr(t)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "HTTP_ADDR="+addr, "MYSQL_DSN=", "REDIS_ADDR=", "DATA_DIR="+t.TempDir())
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	waitHealthy(t, "http://"+addr, done)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, out.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("did not exit after SIGTERM")
	}
	if !strings.Contains(out.String(), `"msg":"stopped"`) {
		t.Errorf("no clean stop logged:\n%s", out.String())
	}
}

// TestRetentionCommand is the CronJob's command on the real backends.
func TestRetentionCommand(t *testing.T) {
	db, r := testenv.MySQL(t), testenv.Redis(t)
	env := map[string]string{"MYSQL_DSN": db.DSN, "REDIS_ADDR": r.Addr, "REDIS_PREFIX": r.Prefix, "DATA_DIR": t.TempDir(),
		"JWT_SECRET": strings.Repeat("j", 32), "PII_SECRET": strings.Repeat("p", 32)}
	// The schema comes from a normal start first.
	_, _, stop := startRun(t, env)
	stop()
	var out syncBuffer
	if err := retention(context.Background(), func(k string) string { return env[k] }, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"msg":"retention"`) {
		t.Fatalf("no retention line:\n%s", out.String())
	}
}
