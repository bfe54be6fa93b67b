package catalog_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/jianbao/admin/functions/catalog"
	"github.com/jianbao/admin/functions/internal/tfcheck"
	"github.com/jianbao/admin/shared/cos/costest"
	"github.com/jianbao/admin/shared/media/mediatest"
	"github.com/jianbao/admin/shared/scf"
	"github.com/jianbao/admin/shared/scf/scftest"
	"github.com/jianbao/admin/shared/tencentapi/tencentapitest"
	"github.com/jianbao/admin/shared/testenv"
)

// TestFunctionsOpenWithTerraformsEnvironment is the environment contract: Terraform (the real
// providers, on the local cloud) plans the dev environment, and every function binary is started with exactly the variables that plan gives it
// — the names from the plan, with the cloud's addresses swapped for local stand-ins — and its
// secrets from an SSM stand-in holding exactly the names Terraform stores there. Each must open
// (APP_ENV=dev refuses every local fallback) and do its job once.
//
// Besides the plan's variables the test sets only what the platform sets itself (the run role's
// keys and the region, TENCENTCLOUD_*) and the two endpoints that point the cloud APIs at the
// local fakes (COS_ENDPOINT, SSM_ENDPOINT).
func TestFunctionsOpenWithTerraformsEnvironment(t *testing.T) {
	if testing.Short() {
		t.Skip("plans with Terraform and builds function binaries")
	}
	w := tfcheck.NewWorkspace(t, "../../terraform")
	vars := map[string]string{"build": "contract", "bootstrap_admin_password": "contract-bootstrap-pw",
		"wecom_webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=contract"}
	// The functions' variables name what the stack creates (the Redis address, the bucket's URL);
	// with those in the local cloud first, the plan knows every value, as the second plan of a
	// real deploy does. (The real provider plans a map with one unknown value as unknown whole.)
	w.ApplyTargets(t, "dev", vars, "module.stack.module.redis", "module.stack.module.cos")
	plan := w.PlanEnv(t, "dev", vars)

	db, rdb := testenv.MySQL(t), testenv.Redis(t)
	bucket := costest.New(t, "jianbao-dev-media-1250000000")
	ffmpeg, ffprobe := mediatest.Tools(t)
	robot := newRobot(t)

	// What each variable is here instead of in the cloud. A variable the plan leaves unknown must
	// have a stand-in; a known one keeps its planned value unless it points into the cloud.
	local := map[string]string{
		"MYSQL_DSN": db.DSN, "REDIS_ADDR": rdb.Addr, "REDIS_PASSWORD": "", "COS_BUCKET_URL": bucket.BucketURL,
		"JWT_SECRET": strings.Repeat("j", 40), "PII_SECRET": strings.Repeat("p", 40), "BOOTSTRAP_ADMIN_PASSWORD": "contract-bootstrap-pw",
		"WECOM_WEBHOOK_URL": robot.url, "ALERT_RELAY_TOKEN": "contract-relay-token",
		"FFMPEG_PATH": ffmpeg, "FFPROBE_PATH": ffprobe, "SSM_SECRET_VERSION": "vcontract",
	}

	names, _ := plan.OutputChanges["secret_names"].After.([]any)
	if len(names) == 0 {
		t.Fatalf("the plan does not say which secrets Terraform stores: %v", plan.OutputChanges["secret_names"])
	}
	secrets := map[string]string{}
	for _, n := range names {
		v, ok := local[n.(string)]
		if !ok {
			t.Fatalf("Terraform stores secret %s, which has no stand-in here", n)
		}
		secrets[n.(string)] = v
	}
	ssm := tencentapitest.New(t)
	var secretName string
	ssm.Handle("GetSecretValue", func(p map[string]any) (any, string, string) {
		if p["SecretName"] != secretName || p["VersionId"] != "vcontract" {
			return nil, "ResourceNotFound.SecretNotExist", fmt.Sprint(p)
		}
		raw, _ := json.Marshal(secrets)
		return map[string]any{"SecretName": secretName, "VersionId": "vcontract", "SecretString": string(raw)}, "", ""
	})

	envs := map[string]map[string]string{}
	for _, rc := range plan.Of("tencentcloud_scf_function") {
		name := rc.Change.After["name"].(string)
		planned, _ := rc.Change.After["environment"].(map[string]any)
		unknown, _ := rc.Change.AfterUnknown["environment"].(map[string]any)
		env := map[string]string{"TENCENTCLOUD_SECRETID": "test-id", "TENCENTCLOUD_SECRETKEY": "test-key",
			"TENCENTCLOUD_SESSIONTOKEN": "role-token", "TENCENTCLOUD_REGION": "ap-guangzhou",
			"COS_ENDPOINT": bucket.Endpoint, "SSM_ENDPOINT": ssm.Endpoint()}
		for _, k := range sortedKeys(planned, unknown) {
			if v, ok := local[k]; ok {
				env[k] = v
				continue
			}
			v, known := planned[k].(string)
			if !known {
				t.Errorf("%s: %s is unknown until apply and has no stand-in", name, k)
			}
			env[k] = v
		}
		if n := env["SSM_SECRET_NAME"]; n != "" {
			secretName = n
		}
		for _, k := range catalog.SSMVariables {
			if f, _ := catalog.ByName(name); len(f.Needs)+len(f.Env) > 0 && env[k] == "" && needsSecrets(f) {
				t.Errorf("%s reads secrets but Terraform gives it no %s", name, k)
			}
		}
		for _, s := range []string{"MYSQL_DSN", "JWT_SECRET", "PII_SECRET", "REDIS_PASSWORD"} {
			if _, plain := planned[s]; plain {
				t.Errorf("%s: the secret %s is a plain function variable", name, s)
			}
		}
		envs[name] = env
	}
	if len(envs) != len(catalog.Functions) {
		t.Fatalf("the plan has %d functions, the catalog %d", len(envs), len(catalog.Functions))
	}
	if t.Failed() {
		t.FailNow()
	}

	bin := func(name string) *scftest.TestBinary {
		return scftest.StartBinary(t, scftest.BuildFunction(t, "..", "./"+name))
	}
	// The migrate function first: it makes the schema and the admin the others use.
	if resp := bin("migrate").Invoke(t, []byte(`{}`), envs["migrate"]); resp.Error != nil {
		t.Fatalf("migrate with Terraform's environment: %+v", resp.Error)
	}
	for _, f := range catalog.Functions {
		if f.Name == "migrate" {
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			var event []byte
			switch {
			case f.Name == "alert-wecom":
				event, _ = json.Marshal(map[string]any{"httpMethod": "POST", "path": "/hooks/alertmanager",
					"queryString": map[string]string{"token": "contract-relay-token"}, "headers": map[string]string{"content-type": "application/json"},
					"body": `{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"ContractCheck"},"annotations":{"summary":"合同检查"}}]}`})
			case f.Kind == catalog.KindAPI:
				event = []byte(`{"httpMethod":"GET","path":"/readyz","headers":{"host":"fn.example"}}`)
			case f.Kind == catalog.KindCOS:
				event = []byte(`{"Records":[]}`)
			case f.Kind == catalog.KindTimer:
				event = []byte(`{"Type":"Timer","TriggerName":"daily-retention","Time":"2026-11-30T19:30:00Z","Message":"retention"}`)
			}
			resp := bin(f.Name).Invoke(t, event, envs[f.Name])
			if resp.Error != nil {
				t.Fatalf("with Terraform's environment: %+v", resp.Error)
			}
			if f.Kind == catalog.KindAPI {
				var out scf.HTTPResponse
				json.Unmarshal(resp.Payload, &out)
				if out.StatusCode != 200 {
					t.Fatalf("answered %d: %s", out.StatusCode, out.Body)
				}
			}
		})
	}
	if relayed := robot.messages(); len(relayed) != 1 || !strings.Contains(relayed[0], "合同检查") {
		t.Errorf("the alert relay sent %v", relayed)
	}
	reads := 0
	for _, c := range ssm.Calls() {
		if c.Service == "ssm" && c.Action == "GetSecretValue" {
			reads++
		}
	}
	if reads < len(catalog.Functions) {
		t.Errorf("SSM was read %d times for %d functions", reads, len(catalog.Functions))
	}
}

func needsSecrets(f catalog.Function) bool {
	_, a := catalog.Split(f.Needs)
	_, b := catalog.Split(f.Env)
	return len(a)+len(b) > 0
}

func sortedKeys(ms ...map[string]any) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}
