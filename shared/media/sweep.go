package media

import (
	"context"
	"log/slog"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

// SweepStore is what the sweeper reads: MySQL, the truth about every file.
type SweepStore interface {
	StuckMedia(ctx context.Context, now, settle, pendingSince time.Time, maxAttempts, limit int) ([]appraisal.Media, error)
}

// Sweeper finds the files processing owes and hands them to processing again. The stream (or a
// COS event) only says "look at this key"; MySQL says what is still to do. So whatever the
// delivery lost — a Redis that restarted empty, an upload event published while Redis was down,
// a worker that died holding a lease, a failure whose retry was never delivered — the sweeper
// finds it in MySQL and re-queues it. The shim runs it every SweepEvery; on SCF a timer trigger
// of cron-retention runs it every minute.
type Sweeper struct {
	Store SweepStore
	Blobs appraisal.BlobStore
	// Dispatch hands a key to processing: the stream on the shim, a COS self-copy on SCF.
	Dispatch    func(ctx context.Context, key string) error
	MaxAttempts int
	Log         *slog.Logger
	Now         func() time.Time
}

// SweepEvery is how often the shim sweeps.
const SweepEvery = 30 * time.Second

// Settle is how long a file may wait for its event before the sweeper steps in: longer than a
// normal delivery takes, so the sweeper does not race every upload.
const Settle = time.Minute

// pendingWindow bounds the pending uploads looked at: an upload URL lives 15 minutes, so a session
// older than this with nothing stored was abandoned.
const pendingWindow = 30 * time.Minute

// Sweep re-queues what is owed and reports how many keys it dispatched.
func (s *Sweeper) Sweep(ctx context.Context) (int, error) {
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	ms, err := s.Store.StuckMedia(ctx, now, now.Add(-Settle), now.Add(-pendingWindow), max(s.MaxAttempts, 1), 200)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range ms {
		if m.Status == appraisal.MediaPendingUpload {
			// Only if the bytes arrived: the client may never have sent them.
			if _, err := s.Blobs.Head(ctx, m.Key); err != nil {
				continue
			}
		}
		if err := s.Dispatch(ctx, m.Key); err != nil {
			s.Log.ErrorContext(ctx, "sweep: file not re-queued", "media_id", m.ID, "status", m.Status, "err", err)
			continue
		}
		s.Log.InfoContext(ctx, "sweep: file re-queued", "media_id", m.ID, "status", m.Status, "attempts", m.Attempts)
		n++
	}
	return n, nil
}

// Run sweeps every interval until ctx ends.
func (s *Sweeper) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
				s.Log.ErrorContext(ctx, "sweep failed", "err", err)
			}
		}
	}
}
