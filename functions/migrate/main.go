// Command migrate is the SCF event function that applies the schema migrations and creates the
// first admin. scripts/migrate and the deploy script invoke it after each release; running it
// twice, or twice at once, is safe.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/jianbao/admin/functions/internal/app"
	"github.com/jianbao/admin/shared/logs"
	"github.com/jianbao/admin/shared/scf"
)

// Result is what an invoke returns.
type Result struct {
	Applied []string `json:"applied"`
}

func handle(ctx context.Context, _ struct{}) (Result, error) {
	cfg, err := app.LoadConfig(ctx, os.Getenv)
	if err != nil {
		return Result{}, err
	}
	a, err := app.Open(ctx, cfg, logs.New(os.Stdout, cfg.LogLevel), app.Options{})
	if err != nil {
		return Result{}, err
	}
	defer a.Close()
	applied, _, err := a.Migrate(ctx, false)
	if applied == nil {
		applied = []string{}
	}
	return Result{Applied: applied}, err
}

func main() {
	if err := scf.Start(handle); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
