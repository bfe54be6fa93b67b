package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/auth"
	"github.com/jianbao/admin/shared/gallery"
	"github.com/jianbao/admin/shared/httpapi"
	"github.com/jianbao/admin/shared/localstore"
	"github.com/jianbao/admin/shared/logs"
	"github.com/jianbao/admin/shared/mysql"
	"github.com/jianbao/admin/shared/orders"
	"github.com/jianbao/admin/shared/password"
	"github.com/jianbao/admin/shared/pii"
	"github.com/jianbao/admin/shared/readcache"
	"github.com/jianbao/admin/shared/records"
	"github.com/jianbao/admin/shared/redis"
	"github.com/jianbao/admin/shared/testenv"
	"github.com/jianbao/admin/shared/token"
)

const adminPassword = "bootstrap-password-123"

// harness is the whole API over real stores: MariaDB with Redis, or the embedded stand-ins.
type harness struct {
	srv   *httptest.Server
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

func newHarness(t *testing.T, d *testenv.Database, r *testenv.RedisServer) *harness {
	t.Helper()
	ctx := context.Background()
	if _, err := mysql.Migrate(ctx, d.DB, logs.Discard()); err != nil {
		t.Fatal(err)
	}
	my := mysql.NewStore(d.DB)
	if _, err := my.SeedPermissions(ctx, appraisal.DefaultPolicy); err != nil {
		t.Fatal(err)
	}
	// Every API test runs through the read cache, so its invalidation is tested by all of them.
	st := readcache.New(my, redis.NewEpochs(r.Client, r.Prefix+"epoch:"), logs.Discard(), 1000, time.Minute)
	box, _ := pii.New([]byte(strings.Repeat("p", 32)))
	cache := redis.NewCache(r.Client, r.Prefix+"cache:")
	th := redis.NewThrottle(r.Client, r.Prefix+"throttle:")
	svc := &auth.Service{Users: st, LoginLog: st, Sessions: st, Permissions: st, Throttle: th, Log: logs.Discard(),
		Tokens:   token.NewIssuer([]byte(strings.Repeat("t", 32)), 15*time.Minute),
		Password: password.Params{MemoryKiB: 1024, Time: 1, Threads: 1}, Limits: auth.Limits{PerUser: 5, PerIP: 1000, Window: time.Minute}}
	if _, _, err := svc.Bootstrap(ctx, adminPassword, false); err != nil {
		t.Fatal(err)
	}
	ord := &orders.Service{Orders: st, Catalog: st, Permissions: svc, Review: appraisal.ReviewPolicy{ValueThresholdFen: 10_000_000},
		Sample:  func() float64 { return 0.99 },
		Changed: func(ctx context.Context) { cache.Delete(ctx, httpapi.DashboardCacheKey) }}
	blobMux := http.NewServeMux()
	blobSrv := httptest.NewServer(blobMux)
	t.Cleanup(blobSrv.Close)
	blobs, err := localstore.New(t.TempDir(), blobSrv.URL, []byte(strings.Repeat("b", 32)))
	if err != nil {
		t.Fatal(err)
	}
	blobMux.Handle(localstore.PathPrefix, blobs.Handler())
	var readyErr error
	deps := httpapi.Deps{Blobs: blobs, Log: logs.Discard(), Auth: svc, Orders: ord, Store: st, Cache: cache, Limiter: th,
		Records:       &records.Service{Store: st, PII: box, Permissions: svc},
		Gallery:       &gallery.Service{Store: st, Blobs: blobs, Permissions: svc, Limits: gallery.Limits{MaxImageBytes: 30 << 20, MaxVideoBytes: 1 << 30}},
		PublicBaseURL: "https://jianbao.example", Checks: []httpapi.Check{
			{Name: "mysql", Fn: d.DB.PingContext},
			{Name: "fake", Fn: func(context.Context) error { return readyErr }},
		}}
	srv := httptest.NewServer(httpapi.New(deps))
	t.Cleanup(srv.Close)
	return &harness{srv: srv, deps: deps, store: st, ready: &readyErr}
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
	hash, _ := password.Hash("password-"+name, h.deps.Auth.Password)
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
