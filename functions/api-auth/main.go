// Command api-auth is the SCF event function for the auth API group (/api/v1/auth/…), behind
// API Gateway or a Function URL.
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"github.com/jianbao/admin/functions/internal/app"
	"github.com/jianbao/admin/shared/config"
	"github.com/jianbao/admin/shared/httpapi"
	"github.com/jianbao/admin/shared/logs"
	"github.com/jianbao/admin/shared/scf"
)

func main() {
	// The configuration arrives with the first invoke (Go1 applies Environment per call), so the
	// handler is built then, not here.
	build := func(ctx context.Context) (http.Handler, error) {
		cfg, err := config.Load(os.Getenv)
		if err != nil {
			return nil, err
		}
		a, err := app.Open(ctx, cfg, logs.New(os.Stdout, cfg.LogLevel))
		if err != nil {
			return nil, err
		}
		return a.Handler(httpapi.GroupAuth), nil
	}
	if err := scf.StartHTTP(build, scf.HTTPOptions{BasePath: os.Getenv("API_BASE_PATH")}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
