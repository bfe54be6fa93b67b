// Command cron-retention is the daily timer function that enforces retention: audit rows older
// than AUDIT_RETENTION and idempotency keys older than a day are deleted, and the objects of
// deleted media are removed. Running it twice is harmless.
package main

import (
	"context"

	"fmt"
	"os"
	"time"

	"github.com/jianbao/admin/functions/internal/app"
	"github.com/jianbao/admin/shared/logs"
	"github.com/jianbao/admin/shared/retention"
	"github.com/jianbao/admin/shared/scf"
)

func handle(ctx context.Context, ev scf.TimerEvent) (retention.Result, error) {
	cfg, err := app.LoadConfig(ctx, os.Getenv)
	if err != nil {
		return retention.Result{}, err
	}
	a, err := app.Open(ctx, cfg, logs.New(os.Stdout, cfg.LogLevel), app.Options{})
	if err != nil {
		return retention.Result{}, err
	}
	defer a.Close()
	return a.Retention().Run(ctx, time.Now())
}

func main() {
	if err := scf.Start(handle); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
