package redis

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/jianbao/admin/shared/appraisal"
)

// ErrOpen is what every command gets at once while the breaker is open.
var ErrOpen = appraisal.E(appraisal.KindUnavailable, "redis.unavailable", "Redis is not answering (circuit open)")

// Breaker fails Redis commands fast while Redis is down. Redis is a cache, a throttle and a queue
// here, never the truth, so every caller has a way on without it; what it must not do is wait
// out a timeout on every command of every request, one after another. After Threshold
// consecutive connection failures the breaker opens for Cooldown: commands fail at once with
// ErrOpen. Then one command is let through as a probe; success closes the breaker.
type Breaker struct {
	Threshold int
	Cooldown  time.Duration

	mu        sync.Mutex
	failures  int
	openUntil time.Time
	lastErr   error
	opened    time.Time // when the current outage began; zero while closed
}

// NewBreaker opens after three failures in a row, for two seconds at a time.
func NewBreaker() *Breaker { return &Breaker{Threshold: 3, Cooldown: 2 * time.Second} }

// State reports whether the breaker is open, since when, and the last connection error.
func (b *Breaker) State() (open bool, since time.Time, lastErr error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return !b.opened.IsZero(), b.opened, b.lastErr
}

func (b *Breaker) allow() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	if now.Before(b.openUntil) {
		return ErrOpen
	}
	if !b.opened.IsZero() {
		// Half open: this command is the probe; the others keep failing fast until it answers.
		b.openUntil = now.Add(b.Cooldown)
	}
	return nil
}

// record learns from a command's outcome. Only a failure to talk to Redis counts: a missing key
// and an error reply are answers, and a full connection pool is this process being busy (a login
// flood once filled the pool, the breaker took it for an outage, and every caller lost Redis).
func (b *Breaker) record(ctx context.Context, err error) {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return // the caller gave up; says nothing about Redis
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !connectionFailure(err) {
		b.failures, b.openUntil, b.opened = 0, time.Time{}, time.Time{}
		return
	}
	b.failures++
	b.lastErr = err
	if b.failures >= b.Threshold {
		if b.opened.IsZero() {
			b.opened = time.Now()
		}
		b.openUntil = time.Now().Add(b.Cooldown)
	}
}

func connectionFailure(err error) bool {
	if err == nil || errors.Is(err, goredis.Nil) {
		return false
	}
	var reply goredis.Error
	if errors.As(err, &reply) {
		return false
	}
	var ne net.Error
	if errors.Is(err, goredis.ErrPoolTimeout) {
		return false
	}
	return errors.As(err, &ne) || errors.Is(err, goredis.ErrClosed) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, net.ErrClosed) || isEOF(err)
}

func isEOF(err error) bool {
	return err != nil && (err.Error() == "EOF" || err.Error() == "unexpected EOF")
}

type breakerHook struct{ b *Breaker }

func (h breakerHook) DialHook(next goredis.DialHook) goredis.DialHook { return next }

func (h breakerHook) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		if err := h.b.allow(); err != nil {
			cmd.SetErr(err)
			return err
		}
		err := next(ctx, cmd)
		h.b.record(ctx, err)
		return err
	}
}

func (h breakerHook) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		if err := h.b.allow(); err != nil {
			for _, c := range cmds {
				c.SetErr(err)
			}
			return err
		}
		err := next(ctx, cmds)
		h.b.record(ctx, err)
		return err
	}
}
