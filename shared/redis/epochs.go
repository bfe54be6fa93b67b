package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"

	goredis "github.com/redis/go-redis/v9"
)

// Epochs are the read cache's validity tokens (readcache.Epochs). Each is a random value, never a
// counter: a bump writes a new random value, and an epoch found missing (a flushed Redis, a
// failover to an empty replica) is created with a new random value too. So a value once replaced
// never comes back, and an entry cached before a reset can never match again — a counter reset to
// 0 would climb back to the old values and revive stale entries.
type Epochs struct {
	c      *goredis.Client
	prefix string
}

// NewEpochs keeps the epochs under prefix. The keys share one hash tag, so a Lua script may touch
// several of them on a clustered Redis too.
func NewEpochs(c *goredis.Client, prefix string) *Epochs {
	return &Epochs{c: c, prefix: prefix + "{epochs}:"}
}

// currentScript returns each key's value, first setting the fresh token given for any key that is
// missing.
var currentScript = goredis.NewScript(`local out = {}
for i, k in ipairs(KEYS) do
  local v = redis.call('GET', k)
  if not v then
    redis.call('SET', k, ARGV[i])
    v = ARGV[i]
  end
  out[i] = v
end
return out`)

func token() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Current returns each epoch's token, creating a fresh one for any epoch Redis does not hold.
// Every cached read of a request waits on it, so the usual case is one plain MGET; the script,
// which makes tokens up, runs only when an epoch is missing (a flushed or failed-over Redis).
func (e *Epochs) Current(ctx context.Context, names ...string) ([]string, error) {
	keys := make([]string, len(names))
	for i, n := range names {
		keys[i] = e.prefix + n
	}
	got, err := e.c.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, unavailable(err)
	}
	vals := make([]string, len(names))
	for i, v := range got {
		s, ok := v.(string)
		if !ok {
			return e.create(ctx, keys)
		}
		vals[i] = s
	}
	return vals, nil
}

// create reads the epochs, setting a fresh token for each one missing, in one atomic script.
func (e *Epochs) create(ctx context.Context, keys []string) ([]string, error) {
	fresh := make([]any, len(keys))
	for i := range keys {
		fresh[i] = token()
	}
	vals, err := currentScript.Run(ctx, e.c, keys, fresh...).StringSlice()
	if err != nil && !errors.Is(err, goredis.Nil) {
		return nil, unavailable(err)
	}
	if len(vals) != len(keys) {
		return nil, unavailable(errors.New("epochs: short answer"))
	}
	return vals, nil
}

// Bump gives the named epochs new tokens.
func (e *Epochs) Bump(ctx context.Context, names ...string) error {
	_, err := e.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for _, n := range names {
			p.Set(ctx, e.prefix+n, token(), 0)
		}
		return nil
	})
	return unavailable(err)
}
