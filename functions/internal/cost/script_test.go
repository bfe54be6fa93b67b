package cost_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestCostControlScript runs scripts/cost-control in its dry-run mode, which needs no cluster and
// no credentials, and checks its refusals.
func TestCostControlScript(t *testing.T) {
	script := "../../../scripts/cost-control"
	cmd := func(env []string, args ...string) (string, int) {
		c := exec.Command(script, args...)
		c.Env = append(os.Environ(), env...)
		out, err := c.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), code
	}
	out, code := cmd(nil, "down", "dev", "test", "--dry-run")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, want := range []string{
		"kubectl -n jianbao-dev scale deploy api --replicas=0",
		"kubectl -n jianbao-test scale deploy worker --replicas=0",
		"annotate --overwrite deploy api jianbao.io/replicas-before-down=",
		"costctl provisioned off dev",
		"costctl provisioned off test",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("down lacks %q:\n%s", want, out)
		}
	}
	out, code = cmd(nil, "up", "dev", "--dry-run", "--scf-only", "--provisioned", "7", "2")
	if code != 0 || strings.Contains(out, "kubectl") || !strings.Contains(out, "costctl provisioned on dev 7 2") {
		t.Errorf("up --scf-only: exit %d\n%s", code, out)
	}
	for _, tc := range []struct {
		env  []string
		args []string
		code int
		say  string
	}{
		{nil, []string{"down", "prod", "--dry-run"}, 2, "never scaled"},
		{nil, []string{"sideways", "dev"}, 2, "unknown action"},
		{nil, []string{"down"}, 2, "down|up ENV"},
		{nil, []string{"down", "dev", "--scf-only", "--tke-only", "--dry-run"}, 2, "exclude"},
		{[]string{"TENCENTCLOUD_SECRET_ID=", "TENCENTCLOUD_SECRET_KEY="}, []string{"down", "dev", "--scf-only"}, 1, "TENCENTCLOUD_SECRET_ID"},
		{[]string{"KUBECONFIG=/nonexistent"}, []string{"down", "dev", "--tke-only"}, 1, "no current context"},
	} {
		out, code := cmd(tc.env, tc.args...)
		if code != tc.code || !strings.Contains(strings.ToLower(out), strings.ToLower(tc.say)) {
			t.Errorf("%v: exit %d, want %d saying %q:\n%s", tc.args, code, tc.code, tc.say, out)
		}
	}
}
