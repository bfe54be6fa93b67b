package cost

import (
	"context"
	"fmt"

	"github.com/jianbao/admin/functions/catalog"
	"github.com/jianbao/admin/shared/tencentapi"
)

// Provisioned concurrency is SCF's only charge while nothing runs (预置并发闲置费用). The
// Terraform modules never configure it, so the only provisioned concurrency in an environment is
// what someone turned on by hand for a demo or a load test; ProvisionedOff removes it, and
// ProvisionedOn sets it on the API functions' published version.

// scfVersion is SCF's API version.
const scfVersion = "2018-04-16"

// ProvisionedOff deletes every provisioned concurrency setting of the namespace's functions and
// returns what it removed ("function:qualifier=n").
func ProvisionedOff(ctx context.Context, api tencentapi.Caller, namespace string) ([]string, error) {
	var removed []string
	for _, fn := range catalog.Functions {
		var out struct {
			Allocated []struct {
				Qualifier                          string
				AllocatedProvisionedConcurrencyNum int
			}
		}
		err := api.Call(ctx, "scf", scfVersion, "GetProvisionedConcurrencyConfig", map[string]any{"FunctionName": fn.Name, "Namespace": namespace}, &out)
		if tencentapi.IsNotFound(err) {
			continue // not deployed in this environment
		}
		if err != nil {
			return removed, err
		}
		for _, a := range out.Allocated {
			params := map[string]any{"FunctionName": fn.Name, "Namespace": namespace, "Qualifier": a.Qualifier}
			if err := api.Call(ctx, "scf", scfVersion, "DeleteProvisionedConcurrencyConfig", params, nil); err != nil {
				return removed, err
			}
			removed = append(removed, fmt.Sprintf("%s:%s=%d", fn.Name, a.Qualifier, a.AllocatedProvisionedConcurrencyNum))
		}
	}
	return removed, nil
}

// ProvisionedOn keeps n instances of every API function's version warm. SCF only provisions a
// published version, never $LATEST.
func ProvisionedOn(ctx context.Context, api tencentapi.Caller, namespace, version string, n int) error {
	if n < 1 || version == "" || version == "$LATEST" {
		return fmt.Errorf("cost: provisioned concurrency needs n ≥ 1 and a published version (got n=%d, version %q)", n, version)
	}
	for _, fn := range catalog.Functions {
		if fn.Kind != catalog.KindAPI {
			continue
		}
		params := map[string]any{"FunctionName": fn.Name, "Namespace": namespace, "Qualifier": version, "VersionProvisionedConcurrencyNum": n}
		if err := api.Call(ctx, "scf", scfVersion, "PutProvisionedConcurrencyConfig", params, nil); err != nil {
			return err
		}
	}
	return nil
}
