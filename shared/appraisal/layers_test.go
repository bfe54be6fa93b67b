package appraisal_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestLayers keeps the layers the architecture describes (docs/ARCHITECTURE.md), read from what
// the packages import: the domain imports the standard library alone; services import the domain
// and small helpers, never an adapter or the HTTP layer; adapters never import a service or the
// HTTP layer; the HTTP layer reaches data only through services, never an adapter.
func TestLayers(t *testing.T) {
	const mod = "github.com/jianbao/admin/shared/"
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}|{{join .Imports \" \"}}", "../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	imports := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, list, _ := strings.Cut(line, "|")
		imports[strings.TrimPrefix(pkg, mod)] = strings.Fields(list)
	}
	own := func(pkg string) []string {
		var l []string
		for _, i := range imports[pkg] {
			if p, ok := strings.CutPrefix(i, mod); ok {
				l = append(l, p)
			}
		}
		return l
	}
	services := []string{"auth", "orders", "records", "gallery", "stats", "auditlog", "settings", "retention", "media"}
	adapters := []string{"mysql", "redis", "cos", "localstore", "readcache", "memmysql", "memredis", "ssm", "tencentapi"}
	helpers := []string{"appraisal", "password", "token", "pii", "logs"}
	for _, i := range imports["appraisal"] {
		if strings.Contains(strings.Split(i, "/")[0], ".") {
			t.Errorf("the domain imports %s: the standard library only", i)
		}
	}
	for _, s := range services {
		if _, ok := imports[s]; !ok {
			t.Fatalf("no package %s: update the layers here and in docs/ARCHITECTURE.md", s)
		}
		for _, i := range own(s) {
			if !slices.Contains(helpers, i) {
				t.Errorf("service %s imports %s: services use the domain's interfaces, adapters are wired by the app", s, i)
			}
		}
	}
	for _, a := range adapters {
		for _, i := range own(a) {
			if slices.Contains(services, i) || i == "httpapi" {
				t.Errorf("adapter %s imports %s: an adapter implements the domain's interfaces and knows no service", a, i)
			}
		}
	}
	for _, i := range own("httpapi") {
		if slices.Contains(adapters, i) {
			t.Errorf("httpapi imports the adapter %s: handlers reach data through services", i)
		}
	}
}
