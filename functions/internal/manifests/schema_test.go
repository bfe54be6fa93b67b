package manifests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"
)

// The strict JSON schemas (additionalProperties: false) of Kubernetes 1.34 and Argo CD's
// Application CRD, in kubeconform's layout: {kind}-{group}-{version}.json, lower case. Kinds
// without a schema here (ServiceAccount, Secret) are decoded strictly into k8s.io/api types.
const schemaDir = "testdata/schemas"

func schemaFile(apiVersion, kind string) string {
	group, version, found := strings.Cut(apiVersion, "/")
	if !found {
		group, version = "", apiVersion
	}
	name := strings.ToLower(kind)
	if group != "" {
		name += "-" + strings.Split(group, ".")[0]
	}
	return filepath.Join(schemaDir, name+"-"+version+".json")
}

// validate checks one YAML document against its kind's schema; ok is false when there is none.
func validate(c *jsonschema.Compiler, doc []byte) (ok bool, err error) {
	var meta struct{ APIVersion, Kind string }
	if err := yaml.Unmarshal(doc, &meta); err != nil {
		return false, err
	}
	file := schemaFile(meta.APIVersion, meta.Kind)
	if _, err := os.Stat(file); err != nil {
		return false, nil
	}
	sch, err := c.Compile(file)
	if err != nil {
		return true, err
	}
	raw, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return true, err
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
	if err != nil {
		return true, err
	}
	return true, sch.Validate(v)
}

// TestSchemas validates every object of every overlay, and the Argo CD applications, against the
// strict schemas.
func TestSchemas(t *testing.T) {
	c := jsonschema.NewCompiler()
	checked := map[string]int{}
	for _, env := range []string{"dev", "test", "prod"} {
		for _, doc := range build(t, env) {
			ok, err := validate(c, doc)
			var meta struct{ Kind string }
			yaml.Unmarshal(doc, &meta)
			if err != nil {
				t.Errorf("%s: %s: %v", env, meta.Kind, err)
			}
			if ok {
				checked[meta.Kind]++
			}
		}
		raw, err := os.ReadFile(filepath.Join(tke, "argocd", env+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := validate(c, raw); !ok || err != nil {
			t.Errorf("argocd/%s.yaml: schema found %v: %v", env, ok, err)
		}
		checked["Application"]++
	}
	for _, k := range []string{"Deployment", "Service", "Ingress", "ConfigMap", "PodDisruptionBudget", "CronJob", "NetworkPolicy", "Namespace", "HorizontalPodAutoscaler", "Application"} {
		if checked[k] == 0 {
			t.Errorf("no %s was checked against a schema", k)
		}
	}
}

// TestSchemasCatchMistakes: a misspelled field fails the schema, so the check can fail.
func TestSchemasCatchMistakes(t *testing.T) {
	c := jsonschema.NewCompiler()
	for _, doc := range []string{
		"apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  prots: []\n",
		"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: x\nspec:\n  ignoreDiferences: []\n",
	} {
		if ok, err := validate(c, []byte(doc)); !ok || err == nil {
			t.Errorf("accepted: %s (%v %v)", doc, ok, err)
		}
	}
}
