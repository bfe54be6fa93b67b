package redis

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Queue is a work queue on a Redis stream with one consumer group: at-least-once delivery, and
// the pending entries of a worker that died are claimed by another after MinIdle (XAUTOCLAIM).
// The shim feeds its media workers from it, as COS triggers feed the SCF functions.
type Queue struct {
	c       *goredis.Client
	stream  string
	group   string
	MinIdle time.Duration // how long an entry may stay unacknowledged before another worker takes it
	Block   time.Duration // how long one read waits for new entries
	Log     *slog.Logger

	lastRead atomic.Int64 // unix nanoseconds of the last read that Redis answered
	lastErr  atomic.Pointer[string]
}

// Health is how the workers' reading goes: when Redis last answered a read, and the last error
// since then ("" when the last read succeeded).
func (q *Queue) Health() (lastRead time.Time, lastErr string) {
	if n := q.lastRead.Load(); n != 0 {
		lastRead = time.Unix(0, n)
	}
	if p := q.lastErr.Load(); p != nil {
		lastErr = *p
	}
	return lastRead, lastErr
}

func (q *Queue) readOK() {
	q.lastRead.Store(time.Now().UnixNano())
	q.lastErr.Store(nil)
}

func (q *Queue) readFailed(err error) {
	s := err.Error()
	q.lastErr.Store(&s)
}

// isNoGroup reports the error Redis gives when the stream or its group is gone (a flushed or
// failed-over Redis): the group must be created again.
func isNoGroup(err error) bool { return err != nil && strings.Contains(err.Error(), "NOGROUP") }

// NewQueue uses stream and group.
func NewQueue(c *goredis.Client, stream, group string) *Queue {
	return &Queue{c: c, stream: stream, group: group, MinIdle: 5 * time.Minute, Block: 2 * time.Second, Log: slog.Default()}
}

// Ensure creates the group (and the stream), reading from the start so that nothing published
// before the first worker started is missed.
func (q *Queue) Ensure(ctx context.Context) error {
	err := q.c.XGroupCreateMkStream(ctx, q.stream, q.group, "0").Err()
	if err != nil && !strings.Contains(err.Error(), "BUSYGROUP") {
		return unavailable(err)
	}
	return nil
}

// Publish adds a job.
func (q *Queue) Publish(ctx context.Context, key string) error {
	return unavailable(q.c.XAdd(ctx, &goredis.XAddArgs{Stream: q.stream, MaxLen: 100_000, Approx: true,
		Values: map[string]any{"key": key}}).Err())
}

// Work runs handle for each job until ctx ends. A job is acknowledged only when handle returns
// nil; otherwise it stays pending and is retried after MinIdle, by this worker or another.
//
// Losing Redis does not stop it: a read that fails waits a second and tries again, and a read
// that finds the group gone (NOGROUP: Redis restarted empty) creates it again. What was queued
// only in the lost stream is found again by the sweeper (media.Sweeper), which reads MySQL.
func (q *Queue) Work(ctx context.Context, consumer string, handle func(ctx context.Context, key string) error) error {
	// A worker just started counts as healthy until its first read is due.
	q.lastRead.CompareAndSwap(0, time.Now().UnixNano())
	if err := q.Ensure(ctx); err != nil {
		q.readFailed(err)
		q.Log.ErrorContext(ctx, "media stream not ready; retrying", "err", err)
	}
	run := func(msgs []goredis.XMessage) {
		for _, m := range msgs {
			if ctx.Err() != nil {
				return
			}
			key, _ := m.Values["key"].(string)
			// A job that has started finishes even when the worker is told to stop: stopping only
			// ends the reading of new ones.
			if err := handle(context.WithoutCancel(ctx), key); err != nil {
				q.Log.WarnContext(ctx, "job left pending for a retry", "stream", q.stream, "id", m.ID, "key", key, "err", err)
				continue
			}
			if err := q.c.XAck(context.WithoutCancel(ctx), q.stream, q.group, m.ID).Err(); err != nil {
				q.Log.ErrorContext(ctx, "job not acknowledged", "id", m.ID, "err", err)
			}
		}
	}
	for ctx.Err() == nil {
		claimed, _, err := q.c.XAutoClaim(ctx, &goredis.XAutoClaimArgs{Stream: q.stream, Group: q.group, Consumer: consumer,
			MinIdle: q.MinIdle, Start: "0-0", Count: 10}).Result()
		if err != nil && ctx.Err() == nil && !errors.Is(err, goredis.Nil) && !isNoGroup(err) {
			q.Log.ErrorContext(ctx, "reclaiming jobs failed", "err", err)
		}
		run(claimed)
		res, err := q.c.XReadGroup(ctx, &goredis.XReadGroupArgs{Group: q.group, Consumer: consumer,
			Streams: []string{q.stream, ">"}, Count: 10, Block: q.Block}).Result()
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, goredis.Nil):
			q.readOK()
			continue
		case isNoGroup(err):
			q.Log.WarnContext(ctx, "media stream group missing (Redis lost its data): creating it again", "stream", q.stream)
			if err := q.Ensure(ctx); err != nil {
				q.readFailed(err)
				q.pause(ctx)
			}
			continue
		case err != nil:
			q.readFailed(err)
			q.Log.ErrorContext(ctx, "reading jobs failed", "err", err)
			q.pause(ctx)
			continue
		}
		q.readOK()
		for _, s := range res {
			run(s.Messages)
		}
	}
	return nil
}

func (q *Queue) pause(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-time.After(time.Second):
	}
}

// Depth reports the stream length and the entries read but not yet acknowledged.
func (q *Queue) Depth(ctx context.Context) (length, pending int64, err error) {
	length, err = q.c.XLen(ctx, q.stream).Result()
	if err != nil {
		return 0, 0, unavailable(err)
	}
	p, err := q.c.XPending(ctx, q.stream, q.group).Result()
	if err != nil && !strings.Contains(err.Error(), "NOGROUP") {
		return length, 0, unavailable(err)
	}
	if p != nil {
		pending = p.Count
	}
	return length, pending, nil
}
