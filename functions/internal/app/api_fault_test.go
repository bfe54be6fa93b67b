package app_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/testenv"
)

// faultHarness is the API over MariaDB and a Redis of the test's own, which it may stop and
// restart empty.
func faultHarness(t *testing.T) (*harness, *testenv.RedisProcess) {
	p := testenv.OwnRedis(t)
	return newHarness(t, testenv.MySQL(t), &testenv.RedisServer{Addr: p.Addr, Prefix: p.Prefix}), p
}

// eventually retries a request until it answers want (Redis reconnecting), for at most 15 s.
func eventually(t *testing.T, want int, do func() *response) *response {
	t.Helper()
	var r *response
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if r = do(); r.status == want {
			return r
		}
	}
	t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
	return nil
}

// TestNothingStaleAfterRedisLosesItsData is the reproduction from the field: an order and a
// viewer's grant are cached; Redis restarts empty; the order is triaged, the viewer disabled, and
// as many writes follow as it took to reach the cached epochs. Neither the old order nor the
// disabled viewer's access may come back.
func TestNothingStaleAfterRedisLosesItsData(t *testing.T) {
	h, p := faultHarness(t)
	_, op := h.user(t, "opal", appraisal.RoleOperator)
	vid, viewer := h.user(t, "vick", appraisal.RoleViewer)
	admin := h.login(t, "admin", adminPassword)
	id := newOrder(t, h, op)
	for range 3 { // the order epoch moves on: other orders' writes
		newOrder(t, h, op)
	}
	if o := must(t, h.as(t, op, "GET", "/api/v1/orders/"+id, nil), 200); o["status"] != "SUBMITTED" {
		t.Fatalf("before: %v", o["status"])
	}
	must(t, h.as(t, viewer, "GET", "/api/v1/auth/me", nil), 200)

	p.Restart()
	eventually(t, 200, func() *response {
		return h.as(t, op, "POST", "/api/v1/orders/"+id+"/triage", withVersion(1, nil))
	})
	must(t, h.as(t, admin, "PATCH", fmt.Sprintf("/api/v1/admin/users/%d", vid), map[string]any{"disabled": true}), 200)
	for range 3 {
		newOrder(t, h, op)
	}
	o := must(t, h.as(t, op, "GET", "/api/v1/orders/"+id, nil), 200)
	if o["status"] == "SUBMITTED" || o["version"].(float64) != 2 {
		t.Fatalf("after the reset the order reads %v version %v: a stale cache entry", o["status"], o["version"])
	}
	if r := h.as(t, viewer, "GET", "/api/v1/auth/me", nil); r.status != 401 {
		t.Fatalf("the disabled viewer after the reset: %d", r.status)
	}
}

// TestServingWithoutRedis: with Redis down, reads and writes go on from MySQL, logins too (the
// limits fail open), and readiness says degraded with the reason rather than failing; when Redis
// is back, ready again.
func TestServingWithoutRedis(t *testing.T) {
	h, p := faultHarness(t)
	_, op := h.user(t, "otto", appraisal.RoleOperator)
	p.Stop()
	for i := range 5 {
		id := newOrder(t, h, op)
		if o := must(t, h.as(t, op, "GET", "/api/v1/orders/"+id, nil), 200); o["status"] != "SUBMITTED" {
			t.Fatalf("order %d read back as %v", i, o["status"])
		}
	}
	h.login(t, "otto", "password-otto")
	r := h.do(t, "GET", "/readyz", "")
	if r.status != 200 {
		t.Fatalf("readiness without Redis: %d %s", r.status, r.body)
	}
	body := r.json(t)
	checks := body["checks"].(map[string]any)
	if body["status"] != "degraded" || checks["mysql"] != "ok" || checks["redis"] == "ok" {
		t.Fatalf("readiness without Redis: %s", r.body)
	}
	p.Start()
	eventually(t, 200, func() *response {
		r := h.do(t, "GET", "/readyz", "")
		if r.status == 200 && r.json(t)["status"] != "ready" {
			r.status = 299
		}
		return r
	})
}
