package app

import (
	"context"
	"time"
)

// RetentionResult counts what a retention run deleted.
type RetentionResult struct {
	AuditRows       int64
	IdempotencyKeys int64
}

// Retention deletes what has outlived its retention at now. The timer function and the shim's
// CronJob run it.
func Retention(ctx context.Context, a *App, now time.Time) (RetentionResult, error) {
	var r RetentionResult
	var err error
	if r.AuditRows, err = a.MySQL.PruneAudit(ctx, now.Add(-a.Config.AuditRetention)); err != nil {
		return r, err
	}
	r.IdempotencyKeys, err = a.MySQL.PruneIdempotency(ctx, now.Add(-24*time.Hour))
	return r, err
}
