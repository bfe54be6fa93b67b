package catalog_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/jianbao/admin/functions/catalog"
)

// The multi-scf component's input format, as its documentation lists it
// (serverless-components/tencent-multi-scf, docs/configure.md: "inputs 配置参数", the Function,
// Src, Environment, Vpc, Layer and trigger tables). Decoded strictly, a key the component does
// not read — environment for environments, as serverless.yml had — fails the test.
type slsFile struct {
	App       string    `json:"app"`
	Stage     string    `json:"stage"`
	Component string    `json:"component"`
	Name      string    `json:"name"`
	Inputs    slsInputs `json:"inputs"`
}

type slsInputs struct {
	Src struct {
		Src     string   `json:"src"`
		Exclude []string `json:"exclude"`
		Bucket  string   `json:"bucket"`
		Object  string   `json:"object"`
	} `json:"src"`
	Region             string                 `json:"region"`
	Runtime            string                 `json:"runtime"`
	Namespace          string                 `json:"namespace"`
	MemorySize         int                    `json:"memorySize"`
	Type               string                 `json:"type"`
	Timeout            int                    `json:"timeout"`
	IsAutoPublish      bool                   `json:"isAutoPublish"`
	PublishDescription string                 `json:"publishDescription"`
	Role               string                 `json:"role"`
	Environments       []slsKeyValue          `json:"environments"`
	Tags               []slsKeyValue          `json:"tags"`
	Functions          map[string]slsFunction `json:"functions"`
	Triggers           []slsTrigger           `json:"triggers"`
}

type slsKeyValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type slsFunction struct {
	Handler      string        `json:"handler"`
	Type         string        `json:"type"`
	Name         string        `json:"name"`
	Src          string        `json:"src"`
	Role         string        `json:"role"`
	Description  string        `json:"description"`
	MemorySize   int           `json:"memorySize"`
	Timeout      int           `json:"timeout"`
	Environments []slsKeyValue `json:"environments"`
	Vpc          *struct {
		VpcID    string `json:"vpcId"`
		SubnetID string `json:"subnetId"`
	} `json:"vpc"`
	Layers []struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"layers"`
	Tags []slsKeyValue `json:"tags"`
}

type slsTrigger struct {
	Type       string         `json:"type"`
	Function   string         `json:"function"`
	Parameters map[string]any `json:"parameters"`
}

// slsTriggerParams are each trigger type's documented parameters, the required ones first. http
// is not in the component's table: its parameters are tencent-component-toolkit 2.26's HTTP
// trigger (qualifier, authType, netConfig).
var slsTriggerParams = map[string]struct{ required, optional []string }{
	"timer": {[]string{"name", "cronExpression"}, []string{"qualifier", "argument", "enable"}},
	"cos":   {[]string{"bucket", "filter", "events"}, []string{"qualifier", "enable"}},
	"http":  {[]string{"authType", "netConfig"}, []string{"qualifier", "corsConfig"}},
}

func TestServerlessYAMLIsTheComponentsFormat(t *testing.T) {
	raw, err := os.ReadFile("../../" + catalog.ServerlessFile)
	if err != nil {
		t.Fatal(err)
	}
	var f slsFile
	if err := yaml.UnmarshalStrict(raw, &f); err != nil {
		t.Fatalf("serverless.yml is not in multi-scf's input format: %v", err)
	}
	if f.Component != "multi-scf" || f.Inputs.Runtime != "Go1" || f.Inputs.Role == "" || !strings.HasPrefix(f.Inputs.Namespace, "jianbao-") {
		t.Errorf("component %q, runtime %q, role %q, namespace %q", f.Component, f.Inputs.Runtime, f.Inputs.Role, f.Inputs.Namespace)
	}
	for _, fn := range catalog.Functions {
		k := strings.ReplaceAll(fn.Name, "-", "_")
		got, ok := f.Inputs.Functions[k]
		if !ok || got.Name != fn.Name || got.MemorySize != fn.MemoryMB || got.Timeout != fn.TimeoutSec || got.Vpc == nil {
			t.Errorf("%s: %+v", fn.Name, got)
			continue
		}
		// What the function needs reaches it: every plain variable, and the secret's name when it
		// reads secrets.
		var keys []string
		for _, e := range got.Environments {
			keys = append(keys, e.Key)
		}
		needs, secrets := catalog.Split(fn.Needs)
		for _, n := range needs {
			if !slices.Contains(keys, n) {
				t.Errorf("%s gets no %s", fn.Name, n)
			}
		}
		if len(secrets) > 0 && !slices.Contains(keys, "SSM_SECRET_NAME") {
			t.Errorf("%s needs secrets and gets no SSM_SECRET_NAME", fn.Name)
		}
	}
	for _, tr := range f.Inputs.Triggers {
		spec, ok := slsTriggerParams[tr.Type]
		if _, fnOK := f.Inputs.Functions[tr.Function]; !ok || !fnOK {
			t.Errorf("trigger %s of %q: unknown type or function", tr.Type, tr.Function)
			continue
		}
		for _, p := range spec.required {
			if _, set := tr.Parameters[p]; !set {
				t.Errorf("%s trigger of %s: no %s", tr.Type, tr.Function, p)
			}
		}
		for p := range tr.Parameters {
			if !slices.Contains(spec.required, p) && !slices.Contains(spec.optional, p) {
				t.Errorf("%s trigger of %s: %s is not a parameter of the type", tr.Type, tr.Function, p)
			}
		}
		if tr.Type == "http" && tr.Parameters["qualifier"] != "$DEFAULT" {
			t.Errorf("http trigger of %s on %v: a fresh stage has no alias but $DEFAULT", tr.Function, tr.Parameters["qualifier"])
		}
	}
}
