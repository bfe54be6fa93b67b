package redis

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/jianbao/admin/shared/appraisal"
)

// Throttle implements appraisal.Throttle with fixed windows: INCR a counter whose expiry is set
// by the first hit. Every instance shares the counters, so limits hold across the fleet.
type Throttle struct {
	c      *goredis.Client
	prefix string
}

var _ appraisal.Throttle = (*Throttle)(nil)

// NewThrottle counts under keys starting with prefix (for example "jb:throttle:").
func NewThrottle(c *goredis.Client, prefix string) *Throttle { return &Throttle{c: c, prefix: prefix} }

// Blocked implements appraisal.Throttle.
func (t *Throttle) Blocked(ctx context.Context, key string, limit int) (time.Duration, error) {
	k := t.prefix + key
	v, err := t.c.Get(ctx, k).Result()
	if errors.Is(err, goredis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, unavailable(err)
	}
	n, _ := strconv.Atoi(v)
	if n < limit {
		return 0, nil
	}
	ttl, err := t.c.PTTL(ctx, k).Result()
	if err != nil {
		return 0, unavailable(err)
	}
	if ttl <= 0 {
		ttl = time.Second // expiring right now, or (should not happen) no expiry
	}
	return ttl, nil
}

// Hit implements appraisal.Throttle.
func (t *Throttle) Hit(ctx context.Context, key string, window time.Duration) (int, error) {
	n, _, err := t.count(ctx, key, window)
	return n, err
}

// count adds one event to key in one transaction: INCR, the window's expiry set by the first
// event, and the time the window still runs.
func (t *Throttle) count(ctx context.Context, key string, window time.Duration) (int, time.Duration, error) {
	k := t.prefix + key
	var incr *goredis.IntCmd
	var ttl *goredis.DurationCmd
	_, err := t.c.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		incr = p.Incr(ctx, k)
		p.Do(ctx, "PEXPIRE", k, window.Milliseconds(), "NX")
		ttl = p.PTTL(ctx, k)
		return nil
	})
	if err != nil {
		return 0, 0, unavailable(err)
	}
	return int(incr.Val()), ttl.Val(), nil
}

// Reset implements appraisal.Throttle.
func (t *Throttle) Reset(ctx context.Context, key string) error {
	return unavailable(t.c.Del(ctx, t.prefix+key).Err())
}

func unavailable(err error) error {
	if err == nil {
		return nil
	}
	return appraisal.Wrap(err, appraisal.KindUnavailable, "redis.unavailable", "Redis did not answer")
}

// Take implements appraisal.Throttle.
func (t *Throttle) Take(ctx context.Context, key string, limit int, window time.Duration) (time.Duration, error) {
	n, ttl, err := t.count(ctx, key, window)
	if err != nil || n <= limit {
		return 0, err
	}
	return max(ttl, time.Second), nil
}

// forgive decrements a counter that exists, never below zero and never creating one.
var forgive = goredis.NewScript(`local n = redis.call('GET', KEYS[1])
if n and tonumber(n) > 0 then return redis.call('DECR', KEYS[1]) end
return 0`)

// Forgive implements appraisal.Throttle.
func (t *Throttle) Forgive(ctx context.Context, key string) error {
	return unavailable(forgive.Run(ctx, t.c, []string{t.prefix + key}).Err())
}

// ResetPrefix implements appraisal.Throttle. It walks the keyspace with SCAN: an unlock is a rare
// administrator's action, and the throttle's keys are few.
func (t *Throttle) ResetPrefix(ctx context.Context, prefix string) error {
	it := t.c.Scan(ctx, 0, globEscape(t.prefix+prefix)+"*", 500).Iterator()
	var keys []string
	for it.Next(ctx) {
		keys = append(keys, it.Val())
	}
	if err := it.Err(); err != nil {
		return unavailable(err)
	}
	if len(keys) == 0 {
		return nil
	}
	return unavailable(t.c.Del(ctx, keys...).Err())
}

// globEscape quotes the characters SCAN's MATCH treats as a pattern.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
