// Command gen writes the files that follow the function catalog: the Terraform input
// (terraform/modules/functions/catalog.tf.json), serverless.yml and the connection budget's
// table in docs/deploy.md. Run it from the repository
// root after changing functions/catalog; a test fails while the committed files differ.
//
//	go run ./functions/catalog/gen          # write the files
//	go run ./functions/catalog/gen -list    # print the function names, one a line
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/jianbao/admin/functions/catalog"
)

func main() {
	list := flag.Bool("list", false, "print the function names and exit")
	root := flag.String("root", ".", "the repository root")
	flag.Parse()
	if *list {
		for _, f := range catalog.Functions {
			fmt.Println(f.Name)
		}
		return
	}
	if err := run(*root); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(root string) error {
	tf, err := catalog.TerraformJSON()
	if err != nil {
		return err
	}
	doc, err := os.ReadFile(filepath.Join(root, catalog.BudgetFile))
	if err != nil {
		return err
	}
	budget, err := catalog.WithBudget(string(doc))
	if err != nil {
		return err
	}
	for path, data := range map[string][]byte{
		filepath.Join(root, catalog.TerraformFile):  tf,
		filepath.Join(root, catalog.ServerlessFile): catalog.ServerlessYAML(),
		filepath.Join(root, catalog.BudgetFile):     []byte(budget),
	} {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
		fmt.Println("wrote", path)
	}
	return nil
}
