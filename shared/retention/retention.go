// Package retention is the daily clean-up job: audit rows past their retention, idempotency
// records older than a day, the objects of media deleted more than an hour ago, and the originals
// of files rejected more than RejectedRetention ago. The SCF timer
// function and the TKE CronJob (`server retention`) both run it; running it twice is harmless.
package retention

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

// Store is what the job deletes from.
type Store interface {
	PruneAudit(ctx context.Context, before time.Time) (int64, error)
	PruneIdempotency(ctx context.Context, before time.Time) (int64, error)
	DeletedMedia(ctx context.Context, before time.Time, limit int) ([]appraisal.Media, error)
	PurgeMedia(ctx context.Context, id int64) error
	RejectedOriginals(ctx context.Context, before time.Time, limit int) ([]appraisal.Media, error)
	MarkOriginalRemoved(ctx context.Context, id int64, t time.Time) error
}

// RejectedRetention is how long a rejected original stays in storage: long enough for someone to
// look at why it was refused, short enough that a session declared small cannot park a large
// file in the bucket for good.
const RejectedRetention = 24 * time.Hour

// Job is one configured clean-up.
type Job struct {
	Store Store
	Blobs appraisal.BlobStore
	Log   *slog.Logger
	// Audit is how long audit rows are kept (AUDIT_RETENTION).
	Audit time.Duration
}

// Result counts what a run removed; it is also the timer function's answer.
type Result struct {
	AuditRows       int64 `json:"audit_rows_deleted"`
	IdempotencyKeys int64 `json:"idempotency_keys_deleted"`
	MediaPurged     int   `json:"media_purged"`
	RejectedRemoved int   `json:"rejected_originals_removed"`
}

// Run removes what has outlived its retention at now. Each part runs even when another failed;
// the errors are joined.
func (j *Job) Run(ctx context.Context, now time.Time) (Result, error) {
	var r Result
	var errs []error
	var err error
	if r.AuditRows, err = j.Store.PruneAudit(ctx, now.Add(-j.Audit)); err != nil {
		errs = append(errs, err)
	}
	if r.IdempotencyKeys, err = j.Store.PruneIdempotency(ctx, now.Add(-24*time.Hour)); err != nil {
		errs = append(errs, err)
	}
	if r.MediaPurged, err = j.cleanMedia(ctx, now); err != nil {
		errs = append(errs, err)
	}
	if r.RejectedRemoved, err = j.cleanRejected(ctx, now); err != nil {
		errs = append(errs, err)
	}
	err = errors.Join(errs...)
	j.Log.InfoContext(ctx, "retention", "audit_rows_deleted", r.AuditRows, "idempotency_keys_deleted", r.IdempotencyKeys,
		"media_purged", r.MediaPurged, "rejected_originals_removed", r.RejectedRemoved, "err", err)
	return r, err
}

// cleanMedia removes the objects of media deleted more than an hour ago (the original and every
// rendition), then forgets the rows. An object already gone is fine; any other failure leaves the
// row for the next run.
func (j *Job) cleanMedia(ctx context.Context, now time.Time) (int, error) {
	ms, err := j.Store.DeletedMedia(ctx, now.Add(-time.Hour), 500)
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
			if err := j.Blobs.Delete(ctx, k); err != nil {
				j.Log.ErrorContext(ctx, "deleted media object not removed", "media_id", m.ID, "key", k, "err", err)
				ok = false
			}
		}
		if ok {
			if err := j.Store.PurgeMedia(ctx, m.ID); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// cleanRejected removes the originals of files rejected more than RejectedRetention ago; the row
// stays, with its reason, and says the original is gone.
func (j *Job) cleanRejected(ctx context.Context, now time.Time) (int, error) {
	ms, err := j.Store.RejectedOriginals(ctx, now.Add(-RejectedRetention), 500)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range ms {
		if err := j.Blobs.Delete(ctx, m.Key); err != nil {
			j.Log.ErrorContext(ctx, "rejected original not removed", "media_id", m.ID, "key", m.Key, "err", err)
			continue
		}
		if err := j.Store.MarkOriginalRemoved(ctx, m.ID, now); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
