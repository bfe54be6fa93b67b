// Command tfprovider is a Terraform provider that knows the real schemas of
// tencentcloudstack/tencentcloud 1.83.25 and hashicorp/random 3.6.3 and nothing else. The registry
// is out of reach on our machines, so tfcheck installs this binary under both providers' names in
// a filesystem mirror; Terraform then runs init, validate and plan -refresh=false on our roots for
// real: module provider requirements, references, types, required arguments and every argument
// name are Terraform's own checks against the real schemas.
//
// It plans each resource as its configuration with every unset computed attribute unknown (what
// an SDKv2 provider does on create), and reads data sources as their configuration with stub
// account values. It never applies. The schemas (schemas/*.json) are the providers'
// `terraform providers schema -json` output with descriptions dropped; refresh them when the
// pinned versions change.
//
// The binary serves the provider its file name names: terraform-provider-random… or
// terraform-provider-tencentcloud….
package main

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tfprotov5/tf5server"
)

//go:embed schemas/*.json
var schemaFiles embed.FS

func main() {
	if err := run(os.Args[0]); err != nil {
		fmt.Fprintln(os.Stderr, "tfprovider:", err)
		os.Exit(1)
	}
}

func run(self string) error {
	name := "tencentcloud"
	if strings.HasPrefix(filepath.Base(self), "terraform-provider-random") {
		name = "random"
	}
	raw, err := schemaFiles.ReadFile("schemas/" + name + ".json")
	if err != nil {
		return err
	}
	p, err := newProvider(raw)
	if err != nil {
		return fmt.Errorf("%s schema: %w", name, err)
	}
	return tf5server.Serve("registry.terraform.io/"+p.address, func() tfprotov5.ProviderServer { return p },
		tf5server.WithoutLogStderrOverride())
}
