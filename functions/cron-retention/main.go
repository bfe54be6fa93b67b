// Command cron-retention is the daily timer function that enforces retention: audit rows older
// than AUDIT_RETENTION and idempotency keys older than a day are deleted, and the objects of
// deleted media are removed. Running it twice is harmless.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/jianbao/admin/functions/internal/app"
	"github.com/jianbao/admin/shared/logs"
	"github.com/jianbao/admin/shared/scf"
)

// Result is what an invoke returns, and what the log line records.
type Result struct {
	AuditRowsDeleted       int64 `json:"audit_rows_deleted"`
	IdempotencyKeysDeleted int64 `json:"idempotency_keys_deleted"`
	MediaPurged            int   `json:"media_purged"`
}

func handle(ctx context.Context, ev scf.TimerEvent) (Result, error) {
	cfg, err := app.LoadConfig(ctx, os.Getenv)
	if err != nil {
		return Result{}, err
	}
	log := logs.New(os.Stdout, cfg.LogLevel)
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return Result{}, err
	}
	defer a.Close()
	res, err := app.Retention(ctx, a, time.Now())
	purged, cerr := app.CleanMedia(ctx, a, time.Now())
	err = errors.Join(err, cerr)
	log.InfoContext(ctx, "retention", "trigger", ev.TriggerName, "audit_rows_deleted", res.AuditRows,
		"idempotency_keys_deleted", res.IdempotencyKeys, "media_purged", purged, "err", err)
	return Result{AuditRowsDeleted: res.AuditRows, IdempotencyKeysDeleted: res.IdempotencyKeys, MediaPurged: purged}, err
}

func main() {
	if err := scf.Start(handle); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
