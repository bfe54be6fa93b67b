package redis

import (
	"context"
	"errors"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/jianbao/admin/shared/appraisal"
)

// Cache implements appraisal.Cache on Redis, so every instance sees one value and one
// invalidation.
type Cache struct {
	c      *goredis.Client
	prefix string
}

var _ appraisal.Cache = (*Cache)(nil)

// NewCache stores keys under prefix.
func NewCache(c *goredis.Client, prefix string) *Cache { return &Cache{c: c, prefix: prefix} }

// Get implements appraisal.Cache.
func (c *Cache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := c.c.Get(ctx, c.prefix+key).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, unavailable(err)
	}
	return b, true, nil
}

// Set implements appraisal.Cache.
func (c *Cache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return unavailable(c.c.Set(ctx, c.prefix+key, value, ttl).Err())
}

// Delete implements appraisal.Cache.
func (c *Cache) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = c.prefix + k
	}
	return unavailable(c.c.Del(ctx, full...).Err())
}
