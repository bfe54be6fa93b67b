package app_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

// A world for object-level tests: experts with orders assigned to them, built through the API.

// newExpert makes an expert account with a profile for category 2 and returns the expert id.
func newExpert(t *testing.T, h *harness, admin, name string) string {
	t.Helper()
	uid, _ := h.user(t, name, appraisal.RoleExpert)
	e := must(t, h.as(t, admin, "POST", "/api/v1/experts", map[string]any{"user_id": fmt.Sprint(uid), "name": name,
		"capacity": 5, "specialties": []map[string]any{{"category_id": "2"}}}), 201)
	return e["id"].(string)
}

// withVersion adds the version to a request body.
func withVersion(version int, body map[string]any) map[string]any {
	b := map[string]any{"version": version}
	for k, x := range body {
		b[k] = x
	}
	return b
}

// upload starts an upload of a small photo and returns the file's id.
func upload(t *testing.T, h *harness, tok, ownerType, ownerID string) string {
	t.Helper()
	r := must(t, h.as(t, tok, "POST", "/api/v1/media/uploads", map[string]any{"owner_type": ownerType, "owner_id": ownerID,
		"kind": "image", "filename": "a.jpg", "content_type": "image/jpeg", "size": 1000}), 201)
	return r["media"].(map[string]any)["id"].(string)
}

// assigned makes, as the operator, a customer, an item, an order assigned to the expert, and a
// photo of the order and of the item; it returns their ids by kind (order, item, customer, media,
// item_media), with the order's version.
func assigned(t *testing.T, h *harness, op, expert string) (map[string]string, int) {
	t.Helper()
	c := must(t, h.as(t, op, "POST", "/api/v1/customers", map[string]any{"name": "客户"}), 201)
	it := must(t, h.as(t, op, "POST", "/api/v1/items", map[string]any{"customer_id": c["id"], "category_id": "2", "title": "和田玉籽料"}), 201)
	o := must(t, h.as(t, op, "POST", "/api/v1/orders", map[string]any{"item_id": it["id"], "product_id": "2"}), 201)
	id, v := o["id"].(string), 1
	for _, step := range []struct {
		action string
		body   map[string]any
	}{{"triage", nil}, {"accept", nil}, {"assign", map[string]any{"expert_id": expert}}} {
		must(t, h.as(t, op, "POST", "/api/v1/orders/"+id+"/"+step.action, withVersion(v, step.body)), 200)
		v++
	}
	item := it["id"].(string)
	return map[string]string{"order": id, "item": item, "customer": c["id"].(string),
		"media": upload(t, h, op, "order", id), "item_media": upload(t, h, op, "item", item)}, v
}

// issue takes an assigned order through the expert's opinion to an issued certificate and
// returns the certificate's id.
func issue(t *testing.T, h *harness, op, expertTok, order string, version int) string {
	t.Helper()
	cert := ""
	for _, s := range []struct {
		tok, action string
		body        map[string]any
		status      int
	}{{expertTok, "start", nil, 200},
		{expertTok, "opinions", map[string]any{"verdict": "GENUINE", "era": "清", "condition": "好", "value_min_fen": 1000, "value_max_fen": 2000, "public_comment": "真"}, 201},
		{op, "certificate", nil, 201}} {
		r := must(t, h.as(t, s.tok, "POST", "/api/v1/orders/"+order+"/"+s.action, withVersion(version, s.body)), s.status)
		if o, ok := r["order"].(map[string]any); ok {
			version = int(o["version"].(float64))
		} else {
			version = int(r["version"].(float64))
		}
		if c, ok := r["certificate"].(map[string]any); ok {
			cert = c["id"].(string)
		}
	}
	return cert
}

// TestMediaVisibility is the object-level check of the media group: every media route, as an
// expert, on a file of their own order, of another expert's order, and of nothing. Someone else's
// file answers exactly as a file that does not exist (404, or an empty list, or owner_id
// not_found), never with data and never with 403. The files of an order whose certificate is
// issued are frozen for everyone but the roles that may supersede.
func TestMediaVisibility(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		admin := h.login(t, "admin", adminPassword)
		_, op := h.user(t, "vis-operator", appraisal.RoleOperator)
		e1, e2 := newExpert(t, h, admin, "vis-expert-1"), newExpert(t, h, admin, "vis-expert-2")
		ex1 := h.login(t, "vis-expert-1", "password-vis-expert-1")
		own, ownVersion := assigned(t, h, op, e1)
		other, _ := assigned(t, h, op, e2)
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
			}{{"own order's file", own["media"], tc.ownStatus}, {"own item's file", own["item_media"], tc.ownStatus},
				{"another expert's order's file", other["media"], tc.elseStatus}, {"another expert's item's file", other["item_media"], tc.elseStatus},
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
		}{{"order", own["order"], 1}, {"item", own["item"], 1}, {"order", other["order"], 0}, {"item", other["item"], 0}, {"order", missing, 0}} {
			r := must(t, h.as(t, ex1, "GET", "/api/v1/media?owner_type="+tc.owner+"&owner_id="+tc.id, nil), 200)
			if n := len(r["items"].([]any)); n != tc.want {
				t.Errorf("expert lists %s %s: %d files, want %d", tc.owner, tc.id, n, tc.want)
			}
		}
		// The operator (orders.see_all) sees every file.
		if r := must(t, h.as(t, op, "GET", "/api/v1/media?owner_type=order&owner_id="+other["order"], nil), 200); len(r["items"].([]any)) != 1 {
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
		}{{"order", own["order"], 201}, {"item", own["item"], 201}, {"order", other["order"], 422}, {"item", other["item"], 422}, {"order", missing, 422}} {
			r := up(ex1, tc.owner, tc.id)
			if r.status != tc.want || tc.want == 422 && !strings.Contains(string(r.body), `"owner_id"`) {
				t.Errorf("expert uploads to %s %s: %d, want %d: %s", tc.owner, tc.id, r.status, tc.want, r.body)
			}
		}

		// Freeze: take the own order to CERT_ISSUED; then the operator may neither add nor delete
		// its files (nor its item's), while an admin still may.
		issue(t, h, op, ex1, own["order"], ownVersion)
		for _, owner := range []struct{ typ, id string }{{"order", own["order"]}, {"item", own["item"]}} {
			if r := up(op, owner.typ, owner.id); r.status != http.StatusConflict || !strings.Contains(string(r.body), "media.owner_frozen") {
				t.Errorf("operator adds to a frozen %s: %d %s", owner.typ, r.status, r.body)
			}
		}
		if r := h.as(t, op, "DELETE", "/api/v1/media/"+own["media"], nil); r.status != http.StatusConflict {
			t.Errorf("operator deletes a frozen file: %d %s", r.status, r.body)
		}
		if r := up(admin, "order", own["order"]); r.status != http.StatusCreated {
			t.Errorf("admin adds to a frozen order: %d %s", r.status, r.body)
		}
		must(t, h.as(t, admin, "DELETE", "/api/v1/media/"+own["item_media"], nil), 204)
		// The other expert's order is not frozen: the operator still manages its files.
		must(t, h.as(t, op, "DELETE", "/api/v1/media/"+other["item_media"], nil), 204)
	})
}

// objectKinds names what the {id} of a route's path is, by the path's prefix: each is a
// visibility rule the test below checks.
var objectKinds = map[string]string{
	"/api/v1/orders/": "order", "/api/v1/media/": "media", "/api/v1/certificates/": "certificate",
	"/api/v1/items/": "item", "/api/v1/customers/": "customer", "/api/v1/auth/sessions/": "session",
}

// office are the roles that see every object; every other role sees only some.
var office = []appraisal.RoleID{appraisal.RoleSuperAdmin, appraisal.RoleAdmin, appraisal.RoleOperator}

// TestObjectLevelAuthorization is generated from the OpenAPI document: every route whose path
// names an object, sent by an expert for their own object, another's, and one that does not
// exist. Another's must answer exactly as the missing one (no existence oracle) and never
// succeed; the own one must not be hidden where the role may use the route at all. A route with a
// path parameter that a role other than the office's may call, and whose object has no rule in
// objectKinds, fails the test: a new route cannot be skipped without a word.
func TestObjectLevelAuthorization(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		admin := h.login(t, "admin", adminPassword)
		_, op := h.user(t, "ola-operator", appraisal.RoleOperator)
		e1, e2 := newExpert(t, h, admin, "ola-expert-1"), newExpert(t, h, admin, "ola-expert-2")
		name1, name2 := "ola-expert-1", "ola-expert-2"
		own, ownVersion := assigned(t, h, op, e1)
		other, otherVersion := assigned(t, h, op, e2)
		own["certificate"] = issue(t, h, op, h.login(t, name1, "password-"+name1), own["order"], ownVersion)
		other["certificate"] = issue(t, h, op, h.login(t, name2, "password-"+name2), other["order"], otherVersion)
		sessionOf := func(name string) string {
			list := must(t, h.as(t, h.login(t, name, "password-"+name), "GET", "/api/v1/auth/sessions", nil), 200)
			return list["items"].([]any)[0].(map[string]any)["id"].(string)
		}
		own["session"], other["session"] = sessionOf(name1), sessionOf(name2)
		const missing = "987654"

		checked := 0
		for _, rt := range routes(t, h.deps) {
			if !strings.Contains(rt.path, "{") || rt.public {
				continue
			}
			kind := ""
			for prefix, k := range objectKinds {
				if strings.HasPrefix(rt.path, prefix) {
					kind = k
				}
			}
			if kind == "" {
				if slices.ContainsFunc(appraisal.DefaultPolicy[rt.id], func(r appraisal.RoleID) bool { return !slices.Contains(office, r) }) {
					t.Errorf("%s %s (%s) names an object a role outside the office may reach, and objectKinds has no visibility rule for it: add its prefix and kind, with own and other objects for the expert", rt.method, rt.path, rt.id)
				}
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
					t.Errorf("another's %s answers %d, a missing one %d: an existence oracle\n%s\n%s", kind, x.status, m.status, x.body, m.body)
				}
				if x.status < 300 {
					t.Errorf("another's %s answers %d: %s", kind, x.status, x.body)
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

// TestOriginalsAndTroubledMedia: the link to an original is for those who may see the file, is
// audited, and is refused once a rejected original was removed; the troubled list shows failed
// and rejected files across owners to the office roles.
func TestOriginalsAndTroubledMedia(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		_, op := h.user(t, "oona", appraisal.RoleOperator)
		admin := h.login(t, "admin", adminPassword)
		ex := newExpert(t, h, admin, "elmo")
		expert := h.login(t, "elmo", "password-elmo")
		ids, _ := assigned(t, h, op, ex)
		mid := ids["media"]
		if r := h.as(t, op, "GET", "/api/v1/media/"+mid+"/original", nil); r.status != 409 || r.json(t)["code"] != "media.not_uploaded" {
			t.Fatalf("original before the upload: %d %s", r.status, r.body)
		}
		id, _ := strconv.ParseInt(mid, 10, 64)
		m, err := h.store.Media(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.deps.Blobs.Put(ctx, m.Key, strings.NewReader("jpeg"), 4, "image/jpeg"); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		if ok, _, err := h.store.ClaimMedia(ctx, id, "w", now, now.Add(time.Minute)); !ok || err != nil {
			t.Fatalf("claim: %v %v", ok, err)
		}
		if err := h.store.CompleteMedia(ctx, id, "w", appraisal.MediaResult{Status: appraisal.MediaRejected, ReasonCode: appraisal.ReasonDamaged, Reason: "truncated"}, now); err != nil {
			t.Fatal(err)
		}
		// The assigned expert may fetch the original of their order's photo; it is audited.
		o := must(t, h.as(t, expert, "GET", "/api/v1/media/"+mid+"/original", nil), 200)
		if u, _ := o["url"].(string); !strings.Contains(u, m.Key) {
			t.Fatalf("original link: %v", o)
		}
		if a := must(t, h.as(t, admin, "GET", "/api/v1/audit-logs?action=media.original", nil), 200); a["total"].(float64) != 1 {
			t.Fatalf("original audit rows: %v", a["total"])
		}
		list := must(t, h.as(t, op, "GET", "/api/v1/media/troubled?status=REJECTED", nil), 200)
		items := list["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["reason_code"] != "damaged" || items[0].(map[string]any)["reason"] != "文件已损坏或不完整，无法读取" {
			t.Fatalf("troubled list: %v", list)
		}
		if r := h.as(t, expert, "GET", "/api/v1/media/troubled", nil); r.status != 403 {
			t.Fatalf("an expert lists troubled files: %d", r.status)
		}
		if err := h.store.MarkOriginalRemoved(ctx, id, now); err != nil {
			t.Fatal(err)
		}
		if r := h.as(t, op, "GET", "/api/v1/media/"+mid+"/original", nil); r.status != 409 || r.json(t)["code"] != "media.original_removed" {
			t.Fatalf("original after removal: %d %s", r.status, r.body)
		}
	})
}

// TestCertificateList: certificates are listed with their order, filtered by status and number;
// experts (who hold no certificates.list) are refused.
func TestCertificateList(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		_, op := h.user(t, "otis", appraisal.RoleOperator)
		admin := h.login(t, "admin", adminPassword)
		ex := newExpert(t, h, admin, "ella")
		expert := h.login(t, "ella", "password-ella")
		ids, v := assigned(t, h, op, ex)
		certID := issue(t, h, op, expert, ids["order"], v)
		list := must(t, h.as(t, op, "GET", "/api/v1/certificates?status=ISSUED", nil), 200)
		items := list["items"].([]any)
		if list["total"].(float64) != 1 || items[0].(map[string]any)["id"] != certID || items[0].(map[string]any)["title"] != "和田玉籽料" ||
			items[0].(map[string]any)["order_no"] == "" {
			t.Fatalf("certificates: %v", list)
		}
		no := items[0].(map[string]any)["cert_no"].(string)
		if l := must(t, h.as(t, op, "GET", "/api/v1/certificates?cert_no="+no, nil), 200); l["total"].(float64) != 1 {
			t.Fatalf("by number: %v", l)
		}
		if l := must(t, h.as(t, op, "GET", "/api/v1/certificates?status=REVOKED", nil), 200); l["total"].(float64) != 0 {
			t.Fatalf("revoked: %v", l)
		}
		if r := h.as(t, expert, "GET", "/api/v1/certificates", nil); r.status != 403 {
			t.Fatalf("an expert lists certificates: %d", r.status)
		}
	})
}

// TestRunTimeSettings: an administrator lowers the review threshold in the console and the next
// opinion above it goes to review; bad values and other roles are refused; the change is audited.
func TestRunTimeSettings(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		_, op := h.user(t, "ozzy", appraisal.RoleOperator)
		admin := h.login(t, "admin", adminPassword)
		got := must(t, h.as(t, admin, "GET", "/api/v1/admin/settings", nil), 200)
		first := got["items"].([]any)[0].(map[string]any)
		if first["key"] != "review.value_threshold_fen" || first["value"] != "10000000" || first["stored"] != false {
			t.Fatalf("defaults: %v", got)
		}
		if r := h.as(t, admin, "PATCH", "/api/v1/admin/settings", map[string]any{"values": map[string]string{"review.sample_rate": "2"}}); r.status != 422 {
			t.Fatalf("a rate of 2: %d", r.status)
		}
		if r := h.as(t, admin, "PATCH", "/api/v1/admin/settings", map[string]any{"values": map[string]string{"nope": "1"}}); r.status != 422 {
			t.Fatalf("an unknown key: %d", r.status)
		}
		if r := h.as(t, op, "PATCH", "/api/v1/admin/settings", map[string]any{"values": map[string]string{"review.value_threshold_fen": "1"}}); r.status != 403 {
			t.Fatalf("an operator: %d", r.status)
		}
		set := must(t, h.as(t, admin, "PATCH", "/api/v1/admin/settings", map[string]any{"values": map[string]string{"review.value_threshold_fen": "1000"}}), 200)
		if v := set["items"].([]any)[0].(map[string]any); v["value"] != "1000" || v["stored"] != true {
			t.Fatalf("after the change: %v", set)
		}
		ex := newExpert(t, h, admin, "eve")
		expert := h.login(t, "eve", "password-eve")
		ids, v := assigned(t, h, op, ex)
		must(t, h.as(t, expert, "POST", "/api/v1/orders/"+ids["order"]+"/start", withVersion(v, nil)), 200)
		r := must(t, h.as(t, expert, "POST", "/api/v1/orders/"+ids["order"]+"/opinions", withVersion(v+1, map[string]any{"verdict": "GENUINE", "era": "清",
			"condition": "好", "value_min_fen": 1000, "value_max_fen": 2000, "public_comment": "真"})), 201)
		if st := r["order"].(map[string]any)["status"]; st != "IN_REVIEW" {
			t.Fatalf("an opinion above the new threshold: %v", st)
		}
		if a := must(t, h.as(t, admin, "GET", "/api/v1/audit-logs?action=admin.settings.update", nil), 200); a["total"].(float64) != 1 {
			t.Fatalf("settings audit rows: %v", a["total"])
		}
	})
}
