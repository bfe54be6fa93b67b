package app

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"github.com/jianbao/admin/shared/config"
	"github.com/jianbao/admin/shared/httpapi"
	"github.com/jianbao/admin/shared/logs"
	"github.com/jianbao/admin/shared/scf"
)

// MainAPI is the whole main of an API-group function: it serves the group's routes from HTTP
// events under the SCF Go1 runtime. The configuration arrives with the first invoke (Go1 applies
// the Environment per call), so the handler is built then, and kept for the warm instance.
func MainAPI(groups ...httpapi.Group) {
	build := func(ctx context.Context) (http.Handler, error) {
		cfg, err := config.Load(os.Getenv)
		if err != nil {
			return nil, err
		}
		a, err := Open(ctx, cfg, logs.New(os.Stdout, cfg.LogLevel))
		if err != nil {
			return nil, err
		}
		return a.Handler(groups...), nil
	}
	if err := scf.StartHTTP(build, scf.HTTPOptions{BasePath: os.Getenv("API_BASE_PATH")}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
