package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/jianbao/admin/functions/internal/apitest"
	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/testenv"
)

// apiClient calls the shim and validates every response against the shim's own /openapi.json:
// a route missing from the document, an undocumented status or a body that does not match its
// schema fails the test.
type apiClient struct {
	t     *testing.T
	base  string
	check *apitest.Validator
}

func newAPIClient(t *testing.T, base string) *apiClient {
	t.Helper()
	return &apiClient{t: t, base: base, check: apitest.New(t, base)}
}

type reply struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (r *reply) str(path ...string) string {
	var cur any = r.body
	for _, p := range path {
		m, _ := cur.(map[string]any)
		cur = m[p]
	}
	switch v := cur.(type) {
	case string:
		return v
	case float64:
		return fmt.Sprint(int64(v))
	case bool:
		return fmt.Sprint(v)
	}
	return ""
}

func (c *apiClient) call(tok, method, path string, body any, headers ...string) *reply {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	c.check.Check(c.t, req, resp, raw)
	out := &reply{status: resp.StatusCode, header: resp.Header, raw: raw}
	if strings.Contains(resp.Header.Get("Content-Type"), "json") {
		json.Unmarshal(raw, &out.body)
	}
	return out
}

// want calls and asserts the status.
func (c *apiClient) want(status int, tok, method, path string, body any, headers ...string) *reply {
	c.t.Helper()
	r := c.call(tok, method, path, body, headers...)
	if r.status != status {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, status, r.raw)
	}
	return r
}

func (c *apiClient) login(user, pw string) string {
	c.t.Helper()
	return c.want(200, "", "POST", "/api/v1/auth/login", map[string]string{"username": user, "password": pw}).str("access_token")
}

// TestEndToEnd drives the whole appraisal flow through the shim over HTTP, on the real MariaDB and
// Redis and on the embedded stand-ins.
func TestEndToEnd(t *testing.T) {
	const adminPW = "e2e-bootstrap-password"
	backends := map[string]func(t *testing.T) map[string]string{
		"mariadb": func(t *testing.T) map[string]string {
			db, r := testenv.MySQL(t), testenv.Redis(t)
			return map[string]string{"MYSQL_DSN": db.DSN, "REDIS_ADDR": r.Addr, "REDIS_PREFIX": r.Prefix,
				"JWT_SECRET": strings.Repeat("j", 32), "PII_SECRET": strings.Repeat("p", 32)}
		},
		"embedded": func(t *testing.T) map[string]string { return map[string]string{} },
	}
	for _, name := range []string{"mariadb", "embedded"} {
		t.Run(name, func(t *testing.T) {
			env := backends[name](t)
			env["BOOTSTRAP_ADMIN_PASSWORD"] = adminPW
			env["REVIEW_SAMPLE_RATE"] = "0"
			env["REVIEW_VALUE_THRESHOLD_FEN"] = "1000000"
			env["PUBLIC_BASE_URL"] = "https://verify.jianbao.example"
			env["METRICS_ADDR"] = freeAddr(t)
			base, _, _ := startRun(t, env)
			endToEnd(t, newAPIClient(t, base), adminPW, env["PUBLIC_BASE_URL"])

			// /metrics is not on the application port, whatever the route table says.
			if status, _ := get(t, base+"/metrics"); status != http.StatusNotFound {
				t.Errorf("/metrics on the application port: %d, want 404", status)
			}
			// After the run, /metrics (on its own port) has the request histogram by route pattern.
			fams := scrape(t, "http://"+env["METRICS_ADDR"])
			h := fams["jianbao_http_request_duration_seconds"]
			if h == nil || h.GetType() != dto.MetricType_HISTOGRAM {
				t.Fatalf("no request histogram in /metrics")
			}
			routes := map[string]uint64{}
			for _, m := range h.Metric {
				for _, l := range m.Label {
					if l.GetName() == "route" {
						routes[l.GetValue()] += m.GetHistogram().GetSampleCount()
					}
				}
			}
			if routes["POST /api/v1/orders/{id}/triage"] == 0 || routes["GET /api/v1/orders/{id}"] == 0 {
				t.Errorf("routes in the histogram: %v", routes)
			}
			for _, name := range []string{"jianbao_build_info", "jianbao_http_requests_in_flight", "jianbao_media_queue_length", "jianbao_active_users_24h",
				"jianbao_redis_pool_total_conns", "go_sql_open_connections"} {
				if fams[name] == nil {
					t.Errorf("%s missing from /metrics", name)
				}
			}
			// Every role logged in during the run: the business panel's active users counts them.
			if f := fams["jianbao_active_users_24h"]; f != nil && f.GetMetric()[0].GetGauge().GetValue() < 5 {
				t.Errorf("active users after the run: %v", f.GetMetric()[0].GetGauge().GetValue())
			}
		})
	}
}

// endToEnd walks the product's flow through c; publicBase is where certificates point
// (PUBLIC_BASE_URL).
func endToEnd(t *testing.T, c *apiClient, adminPW, publicBase string) {
	admin := c.login("admin", adminPW)

	// The admin creates the staff.
	mk := func(username string, role int) string {
		r := c.want(201, admin, "POST", "/api/v1/admin/users", map[string]any{
			"username": username, "display_name": username, "password": "password-" + username, "role": role})
		return r.str("id")
	}
	mk("olivia", 3)
	expertUser := mk("li-expert", 4)
	expert2User := mk("wang-expert", 4)
	mk("rita", 5)
	c.want(409, admin, "POST", "/api/v1/admin/users", map[string]any{"username": "OLIVIA", "password": "password-x12", "role": 3})

	e1 := c.want(201, admin, "POST", "/api/v1/experts", map[string]any{"user_id": expertUser, "name": "李老师", "capacity": 5,
		"specialties": []map[string]any{{"category_id": "1", "grade": "master", "can_review": true}}}).str("id")
	e2 := c.want(201, admin, "POST", "/api/v1/experts", map[string]any{"user_id": expert2User, "name": "王老师", "capacity": 5,
		"specialties": []map[string]any{{"category_id": "1"}}}).str("id")

	op := c.login("olivia", "password-olivia")
	cust := c.want(201, op, "POST", "/api/v1/customers", map[string]any{"name": "王先生", "phone": "138-1234-5678"})
	if cust.str("phone") != "+8613812345678" || cust.str("phone_masked") != "138****5678" {
		t.Fatalf("operator sees the phone in full: %s", cust.raw)
	}
	custID := cust.str("id")
	item := c.want(201, op, "POST", "/api/v1/items", map[string]any{"customer_id": custID, "category_id": "8",
		"title": "清乾隆青花缠枝莲纹瓶", "attributes": map[string]string{"height": "32cm"}, "declared_value_fen": 5_000_000}).str("id")

	// Creating twice with one Idempotency-Key makes one order.
	newOrder := map[string]any{"item_id": item, "product_id": "1", "note": "客户加急"}
	o1 := c.want(201, op, "POST", "/api/v1/orders", newOrder, "Idempotency-Key", "create-order-1")
	o2 := c.want(201, op, "POST", "/api/v1/orders", newOrder, "Idempotency-Key", "create-order-1")
	if o1.str("id") != o2.str("id") || o1.str("status") != "SUBMITTED" {
		t.Fatalf("idempotent create made %s and %s", o1.str("id"), o2.str("id"))
	}
	id := o1.str("id")
	path := "/api/v1/orders/" + id
	version := o1.str("version")

	step := func(tok, action string, body map[string]any, wantStatus string) *reply {
		t.Helper()
		if body == nil {
			body = map[string]any{}
		}
		r := c.want(200, tok, "POST", path+"/"+action, body, "If-Match", `"`+version+`"`)
		if r.str("status") != wantStatus {
			t.Fatalf("%s: status %s, want %s", action, r.str("status"), wantStatus)
		}
		version = r.str("version")
		return r
	}

	step(op, "triage", nil, "TRIAGE")
	paused := step(op, "request-info", map[string]any{"note": "请补充底款照片"}, "NEED_MORE_INFO")
	if paused.str("sla_paused") != "true" {
		t.Errorf("SLA not paused in NEED_MORE_INFO: %s", paused.raw)
	}
	step(op, "provide-info", nil, "TRIAGE")
	// An illegal transition names the allowed ones; a stale version names the current state.
	bad := c.want(409, op, "POST", path+"/dispute", map[string]any{"version": mustInt(version), "note": "x"})
	if !strings.Contains(string(bad.raw), "allowed_actions") || !strings.Contains(string(bad.raw), `"orders.accept"`) {
		t.Errorf("illegal transition: %s", bad.raw)
	}
	stale := c.want(409, op, "POST", path+"/accept", map[string]any{"version": 1})
	if !strings.Contains(string(stale.raw), `"current_version":`+version) {
		t.Errorf("stale version: %s", stale.raw)
	}
	step(op, "accept", nil, "QUEUED")

	sugg := c.want(200, op, "GET", path+"/suggested-expert", nil)
	if sugg.str("id") != e1 && sugg.str("id") != e2 {
		t.Errorf("suggested %s", sugg.raw)
	}
	step(op, "assign", map[string]any{"expert_id": e1}, "ASSIGNED")

	ex := c.login("li-expert", "password-li-expert")
	ex2 := c.login("wang-expert", "password-wang-expert")
	// Experts see only their own orders, without the customer's phone.
	if l := c.want(200, ex2, "GET", "/api/v1/orders", nil); l.str("total") != "0" {
		t.Errorf("an unassigned expert sees %s orders", l.str("total"))
	}
	c.want(404, ex2, "GET", path, nil)
	det := c.want(200, ex, "GET", path, nil)
	if det.str("customer", "phone") != "" || det.str("customer", "name") != "王先生" {
		t.Errorf("expert sees customer contact: %s", det.raw)
	}
	c.want(404, ex2, "POST", path+"/start", map[string]any{"version": mustInt(version)}) // not assigned: hidden

	step(ex, "start", nil, "IN_APPRAISAL")
	opinion := map[string]any{"verdict": "GENUINE", "era": "清乾隆", "condition": "品相完好", "value_min_fen": 800_000,
		"value_max_fen": 1_200_000, "public_comment": "青花发色纯正", "internal_note": "底款规整"}
	r := c.want(201, ex, "POST", path+"/opinions", withVersion(opinion, version))
	if r.str("order", "status") != "IN_REVIEW" || r.str("opinion", "review_reason") != "high_value" {
		t.Fatalf("high-value opinion should go to review: %s", r.raw)
	}
	version = r.str("order", "version")

	rv := c.login("rita", "password-rita")
	c.want(422, rv, "POST", path+"/reviews", withVersion(map[string]any{"decision": "SEND_BACK"}, version))
	step(rv, "reviews", map[string]any{"decision": "SEND_BACK", "comment": "请补充釉面判断依据"}, "IN_APPRAISAL")
	r = c.want(201, ex, "POST", path+"/opinions", withVersion(opinion, version))
	version = r.str("order", "version")
	step(rv, "reviews", map[string]any{"decision": "AGREE"}, "COMPLETED")

	iss := c.want(201, op, "POST", path+"/certificate", withVersion(nil, version))
	version = iss.str("order", "version")
	certID := iss.str("certificate", "id")
	verifyURL := iss.str("certificate", "verify_url")
	// The QR opens the certificate page (CERT_PAGE_URL defaults to PUBLIC_BASE_URL + /c/).
	if iss.str("order", "status") != "CERT_ISSUED" || !strings.HasPrefix(verifyURL, publicBase+"/c/") {
		t.Fatalf("certificate: %s", iss.raw)
	}
	token := strings.TrimPrefix(verifyURL, publicBase+"/c/")
	qr := c.want(200, op, "GET", "/api/v1/certificates/"+certID+"/qr.png", nil)
	if qr.header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(qr.raw, []byte("\x89PNG")) {
		t.Errorf("QR code: %s", qr.header)
	}
	verifyPath := "/api/v1/public/certificates/" + token
	pub := c.want(200, "", "GET", verifyPath, nil)
	if pub.str("valid") != "true" || pub.str("verdict") != "GENUINE" || pub.str("status_text") != "有效" || pub.str("category_name") != "青花瓷" ||
		strings.Contains(string(pub.raw), "底款规整") || strings.Contains(string(pub.raw), "王先生") {
		t.Fatalf("public verification shows too little or too much: %s", pub.raw)
	}
	// The QR code by the public token: an <img> needs no login.
	if pq := c.want(200, "", "GET", verifyPath+"/qr.png", nil); !bytes.HasPrefix(pq.raw, []byte("\x89PNG")) {
		t.Errorf("public QR code: %s", pq.header)
	}
	c.want(404, "", "GET", "/api/v1/public/certificates/"+strings.Repeat("x", 43), nil)
	// The page a customer sees: a small HTML page, no script, the verdict in Chinese.
	page := c.want(200, "", "GET", "/c/"+token, nil)
	if !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") || !strings.Contains(string(page.raw), "证书有效") ||
		!strings.Contains(string(page.raw), "真品") || !strings.Contains(string(page.raw), "青花瓷") || strings.Contains(string(page.raw), "<script") ||
		len(page.raw) > 16<<10 || strings.Contains(string(page.raw), "王先生") {
		t.Errorf("certificate page: %s\n%s", page.header, page.raw)
	}
	// No site may frame a genuine certificate inside its own page (a fake listing), and the page
	// runs no script, so its policy allows none.
	if csp := page.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'none'") ||
		strings.Contains(csp, "script-src") || page.header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("certificate page policy: CSP %q, X-Frame-Options %q", csp, page.header.Get("X-Frame-Options"))
	}
	if nf := c.want(404, "", "GET", "/c/"+strings.Repeat("x", 43), nil); !strings.Contains(string(nf.raw), "未找到此证书") {
		t.Errorf("the page of an unknown certificate: %s", nf.raw)
	}

	// A dispute supersedes the certificate and opens round 2 with a different expert.
	c.want(422, op, "POST", path+"/dispute", withVersion(map[string]any{}, version))
	step(op, "dispute", map[string]any{"note": "客户对年代有异议"}, "DISPUTED")
	if p := c.want(200, "", "GET", verifyPath, nil); p.str("status") != "SUPERSEDED" || p.str("valid") != "false" ||
		p.str("verdict") != "" || p.str("status_text") != "已被取代" || strings.Contains(string(p.raw), "青花发色纯正") {
		t.Errorf("after the dispute the certificate must be superseded, telling no verdict: %s", p.raw)
	}
	if pg := c.want(200, "", "GET", "/c/"+token, nil); !strings.Contains(string(pg.raw), "此证书已被取代") || strings.Contains(string(pg.raw), "真品") {
		t.Errorf("the page of a superseded certificate: %s", pg.raw)
	}
	same := c.want(422, op, "POST", path+"/assign", withVersion(map[string]any{"expert_id": e1}, version))
	if !strings.Contains(string(same.raw), "same_expert") {
		t.Errorf("the first expert must not get round 2: %s", same.raw)
	}
	r2 := step(op, "assign", map[string]any{"expert_id": e2}, "ASSIGNED")
	if r2.str("round") != "2" || r2.str("assignee_expert_id") != e2 {
		t.Fatalf("round 2: %s", r2.raw)
	}

	det = c.want(200, op, "GET", path, nil)
	events, _ := det.body["events"].([]any)
	var actions []string
	for _, e := range events {
		actions = append(actions, e.(map[string]any)["action"].(string))
	}
	wantActions := "create triage request_info provide_info accept assign start submit_opinion route_to_review review_send_back " +
		"submit_opinion route_to_review review_agree issue_certificate dispute assign"
	if strings.Join(actions, " ") != wantActions {
		t.Errorf("timeline:\n got %s\nwant %s", strings.Join(actions, " "), wantActions)
	}
	opinions, _ := det.body["opinions"].([]any)
	statuses := []string{}
	for _, o := range opinions {
		statuses = append(statuses, o.(map[string]any)["status"].(string))
	}
	if strings.Join(statuses, ",") != "SENT_BACK,SUPERSEDED" {
		t.Errorf("opinion statuses %v", statuses)
	}

	dash := c.want(200, op, "GET", "/api/v1/dashboard", nil)
	if n := dash.body["orders_by_status"].(map[string]any)["ASSIGNED"]; n != float64(1) {
		t.Errorf("dashboard ASSIGNED = %v", n)
	}
	audit := c.want(200, admin, "GET", "/api/v1/audit-logs?target_type=order&target_id="+id+"&page_size=100", nil)
	// One row per change: the create and each of its thirteen transitions (system steps ride on their cause).
	if n := mustInt(audit.str("total")); n != 14 {
		t.Errorf("audit rows for the order: %d, want 14", n)
	}
	if strings.Contains(string(c.want(200, admin, "GET", "/api/v1/audit-logs?page_size=100", nil).raw), "13812345678") {
		t.Error("the audit log holds a phone number in clear")
	}
	// Blind re-appraisal: round 2's expert sees the item (description, attributes) but neither
	// round 1's verdict nor its notes or reviews until they have given their own opinion; the
	// operator saw both rounds all along.
	blind := c.want(200, ex2, "GET", path, nil)
	if blind.str("blind") != "true" || len(blind.body["opinions"].([]any)) != 0 || len(blind.body["reviews"].([]any)) != 0 ||
		strings.Contains(string(blind.raw), "底款规整") || strings.Contains(string(blind.raw), "青花发色纯正") {
		t.Errorf("round 2's expert sees round 1: %s", blind.raw)
	}
	if blind.str("item", "title") != "清乾隆青花缠枝莲纹瓶" || blind.str("item", "attributes", "height") != "32cm" {
		t.Errorf("the expert's view lacks the item: %s", blind.raw)
	}
	if l := c.want(200, ex2, "GET", "/api/v1/media?owner_type=item&owner_id="+item, nil); l.body["items"] == nil {
		t.Errorf("the expert cannot list the item's files: %s", l.raw)
	}
	c.want(404, ex, "GET", path, nil) // round 1's expert no longer has the order
	step(ex2, "start", nil, "IN_APPRAISAL")
	second := c.want(201, ex2, "POST", path+"/opinions", withVersion(map[string]any{"verdict": "GENUINE", "era": "清乾隆",
		"condition": "完好", "value_min_fen": 800_000, "value_max_fen": 1_000_000, "public_comment": "复鉴：真品"}, version))
	version = second.str("order", "version")
	open := c.want(200, ex2, "GET", path, nil)
	if open.str("blind") != "false" || len(open.body["opinions"].([]any)) != 3 {
		t.Errorf("after their own opinion the expert sees every round: %s", open.raw)
	}

	consoleContract(t, c, admin, op, custID, item, certID)

	if c.check.Calls < 40 {
		t.Errorf("only %d calls validated", c.check.Calls)
	}
}

// consoleContract walks what the console needs beyond the flow, each response validated against
// /openapi.json like every other call here: labels, the certificate list, the order list by item
// and its CSV export, the dashboard over a range, sorted customer lists, duplicates merged, the
// troubled-files list, categories, run-time settings, one's own profile, an unlock and a password
// reset.
func consoleContract(t *testing.T, c *apiClient, admin, op, custID, itemID, certID string) {
	t.Helper()
	labels := c.want(200, "", "GET", "/api/v1/labels", nil)
	if labels.str("statuses", "IN_REVIEW", "zh") != "复核中" || labels.str("roles", "expert", "zh") != "鉴定师" {
		t.Errorf("labels: %.300s", labels.raw)
	}
	certs := c.want(200, op, "GET", "/api/v1/certificates?page_size=10", nil)
	if items := certs.body["items"].([]any); len(items) == 0 || items[0].(map[string]any)["id"] != certID {
		t.Errorf("certificates: %.300s", certs.raw)
	}
	// The printable certificate: the QR inline; this one was superseded by the dispute, and says so.
	pr := string(c.want(200, op, "GET", "/api/v1/certificates/"+certID+"/print", nil).raw)
	if !strings.Contains(pr, "鉴定证书") || !strings.Contains(pr, "data:image/png;base64,") || !strings.Contains(pr, "此证书已被取代") || strings.Contains(pr, "<b>真品</b>") {
		t.Errorf("printable certificate:\n%s", pr)
	}
	if l := c.want(200, op, "GET", "/api/v1/orders?item_id="+itemID, nil); l.str("total") != "1" {
		t.Errorf("orders of the item: %.300s", l.raw)
	}
	csv := c.want(200, op, "GET", "/api/v1/orders/export.csv?item_id="+itemID, nil)
	if !bytes.HasPrefix(csv.raw, []byte("\xef\xbb\xbf订单号")) || bytes.Count(csv.raw, []byte("\n")) != 2 {
		t.Errorf("CSV export: %q", csv.raw)
	}
	today := time.Now().In(appraisal.Shanghai).Format("2006-01-02")
	if d := c.want(200, op, "GET", "/api/v1/dashboard?from="+today+"&to="+today, nil); d.str("from") != today {
		t.Errorf("dashboard range: %.300s", d.raw)
	}
	c.want(200, op, "GET", "/api/v1/customers?sort=-name", nil)

	dup := c.want(201, op, "POST", "/api/v1/customers", map[string]any{"name": "王先生（重复）", "phone": "+86 138 1234 5678"})
	if same, _ := dup.body["same_phone"].([]any); len(same) != 1 || same[0].(map[string]any)["id"] != custID {
		t.Errorf("a duplicate's phone is not flagged: %s", dup.raw)
	}
	c.want(204, op, "POST", "/api/v1/customers/"+dup.str("id")+"/merge", map[string]any{"into": custID, "version": 1})
	c.want(404, op, "GET", "/api/v1/customers/"+dup.str("id"), nil)
	c.want(200, op, "GET", "/api/v1/media/troubled", nil)

	cat := c.want(200, admin, "PATCH", "/api/v1/categories/8", map[string]any{"name": "青花瓷（明清）"})
	if cat.str("name") != "青花瓷（明清）" {
		t.Errorf("category rename: %s", cat.raw)
	}
	set := c.want(200, admin, "PATCH", "/api/v1/admin/settings", map[string]any{"values": map[string]string{"review.sample_rate": "0.2"}})
	if !strings.Contains(string(set.raw), `"value":"0.2"`) {
		t.Errorf("settings: %s", set.raw)
	}
	if me := c.want(200, op, "PATCH", "/api/v1/auth/me", map[string]any{"display_name": "奥利维亚"}); me.str("display_name") != "奥利维亚" {
		t.Errorf("profile: %s", me.raw)
	}

	rita := ""
	for _, u := range c.want(200, admin, "GET", "/api/v1/admin/users?q=rita", nil).body["items"].([]any) {
		rita = u.(map[string]any)["id"].(string)
	}
	c.want(204, admin, "POST", "/api/v1/admin/users/"+rita+"/unlock", nil)
	c.want(204, admin, "POST", "/api/v1/admin/users/"+rita+"/password", map[string]any{"new_password": "temporary-rita-1"})
	tok := c.login("rita", "temporary-rita-1")
	if r := c.want(403, tok, "GET", "/api/v1/orders", nil); r.str("code") != "auth.password_change_required" {
		t.Errorf("before the change: %s", r.raw)
	}
	c.want(204, tok, "POST", "/api/v1/auth/password", map[string]any{"current_password": "temporary-rita-1", "new_password": "rita-own-password"})
	c.want(200, tok, "GET", "/api/v1/orders", nil)
}

func withVersion(body map[string]any, version string) map[string]any {
	out := map[string]any{"version": mustInt(version)}
	for k, v := range body {
		out[k] = v
	}
	return out
}

func mustInt(s string) int64 {
	var n int64
	fmt.Sscan(s, &n)
	return n
}

// scrape reads /metrics and parses it as Prometheus does.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return fams
}
