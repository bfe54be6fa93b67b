package catalog_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

func deploy(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("../../scripts/deploy", args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// cleanEnv is the environment without any Tencent Cloud credentials.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TENCENTCLOUD_") && !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "BUILD=") {
			out = append(out, kv)
		}
	}
	return out
}

func TestDeployScript(t *testing.T) {
	out, err := deploy(t, cleanEnv(), "--dry-run", "dev")
	if err != nil {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	// The order is the point: the migrate function and the migrations before the rest of the
	// build reaches $LATEST, the smoke test (inside promote) before live moves.
	at := -1
	for _, step := range []string{"scripts/build-functions", "terraform -chdir=terraform/envs/dev init",
		`-target=module.stack.module.functions.tencentcloud_scf_function.fn["migrate"]`, "dev-migrate.tfplan", "releasectl migrate dev",
		"plan -input=false -var build=", "apply -input=false", "releasectl promote dev", "<api_base_url>/health", "nothing was run"} {
		i := strings.Index(out[at+1:], step)
		if i < 0 {
			t.Fatalf("the dry run does not show %q after the step before it:\n%s", step, out)
		}
		at += 1 + i
	}
	out, err = deploy(t, cleanEnv(), "--yes", "dev")
	if err == nil || !strings.Contains(out, "missing TENCENTCLOUD_SECRET_ID") || !strings.Contains(out, "nothing was changed") ||
		strings.Contains(out, "==>") {
		t.Fatalf("without credentials a real run must stop before any step: %v\n%s", err, out)
	}
	// With every variable set, still nothing runs against another environment's state bucket or
	// without the providers' lock file.
	dir := t.TempDir()
	fakeBin := func(name string) {
		os.WriteFile(dir+"/"+name, []byte("#!/bin/sh\necho $0 must not run >&2\nexit 1\n"), 0o755)
	}
	for _, b := range []string{"terraform", "curl"} {
		fakeBin(b)
	}
	set := append(cleanEnv(), "TENCENTCLOUD_SECRET_ID=id", "TENCENTCLOUD_SECRET_KEY=key", "TF_VAR_bootstrap_admin_password=pw",
		"TF_VAR_wecom_webhook_url=https://example.invalid/hook")
	for i, kv := range set {
		if strings.HasPrefix(kv, "PATH=") {
			set[i] = "PATH=" + dir + ":" + strings.TrimPrefix(kv, "PATH=")
		}
	}
	os.MkdirAll("../../dist/layers", 0o755)
	if _, err := os.Stat("../../dist/layers/ffmpeg-layer.zip"); os.IsNotExist(err) {
		os.WriteFile("../../dist/layers/ffmpeg-layer.zip", []byte("test placeholder"), 0o644)
		defer os.Remove("../../dist/layers/ffmpeg-layer.zip")
	}
	for _, tc := range []struct{ bucket, want string }{
		{"jianbao-prod-tfstate-1250000000", "is not dev's state bucket"},
		{"jianbao-dev-tfstate-1250000000", ".terraform.lock.hcl is missing"},
	} {
		out, err := deploy(t, append(set, "TF_STATE_BUCKET="+tc.bucket), "--yes", "dev")
		if err == nil || !strings.Contains(out, tc.want) || !strings.Contains(out, "nothing was changed") || strings.Contains(out, "==>") {
			t.Errorf("state bucket %s: %v\n%s", tc.bucket, err, out)
		}
	}
	if out, err := deploy(t, cleanEnv(), "staging"); err == nil || !strings.Contains(out, "unknown argument") {
		t.Errorf("an unknown environment: %v\n%s", err, out)
	}
}
