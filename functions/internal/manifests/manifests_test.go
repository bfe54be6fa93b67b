package manifests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"

	"github.com/jianbao/admin/shared/testenv"
)

const tke = "../../../tke"

// build runs kustomize (built into kubectl) on an overlay.
func build(t *testing.T, env string) [][]byte {
	t.Helper()
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		if testenv.CI() {
			t.Fatal("kubectl is required in CI")
		}
		t.Skip("kubectl not installed")
	}
	out, err := exec.Command(kubectl, "kustomize", filepath.Join(tke, "overlays", env)).CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl kustomize %s: %v\n%s", env, err, out)
	}
	var docs [][]byte
	for _, d := range bytes.Split(out, []byte("\n---\n")) {
		if len(bytes.TrimSpace(d)) > 0 {
			docs = append(docs, d)
		}
	}
	return docs
}

// strict decodes a YAML document into v, failing on any field v does not have.
func strict(doc []byte, v any) error {
	j, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// podSpecs decodes every object and returns the pod templates to check.
func podSpecs(t *testing.T, env string, docs [][]byte) map[string]*corev1.PodSpec {
	t.Helper()
	pods := map[string]*corev1.PodSpec{}
	kinds := map[string]int{}
	for _, doc := range docs {
		var meta struct{ Kind, APIVersion string }
		if err := yaml.Unmarshal(doc, &meta); err != nil {
			t.Fatal(err)
		}
		kinds[meta.Kind]++
		var obj any
		switch meta.Kind {
		case "Deployment":
			d := &appsv1.Deployment{}
			obj = d
			defer func() { pods["Deployment/"+d.Name] = &d.Spec.Template.Spec }()
		case "CronJob":
			c := &batchv1.CronJob{}
			obj = c
			defer func() { pods["CronJob/"+c.Name] = &c.Spec.JobTemplate.Spec.Template.Spec }()
		case "Service":
			obj = &corev1.Service{}
		case "ConfigMap":
			obj = &corev1.ConfigMap{}
		case "Namespace":
			obj = &corev1.Namespace{}
		case "Ingress":
			obj = &networkingv1.Ingress{}
		case "NetworkPolicy":
			obj = &networkingv1.NetworkPolicy{}
		case "PodDisruptionBudget":
			obj = &policyv1.PodDisruptionBudget{}
		case "HorizontalPodAutoscaler":
			obj = &autoscalingv2.HorizontalPodAutoscaler{}
		case "LogConfig":
			// TKE's log collector CRD (no public schema): the fields we rely on, strictly.
			var lc struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
				Metadata   struct {
					Name      string `json:"name"`
					Namespace string `json:"namespace"`
					Labels    map[string]string
				} `json:"metadata"`
				Spec struct {
					ClsDetail   struct{ TopicID, LogType string } `json:"clsDetail"`
					InputDetail struct {
						Type            string `json:"type"`
						ContainerStdout struct {
							Namespace     string `json:"namespace"`
							AllContainers bool   `json:"allContainers"`
						} `json:"containerStdout"`
					} `json:"inputDetail"`
				} `json:"spec"`
			}
			if err := strict(doc, &lc); err != nil || lc.Spec.ClsDetail.LogType != "json_log" ||
				lc.Spec.InputDetail.ContainerStdout.Namespace != lc.Metadata.Namespace {
				t.Errorf("%s: LogConfig must ship this namespace's stdout as JSON: %v %+v", env, err, lc.Spec)
			}
			continue
		case "ServiceAccount":
			obj = &corev1.ServiceAccount{}
		case "Secret":
			// Only the ingress's certificate reference, an id in Tencent Cloud's SSL service
			// (tls.yaml): anything else would be a plaintext secret in git.
			sec := &corev1.Secret{}
			if err := strict(doc, sec); err != nil || len(sec.Data)+len(sec.StringData) != 1 || sec.StringData["qcloud_cert_id"] == "" {
				t.Errorf("%s: Secret %s holds more than a certificate id (%v)", env, sec.Name, err)
			}
			continue
		default:
			t.Errorf("%s: no strict check for kind %s", env, meta.Kind)
			continue
		}
		if err := strict(doc, obj); err != nil {
			t.Errorf("%s: %s does not decode strictly: %v", env, meta.Kind, err)
		}
	}
	for _, k := range []string{"Deployment", "Service", "Ingress", "ConfigMap", "PodDisruptionBudget", "CronJob", "NetworkPolicy", "ServiceAccount", "Secret", "LogConfig"} {
		if kinds[k] == 0 {
			t.Errorf("%s: no %s", env, k)
		}
	}
	return pods
}

var pinned = regexp.MustCompile(`(:[0-9a-f]{12}|@sha256:[0-9a-f]{64})$`)

func TestOverlays(t *testing.T) {
	for _, env := range []string{"dev", "test", "prod"} {
		t.Run(env, func(t *testing.T) {
			docs := build(t, env)
			var pods map[string]*corev1.PodSpec
			func() { pods = podSpecs(t, env, docs) }()
			if len(pods) < 3 {
				t.Fatalf("only %d pod templates", len(pods))
			}
			for name, p := range pods {
				podNonRoot := p.SecurityContext != nil && p.SecurityContext.RunAsNonRoot != nil && *p.SecurityContext.RunAsNonRoot
				for _, c := range p.Containers {
					where := fmt.Sprintf("%s/%s", name, c.Name)
					if strings.HasSuffix(c.Image, ":latest") || !pinned.MatchString(c.Image) {
						t.Errorf("%s: image %q is not pinned to a commit tag or digest", where, c.Image)
					}
					for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
						if _, ok := c.Resources.Requests[r]; !ok {
							t.Errorf("%s: no %s request", where, r)
						}
						if _, ok := c.Resources.Limits[r]; !ok {
							t.Errorf("%s: no %s limit", where, r)
						}
					}
					if c.ReadinessProbe == nil || c.LivenessProbe == nil || c.StartupProbe == nil {
						t.Errorf("%s: missing a readiness, liveness or startup probe", where)
					}
					sc := c.SecurityContext
					nonRoot := podNonRoot || sc != nil && sc.RunAsNonRoot != nil && *sc.RunAsNonRoot
					if !nonRoot {
						t.Errorf("%s: may run as root", where)
					}
					if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
						t.Errorf("%s: root filesystem is writable", where)
					}
				}
			}
		})
	}
}

// TestArgoApplications: auto-sync with prune and self-heal for dev and test, manual for prod.
func TestArgoApplications(t *testing.T) {
	for _, env := range []string{"dev", "test", "prod"} {
		b, err := os.ReadFile(filepath.Join(tke, "argocd", env+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var app struct {
			Kind string
			Spec struct {
				Source struct {
					Path           string
					TargetRevision string `json:"targetRevision"`
				}
				SyncPolicy struct {
					Automated   *struct{ Prune, SelfHeal bool }
					SyncOptions []string `json:"syncOptions"`
				} `json:"syncPolicy"`
				IgnoreDifferences []struct {
					Group, Kind  string
					Name         string
					JSONPointers []string `json:"jsonPointers"`
				} `json:"ignoreDifferences"`
			}
		}
		if err := yaml.Unmarshal(b, &app); err != nil || app.Kind != "Application" {
			t.Fatalf("%s: %v", env, err)
		}
		if app.Spec.Source.Path != "tke/overlays/"+env {
			t.Errorf("%s points at %s", env, app.Spec.Source.Path)
		}
		// develop → dev and test, main → prod (release.yml bumps the overlays on those branches).
		if want := map[string]string{"dev": "develop", "test": "develop", "prod": "main"}[env]; app.Spec.Source.TargetRevision != want {
			t.Errorf("%s tracks %s, want %s", env, app.Spec.Source.TargetRevision, want)
		}
		auto := app.Spec.SyncPolicy.Automated
		if env == "prod" && auto != nil {
			t.Error("prod must sync by hand")
		}
		if env != "prod" && (auto == nil || !auto.Prune || !auto.SelfHeal) {
			t.Errorf("%s must auto-sync with prune and self-heal", env)
		}
		// scripts/cost-control scales dev and test to zero; self-heal must leave replicas alone.
		ignoresReplicas := false
		for _, d := range app.Spec.IgnoreDifferences {
			ignoresReplicas = ignoresReplicas || (d.Kind == "Deployment" && d.Group == "apps" && slices.Contains(d.JSONPointers, "/spec/replicas"))
		}
		respects := slices.Contains(app.Spec.SyncPolicy.SyncOptions, "RespectIgnoreDifferences=true")
		if env != "prod" && (!ignoresReplicas || !respects) {
			t.Errorf("%s: self-heal would undo cost-control's scale-down (ignoreDifferences %v, syncOptions %v)", env, app.Spec.IgnoreDifferences, app.Spec.SyncPolicy.SyncOptions)
		}
		// In prod the HPA owns the api Deployment's replicas, and only those: Argo CD must not
		// report them OutOfSync nor reset them, while every other Deployment stays git's.
		if env == "prod" {
			var hpaOnly bool
			for _, d := range app.Spec.IgnoreDifferences {
				hpaOnly = d.Kind == "Deployment" && d.Name == "api" && slices.Equal(d.JSONPointers, []string{"/spec/replicas"})
			}
			if !hpaOnly || !respects || len(app.Spec.IgnoreDifferences) != 1 {
				t.Errorf("prod: the HPA's replicas must be ignored for the api Deployment only: %+v %v", app.Spec.IgnoreDifferences, app.Spec.SyncPolicy.SyncOptions)
			}
		}
	}
}

// TestDockerfile checks what can be checked without a Docker engine.
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(tke, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{"FROM golang:1.26", "AS api", "AS worker", "USER 65532", "-tags noembed", "CGO_ENABLED=0", "ffmpeg"} {
		if !strings.Contains(s, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	if strings.Contains(s, "\nHEALTHCHECK") || strings.Contains(s, ":latest") {
		t.Error("Dockerfile has a HEALTHCHECK or a latest tag")
	}
}

// tool finds a checker from Debian's prometheus packages (scripts/test.sh installs them).
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if testenv.CI() {
			t.Fatalf("%s is required in CI (scripts/test.sh installs prometheus and prometheus-alertmanager)", name)
		}
		t.Skip(name + " not installed")
	}
	return p
}

func TestPrometheusRules(t *testing.T) {
	promtool := tool(t, "promtool")
	dir := filepath.Join(tke, "monitoring")
	for _, args := range [][]string{{"check", "rules", "rules.yml"}, {"test", "rules", "rules_test.yml"}} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %v: %v\n%s", args, err, out)
		}
	}
}

func TestAlertmanagerConfig(t *testing.T) {
	amtool := tool(t, "amtool")
	if out, err := exec.Command(amtool, "check-config", filepath.Join(tke, "monitoring", "alertmanager.yml")).CombinedOutput(); err != nil {
		t.Errorf("amtool check-config: %v\n%s", err, out)
	}
}

// TestAlertmanagerRoutes: production pages the on-call group, critical or not; dev and test
// reach no one (their alerts stay in Alertmanager's page).
func TestAlertmanagerRoutes(t *testing.T) {
	amtool := tool(t, "amtool")
	for _, tc := range []struct {
		labels []string
		want   string
	}{
		{[]string{"namespace=jianbao-system", "severity=critical", "alertname=ApiErrorBudgetFastBurn"}, "oncall"},
		{[]string{"namespace=jianbao-system", "severity=warning", "alertname=ApiLatencyHigh"}, "oncall"},
		{[]string{"namespace=jianbao-dev", "severity=critical", "alertname=ApiErrorBudgetFastBurn"}, "quiet"},
		{[]string{"namespace=jianbao-test", "severity=warning", "alertname=MediaFailureRatioHigh"}, "quiet"},
		{[]string{"severity=critical", "alertname=Unlabelled"}, "quiet"},
	} {
		args := append([]string{"config", "routes", "test", "--config.file=" + filepath.Join(tke, "monitoring", "alertmanager.yml")}, tc.labels...)
		out, err := exec.Command(amtool, args...).Output() // stdout: the receiver; warnings go to stderr
		if got := strings.TrimSpace(string(out)); err != nil || got != tc.want {
			t.Errorf("%v → %q (%v), want %s", tc.labels, got, err, tc.want)
		}
	}
}

// TestGrafanaDashboard: the dashboard parses and every panel queries a metric we export (or a
// recording rule or a cluster metric).
func TestGrafanaDashboard(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(tke, "monitoring", "grafana", "jianbao.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		UID    string
		Panels []struct {
			Type    string
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(b, &d); err != nil || d.UID == "" {
		t.Fatalf("dashboard: %v", err)
	}
	known := regexp.MustCompile(`\b(jianbao_[a-z0-9_]+|namespace:jianbao_[a-z0-9_:]+|go_sql_[a-z_]+|process_[a-z_]+)\b`)
	panels := 0
	for _, p := range d.Panels {
		if p.Type == "row" {
			continue
		}
		panels++
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			if !known.MatchString(tg.Expr) {
				t.Errorf("panel %q queries nothing we know: %s", p.Title, tg.Expr)
			}
		}
	}
	if panels < 10 {
		t.Errorf("only %d panels", panels)
	}
}

// TestWorkflows runs actionlint on .github/workflows (fetched from the module proxy at a pinned
// version) and checks that every workflow starts from least privilege.
func TestWorkflows(t *testing.T) {
	if testing.Short() {
		t.Skip("runs actionlint")
	}
	files, _ := filepath.Glob("../../../.github/workflows/*.yml")
	if len(files) < 3 {
		t.Fatalf("workflows: %v", files)
	}
	args := append([]string{"run", "github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"}, files...)
	if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		t.Fatalf("actionlint: %v\n%s", err, out)
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		var wf struct {
			Permissions map[string]string
		}
		if err := yaml.Unmarshal(b, &wf); err != nil || wf.Permissions["contents"] != "read" || len(wf.Permissions) != 1 {
			t.Errorf("%s must start with permissions: {contents: read}: %v %v", f, wf.Permissions, err)
		}
		if regexp.MustCompile(`uses: [^@\s]+@(main|master|v\d+)\s`).Match(b) {
			t.Errorf("%s uses an action by a moving tag", f)
		}
		// develop and main are protected: a bot proposes a change on a branch of its own.
		if regexp.MustCompile(`git push\s*(\n|$)|git push [^\n]*\b(develop|main)\b`).Match(b) {
			t.Errorf("%s pushes to the branch it runs on", f)
		}
	}
	// The deploy runs on every change to what it deploys with.
	b, _ := os.ReadFile("../../../.github/workflows/deploy-scf.yml")
	// YAML 1.1 reads the key on as true, and so does sigs.k8s.io/yaml.
	var deploy map[string]json.RawMessage
	var on map[string]struct{ Paths []string }
	if err := yaml.Unmarshal(b, &deploy); err != nil || json.Unmarshal(deploy["true"], &on) != nil {
		t.Fatalf("deploy-scf.yml: %v", err)
	}
	for _, event := range []string{"pull_request", "push"} {
		for _, p := range []string{"terraform/**", "functions/**", "shared/**", "scripts/**", "console/**"} {
			if !slices.Contains(on[event].Paths, p) {
				t.Errorf("deploy-scf.yml ignores %s on %s", p, event)
			}
		}
	}
}

// perEnvironment are the jianbao-config keys whose value is each environment's own.
var perEnvironment = []string{"APP_ENV", "PUBLIC_BASE_URL", "CORS_ALLOWED_ORIGINS", "COS_BUCKET_URL", "COS_SECRET_ID",
	"REDIS_ADDR", "SSM_SECRET_NAME", "TKE_PROVIDER_ID", "TKE_ROLE_ARN"}

// TestEveryOverlaySetsItsOwn: no overlay leaves a base value meant to be replaced (the pods of
// such an environment could not read their secret), no two environments share one of their own,
// and each ingress publishes every public path of the shim.
func TestEveryOverlaySetsItsOwn(t *testing.T) {
	seen := map[string]map[string]string{} // key → value → environment
	for _, env := range []string{"dev", "test", "prod"} {
		docs := build(t, env)
		var cm *corev1.ConfigMap
		var ing *networkingv1.Ingress
		for _, doc := range docs {
			if bytes.Contains(doc, []byte("SET-IN-OVERLAY")) {
				t.Errorf("%s: a base value is left for the overlay to set:\n%s", env, doc)
			}
			var meta struct{ Kind string }
			yaml.Unmarshal(doc, &meta)
			switch meta.Kind {
			case "ConfigMap":
				cm = &corev1.ConfigMap{}
				yaml.Unmarshal(doc, cm)
			case "Ingress":
				ing = &networkingv1.Ingress{}
				yaml.Unmarshal(doc, ing)
			}
		}
		if cm == nil || ing == nil {
			t.Fatalf("%s: no ConfigMap or Ingress", env)
		}
		for _, k := range perEnvironment {
			v := cm.Data[k]
			if seen[k] == nil {
				seen[k] = map[string]string{}
			}
			if other, dup := seen[k][v]; dup || v == "" {
				t.Errorf("%s and %s share %s=%q", env, other, k, v)
			}
			seen[k][v] = env
		}
		if cm.Data["APP_ENV"] != env {
			t.Errorf("%s runs with APP_ENV=%s", env, cm.Data["APP_ENV"])
		}
		paths := map[string]networkingv1.PathType{}
		for _, r := range ing.Spec.Rules {
			for _, p := range r.HTTP.Paths {
				paths[p.Path] = *p.PathType
			}
		}
		for p, typ := range map[string]networkingv1.PathType{"/api/": networkingv1.PathTypePrefix, "/c/": networkingv1.PathTypePrefix,
			"/console/": networkingv1.PathTypePrefix, "/health": networkingv1.PathTypeExact} {
			if paths[p] != typ {
				t.Errorf("%s: the ingress does not publish %s (%s): %v", env, p, typ, paths)
			}
		}
	}
}
