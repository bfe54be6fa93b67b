package catalog

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/jianbao/admin/shared/config"
	"github.com/jianbao/admin/shared/httpapi"
)

// Routes lists the method and path of every operation of an API function's groups, from the same
// OpenAPI document the function serves: the API under /api/ and the certificate page under /c/.
func Routes(f Function) []string {
	if len(f.Groups) == 0 {
		return nil
	}
	var out []string
	for path, item := range httpapi.OpenAPI(httpapi.Deps{}, f.Groups...).Paths {
		if !strings.HasPrefix(path, "/api/") && !strings.HasPrefix(path, "/c/") {
			continue // the health endpoints every function serves
		}
		for method, op := range map[string]any{"GET": item.Get, "POST": item.Post, "PUT": item.Put, "PATCH": item.Patch, "DELETE": item.Delete} {
			if op != nil && !isNil(op) {
				out = append(out, method+" "+path)
			}
		}
	}
	sort.Strings(out)
	return out
}

func isNil(v any) bool { return fmt.Sprint(v) == "<nil>" }

// SSMVariables are what a function that reads secrets is given instead of them: the secret's name
// and version (config.LoadSecretSource).
var SSMVariables = []string{"SSM_SECRET_NAME", "SSM_SECRET_VERSION"}

// Split divides variable names into the plain ones and the secrets (config.Secrets).
func Split(names []string) (plain, secrets []string) {
	for _, n := range names {
		if slices.Contains(config.Secrets, n) {
			secrets = append(secrets, n)
		} else {
			plain = append(plain, n)
		}
	}
	return nonNil(plain), nonNil(secrets)
}

// TerraformJSON renders the catalog as a Terraform JSON file (terraform/modules/functions/
// catalog.tf.json): one local, functions, keyed by name, which the module's resources iterate.
func TerraformJSON() ([]byte, error) {
	type fn struct {
		Kind          string            `json:"kind"`
		Description   string            `json:"description"`
		Handler       string            `json:"handler"`
		MemoryMB      int               `json:"memory_mb"`
		TimeoutSec    int               `json:"timeout_sec"`
		Needs         []string          `json:"needs"`
		Env           []string          `json:"env"`
		SecretsNeeded []string          `json:"secrets_needed"`
		Secrets       []string          `json:"secrets"`
		Layers        []string          `json:"layers"`
		Routes        []string          `json:"routes"`
		Prefixes      []string          `json:"path_prefixes"`
		COS           *COSTrigger       `json:"cos"`
		Timers        map[string]string `json:"timers"`
		Concurrency   int               `json:"reserved_concurrency"`
	}
	fns := map[string]fn{}
	for _, f := range Functions {
		timers := map[string]string{}
		for _, t := range f.Timers {
			timers[t.Name] = t.Cron
		}
		needs, secretsNeeded := Split(f.Needs)
		env, secrets := Split(f.Env)
		fns[f.Name] = fn{Kind: string(f.Kind), Description: f.Description, Handler: Handler, MemoryMB: f.MemoryMB,
			TimeoutSec: f.TimeoutSec, Needs: needs, Env: env, SecretsNeeded: secretsNeeded, Secrets: secrets,
			Layers: nonNil(f.Layers), Routes: nonNil(Routes(f)), Prefixes: nonNil(Prefixes(f)), COS: f.COS, Timers: timers,
			Concurrency: f.Concurrency}
	}
	doc := map[string]any{
		"//":     "Generated from functions/catalog by `go run ./functions/catalog/gen`. Do not edit.",
		"locals": map[string]any{"functions": fns},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	return append(b, '\n'), err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Prefixes are the first-level resources an API function owns (/api/v1/customers …): the gateway
// sends each prefix, and everything under it, to the function.
func Prefixes(f Function) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range f.Paths {
		seen[p] = true
		out = append(out, p)
	}
	for _, r := range Routes(f) {
		_, path, _ := strings.Cut(r, " ")
		if strings.HasPrefix(path, "/c/") {
			// The certificate page, where QR codes lead: a short path of its own.
			if !seen["/c"] {
				seen["/c"] = true
				out = append(out, "/c")
			}
			continue
		}
		parts := strings.SplitN(path, "/", 5) // "", "api", "v1", resource, rest
		if len(parts) < 4 {
			continue
		}
		p := strings.Join(parts[:4], "/")
		if parts[3] == "public" && len(parts) == 5 {
			p += "/" + strings.SplitN(parts[4], "/", 2)[0]
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// ServerlessYAML renders serverless.yml for serverless-cloud-framework's multi-scf component: the
// same functions, names, namespace and triggers as Terraform, for an environment that Terraform
// does not manage — one or the other per environment, never both (they would fight over the
// functions and the COS trigger rules). Values come from the deployer's environment; secrets stay
// in the SSM secret that SSM_SECRET_NAME names. The input format is the component's
// (serverless-components/tencent-multi-scf, docs/configure.md and src/formatter.ts):
// variables are a list under environments — plural: the component builds the toolkit's
// environment from it and overwrites any environment given — and the run role, which reads the
// secret and the buckets, is role.
func ServerlessYAML() []byte {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# Generated from functions/catalog by `go run ./functions/catalog/gen`. Do not edit.\n")
	w("# serverless-cloud-framework (`scf deploy`, component multi-scf) for an environment that Terraform\n")
	w("# does NOT manage: the same function names and namespace as terraform/, so never use both on one\n")
	w("# environment. Before the first deploy the namespace jianbao-<stage> and the run role must exist,\n")
	w("# and the http trigger type needs multi-scf built on tencent-component-toolkit >= 2.26.\n")
	w("# HTTP runs the default traffic ($DEFAULT): the alias live and releasectl are Terraform's.\n")
	w("# Reserved concurrency is set once per function (docs/deploy.md, serverless.yml).\n")
	w("app: jianbao\nstage: ${env:STAGE}\ncomponent: multi-scf\nname: jianbao-backend\n\n")
	w("inputs:\n  src:\n    src: ./dist/functions/bundle\n  region: ${env:TENCENT_REGION}\n  runtime: Go1\n  namespace: jianbao-${env:STAGE}\n")
	w("  role: ${env:SCF_ROLE}\n")
	w("  functions:\n")
	for _, f := range Functions {
		w("    %s:\n      name: %s\n      handler: %s\n      memorySize: %d\n      timeout: %d\n", key(f.Name), f.Name, f.Name, f.MemoryMB, f.TimeoutSec)
		w("      vpc:\n        vpcId: ${env:VPC_ID}\n        subnetId: ${env:SUBNET_ID}\n")
		w("      environments:\n")
		needs, secretsNeeded := Split(f.Needs)
		env, secrets := Split(f.Env)
		for _, e := range append(needs, env...) {
			if e == "MYSQL_MAX_OPEN_CONNS" {
				w("        - key: %s\n          value: '%d'\n", e, SCFPool) // the connection budget's, not the deployer's
				continue
			}
			w("        - key: %s\n          value: ${env:%s}\n", e, e)
		}
		if len(secretsNeeded)+len(secrets) > 0 {
			for _, e := range SSMVariables {
				w("        - key: %s\n          value: ${env:%s}\n", e, e)
			}
		}
		if len(f.Layers) > 0 {
			w("        - key: FFMPEG_PATH\n          value: /opt/bin/ffmpeg\n        - key: FFPROBE_PATH\n          value: /opt/bin/ffprobe\n")
			w("      layers:\n")
			for _, l := range f.Layers {
				w("        - name: jianbao-${env:STAGE}-%s\n          version: ${env:FFMPEG_LAYER_VERSION}\n", l)
			}
		}
	}
	w("  triggers:\n")
	for _, f := range Functions {
		switch f.Kind {
		case KindAPI:
			w("    - type: http\n      function: %s\n      parameters:\n        qualifier: $DEFAULT\n        netConfig:\n          enableIntranet: false\n          enableExtranet: true\n        authType: NONE\n", key(f.Name))
		case KindCOS:
			for _, suf := range f.COS.Suffixes {
				w("    - type: cos\n      function: %s\n      parameters:\n        bucket: ${env:MEDIA_BUCKET}.cos.${env:TENCENT_REGION}.myqcloud.com\n", key(f.Name))
				w("        events: '%s'\n        filter:\n          prefix: %s\n          suffix: '%s'\n        enable: true\n", f.COS.Event, f.COS.Prefix, suf)
			}
		case KindTimer:
			for _, t := range f.Timers {
				w("    - type: timer\n      function: %s\n      parameters:\n        name: %s\n        cronExpression: '%s'\n        argument: %s\n        enable: true\n", key(f.Name), t.Name, t.Cron, t.Argument)
			}
		}
	}
	return []byte(b.String())
}

// key is a function's key in serverless.yml (letters, digits and underscores).
func key(name string) string { return strings.ReplaceAll(name, "-", "_") }

// The generated files, relative to the repository root.
const (
	TerraformFile  = "terraform/modules/functions/catalog.tf.json"
	ServerlessFile = "serverless.yml"
)
