package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/jianbao/admin/shared/appraisal"
)

// TestMediaVisibility is the object-level check of the media group: every media route, as an
// expert, on a file of their own order, of another expert's order, and of nothing. Someone else's
// file answers exactly as a file that does not exist (404, or an empty list, or owner_id
// not_found), never with data and never with 403. The files of an order whose certificate is
// issued are frozen for everyone but the roles that may supersede.
func TestMediaVisibility(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		admin := h.login(t, "admin", adminPassword)
		_, op := h.user(t, "vis-operator", appraisal.RoleOperator)
		expertOf := func(name string) (string, string) {
			uid, tok := h.user(t, name, appraisal.RoleExpert)
			e := must(t, h.as(t, admin, "POST", "/api/v1/experts", map[string]any{"user_id": fmt.Sprint(uid), "name": name,
				"capacity": 5, "specialties": []map[string]any{{"category_id": "2"}}}), 201)
			return e["id"].(string), h.login(t, name, "password-"+name) + strings.Repeat("", len(tok))
		}
		e1, ex1 := expertOf("vis-expert-1")
		e2, _ := expertOf("vis-expert-2")

		// An order assigned to each expert, each item with a photo, each order with a photo.
		type fixture struct{ order, item, orderMedia, itemMedia string }
		assigned := func(expert string) fixture {
			c := must(t, h.as(t, op, "POST", "/api/v1/customers", map[string]any{"name": "客户"}), 201)
			it := must(t, h.as(t, op, "POST", "/api/v1/items", map[string]any{"customer_id": c["id"], "category_id": "2", "title": "和田玉籽料"}), 201)
			o := must(t, h.as(t, op, "POST", "/api/v1/orders", map[string]any{"item_id": it["id"], "product_id": "2"}), 201)
			id := o["id"].(string)
			v := 1
			for _, step := range []struct {
				action string
				body   map[string]any
			}{{"triage", nil}, {"accept", nil}, {"assign", map[string]any{"expert_id": expert}}} {
				b := map[string]any{"version": v}
				for k, x := range step.body {
					b[k] = x
				}
				must(t, h.as(t, op, "POST", "/api/v1/orders/"+id+"/"+step.action, b), 200)
				v++
			}
			upload := func(ownerType, ownerID string) string {
				r := must(t, h.as(t, op, "POST", "/api/v1/media/uploads", map[string]any{"owner_type": ownerType, "owner_id": ownerID,
					"kind": "image", "filename": "a.jpg", "content_type": "image/jpeg", "size": 1000}), 201)
				return r["media"].(map[string]any)["id"].(string)
			}
			return fixture{order: id, item: it["id"].(string), orderMedia: upload("order", id), itemMedia: upload("item", it["id"].(string))}
		}
		own, other := assigned(e1), assigned(e2)
		const missing = "999999"

		for _, tc := range []struct {
			name                  string
			method, path          string
			body                  map[string]any
			ownStatus, elseStatus int
		}{
			{"get", "GET", "/api/v1/media/%s", nil, 200, 404},
			{"complete", "POST", "/api/v1/media/%s/complete", nil, 409, 404}, // own: the PUT has not happened
			{"reprocess", "POST", "/api/v1/media/%s/reprocess", nil, 403, 403},
			{"delete", "DELETE", "/api/v1/media/%s", nil, 403, 403},
		} {
			for _, which := range []struct {
				label, id string
				want      int
			}{{"own order's file", own.orderMedia, tc.ownStatus}, {"own item's file", own.itemMedia, tc.ownStatus},
				{"another expert's order's file", other.orderMedia, tc.elseStatus}, {"another expert's item's file", other.itemMedia, tc.elseStatus},
				{"no file", missing, tc.elseStatus}} {
				r := h.as(t, ex1, tc.method, fmt.Sprintf(tc.path, which.id), tc.body)
				if r.status != which.want {
					t.Errorf("expert %s %s: %d, want %d: %s", tc.name, which.label, r.status, which.want, r.body)
				}
				if which.want == 404 && !strings.Contains(string(r.body), `"code":"not_found"`) && !strings.Contains(string(r.body), "not_found") {
					t.Errorf("expert %s %s: not the not-found problem: %s", tc.name, which.label, r.body)
				}
			}
		}

		// Lists: the own order's and item's files; nothing of the other's, as for nothing at all.
		for _, tc := range []struct {
			owner, id string
			want      int
		}{{"order", own.order, 1}, {"item", own.item, 1}, {"order", other.order, 0}, {"item", other.item, 0}, {"order", missing, 0}} {
			r := must(t, h.as(t, ex1, "GET", "/api/v1/media?owner_type="+tc.owner+"&owner_id="+tc.id, nil), 200)
			if n := len(r["items"].([]any)); n != tc.want {
				t.Errorf("expert lists %s %s: %d files, want %d", tc.owner, tc.id, n, tc.want)
			}
		}
		// The operator (orders.see_all) sees every file.
		if r := must(t, h.as(t, op, "GET", "/api/v1/media?owner_type=order&owner_id="+other.order, nil), 200); len(r["items"].([]any)) != 1 {
			t.Errorf("the operator lists %v", r)
		}

		// Uploads: to the own order and item, yes; to another expert's, as to nothing.
		up := func(tok, ownerType, id string) *response {
			return h.as(t, tok, "POST", "/api/v1/media/uploads", map[string]any{"owner_type": ownerType, "owner_id": id,
				"kind": "image", "filename": "b.jpg", "content_type": "image/jpeg", "size": 1000})
		}
		for _, tc := range []struct {
			owner, id string
			want      int
		}{{"order", own.order, 201}, {"item", own.item, 201}, {"order", other.order, 422}, {"item", other.item, 422}, {"order", missing, 422}} {
			r := up(ex1, tc.owner, tc.id)
			if r.status != tc.want || tc.want == 422 && !strings.Contains(string(r.body), `"owner_id"`) {
				t.Errorf("expert uploads to %s %s: %d, want %d: %s", tc.owner, tc.id, r.status, tc.want, r.body)
			}
		}

		// Freeze: take the own order to CERT_ISSUED; then the operator may neither add nor delete
		// its files (nor its item's), while an admin still may.
		v := 4
		for _, step := range []struct {
			tok, action string
			body        map[string]any
			status      int
		}{{ex1, "start", nil, 200},
			{ex1, "opinions", map[string]any{"verdict": "GENUINE", "era": "清", "condition": "好", "value_min_fen": 1000, "value_max_fen": 2000, "public_comment": "真"}, 201},
			{op, "certificate", nil, 201}} {
			b := map[string]any{"version": v}
			for k, x := range step.body {
				b[k] = x
			}
			r := must(t, h.as(t, step.tok, "POST", "/api/v1/orders/"+own.order+"/"+step.action, b), step.status)
			if o, ok := r["order"].(map[string]any); ok {
				v = int(o["version"].(float64))
			} else {
				v = int(r["version"].(float64))
			}
		}
		for _, owner := range []struct{ typ, id string }{{"order", own.order}, {"item", own.item}} {
			if r := up(op, owner.typ, owner.id); r.status != http.StatusConflict || !strings.Contains(string(r.body), "media.owner_frozen") {
				t.Errorf("operator adds to a frozen %s: %d %s", owner.typ, r.status, r.body)
			}
		}
		if r := h.as(t, op, "DELETE", "/api/v1/media/"+own.orderMedia, nil); r.status != http.StatusConflict {
			t.Errorf("operator deletes a frozen file: %d %s", r.status, r.body)
		}
		if r := up(admin, "order", own.order); r.status != http.StatusCreated {
			t.Errorf("admin adds to a frozen order: %d %s", r.status, r.body)
		}
		must(t, h.as(t, admin, "DELETE", "/api/v1/media/"+own.itemMedia, nil), 204)
		// The other expert's order is not frozen: the operator still manages its files.
		must(t, h.as(t, op, "DELETE", "/api/v1/media/"+other.itemMedia, nil), 204)
	})
}

// objectKinds names what the {id} of a route's path is, by the path's prefix.
var objectKinds = map[string]string{
	"/api/v1/orders/": "order", "/api/v1/media/": "media", "/api/v1/certificates/": "certificate",
	"/api/v1/items/": "item", "/api/v1/customers/": "customer",
}

// TestObjectLevelAuthorization is generated from the OpenAPI document: every route whose path
// names an order, a file, a certificate, an item or a customer, sent by an expert for their own
// object, another expert's, and one that does not exist. Another's must answer exactly as the
// missing one (no existence oracle) and never succeed; the own one must not be hidden where the
// role may use the route at all.
func TestObjectLevelAuthorization(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		admin := h.login(t, "admin", adminPassword)
		_, op := h.user(t, "ola-operator", appraisal.RoleOperator)
		expert := func(name string) (string, string) {
			uid, _ := h.user(t, name, appraisal.RoleExpert)
			e := must(t, h.as(t, admin, "POST", "/api/v1/experts", map[string]any{"user_id": fmt.Sprint(uid), "name": name,
				"capacity": 5, "specialties": []map[string]any{{"category_id": "2"}}}), 201)
			return e["id"].(string), name
		}
		e1, name1 := expert("ola-expert-1")
		e2, _ := expert("ola-expert-2")
		// Per expert: a customer, an item, an order assigned to the expert, and a file of the order.
		objects := func(expertID string) map[string]string {
			c := must(t, h.as(t, op, "POST", "/api/v1/customers", map[string]any{"name": "客户"}), 201)
			it := must(t, h.as(t, op, "POST", "/api/v1/items", map[string]any{"customer_id": c["id"], "category_id": "2", "title": "和田玉"}), 201)
			o := must(t, h.as(t, op, "POST", "/api/v1/orders", map[string]any{"item_id": it["id"], "product_id": "2"}), 201)
			id := o["id"].(string)
			m := must(t, h.as(t, op, "POST", "/api/v1/media/uploads", map[string]any{"owner_type": "order", "owner_id": id,
				"kind": "image", "filename": "a.jpg", "content_type": "image/jpeg", "size": 10}), 201)
			v := 1
			for _, s := range []struct {
				action string
				body   map[string]any
			}{{"triage", nil}, {"accept", nil}, {"assign", map[string]any{"expert_id": expertID}}} {
				b := map[string]any{"version": v}
				for k, x := range s.body {
					b[k] = x
				}
				must(t, h.as(t, op, "POST", "/api/v1/orders/"+id+"/"+s.action, b), 200)
				v++
			}
			return map[string]string{"order": id, "item": it["id"].(string), "customer": c["id"].(string),
				"media": m["media"].(map[string]any)["id"].(string), "certificate": ""}
		}
		own, other := objects(e1), objects(e2)
		// Then each order goes to CERT_ISSUED, for a certificate of each expert's.
		issue := func(objs map[string]string, name string) {
			tok := h.login(t, name, "password-"+name)
			v := 4
			for _, s := range []struct {
				tok, action string
				body        map[string]any
				status      int
			}{{tok, "start", nil, 200},
				{tok, "opinions", map[string]any{"verdict": "GENUINE", "era": "清", "condition": "好", "value_min_fen": 1000, "value_max_fen": 2000}, 201},
				{op, "certificate", nil, 201}} {
				b := map[string]any{"version": v}
				for k, x := range s.body {
					b[k] = x
				}
				r := must(t, h.as(t, s.tok, "POST", "/api/v1/orders/"+objs["order"]+"/"+s.action, b), s.status)
				if o, ok := r["order"].(map[string]any); ok {
					v = int(o["version"].(float64))
				} else {
					v = int(r["version"].(float64))
				}
				if c, ok := r["certificate"].(map[string]any); ok {
					objs["certificate"] = c["id"].(string)
				}
			}
		}
		issue(own, name1)
		issue(other, "ola-expert-2")
		const missing = "987654"

		checked := 0
		for _, rt := range routes(t, h.deps) {
			if !strings.Contains(rt.path, "{id}") || rt.public {
				continue
			}
			kind := ""
			for prefix, k := range objectKinds {
				if strings.HasPrefix(rt.path, prefix) {
					kind = k
				}
			}
			if kind == "" {
				continue
			}
			checked++
			t.Run(rt.method+" "+rt.path, func(t *testing.T) {
				send := func(id string) *response {
					tok := h.login(t, name1, "password-"+name1)
					body := ""
					if rt.method != http.MethodGet && rt.method != http.MethodDelete {
						body = `{"version":99}`
					}
					return h.do(t, rt.method, strings.ReplaceAll(rt.path, "{id}", id), body, "Authorization", "Bearer "+tok)
				}
				o, x, m := send(own[kind]), send(other[kind]), send(missing)
				if x.status != m.status {
					t.Errorf("another expert's %s answers %d, a missing one %d: an existence oracle\n%s\n%s", kind, x.status, m.status, x.body, m.body)
				}
				if x.status < 300 {
					t.Errorf("another expert's %s answers %d: %s", kind, x.status, x.body)
				}
				allowed := slices.Contains(appraisal.DefaultPolicy[rt.id], appraisal.RoleExpert)
				if allowed && o.status == http.StatusNotFound {
					t.Errorf("the expert's own %s is hidden: %s", kind, o.body)
				}
			})
		}
		if checked < 20 {
			t.Errorf("only %d object routes checked", checked)
		}
	})
}
