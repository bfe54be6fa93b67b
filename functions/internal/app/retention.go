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

// CleanMedia removes the objects of media deleted more than an hour ago (the original and every
// rendition), then forgets the rows. An object already gone is fine; any other failure leaves the
// row for the next run.
func CleanMedia(ctx context.Context, a *App, now time.Time) (int, error) {
	ms, err := a.Store.DeletedMedia(ctx, now.Add(-time.Hour), 500)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range ms {
		keys := []string{m.Key}
		for _, r := range m.Renditions {
			keys = append(keys, r.Key)
		}
		ok := true
		for _, k := range keys {
			if err := a.Blobs.Delete(ctx, k); err != nil {
				a.Log.ErrorContext(ctx, "deleted media object not removed", "media_id", m.ID, "key", k, "err", err)
				ok = false
			}
		}
		if ok {
			if err := a.Store.PurgeMedia(ctx, m.ID); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}
