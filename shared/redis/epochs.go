package redis

import (
	"context"
	"errors"
	"strconv"

	goredis "github.com/redis/go-redis/v9"
)

// Epochs are shared counters (readcache.Epochs): INCR to invalidate, MGET to check.
type Epochs struct {
	c      *goredis.Client
	prefix string
}

// NewEpochs keeps the counters under prefix.
func NewEpochs(c *goredis.Client, prefix string) *Epochs { return &Epochs{c: c, prefix: prefix} }

// Current returns each epoch's value; one never bumped is 0.
func (e *Epochs) Current(ctx context.Context, names ...string) ([]int64, error) {
	keys := make([]string, len(names))
	for i, n := range names {
		keys[i] = e.prefix + n
	}
	vals, err := e.c.MGet(ctx, keys...).Result()
	if err != nil && !errors.Is(err, goredis.Nil) {
		return nil, unavailable(err)
	}
	out := make([]int64, len(names))
	for i, v := range vals {
		if s, ok := v.(string); ok {
			out[i], _ = strconv.ParseInt(s, 10, 64)
		}
	}
	return out, nil
}

// Bump increments the named epochs.
func (e *Epochs) Bump(ctx context.Context, names ...string) error {
	_, err := e.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for _, n := range names {
			p.Incr(ctx, e.prefix+n)
		}
		return nil
	})
	return unavailable(err)
}
