// Package tfcheck runs Terraform itself on terraform/ with the real providers (tencentcloud
// 1.83.25, random 3.6.3) against the local Tencent Cloud (functions/internal/localcloud): init,
// validate and plan for every environment, with the provider's own validators, plan modifiers
// and data sources running as they run for an apply. scripts/test-cloud goes on to apply.
//
// The providers come from wherever Terraform's CLI configuration says: the registry, or the
// filesystem mirror TF_CLI_CONFIG_FILE names (CI points it at a mirror of the real builds).
// Terraform is not a Go module we can build (its go.mod carries replace directives) nor a Debian
// package, so it must be on PATH; under CI=true a missing terraform fails the test.
package tfcheck

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
)

// Providers pinned by terraform/envs/common/versions.tf.
var Providers = map[string]string{
	"tencentcloudstack/tencentcloud": "1.83.25",
	"hashicorp/random":               "3.6.3",
}

// Terraform returns the terraform binary, or skips (fails under CI=true) when there is none.
func Terraform(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("terraform")
	if err != nil {
		msg := "terraform is not on PATH: install Terraform >= 1.11 (https://developer.hashicorp.com/terraform/install)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return bin
}

// StartCloud starts a local Tencent Cloud for one test (it stops, and its data goes, when the
// test ends) and returns the environment that points the provider at it: the same settings that
// point it at any other endpoint (TENCENTCLOUD_PROTOCOL, TENCENTCLOUD_DOMAIN, the COS domain) and
// the cloud as HTTP proxy. The binary is built into the test's directory (Go's build cache
// makes every build after the first a link).
func StartCloud(t testing.TB) []string {
	t.Helper()
	cloudBin := filepath.Join(t.TempDir(), "localcloud")
	if err := buildCloud(cloudBin); err != nil {
		t.Fatal(err)
	}
	const id, key, domain, region = "AKIDtfchecklocalcloud01", "tfcheck-local-cloud-secret-key", "localcloud.test", "ap-guangzhou"
	data := t.TempDir()
	cmd := exec.Command(cloudBin, "-addr", "127.0.0.1:0", "-data", data, "-secret-id", id, "-secret-key", key,
		"-domain", domain, "-region", region)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // and when the test binary goes
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var addr string
	lines := bufio.NewScanner(out)
	for addr == "" && lines.Scan() {
		var l struct{ Msg, Addr string }
		if json.Unmarshal(lines.Bytes(), &l) == nil && l.Msg == "local cloud listening" {
			addr = l.Addr
		}
	}
	if addr == "" {
		cmd.Process.Kill()
		t.Fatal("the local cloud did not start")
	}
	go func() {
		for lines.Scan() {
		}
	}()
	// Registered after t.TempDir, so it runs first: the cloud stops its servers, then the data goes.
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	proxy := "http://" + addr
	return []string{"HTTP_PROXY=" + proxy, "http_proxy=" + proxy, "HTTPS_PROXY=", "https_proxy=", "NO_PROXY=", "no_proxy=",
		"TENCENTCLOUD_PROTOCOL=HTTP", "TENCENTCLOUD_DOMAIN=" + domain, "TENCENTCLOUD_COS_DOMAIN=http://cos." + region + "." + domain,
		"TENCENTCLOUD_SECRET_ID=" + id, "TENCENTCLOUD_SECRET_KEY=" + key, "TENCENTCLOUD_SESSION_TOKEN=", "TENCENTCLOUD_REGION=" + region}
}

func buildCloud(bin string) error {
	_, self, _, _ := runtime.Caller(0)
	build := exec.Command("go", "build", "-o", bin, "./cmd/localcloud")
	build.Dir, build.Env = filepath.Join(filepath.Dir(self), "..", "localcloud"), append(os.Environ(), "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building the local cloud: %v\n%s", err, out)
	}
	return nil
}

// Workspace is a copy of terraform/ in which Terraform runs against the local cloud: the envs'
// COS backends are overridden by local state, the lock files are left out (a lock file made from
// a mirror records that mirror's builds), and dist/ holds placeholder zips for every function
// the catalog lists.
type Workspace struct {
	t    testing.TB
	tf   string
	env  []string
	Root string // the copy of terraform/
	Dist string // placeholder zips: dist/functions/*.zip and dist/layers/ffmpeg-layer.zip
}

// NewWorkspace copies the tree at src (the repository's terraform/ directory).
func NewWorkspace(t testing.TB, src string) *Workspace {
	t.Helper()
	w := &Workspace{t: t, tf: Terraform(t), env: StartCloud(t)}
	tmp := t.TempDir()
	w.Root = filepath.Join(tmp, "terraform")
	w.Dist = filepath.Join(tmp, "dist")
	if err := copyTree(src, w.Root); err != nil {
		t.Fatal(err)
	}
	// The console module uploads the committed console build, found beside terraform/.
	console := filepath.Join("functions", "internal", "console", "dist")
	if _, err := os.Stat(filepath.Join(src, "..", console)); err == nil {
		if err := copyTree(filepath.Join(src, "..", console), filepath.Join(tmp, console)); err != nil {
			t.Fatal(err)
		}
	}
	fns, err := catalogFunctions(filepath.Join(w.Root, "modules", "functions", "catalog.tf.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fns {
		w.placeholder(filepath.Join("functions", f+".zip"))
	}
	w.placeholder(filepath.Join("layers", "ffmpeg-layer.zip"))
	return w
}

func (w *Workspace) placeholder(rel string) {
	p := filepath.Join(w.Dist, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("placeholder "+rel), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

// catalogFunctions reads the function names from the generated catalog.tf.json.
func catalogFunctions(path string) ([]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Locals struct {
			Functions map[string]json.RawMessage `json:"functions"`
		} `json:"locals"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []string
	for name := range doc.Locals.Functions {
		out = append(out, name)
	}
	sort.Strings(out)
	return out, nil
}

// copyTree copies files and keeps symbolic links as links (the envs link ../common); Terraform's
// working directories and lock files stay behind.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir() && d.Name() == ".terraform":
			return filepath.SkipDir
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Name() == ".terraform.lock.hcl" || strings.HasSuffix(d.Name(), ".tfstate"):
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, raw, 0o644)
	})
}

// Run runs terraform with args in dir (relative to Root) and returns its combined output and
// whether it succeeded.
func (w *Workspace) Run(dir string, args ...string) (string, error) {
	cmd := exec.Command(w.tf, args...)
	cmd.Dir = filepath.Join(w.Root, dir)
	cmd.Env = append(append(os.Environ(), w.env...), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "TF_INPUT=0", "TF_LOG=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// Must runs terraform and fails the test when it does not succeed.
func (w *Workspace) Must(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := w.Run(dir, args...)
	if err != nil {
		t.Fatalf("terraform %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return out
}

// LocalBackend makes an environment root keep its state in its own directory, as a backend
// override file does, so init needs no bucket.
func (w *Workspace) LocalBackend(t testing.TB, dir string) {
	t.Helper()
	override := "terraform {\n  backend \"local\" {}\n}\n"
	if err := os.WriteFile(filepath.Join(w.Root, dir, "backend_override.tf"), []byte(override), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Plan is the part of `terraform show -json` of a saved plan that the tests read.
type Plan struct {
	ResourceChanges []ResourceChange `json:"resource_changes"`
	OutputChanges   map[string]struct {
		After any `json:"after"`
	} `json:"output_changes"`
	Configuration struct {
		RootModule configModule `json:"root_module"`
	} `json:"configuration"`
}

type configModule struct {
	Resources []struct {
		Address     string                     `json:"address"`
		Expressions map[string]json.RawMessage `json:"expressions"` // blocks are arrays

	} `json:"resources"`
	ModuleCalls map[string]struct {
		Module configModule `json:"module"`
	} `json:"module_calls"`
}

// References lists what the configuration of a planned resource's argument refers to, as
// addresses relative to the resource's module (random_password.app.result, var.x …).
func (p *Plan) References(rc ResourceChange, argument string) []string {
	m := p.Configuration.RootModule
	parts := strings.Split(rc.ModuleAddress, ".")
	for i := 1; i < len(parts); i += 2 { // module.stack.module.redis → stack, redis
		m = m.ModuleCalls[parts[i]].Module
	}
	addr := rc.Type + "." + rc.Name
	for _, r := range m.Resources {
		if r.Address == addr {
			var e struct {
				References []string `json:"references"`
			}
			json.Unmarshal(r.Expressions[argument], &e) // a block or nothing: no references
			return e.References
		}
	}
	return nil
}

// Find returns the planned resource at a module address and a resource address within it.
func (p *Plan) Find(module, addr string) *ResourceChange {
	for i, rc := range p.ResourceChanges {
		if rc.ModuleAddress == module && rc.Type+"."+rc.Name == addr {
			return &p.ResourceChanges[i]
		}
	}
	return nil
}

// ResourceChange is one planned resource.
type ResourceChange struct {
	Address       string `json:"address"`
	ModuleAddress string `json:"module_address"`
	Type          string `json:"type"`
	Name          string `json:"name"`
	Index         any    `json:"index"`
	Change        struct {
		Actions      []string       `json:"actions"`
		After        map[string]any `json:"after"`
		AfterUnknown map[string]any `json:"after_unknown"`
	} `json:"change"`
}

// Of returns the planned resources of a type.
func (p *Plan) Of(typ string) []ResourceChange {
	var out []ResourceChange
	for _, rc := range p.ResourceChanges {
		if rc.Type == typ {
			out = append(out, rc)
		}
	}
	return out
}

// PlanEnv initialises, validates and plans the environment root terraform/envs/<env> with the
// variables a deploy passes, and returns the plan.
func (w *Workspace) PlanEnv(t testing.TB, env string, vars map[string]string) *Plan {
	t.Helper()
	dir := w.initEnv(t, env)
	args := append([]string{"plan", "-refresh=false", "-input=false", "-lock=false", "-no-color", "-out=plan.out"}, w.varArgs(vars)...)
	w.Must(t, dir, args...)
	raw := w.Must(t, dir, "show", "-json", "plan.out")
	var p Plan
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		t.Fatalf("terraform show -json: %v", err)
	}
	return &p
}

// ApplyTargets applies only the given resources (and what they need) to the workspace's local
// cloud: what a later plan reads from them is then known.
func (w *Workspace) ApplyTargets(t testing.TB, env string, vars map[string]string, targets ...string) {
	t.Helper()
	dir := w.initEnv(t, env)
	args := []string{"apply", "-auto-approve", "-input=false", "-lock=false", "-no-color"}
	for _, target := range targets {
		args = append(args, "-target="+target)
	}
	w.Must(t, dir, append(args, w.varArgs(vars)...)...)
}

// initEnv initialises terraform/envs/<env> once, with local state, and validates it.
func (w *Workspace) initEnv(t testing.TB, env string) string {
	t.Helper()
	dir := filepath.Join("envs", env)
	if _, err := os.Stat(filepath.Join(w.Root, dir, ".terraform")); err == nil {
		return dir
	}
	w.LocalBackend(t, dir)
	w.Must(t, dir, "init", "-input=false", "-no-color")
	w.Must(t, dir, "validate", "-no-color")
	return dir
}

// varArgs are the -var arguments: the placeholder zips and vars, in a stable order.
func (w *Workspace) varArgs(vars map[string]string) []string {
	args := []string{"-var", "dist_dir=" + filepath.Join(w.Dist, "functions"),
		"-var", "ffmpeg_layer_zip=" + filepath.Join(w.Dist, "layers", "ffmpeg-layer.zip")}
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "-var", k+"="+vars[k])
	}
	return args
}
