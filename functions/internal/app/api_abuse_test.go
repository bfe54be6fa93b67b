package app_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/jianbao/admin/shared/appraisal"
)

// loginFrom logs in from a client address (the harness trusts the test client as a proxy).
func (h *harness) loginFrom(t *testing.T, ip, user, pw string) *response {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"username": user, "password": pw})
	return h.do(t, "POST", "/api/v1/auth/login", string(b), "X-Forwarded-For", ip)
}

// TestAdminStaysReachableUnderAttack: an attacker hammering the super admin's account from one
// address locks only that address out; the admin logs in from a new address at once. An
// administrator can clear the lockout.
func TestAdminStaysReachableUnderAttack(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		for i := range 12 {
			r := h.loginFrom(t, "203.0.113.7", "admin", fmt.Sprintf("guess-%d", i))
			want := 401
			if i >= 5 {
				want = 429
			}
			if r.status != want {
				t.Fatalf("attempt %d from the attacker: %d %s, want %d", i+1, r.status, r.body, want)
			}
		}
		if r := h.loginFrom(t, "203.0.113.7", "admin", adminPassword); r.status != 429 {
			t.Fatalf("the attacking address with the right password: %d, want 429", r.status)
		}
		r := h.loginFrom(t, "198.51.100.20", "admin", adminPassword)
		if r.status != 200 {
			t.Fatalf("the admin from a new address during the attack: %d %s", r.status, r.body)
		}
		admin := r.json(t)["access_token"].(string)

		// The admin unlocks the account: the locked address is let through to a password check.
		me := must(t, h.as(t, admin, "GET", "/api/v1/auth/me", nil), 200)
		id := me["user"].(map[string]any)["id"].(string)
		if r := h.as(t, admin, "POST", "/api/v1/admin/users/"+id+"/unlock", nil); r.status != 204 {
			t.Fatalf("unlock: %d %s", r.status, r.body)
		}
		if r := h.loginFrom(t, "203.0.113.7", "admin", "guess-again"); r.status != 401 {
			t.Fatalf("after the unlock: %d, want 401 (checked, wrong)", r.status)
		}
		audit := must(t, h.as(t, admin, "GET", "/api/v1/audit-logs?action=admin.users.unlock", nil), 200)
		if audit["total"].(float64) != 1 {
			t.Fatalf("unlock audit rows: %v", audit["total"])
		}
	})
}

// TestPasswordResetForcesAChange: a reset password logs in, but the account can do nothing but
// change it; its old sessions are gone.
func TestPasswordResetForcesAChange(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		admin := h.login(t, "admin", adminPassword)
		id, old := h.user(t, "olga", appraisal.RoleOperator)
		uid := fmt.Sprint(id)
		if r := h.as(t, admin, "POST", "/api/v1/admin/users/"+uid+"/password", map[string]any{"new_password": "short"}); r.status != 422 {
			t.Fatalf("a weak temporary password: %d", r.status)
		}
		if r := h.as(t, admin, "POST", "/api/v1/admin/users/"+uid+"/password", map[string]any{"new_password": "temporary-123"}); r.status != 204 {
			t.Fatalf("reset: %d %s", r.status, r.body)
		}
		if r := h.as(t, old, "GET", "/api/v1/auth/me", nil); r.status != 401 {
			t.Fatalf("the session from before the reset: %d", r.status)
		}
		r := h.loginFrom(t, "198.51.100.30", "olga", "temporary-123")
		if r.status != 200 || r.json(t)["user"].(map[string]any)["must_change_password"] != true {
			t.Fatalf("login with the temporary password: %d %s", r.status, r.body)
		}
		tok := r.json(t)["access_token"].(string)
		if r := h.as(t, tok, "GET", "/api/v1/orders", nil); r.status != 403 || r.json(t)["code"] != "auth.password_change_required" {
			t.Fatalf("orders before the change: %d %s", r.status, r.body)
		}
		must(t, h.as(t, tok, "GET", "/api/v1/auth/me", nil), 200)
		if r := h.as(t, tok, "POST", "/api/v1/auth/password", map[string]any{"current_password": "temporary-123", "new_password": "olgas-own-secret"}); r.status != 204 {
			t.Fatalf("change: %d %s", r.status, r.body)
		}
		must(t, h.as(t, tok, "GET", "/api/v1/orders", nil), 200)
		// Operators may not reset anyone's password.
		if r := h.as(t, tok, "POST", "/api/v1/admin/users/1/password", map[string]any{"new_password": "temporary-456"}); r.status != 403 {
			t.Fatalf("an operator resets the admin: %d", r.status)
		}
	})
}

// TestPersonalDataIsNotCachedAndPhonesAreNoOracle: responses carry no-store and HSTS; a role
// that may not see phone numbers may not search by one either.
func TestPersonalDataIsNotCachedAndPhonesAreNoOracle(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		_, op := h.user(t, "oscar", appraisal.RoleOperator)
		_, viewer := h.user(t, "vera", appraisal.RoleViewer)
		c := must(t, h.as(t, op, "POST", "/api/v1/customers", map[string]any{"name": "张三", "phone": "13900001111"}), 201)
		r := h.as(t, op, "GET", "/api/v1/customers/"+c["id"].(string), nil)
		if r.status != 200 || r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("customer with a full phone: %d, Cache-Control %q", r.status, r.header.Get("Cache-Control"))
		}
		if r.header.Get("Strict-Transport-Security") == "" {
			t.Error("no HSTS header")
		}
		if got := must(t, h.as(t, op, "GET", "/api/v1/customers?phone=13900001111", nil), 200); got["total"].(float64) != 1 {
			t.Fatalf("the operator's phone search: %v", got)
		}
		if r := h.as(t, viewer, "GET", "/api/v1/customers?phone=13900001111", nil); r.status != 403 || r.json(t)["code"] != "customers.phone_search_forbidden" {
			t.Fatalf("the viewer's phone search: %d %s", r.status, r.body)
		}
		// The viewer still lists customers, phones masked.
		list := must(t, h.as(t, viewer, "GET", "/api/v1/customers", nil), 200)
		if p := list["items"].([]any)[0].(map[string]any)["phone"]; p == "13900001111" {
			t.Fatalf("the viewer sees the full number: %v", p)
		}
	})
}
