package app_test

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jianbao/admin/shared/appraisal"
)

// flipCase swaps the case of every letter: the same token to a case-insensitive comparison.
func flipCase(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z':
			return r - 'A' + 'a'
		}
		return r
	}, s)
}

// TestRevocationPublishesOnlyTheListedReason: a revoked certificate's page and JSON say that it
// is revoked, when, and the published reason chosen from the list — never the staff's note (here
// it holds a phone number), never the verdict. The note stays in the staff's view. A revocation
// without a published reason, or with one off the list, is refused.
func TestRevocationPublishesOnlyTheListedReason(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		admin := h.login(t, "admin", adminPassword)
		_, op := h.user(t, "rv-operator", appraisal.RoleOperator)
		e := newExpert(t, h, admin, "rv-expert")
		objs, v := assigned(t, h, op, e)
		cert := issue(t, h, op, h.login(t, "rv-expert", "password-rv-expert"), objs["order"], v)
		path := "/api/v1/certificates/" + cert + "/revoke"
		const note = "客户王先生 13800138000 要求撤销"
		for _, body := range []map[string]any{{"reason": note}, {"reason": note, "public_reason": "BECAUSE"}} {
			if r := h.as(t, admin, "POST", path, body); r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "public_reason") {
				t.Errorf("revocation %v: %d %s", body, r.status, r.body)
			}
		}
		c := must(t, h.as(t, admin, "POST", path, map[string]any{"reason": note, "public_reason": "HOLDER_REQUEST"}), 200)
		if c["revoke_reason"] != note || c["public_reason"] != "HOLDER_REQUEST" {
			t.Errorf("the staff's view of the revocation: %v", c)
		}
		token := strings.TrimPrefix(c["verify_url"].(string), "https://jianbao.example/c/")
		pub := must(t, h.do(t, "GET", "/api/v1/public/certificates/"+token, ""), 200)
		if pub["status"] != "REVOKED" || pub["valid"] != false || pub["revoke_reason"] != "HOLDER_REQUEST" || pub["revoke_reason_text"] != "应持证人申请" ||
			pub["verdict"] != nil || pub["cover_url"] != "" {
			t.Errorf("public view of a revoked certificate: %v", pub)
		}
		page := h.do(t, "GET", "/c/"+token, "")
		for _, r := range []*response{page, h.do(t, "GET", "/api/v1/public/certificates/"+token, "")} {
			for _, secret := range []string{"13800138000", "王先生", "要求撤销", "真品"} {
				if strings.Contains(string(r.body), secret) {
					t.Errorf("the public answer carries %q: %s", secret, r.body)
				}
			}
		}
		if !strings.Contains(string(page.body), "已撤销") || !strings.Contains(string(page.body), "应持证人申请") {
			t.Errorf("the page of a revoked certificate: %s", page.body)
		}
		print := h.as(t, op, "GET", "/api/v1/certificates/"+cert+"/print", nil)
		if strings.Contains(string(print.body), "13800138000") || !strings.Contains(string(print.body), "应持证人申请") {
			t.Errorf("the printed revoked certificate: %s", print.body)
		}
	})
}

// TestCertificateTokenIsExact: the certificate opens with its token exactly, never with the same
// letters in another case (the column once compared case-insensitively).
func TestCertificateTokenIsExact(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		admin := h.login(t, "admin", adminPassword)
		_, op := h.user(t, "tk-operator", appraisal.RoleOperator)
		e := newExpert(t, h, admin, "tk-expert")
		objs, v := assigned(t, h, op, e)
		cert := issue(t, h, op, h.login(t, "tk-expert", "password-tk-expert"), objs["order"], v)
		c := must(t, h.as(t, op, "GET", "/api/v1/certificates/"+cert, nil), 200)
		token := strings.TrimPrefix(c["verify_url"].(string), "https://jianbao.example/c/")
		flipped := flipCase(token)
		if flipped == token {
			t.Skip("a token without letters") // 2^-256
		}
		for _, p := range []string{"/api/v1/public/certificates/", "/c/"} {
			if r := h.do(t, "GET", p+token, ""); r.status != 200 {
				t.Errorf("GET %s<token>: %d", p, r.status)
			}
			if r := h.do(t, "GET", p+flipped, ""); r.status != http.StatusNotFound {
				t.Errorf("GET %s<token in other case>: %d %s", p, r.status, r.body)
			}
		}
		if r := h.do(t, "GET", "/api/v1/public/certificates/"+flipped+"/qr.png", ""); r.status != http.StatusNotFound {
			t.Errorf("QR of the token in other case: %d", r.status)
		}
	})
}

// TestResetOfAPeerNeedsTheSuperAdmin: a password reset lets the one who sets it log in as the
// account once; an admin may do that to accounts with fewer rights, never to another admin — only
// the super admin may.
func TestResetOfAPeerNeedsTheSuperAdmin(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		super := h.login(t, "admin", adminPassword)
		_, admin := h.user(t, "ada-admin", appraisal.RoleAdmin)
		peer, _ := h.user(t, "ben-admin", appraisal.RoleAdmin)
		op, _ := h.user(t, "oli-operator", appraisal.RoleOperator)
		reset := func(tok string, id int64) *response {
			return h.as(t, tok, "POST", "/api/v1/admin/users/"+strconv.FormatInt(id, 10)+"/password", map[string]any{"new_password": "temporary-password-1"})
		}
		if r := reset(admin, peer); r.status != http.StatusForbidden || r.json(t)["code"] != "auth.reset_peer_needs_super_admin" {
			t.Errorf("an admin resets another admin: %d %s", r.status, r.body)
		}
		if r := reset(admin, op); r.status != http.StatusNoContent {
			t.Errorf("an admin resets an operator: %d %s", r.status, r.body)
		}
		if r := reset(super, peer); r.status != http.StatusNoContent {
			t.Errorf("the super admin resets an admin: %d %s", r.status, r.body)
		}
	})
}

// TestCapacityHoldsUnderConcurrentAssignments: an expert one place short of their capacity gets
// exactly one of many orders assigned to them at once; the others are refused with at_capacity,
// never all accepted because each checked before any wrote.
func TestCapacityHoldsUnderConcurrentAssignments(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		admin := h.login(t, "admin", adminPassword)
		_, op := h.user(t, "cap-operator", appraisal.RoleOperator)
		uid, _ := h.user(t, "cap-expert", appraisal.RoleExpert)
		expert := must(t, h.as(t, admin, "POST", "/api/v1/experts", map[string]any{"user_id": strconv.FormatInt(uid, 10), "name": "满额",
			"capacity": 2, "specialties": []map[string]any{{"category_id": "2"}}}), 201)["id"].(string)
		queued := func() string {
			c := must(t, h.as(t, op, "POST", "/api/v1/customers", map[string]any{"name": "客户"}), 201)
			it := must(t, h.as(t, op, "POST", "/api/v1/items", map[string]any{"customer_id": c["id"], "category_id": "2", "title": "玉璧"}), 201)
			id := must(t, h.as(t, op, "POST", "/api/v1/orders", map[string]any{"item_id": it["id"], "product_id": "2"}), 201)["id"].(string)
			must(t, h.as(t, op, "POST", "/api/v1/orders/"+id+"/triage", map[string]any{"version": 1}), 200)
			must(t, h.as(t, op, "POST", "/api/v1/orders/"+id+"/accept", map[string]any{"version": 2}), 200)
			return id
		}
		must(t, h.as(t, op, "POST", "/api/v1/orders/"+queued()+"/assign", map[string]any{"version": 3, "expert_id": expert}), 200)
		for round := range 3 {
			const clients = 6
			ids := make([]string, clients)
			for i := range ids {
				ids[i] = queued()
			}
			statuses, bodies := make([]int, clients), make([]string, clients)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					r := h.as(t, op, "POST", "/api/v1/orders/"+ids[i]+"/assign", map[string]any{"version": 3, "expert_id": expert})
					statuses[i], bodies[i] = r.status, string(r.body)
				}()
			}
			close(start)
			wg.Wait()
			wins := 0
			for i, s := range statuses {
				switch {
				case s == http.StatusOK:
					wins++
				case s == http.StatusUnprocessableEntity && strings.Contains(bodies[i], "at_capacity"):
				default:
					t.Errorf("unexpected %d: %s", s, bodies[i])
				}
			}
			want := 0
			if round == 0 {
				want = 1 // the last place
			}
			if wins != want {
				t.Fatalf("round %d: %d of %d assignments accepted, want %d: %v", round, wins, clients, want, statuses)
			}
		}
		e := must(t, h.as(t, admin, "GET", "/api/v1/experts", nil), 200)
		for _, x := range e["items"].([]any) {
			if m := x.(map[string]any); m["id"] == expert && m["open_orders"].(float64) != 2 {
				t.Errorf("the expert has %v open orders, capacity 2", m["open_orders"])
			}
		}
	})
}

// TestInternalNoteReaders: an opinion's internal note is read by the roles holding
// opinions.internal_note.view (super admin, admin, reviewer by default) and by the expert who
// wrote it; operators and viewers get it empty.
func TestInternalNoteReaders(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		admin := h.login(t, "admin", adminPassword)
		_, op := h.user(t, "in-operator", appraisal.RoleOperator)
		_, viewer := h.user(t, "in-viewer", appraisal.RoleViewer)
		_, reviewer := h.user(t, "in-reviewer", appraisal.RoleReviewer)
		e := newExpert(t, h, admin, "in-expert")
		expert := h.login(t, "in-expert", "password-in-expert")
		objs, v := assigned(t, h, op, e)
		order := "/api/v1/orders/" + objs["order"]
		must(t, h.as(t, expert, "POST", order+"/start", map[string]any{"version": v}), 200)
		const note = "内部：底款字体与官窑不符，建议复核"
		must(t, h.as(t, expert, "POST", order+"/opinions", map[string]any{"version": v + 1, "verdict": "UNCERTAIN",
			"value_min_fen": 100, "value_max_fen": 200, "public_comment": "存疑", "internal_note": note}), 201)
		for _, c := range []struct {
			who, tok string
			sees     bool
		}{{"super admin", admin, true}, {"reviewer", reviewer, true}, {"the author", expert, true}, {"operator", op, false}, {"viewer", viewer, false}} {
			det := must(t, h.as(t, c.tok, "GET", order, nil), 200)
			ops := det["opinions"].([]any)
			if len(ops) != 1 {
				t.Fatalf("%s reads %d opinions", c.who, len(ops))
			}
			if got := ops[0].(map[string]any)["internal_note"]; (got == note) != c.sees {
				t.Errorf("%s reads the internal note as %q (may read it: %v)", c.who, got, c.sees)
			}
		}
	})
}
