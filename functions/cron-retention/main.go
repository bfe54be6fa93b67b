// Command cron-retention is the timer function of the housekeeping jobs. Its daily trigger
// enforces retention: audit rows older than AUDIT_RETENTION and idempotency keys older than a day
// are deleted, and the objects of deleted media and rejected originals are removed. Its
// every-minute trigger ("sweep") re-queues the media processing owes (media.Sweeper): uploads
// whose event was lost, jobs whose worker died. Running either twice is harmless.
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

// result is the answer of either job.
type result struct {
	Retention *retention.Result `json:"retention,omitempty"`
	Swept     *int              `json:"media_requeued,omitempty"`
}

func handle(ctx context.Context, ev scf.TimerEvent) (result, error) {
	cfg, err := app.LoadConfig(ctx, os.Getenv)
	if err != nil {
		return result{}, err
	}
	a, err := app.Open(ctx, cfg, logs.New(os.Stdout, cfg.LogLevel), app.Options{})
	if err != nil {
		return result{}, err
	}
	defer a.Close()
	if ev.Message == "sweep" {
		n, err := a.Sweeper(nil).Sweep(ctx)
		return result{Swept: &n}, err
	}
	r, err := a.Retention().Run(ctx, time.Now())
	return result{Retention: &r}, err
}

func main() {
	if err := scf.Start(handle); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
