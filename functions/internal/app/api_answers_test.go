package app_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/jianbao/admin/shared/appraisal"
)

// TestAnswers: the order list and detail answer with an ETag of their bytes, served again from the
// answer cache; If-None-Match gets 304 while nothing changed and the new answer once a write,
// an item edit or another caller makes it different; and what one caller was answered is never
// served to another.
func TestAnswers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		_, op := h.user(t, "answers-op", appraisal.RoleOperator)
		_, viewer := h.user(t, "answers-viewer", appraisal.RoleViewer)
		c := must(t, h.as(t, op, "POST", "/api/v1/customers", map[string]any{"name": "答客", "phone": "13812345678"}), 201)
		it := must(t, h.as(t, op, "POST", "/api/v1/items", map[string]any{"customer_id": c["id"], "category_id": "2", "title": "青花缠枝莲纹瓶"}), 201)
		o := must(t, h.as(t, op, "POST", "/api/v1/orders", map[string]any{"item_id": it["id"], "product_id": "2"}), 201)
		detail := "/api/v1/orders/" + o["id"].(string)
		list := "/api/v1/orders?customer_id=" + c["id"].(string)

		get := func(tok, path string, headers ...string) *response {
			t.Helper()
			return h.as(t, tok, "GET", path, nil, headers...)
		}
		first := get(op, detail)
		must(t, first, 200)
		etag := first.header.Get("ETag")
		if !strings.HasPrefix(etag, `"1.`) || !strings.HasSuffix(etag, `"`) {
			t.Fatalf("detail ETag %q, want the version 1, a dot and a digest, quoted", etag)
		}
		// The second read is the kept answer: the same bytes and ETag.
		if again := get(op, detail); again.status != 200 || !bytes.Equal(again.body, first.body) || again.header.Get("ETag") != etag {
			t.Fatalf("second read %d %q, first %q", again.status, again.header.Get("ETag"), etag)
		}
		for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
			r := get(op, detail, "If-None-Match", inm)
			if r.status != 304 || len(r.body) != 0 || r.header.Get("ETag") != etag {
				t.Fatalf("If-None-Match %s: %d %q body %q", inm, r.status, r.header.Get("ETag"), r.body)
			}
		}
		if r := get(op, detail, "If-None-Match", `"1.not-this"`); r.status != 200 || !bytes.Equal(r.body, first.body) {
			t.Fatalf("a stale If-None-Match got %d", r.status)
		}

		// Another caller on the same URL gets their own answer (the viewer sees the phone masked),
		// and neither is served the other's, however they alternate.
		for range 2 {
			if r := must(t, get(viewer, detail), 200); r["customer"].(map[string]any)["phone"] == "+8613812345678" {
				t.Fatal("the viewer was served the operator's answer, phone unmasked")
			}
			if r := must(t, get(op, detail), 200); r["customer"].(map[string]any)["phone"] != "+8613812345678" {
				t.Fatalf("the operator was served another answer: phone %v", r["customer"])
			}
		}
		if get(viewer, detail).header.Get("ETag") == etag {
			t.Fatal("different answers share an ETag")
		}

		// If-Match takes the detail's ETag as the version it carries.
		must(t, h.as(t, op, "POST", detail+"/triage", map[string]any{}, "If-Match", etag), 200)
		after := get(op, detail, "If-None-Match", etag)
		if after.status != 200 || !strings.HasPrefix(after.header.Get("ETag"), `"2.`) || must(t, after, 200)["status"] != "TRIAGE" {
			t.Fatalf("after the transition: %d %q %s", after.status, after.header.Get("ETag"), after.body)
		}
		etag = after.header.Get("ETag")

		// An item edit shows in the detail at once.
		must(t, h.as(t, op, "PATCH", "/api/v1/items/"+it["id"].(string), map[string]any{"description": "口沿一处小磕", "version": it["version"]}), 200)
		edited := get(op, detail, "If-None-Match", etag)
		if edited.status != 200 || must(t, edited, 200)["item"].(map[string]any)["description"] != "口沿一处小磕" {
			t.Fatalf("after the item edit: %d %s", edited.status, edited.body)
		}

		// The list: an ETag of its own, 304 until an order is added.
		l := get(op, list)
		must(t, l, 200)
		letag := l.header.Get("ETag")
		if letag == "" || strings.Contains(strings.Trim(letag, `"`), ".") {
			t.Fatalf("list ETag %q, want a digest alone", letag)
		}
		if r := get(op, list, "If-None-Match", letag); r.status != 304 {
			t.Fatalf("list If-None-Match: %d", r.status)
		}
		must(t, h.as(t, op, "POST", "/api/v1/orders", map[string]any{"item_id": it["id"], "product_id": "2"}), 201)
		if r := get(op, list, "If-None-Match", letag); r.status != 200 || must(t, r, 200)["total"] != float64(2) {
			t.Fatalf("list after a create: %d %s", r.status, r.body)
		}
		// Errors are not kept and carry no ETag.
		if r := get(op, "/api/v1/orders/999999"); r.status != 404 || r.header.Get("ETag") != "" {
			t.Fatalf("a missing order: %d ETag %q", r.status, r.header.Get("ETag"))
		}
	})
}

// TestCreateOrderRefusals: an order is refused, naming the cause, for an item or product that
// does not exist, a product no longer sold, a removed item and a blocked customer; nothing is
// created by a refusal.
func TestCreateOrderRefusals(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		_, op := h.user(t, "refusals-op", appraisal.RoleOperator)
		admin := h.login(t, "admin", adminPassword)
		c := must(t, h.as(t, op, "POST", "/api/v1/customers", map[string]any{"name": "拒客"}), 201)
		item := func() map[string]any {
			return must(t, h.as(t, op, "POST", "/api/v1/items", map[string]any{"customer_id": c["id"], "category_id": "2", "title": "铜镜"}), 201)
		}
		live, gone := item(), item()
		must(t, h.as(t, op, "DELETE", "/api/v1/items/"+gone["id"].(string), nil, "If-Match", `"1"`), 204)
		retired := must(t, h.as(t, admin, "POST", "/api/v1/products", map[string]any{"code": "retired", "name": "停售", "kind": "IMAGE", "price_fen": 100, "sla_hours": 24, "active": true}), 201)
		must(t, h.as(t, admin, "PATCH", "/api/v1/products/"+retired["id"].(string), map[string]any{"active": false}), 200)

		for _, tc := range []struct {
			name, item, product string
			status              int
			code, field         string
		}{
			{"no such item", "999999", "2", 422, "", "item_id"},
			{"removed item", gone["id"].(string), "2", 422, "", "item_id"},
			{"no such product", live["id"].(string), "999999", 422, "", "product_id"},
			{"product not sold", live["id"].(string), retired["id"].(string), 422, "", "product_id"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := h.as(t, op, "POST", "/api/v1/orders", map[string]any{"item_id": tc.item, "product_id": tc.product})
				p := must(t, r, tc.status)
				if errs, _ := p["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != tc.field {
					t.Fatalf("errors %v, want one on %s", p["errors"], tc.field)
				}
			})
		}
		must(t, h.as(t, op, "POST", "/api/v1/customers/"+c["id"].(string)+"/block", map[string]any{"version": c["version"], "reason": "欠款"}), 200)
		if p := must(t, h.as(t, op, "POST", "/api/v1/orders", map[string]any{"item_id": live["id"], "product_id": "2"}), 409); p["code"] != "customer.blocked" {
			t.Fatalf("a blocked customer's order: %v", p)
		}
		if l := must(t, h.as(t, op, "GET", "/api/v1/orders?customer_id="+c["id"].(string), nil), 200); l["total"] != float64(0) {
			t.Fatalf("refusals created %v orders", l["total"])
		}
	})
}
