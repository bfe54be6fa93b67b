// Package redis connects to Redis (TencentDB for Redis in production) through go-redis and
// implements the domain's Redis-backed pieces: throttles, caches and the media job stream.
package redis

import (
	"cmp"
	"context"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/jianbao/admin/shared/appraisal"
)

// Options say where Redis is.
type Options struct {
	Addr     string
	Password string
	DB       int
	// Breaker, when set, fails commands fast while Redis is down (the servers set one; the
	// readiness check reads its state).
	Breaker *Breaker
	// PoolSize and PoolTimeout bound the connections and how long a command waits for one
	// (defaults: go-redis's 10 per CPU, and one second). A client of its own with a small pool and
	// a short wait is a limit on the calls in flight for its callers: past it they learn at once
	// that Redis is busy for them, and decide without it.
	PoolSize    int
	PoolTimeout time.Duration
}

// Open connects and checks that the server answers. With a Breaker, a Redis that does not answer
// is not an error: the client is returned and the breaker, open, says Redis is down.
func Open(ctx context.Context, o Options) (*goredis.Client, error) {
	c := goredis.NewClient(&goredis.Options{
		Addr: o.Addr, Password: o.Password, DB: o.DB,
		// Short: Redis answers in well under a millisecond in the same VPC, and a request that
		// waits for it waits in front of its user. Blocking reads (the stream) get their block
		// time on top from go-redis. One retry, not three: the breaker does the rest.
		DialTimeout: time.Second, ReadTimeout: 500 * time.Millisecond, WriteTimeout: 500 * time.Millisecond,
		PoolSize: o.PoolSize, PoolTimeout: cmp.Or(o.PoolTimeout, time.Second), MaxRetries: 1,
		// Let request contexts bound every command, so a slow Redis cannot outlive a request.
		ContextTimeoutEnabled: true,
		// TencentDB for Redis and the embedded stand-in both reject CLIENT SETINFO.
		DisableIdentity: true,
	})
	if o.Breaker != nil {
		c.AddHook(breakerHook{o.Breaker})
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.Ping(pctx).Err(); err != nil {
		if o.Breaker != nil {
			// Start degraded rather than not at all: everything that uses Redis has a way on
			// without it, and the breaker tells readiness.
			return c, nil
		}
		c.Close()
		return nil, appraisal.Wrap(err, appraisal.KindUnavailable, "redis.unavailable", "cannot reach Redis")
	}
	return c, nil
}
