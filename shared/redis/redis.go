// Package redis connects to Redis (TencentDB for Redis in production) through go-redis and
// implements the domain's Redis-backed pieces: throttles, caches and the media job stream.
package redis

import (
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
}

// Open connects and checks that the server answers.
func Open(ctx context.Context, o Options) (*goredis.Client, error) {
	c := goredis.NewClient(&goredis.Options{
		Addr: o.Addr, Password: o.Password, DB: o.DB,
		DialTimeout: 5 * time.Second, ReadTimeout: 3 * time.Second, WriteTimeout: 3 * time.Second,
		// Let request contexts bound every command, so a slow Redis cannot outlive a request.
		ContextTimeoutEnabled: true,
		// TencentDB for Redis and the embedded stand-in both reject CLIENT SETINFO.
		DisableIdentity: true,
	})
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.Ping(pctx).Err(); err != nil {
		c.Close()
		return nil, appraisal.Wrap(err, appraisal.KindUnavailable, "redis.unavailable", "cannot reach Redis")
	}
	return c, nil
}
