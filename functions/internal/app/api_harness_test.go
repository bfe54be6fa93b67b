package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/jianbao/admin/functions/internal/apitest"
	"github.com/jianbao/admin/functions/internal/app"
	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/config"
	"github.com/jianbao/admin/shared/httpapi"
	"github.com/jianbao/admin/shared/logs"
	"github.com/jianbao/admin/shared/password"
	"github.com/jianbao/admin/shared/testenv"
)

const adminPassword = "bootstrap-password-123"

// harness is the whole API as the mains wire it (app.Open), over real stores: MariaDB with Redis,
// or the embedded stand-ins. The API tests exercise the production wiring, not a copy of it.
type harness struct {
	srv   *httptest.Server
	check *apitest.Validator // every response is checked against /openapi.json
	deps  httpapi.Deps
	store appraisal.Store
	ready *error
}

// forEachBackend pairs the real MySQL with the real Redis, and the stand-ins with each other.
func forEachBackend(t *testing.T, fn func(t *testing.T, h *harness)) {
	redisFor := map[string]func(testing.TB) *testenv.RedisServer{"mariadb": testenv.Redis, "embedded": testenv.EmbeddedRedis}
	for _, b := range testenv.MySQLBackends() {
		t.Run(b.Name, func(t *testing.T) { fn(t, newHarness(t, b.Open(t), redisFor[b.Name](t))) })
	}
}

// cheap keeps the many logins of the API tests fast; the real parameters are tested in password.
var cheap = password.Params{MemoryKiB: 1024, Time: 1, Threads: 1}

func newHarness(t *testing.T, d *testenv.Database, r *testenv.RedisServer) *harness {
	t.Helper()
	ctx := context.Background()
	env := map[string]string{
		"APP_ENV": "local", "MYSQL_DSN": d.DSN, "MYSQL_MAX_OPEN_CONNS": strconv.Itoa(d.MaxOpenConns),
		"REDIS_ADDR": r.Addr, "REDIS_PREFIX": r.Prefix, "JWT_SECRET": strings.Repeat("t", 32), "PII_SECRET": strings.Repeat("p", 32),
		"BOOTSTRAP_ADMIN_PASSWORD": adminPassword, "DATA_DIR": t.TempDir(), "PUBLIC_BASE_URL": "https://jianbao.example",
		// Every API test runs through the read cache, so its invalidation is tested by all of them.
		"READ_CACHE_SIZE":      "1000",
		"CORS_ALLOWED_ORIGINS": "https://admin.jianbao.example, http://localhost:5173",
		// Deterministic review routing; many logins from one test address.
		"REVIEW_SAMPLE_RATE": "0", "LOGIN_MAX_FAILURES": "5", "LOGIN_MAX_FAILURES_PER_IP": "1000", "LOGIN_LOCKOUT": "1m",
		// The test client is the proxy: X-Forwarded-For plays the client addresses.
		"TRUSTED_PROXIES": "127.0.0.1",
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	var readyErr error
	a, err := app.Open(ctx, cfg, logs.Discard(), app.Options{Password: &cheap, Draining: func() bool { return readyErr != nil }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if _, _, err := a.Migrate(ctx, false); err != nil {
		t.Fatal(err)
	}
	// Whatever a test did to orders, the rollups (order_counts, order_days) must still add up
	// to the orders: every path that creates an order or sets a status has to keep them.
	t.Cleanup(func() {
		counts := func(q string) map[string]int {
			m := map[string]int{}
			rows, err := a.DB.Query(q)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var st string
				var n int
				rows.Scan(&st, &n)
				if n != 0 {
					m[st] = n
				}
			}
			return m
		}
		for _, q := range [][2]string{
			{"SELECT status, SUM(n) FROM order_counts GROUP BY status", "SELECT status, COUNT(*) FROM orders GROUP BY status"},
			{"SELECT DATE_FORMAT(day, '%Y-%m-%d'), SUM(intake) FROM order_days GROUP BY day",
				"SELECT DATE_FORMAT(DATE_ADD(created_at, INTERVAL 8 HOUR), '%Y-%m-%d') AS d, COUNT(*) FROM orders GROUP BY d"},
			{"SELECT DATE_FORMAT(day, '%Y-%m-%d'), SUM(completed) FROM order_days GROUP BY day",
				"SELECT DATE_FORMAT(DATE_ADD(completed_at, INTERVAL 8 HOUR), '%Y-%m-%d') AS d, COUNT(*) FROM orders WHERE completed_at IS NOT NULL AND status IN ('COMPLETED', 'CERT_ISSUED') GROUP BY d"},
		} {
			if kept, real := counts(q[0]), counts(q[1]); !maps.Equal(kept, real) {
				t.Errorf("rollup %v, from the orders %v (%s)", kept, real, q[0])
			}
		}
	})
	deps := a.Deps()
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return &harness{srv: srv, deps: deps, store: a.Store, ready: &readyErr, check: apitest.New(t, srv.URL)}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r *response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	return m
}

// do sends a request; headers come in name, value pairs.
func (h *harness) do(t testing.TB, method, path, body string, headers ...string) *response {
	t.Helper()
	req, _ := http.NewRequest(method, h.srv.URL+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	h.check.Check(t, req, resp, b)
	return &response{resp.StatusCode, resp.Header, b}
}

// as sends a request with a bearer token.
func (h *harness) as(t testing.TB, tok, method, path string, body any, headers ...string) *response {
	t.Helper()
	var s string
	if body != nil {
		b, _ := json.Marshal(body)
		s = string(b)
	}
	return h.do(t, method, path, s, append([]string{"Authorization", "Bearer " + tok}, headers...)...)
}

func (h *harness) login(t testing.TB, user, pw string) string {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"username": user, "password": pw})
	r := h.do(t, "POST", "/api/v1/auth/login", string(b))
	if r.status != 200 {
		t.Fatalf("login %s: %d %s", user, r.status, r.body)
	}
	return r.json(t)["access_token"].(string)
}

// user creates an account with the role directly in the store and returns a token for it.
func (h *harness) user(t testing.TB, name string, role appraisal.RoleID) (int64, string) {
	t.Helper()
	hash, _ := password.Hash("password-"+name, cheap)
	u := &appraisal.User{Username: name, PasswordHash: hash, Role: role}
	if err := h.store.CreateUser(context.Background(), u, appraisal.AuditEntry{Action: "test", TargetType: "user"}); err != nil {
		t.Fatal(err)
	}
	return u.ID, h.login(t, name, "password-"+name)
}

// must asserts a status and decodes the body.
func must(t testing.TB, r *response, status int) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if len(bytes.TrimSpace(r.body)) == 0 {
		return nil
	}
	return r.json(t)
}
