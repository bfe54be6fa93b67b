package tfcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const root = "../../../terraform"

// deployVars are the root variables scripts/deploy passes to every environment.
var deployVars = map[string]string{"build": "0123abc", "bootstrap_admin_password": "a-long-bootstrap-password",
	"wecom_webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=test"}

// TestEnvironmentsPlan is `terraform init && terraform validate && terraform plan` for every
// environment, offline, against the real provider schemas.
func TestEnvironmentsPlan(t *testing.T) {
	w := NewWorkspace(t, root)
	for _, env := range []string{"dev", "test", "prod"} {
		t.Run(env, func(t *testing.T) {
			p := w.PlanEnv(t, env, deployVars)
			if n := len(p.ResourceChanges); n < 40 {
				t.Errorf("%s plans %d resources; the stack has more than 40", env, n)
			}
			for _, rc := range p.ResourceChanges {
				if len(rc.Change.Actions) != 1 || rc.Change.Actions[0] != "create" {
					t.Errorf("%s: %s plans %v on empty state, want create", env, rc.Address, rc.Change.Actions)
				}
			}
			if len(p.Of("tencentcloud_scf_function")) == 0 {
				t.Errorf("%s plans no functions", env)
			}
			checkConsole(t, env, p)
			// Every HTTP entry runs the alias "live", which releases move: a trigger without a
			// qualifier would run $LATEST and make promote and rollback change nothing.
			apis := 0
			for _, fn := range p.Of("tencentcloud_scf_function_alias") {
				if fn.Change.After["name"] != "live" {
					t.Errorf("%s: alias %v", fn.Address, fn.Change.After["name"])
				}
				apis++
			}
			urls := p.Of("tencentcloud_scf_trigger")
			for _, u := range urls {
				if u.Change.After["type"] != "http" || u.Change.After["qualifier"] != "live" {
					t.Errorf("%s: a %v trigger on %v, want http on live", u.Address, u.Change.After["type"], u.Change.After["qualifier"])
				}
			}
			if apis == 0 || len(urls) != apis {
				t.Errorf("%d Function URLs for %d API functions with the alias", len(urls), apis)
			}
			for _, fn := range p.Of("tencentcloud_scf_function") {
				for _, tr := range fn.Change.After["triggers"].([]any) {
					if tr.(map[string]any)["type"] == "http" {
						t.Errorf("%s has an inline http trigger, which runs $LATEST", fn.Address)
					}
				}
			}
			for _, problem := range CheckPasswords(p) {
				t.Error(problem)
			}
		})
	}
}

// TestTerraformCatchesMistakes: each mistake the schema-subset check used to miss, or that only
// Terraform sees, fails here as it would against the real provider.
func TestTerraformCatchesMistakes(t *testing.T) {
	cases := []struct {
		name, module, want string
	}{
		{"a module without required_providers asks for hashicorp/tencentcloud", `
resource "tencentcloud_vpc" "a" {
  name       = "x"
  cidr_block = "10.0.0.0/16"
}`, "hashicorp/tencentcloud"},
		{"a misspelled argument", `
terraform {
  required_providers {
    tencentcloud = { source = "tencentcloudstack/tencentcloud" }
  }
}
resource "tencentcloud_vpc" "a" {
  name      = "x"
  cidr_blok = "10.0.0.0/16"
}`, "cidr_blok"},
		{"a missing required argument", `
terraform {
  required_providers {
    tencentcloud = { source = "tencentcloudstack/tencentcloud" }
  }
}
resource "tencentcloud_subnet" "a" {
  name = "x"
}`, "Missing required argument"},
		{"a computed-only attribute set", `
terraform {
  required_providers {
    tencentcloud = { source = "tencentcloudstack/tencentcloud" }
  }
}
resource "tencentcloud_scf_layer" "a" {
  layer_name          = "l"
  compatible_runtimes = ["Go1"]
  layer_version       = 3
  content {
    zip_file = "x.zip"
  }
}`, "layer_version"},
		{"a reference to an output the module does not have", `
terraform {
  required_providers {
    tencentcloud = { source = "tencentcloudstack/tencentcloud" }
  }
}
resource "tencentcloud_vpc" "a" {
  name       = "x"
  cidr_block = "10.0.0.0/16"
}
output "o" {
  value = tencentcloud_vpc.a.vpc_idd
}`, "vpc_idd"},
	}
	src := t.TempDir()
	for i, c := range cases {
		dir := filepath.Join(src, "case"+string(rune('a'+i)))
		mkdir(t, filepath.Join(dir, "mod"))
		write(t, filepath.Join(dir, "mod", "main.tf"), c.module)
		write(t, filepath.Join(dir, "main.tf"), `
terraform {
  required_providers {
    tencentcloud = { source = "tencentcloudstack/tencentcloud", version = "1.83.25" }
  }
}
module "m" {
  source = "./mod"
}`)
	}
	mkdir(t, filepath.Join(src, "modules", "functions"))
	write(t, filepath.Join(src, "modules", "functions", "catalog.tf.json"), `{"locals":{"functions":{}}}`)
	w := NewWorkspace(t, src)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := "case" + string(rune('a'+i))
			out, err := w.Run(dir, "init", "-input=false", "-no-color")
			if err == nil {
				out, err = w.Run(dir, "validate", "-no-color")
			}
			if err == nil {
				t.Fatalf("terraform accepted it:\n%s", out)
			}
			if !strings.Contains(out, c.want) {
				t.Errorf("the error does not name %q:\n%s", c.want, out)
			}
		})
	}
}

func mkdir(t testing.TB, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}

func write(t testing.TB, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPasswordRule: the check finds each way a generator can break the provider's rule.
func TestPasswordRule(t *testing.T) {
	redis := PasswordRules[0]
	cases := []struct {
		name string
		args map[string]any
		want string // "" for none
	}{
		{"letters and digits guaranteed", map[string]any{"length": 16.0, "special": false, "min_lower": 2.0, "min_numeric": 2.0}, ""},
		{"defaults guarantee nothing", map[string]any{"length": 16.0, "special": false}, "guarantees 0"},
		{"the module as it was: 16 characters, no specials, nothing required", map[string]any{"length": 16.0, "special": false, "override_special": nil}, "guarantees 0"},
		{"default specials include brackets", map[string]any{"length": 16.0, "min_special": 1.0, "min_upper": 1.0}, `'['`},
		{"too long for Redis", map[string]any{"length": 24.0, "special": true, "override_special": "_-", "min_special": 1.0, "min_numeric": 1.0}, "length 24"},
		{"letters and specials", map[string]any{"length": 12.0, "special": true, "override_special": "_-", "min_special": 1.0, "min_upper": 1.0}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := strings.Join(randomPasswordProblems(c.args, redis), "; ")
			if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
				t.Errorf("problems %q, want %q", got, c.want)
			}
		})
	}
}

// checkConsole: the console's every built file (and its config.json) goes to the console bucket
// under console/, served by CDN on the console's domain.
func checkConsole(t *testing.T, env string, p *Plan) {
	t.Helper()
	keys := map[string]bool{}
	for _, o := range p.Of("tencentcloud_cos_bucket_object") {
		if k := o.Change.After["key"].(string); strings.HasPrefix(k, "/console/") {
			keys[k] = true
		}
	}
	dist := filepath.Join(root, "..", "functions", "internal", "console", "dist")
	want := 0
	err := filepath.WalkDir(dist, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dist, path)
		if strings.HasPrefix(rel, ".vite") {
			return nil
		}
		want++
		if !keys["/console/"+filepath.ToSlash(rel)] {
			t.Errorf("%s: the console's %s is not uploaded", env, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !keys["/console/config.json"] || len(keys) != want+1 {
		t.Errorf("%s: %d console objects, want the %d built files and config.json", env, len(keys), want)
	}
	if cdn := p.Of("tencentcloud_cdn_domain"); len(cdn) != 1 || cdn[0].Change.After["domain"] != "admin-"+env+".jianbao.example" {
		t.Errorf("%s: CDN domains %v", env, cdn)
	}
}
