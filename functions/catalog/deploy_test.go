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
		if !strings.HasPrefix(kv, "TENCENTCLOUD_") && !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "SMOKE_URL") {
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
	for _, step := range []string{"scripts/build-functions", "terraform -chdir=terraform/envs/dev init", "plan -input=false -var build=",
		"apply -input=false", "tccli scf Invoke", "FunctionName migrate", "releasectl promote dev", "/healthz", "nothing was run"} {
		if !strings.Contains(out, step) {
			t.Errorf("the dry run does not show %q:\n%s", step, out)
		}
	}
	out, err = deploy(t, cleanEnv(), "--yes", "dev")
	if err == nil || !strings.Contains(out, "missing TENCENTCLOUD_SECRET_ID") || !strings.Contains(out, "nothing was changed") ||
		strings.Contains(out, "==>") {
		t.Fatalf("without credentials a real run must stop before any step: %v\n%s", err, out)
	}
	if out, err := deploy(t, cleanEnv(), "staging"); err == nil || !strings.Contains(out, "unknown argument") {
		t.Errorf("an unknown environment: %v\n%s", err, out)
	}
}
