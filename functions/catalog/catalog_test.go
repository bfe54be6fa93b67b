package catalog_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jianbao/admin/functions/catalog"
	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/cos/costest"
	"github.com/jianbao/admin/shared/gallery"
	"github.com/jianbao/admin/shared/httpapi"
	"github.com/jianbao/admin/shared/mysql"
	"github.com/jianbao/admin/shared/scf"
	"github.com/jianbao/admin/shared/scf/scftest"
	"github.com/jianbao/admin/shared/testenv"
)

// notFunctions are the folders under functions/ that are not SCF functions.
var notFunctions = []string{"catalog", "internal", "server"}

func TestCatalogMatchesFolders(t *testing.T) {
	entries, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	var folders []string
	for _, e := range entries {
		if e.IsDir() && !slices.Contains(notFunctions, e.Name()) {
			folders = append(folders, e.Name())
			if _, ok := catalog.ByName(e.Name()); !ok {
				t.Errorf("functions/%s is not in the catalog", e.Name())
			}
		}
	}
	for _, f := range catalog.Functions {
		if !slices.Contains(folders, f.Name) {
			t.Errorf("catalog entry %s has no functions/%s folder", f.Name, f.Name)
		}
		if f.MemoryMB%128 != 0 && f.MemoryMB != 64 {
			t.Errorf("%s: memory %d MB is not an SCF size", f.Name, f.MemoryMB)
		}
		if f.TimeoutSec < 1 || f.TimeoutSec > 900 {
			t.Errorf("%s: timeout %d s is outside 1–900", f.Name, f.TimeoutSec)
		}
	}
}

func TestEveryGroupHasOneFunction(t *testing.T) {
	owner := map[httpapi.Group]string{}
	for _, f := range catalog.Functions {
		for _, g := range f.Groups {
			if prev, ok := owner[g]; ok {
				t.Errorf("group %s is served by %s and %s", g, prev, f.Name)
			}
			owner[g] = f.Name
		}
	}
	for _, g := range httpapi.Groups {
		if _, ok := owner[g]; !ok {
			t.Errorf("group %s has no function", g)
		}
	}
}

// TestFunctionBinaries builds the functions for SCF and drives them as the platform does: the
// migrate function prepares the database, then each API function answers an HTTP event. The
// configuration travels in the invoke's Environment, as on SCF.
func TestFunctionBinaries(t *testing.T) {
	if testing.Short() {
		t.Skip("builds function binaries")
	}
	bins := map[string]string{}
	for _, f := range catalog.Functions {
		bins[f.Name] = scftest.BuildFunction(t, "..", "./"+f.Name)
	}
	redisFor := map[string]func(testing.TB) *testenv.RedisServer{"mariadb": testenv.Redis, "embedded": testenv.EmbeddedRedis}

	for _, b := range testenv.MySQLBackends() {
		t.Run(b.Name, func(t *testing.T) {
			db := b.Open(t)
			rdb := redisFor[b.Name](t)
			const pw = "function-bootstrap-pw"
			bucket := costest.New(t, "jianbao-dev-media-1250000000")
			env := map[string]string{
				"APP_ENV": "dev", "MYSQL_DSN": db.DSN, "MYSQL_MAX_OPEN_CONNS": strconv.Itoa(db.MaxOpenConns),
				"REDIS_ADDR": rdb.Addr, "JWT_SECRET": strings.Repeat("f", 32), "BOOTSTRAP_ADMIN_PASSWORD": pw, "PII_SECRET": strings.Repeat("p", 32),
				"COS_BUCKET_URL": bucket.BucketURL, "COS_ENDPOINT": bucket.Endpoint,
			}

			mig := scftest.StartBinary(t, bins["migrate"])
			for i, wantApplied := range []bool{true, false} {
				resp := mig.Invoke(t, []byte(`{}`), env)
				if resp.Error != nil {
					t.Fatalf("migrate invoke %d: %+v", i, resp.Error)
				}
				var res struct{ Applied []string }
				json.Unmarshal(resp.Payload, &res)
				migs, _ := mysql.Migrations()
				const dataSteps = 2 // mysql.PhoneStep, mysql.TermsStep
				if wantApplied && len(res.Applied) != len(migs)+dataSteps || !wantApplied && len(res.Applied) != 0 {
					t.Fatalf("migrate invoke %d applied %v", i, res.Applied)
				}
			}

			// The timer function runs retention on a timer event.
			timer := scftest.StartBinary(t, bins["cron-retention"]).Invoke(t,
				[]byte(`{"Type":"Timer","TriggerName":"daily-retention","Time":"2026-11-25T19:30:00Z","Message":"retention"}`), env)
			if timer.Error != nil || !strings.Contains(string(timer.Payload), `"audit_rows_deleted":0`) {
				t.Fatalf("cron-retention: %+v %s", timer.Error, timer.Payload)
			}

			// The alert relay, as its own function, posts to a local fake of the WeCom robot.
			robot := newRobot(t)
			relayEnv := map[string]string{"WECOM_WEBHOOK_URL": robot.url, "ALERT_RELAY_TOKEN": "relay-token"}
			for k, v := range env {
				relayEnv[k] = v
			}
			alerts, _ := json.Marshal(map[string]any{"httpMethod": "POST", "path": "/hooks/alertmanager",
				"queryString": map[string]string{"token": "relay-token"}, "headers": map[string]string{"content-type": "application/json"},
				"body": `{"version":"4","status":"firing","receiver":"wecom","groupLabels":{"alertname":"ApiSlow"},"alerts":[{"status":"firing","labels":{"alertname":"ApiSlow"},"annotations":{"summary":"接口变慢"}}]}`})
			resp := scftest.StartBinary(t, bins["alert-wecom"]).Invoke(t, alerts, relayEnv)
			var relayed scf.HTTPResponse
			json.Unmarshal(resp.Payload, &relayed)
			if got := robot.messages(); resp.Error != nil || relayed.StatusCode != 200 || len(got) != 1 || !strings.Contains(got[0], "接口变慢") {
				t.Errorf("alert relay: %+v %+v %v", resp.Error, relayed, got)
			}

			// Each API group answers as its own function binary.
			call := func(fn string, event []byte) *scf.HTTPResponse {
				t.Helper()
				resp := scftest.StartBinary(t, bins[fn]).Invoke(t, event, env)
				if resp.Error != nil {
					t.Fatalf("%s: %+v", fn, resp.Error)
				}
				var out scf.HTTPResponse
				if err := json.Unmarshal(resp.Payload, &out); err != nil {
					t.Fatal(err)
				}
				return &out
			}
			fixture := func(name string) []byte {
				raw, err := os.ReadFile(filepath.Join("testdata", name))
				if err != nil {
					t.Fatal(err)
				}
				return raw
			}
			ok := call("api-auth", fixture("login_apigw.json"))
			if ok.StatusCode != 200 || !strings.Contains(ok.Body, `"access_token"`) || ok.Headers["X-Request-Id"] != "apigw-login-1" {
				t.Fatalf("API Gateway login: %+v", ok)
			}
			var tokens struct {
				AccessToken string `json:"access_token"`
			}
			json.Unmarshal([]byte(ok.Body), &tokens)
			bad := call("api-auth", fixture("login_function_url_wrong.json"))
			if bad.StatusCode != 401 || !strings.Contains(bad.Body, "auth.invalid_credentials") || bad.Headers["Content-Type"] != "application/problem+json" {
				t.Fatalf("Function URL wrong login: %+v", bad)
			}
			for _, tc := range []struct{ fn, path, want string }{
				{"api-admin", "/api/v1/admin/roles", `"super_admin"`},
				{"api-records", "/api/v1/categories", `"瓷器"`},
				{"api-orders", "/api/v1/orders", `"items":[]`},
				{"api-stats", "/api/v1/dashboard", `"orders_by_status"`},
				{"api-audit", "/api/v1/audit-logs", `"auth.bootstrap"`},
				{"api-media", "/api/v1/media?owner_type=item&owner_id=1", `"items":[]`},
			} {
				path, query, _ := strings.Cut(tc.path, "?")
				q, _ := url.ParseQuery(query)
				ev, _ := json.Marshal(map[string]any{"httpMethod": "GET", "path": path, "queryString": q,
					"headers": map[string]string{"authorization": "Bearer " + tokens.AccessToken, "host": "fn.example"}})
				out := call(tc.fn, ev)
				if out.StatusCode != 200 || !strings.Contains(out.Body, tc.want) {
					t.Errorf("%s GET %s: %d %.300s", tc.fn, tc.path, out.StatusCode, out.Body)
				}
				// A function serves its own group only.
				other, _ := json.Marshal(map[string]any{"httpMethod": "POST", "path": "/api/v1/auth/login", "body": "{}"})
				if tc.fn != "api-auth" {
					if out := call(tc.fn, other); out.StatusCode != 404 {
						t.Errorf("%s serves another group's route: %d", tc.fn, out.StatusCode)
					}
				}
			}

			// Memory: each function's catalog size holds twice the peak it reaches serving its
			// requests (SCF runs one request at a time per instance). api-auth hashes passwords
			// (argon2id, 19 MiB each): its load is logins.
			if b.Name != "mariadb" {
				return
			}
			load := map[string][]byte{"api-auth": fixture("login_apigw.json")}
			for _, tc := range []struct{ fn, path string }{{"api-admin", "/api/v1/admin/users"}, {"api-records", "/api/v1/customers"},
				{"api-orders", "/api/v1/orders"}, {"api-stats", "/api/v1/dashboard"}, {"api-audit", "/api/v1/audit-logs"},
				{"api-media", "/api/v1/media?owner_type=item&owner_id=1"}} {
				path, query, _ := strings.Cut(tc.path, "?")
				q, _ := url.ParseQuery(query)
				load[tc.fn], _ = json.Marshal(map[string]any{"httpMethod": "GET", "path": path, "queryString": q,
					"headers": map[string]string{"authorization": "Bearer " + tokens.AccessToken, "host": "fn.example"}})
			}
			for fn, ev := range load {
				f, _ := catalog.ByName(fn)
				bin := scftest.StartBinary(t, bins[fn])
				for range 30 {
					if resp := bin.Invoke(t, ev, env); resp.Error != nil {
						t.Fatalf("%s: %+v", fn, resp.Error)
					}
				}
				peak := bin.PeakRSS(t) >> 20
				t.Logf("%s: peak RSS %d MB of %d MB", fn, peak, f.MemoryMB)
				if 2*peak > int64(f.MemoryMB) {
					t.Errorf("%s peaked at %d MB: its %d MB leave less than 2× headroom", fn, peak, f.MemoryMB)
				}
			}
		})
	}
}

// TestGeneratedFilesAreCurrent fails while the committed Terraform input or serverless.yml differ
// from what the catalog renders: run `go run ./functions/catalog/gen`.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	tf, err := catalog.TerraformJSON()
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string][]byte{catalog.TerraformFile: tf, catalog.ServerlessFile: catalog.ServerlessYAML()} {
		got, err := os.ReadFile(filepath.Join("..", "..", path))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is not what the catalog renders (%v): run go run ./functions/catalog/gen", path, err)
		}
	}
}

// TestRoutesAreOwnedOnce: every API route of the shim belongs to exactly one function's prefixes.
func TestRoutesAreOwnedOnce(t *testing.T) {
	owner := map[string]string{}
	for _, f := range catalog.Functions {
		for _, p := range catalog.Prefixes(f) {
			if o, ok := owner[p]; ok {
				t.Errorf("prefix %s is owned by %s and %s", p, o, f.Name)
			}
			owner[p] = f.Name
		}
	}
	all := catalog.Routes(catalog.Function{Groups: httpapi.Groups})
	if len(all) < 60 {
		t.Fatalf("only %d routes", len(all))
	}
	for _, r := range all {
		_, path, _ := strings.Cut(r, " ")
		n := 0
		for p := range owner {
			if path == p || strings.HasPrefix(path, p+"/") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s is under %d function prefixes", r, n)
		}
	}
}

// robot is a local fake of the WeCom group robot: it records what it is sent.
type robot struct {
	url string
	mu  sync.Mutex
	got []string
}

func newRobot(t testing.TB) *robot {
	r := &robot{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, string(b))
		r.mu.Unlock()
		w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL + "/cgi-bin/webhook/send?key=k"
	return r
}

func (r *robot) messages() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got...)
}

// TestEveryUploadTypeReachesItsFunction: each content type the upload accepts lands under a key
// whose extension a COS trigger of the function for its kind watches; a type without one is
// accepted and never processed (the WebM uploads were, until the trigger listed .webm).
func TestEveryUploadTypeReachesItsFunction(t *testing.T) {
	watched := map[appraisal.MediaKind]string{appraisal.MediaImage: "media-image", appraisal.MediaVideo: "media-video"}
	for _, ct := range gallery.ContentTypes {
		typ := gallery.Types[ct]
		var fn *catalog.Function
		for i := range catalog.Functions {
			if catalog.Functions[i].Name == watched[typ.Kind] {
				fn = &catalog.Functions[i]
			}
		}
		if fn == nil || fn.COS == nil || !slices.Contains(fn.COS.Suffixes, typ.Ext) {
			t.Errorf("%s uploads end in %s, which no trigger of %s watches", ct, typ.Ext, watched[typ.Kind])
		}
	}
}
