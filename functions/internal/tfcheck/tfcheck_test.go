package tfcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

const root = "../../../terraform"

func schema(t *testing.T) *Schema {
	t.Helper()
	s, err := LoadSchema("testdata/tencentcloud-1.83.25-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestTerraformAgainstProviderSchema is our `terraform validate`: every tencentcloud block of
// terraform/ against the provider's schema.
func TestTerraformAgainstProviderSchema(t *testing.T) {
	problems, err := Check(root, schema(t), "tencentcloud_", map[string]bool{"random_password": true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// TestCheckerCatchesMistakes: the checker must find each kind of mistake it claims to find.
func TestCheckerCatchesMistakes(t *testing.T) {
	dir := t.TempDir()
	src := `
resource "tencentcloud_vpc" "a" {
  name = "x"
  cidr_blok = "10.0.0.0/16"
}
resource "tencentcloud_subnet" "b" {
  name = "x"
}
resource "tencentcloud_scf_layer" "c" {
  layer_name          = "l"
  compatible_runtimes = ["Go1"]
  layer_version       = 3
}
resource "tencentcloud_scf_function" "d" {
  name = "f"
  dynamic "trigers" {
    for_each = []
    content {}
  }
  triggers {
    name = "t"
    kind = "timer"
  }
}
resource "tencentcloud_nothing" "e" {}
resource "aws_s3_bucket" "f" {}
`
	os.WriteFile(filepath.Join(dir, "bad.tf"), []byte(src), 0o644)
	problems, err := Check(dir, schema(t), "tencentcloud_", nil)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(problems, "\n")
	for _, want := range []string{
		"unknown argument cidr_blok",
		"required argument cidr_block is missing",
		`"tencentcloud_subnet" "b": required argument vpc_id is missing`,
		"layer_version is computed",
		"required block content is missing",
		"unknown block trigers",
		"triggers: unknown argument kind",
		"tencentcloud_nothing",
		"aws_s3_bucket",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("not caught: %s\nall problems:\n%s", want, all)
		}
	}
}

// TestProviderPinned: every root pins the provider at the schema's version.
func TestProviderPinned(t *testing.T) {
	s := schema(t)
	envs, _ := filepath.Glob(filepath.Join(root, "envs", "*", "main.tf"))
	if len(envs) != 3 {
		t.Fatalf("environments: %v", envs)
	}
	pin := regexp.MustCompile(`source\s*=\s*"tencentcloudstack/tencentcloud"\s*\n\s*version\s*=\s*"([^"]+)"`)
	for _, e := range envs {
		main, _ := os.ReadFile(e)
		versions, err := os.ReadFile(filepath.Join(filepath.Dir(e), "versions.tf")) // linked from ../common
		if err != nil {
			t.Fatalf("%s: %v", e, err)
		}
		m := pin.FindSubmatch(versions)
		if m == nil || string(m[1]) != s.ProviderVersion {
			t.Errorf("%s pins %q, want %s", e, m, s.ProviderVersion)
		}
		if !strings.Contains(string(main), `backend "cos"`) {
			t.Errorf("%s has no COS backend", e)
		}
		for _, b := range [][]byte{main, versions} {
			if _, diags := hclsyntax.ParseConfig(b, e, hcl.Pos{Line: 1, Column: 1}); diags.HasErrors() {
				t.Error(diags)
			}
		}
	}
}

// TestTerraformFmt runs terraform fmt -check where terraform is installed (CI's machine has it;
// the provider cannot be installed, so fmt is all the CLI can check).
func TestTerraformFmt(t *testing.T) {
	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform not installed")
	}
	if out, err := exec.Command(tf, "fmt", "-check", "-recursive", root).CombinedOutput(); err != nil {
		t.Fatalf("terraform fmt -check: %v\n%s", err, out)
	}
}
