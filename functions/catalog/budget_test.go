package catalog_test

import (
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/jianbao/admin/functions/catalog"
)

// TestConnectionBudget: every holder of MySQL connections at its largest fits below
// max_connections, every function has a reserved concurrency (without one nothing caps it), and
// the budget's numbers are the ones terraform/, tke/ and docs/deploy.md carry.
func TestConnectionBudget(t *testing.T) {
	rows, total := catalog.ConnectionBudget()
	if total > catalog.MaxConnections {
		t.Errorf("the connection budget is %d, over max_connections %d:\n%s", total, catalog.MaxConnections, catalog.BudgetMarkdown())
	}
	sum := 0
	for _, r := range rows {
		sum += r.Connections
	}
	if sum != total || len(rows) != len(catalog.Functions)+2 {
		t.Errorf("rows %d summing to %d, total %d", len(rows), sum, total)
	}
	for _, f := range catalog.Functions {
		if f.Concurrency < 1 {
			t.Errorf("%s has no reserved concurrency: a burst of it can take every connection", f.Name)
		}
	}

	read := func(path string) string {
		b, err := os.ReadFile("../../" + path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	number := func(path, pattern string) int {
		m := regexp.MustCompile(pattern).FindStringSubmatch(read(path))
		if m == nil {
			t.Fatalf("%s: no match for %s", path, pattern)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"max_connections in terraform/modules/mysql", number("terraform/modules/mysql/main.tf", `max_connections\s*=\s*"(\d+)"`), catalog.MaxConnections},
		{"wait_timeout in terraform/modules/mysql", number("terraform/modules/mysql/main.tf", `wait_timeout\s*=\s*"(\d+)"`), catalog.WaitTimeout},
		{"MYSQL_MAX_OPEN_CONNS of the functions (terraform/modules/stack)", number("terraform/modules/stack/main.tf", `MYSQL_MAX_OPEN_CONNS\s*=\s*"(\d+)"`), catalog.SCFPool},
		{"MYSQL_MAX_OPEN_CONNS of the pods (tke/base/config.yaml)", number("tke/base/config.yaml", `MYSQL_MAX_OPEN_CONNS:\s*"(\d+)"`), catalog.TKEPool},
		{"api maxReplicas + worker replicas + one retention job (tke/)", number("tke/overlays/prod/hpa.yaml", `maxReplicas:\s*(\d+)`) +
			number("tke/base/worker.yaml", `replicas:\s*(\d+)`) + 1, catalog.TKEPods},
	} {
		if c.got != c.want {
			t.Errorf("%s is %d, the budget counts %d", c.what, c.got, c.want)
		}
	}
	doc := read(catalog.BudgetFile)
	if want, err := catalog.WithBudget(doc); err != nil || want != doc {
		t.Errorf("%s does not carry the current budget (run go run ./functions/catalog/gen): %v", catalog.BudgetFile, err)
	}
}
