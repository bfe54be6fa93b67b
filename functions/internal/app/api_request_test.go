package app_test

import (
	"strings"
	"testing"

	"github.com/jianbao/admin/shared/appraisal"
)

// TestListParameters checks that the embedded pagination parameters reach the handlers and that
// cursors walk every row exactly once.
func TestListParameters(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		admin := h.login(t, "admin", adminPassword)
		for i := 0; i < 5; i++ {
			h.user(t, "pager"+string(rune('a'+i)), appraisal.RoleViewer)
		}
		first := must(t, h.as(t, admin, "GET", "/api/v1/admin/users?page_size=2&q=pager", nil), 200)
		if n := len(first["items"].([]any)); n != 2 || first["total"].(float64) != 5 {
			t.Fatalf("page_size ignored: %v", first)
		}
		seen := map[string]bool{}
		cur := first
		for pages := 1; ; pages++ {
			for _, it := range cur["items"].([]any) {
				id := it.(map[string]any)["id"].(string)
				if seen[id] {
					t.Fatalf("row %s seen twice", id)
				}
				seen[id] = true
			}
			next := cur["next_cursor"].(string)
			if next == "" {
				break
			}
			if pages > 5 {
				t.Fatal("cursor never ends")
			}
			cur = must(t, h.as(t, admin, "GET", "/api/v1/admin/users?page_size=2&q=pager&cursor="+next, nil), 200)
		}
		if len(seen) != 5 {
			t.Fatalf("walked %d rows, want 5", len(seen))
		}
		page3 := must(t, h.as(t, admin, "GET", "/api/v1/admin/users?page_size=2&page=3&q=pager", nil), 200)
		if n := len(page3["items"].([]any)); n != 1 || page3["next_cursor"] != "" {
			t.Fatalf("page 3: %v", page3)
		}
		bad := h.as(t, admin, "GET", "/api/v1/admin/users?cursor=%21%21", nil)
		if bad.status != 422 || !strings.Contains(string(bad.body), "bad_cursor") {
			t.Fatalf("bad cursor: %d %s", bad.status, bad.body)
		}
		if r := h.as(t, admin, "GET", "/api/v1/admin/users?page_size=1000", nil); r.status != 422 {
			t.Fatalf("page_size over 100: %d", r.status)
		}
		if r := h.as(t, admin, "GET", "/api/v1/orders?sort=password", nil); r.status != 422 {
			t.Fatalf("sort outside the allow-list: %d %s", r.status, r.body)
		}

		// The order list pages by key: every order once, in each sort, the count exact; a key
		// from one sort is refused in another; a page number deeper than MaxOrderOffset is
		// refused with the way on.
		_, op := h.user(t, "pager-op", appraisal.RoleOperator)
		for range 5 {
			newOrder(t, h, op)
		}
		for _, sort := range []string{"", "price_fen", "-order_no", "sla_due_at"} {
			q := "/api/v1/orders?page_size=2&sort=" + sort
			ids := map[string]bool{}
			cur := must(t, h.as(t, op, "GET", q, nil), 200)
			for pages := 1; ; pages++ {
				if cur["total"].(float64) != 5 || cur["total_exact"] != true {
					t.Fatalf("sort %q: total %v exact %v", sort, cur["total"], cur["total_exact"])
				}
				for _, it := range cur["items"].([]any) {
					ids[it.(map[string]any)["id"].(string)] = true
				}
				next := cur["next_cursor"].(string)
				if next == "" || pages > 5 {
					break
				}
				if sort == "" {
					if r := h.as(t, op, "GET", "/api/v1/orders?sort=price_fen&cursor="+next, nil); r.status != 422 || !strings.Contains(string(r.body), "bad_cursor") {
						t.Fatalf("a created_at cursor under price_fen: %d %s", r.status, r.body)
					}
				}
				cur = must(t, h.as(t, op, "GET", q+"&cursor="+next, nil), 200)
			}
			if len(ids) != 5 {
				t.Fatalf("sort %q: walked %d orders, want 5", sort, len(ids))
			}
		}
		if r := h.as(t, op, "GET", "/api/v1/orders?page_size=100&page=102", nil); r.status != 422 || !strings.Contains(string(r.body), "too_deep") {
			t.Fatalf("page 102 of 100: %d %s", r.status, r.body)
		}
	})
}
