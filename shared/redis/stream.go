package redis

import (
	"context"
	"errors"
	"log/slog"
	"strings"
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
}

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
func (q *Queue) Work(ctx context.Context, consumer string, handle func(ctx context.Context, key string) error) error {
	if err := q.Ensure(ctx); err != nil {
		return err
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
		if err != nil && ctx.Err() == nil && !errors.Is(err, goredis.Nil) {
			q.Log.ErrorContext(ctx, "reclaiming jobs failed", "err", err)
		}
		run(claimed)
		res, err := q.c.XReadGroup(ctx, &goredis.XReadGroupArgs{Group: q.group, Consumer: consumer,
			Streams: []string{q.stream, ">"}, Count: 10, Block: q.Block}).Result()
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, goredis.Nil):
			continue
		case err != nil:
			q.Log.ErrorContext(ctx, "reading jobs failed", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
			continue
		}
		for _, s := range res {
			run(s.Messages)
		}
	}
	return nil
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
