package redis_test

import (
	"context"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/redis"
	"github.com/jianbao/admin/shared/testenv"
)

// forEachBackend runs a suite on the real Redis and on the embedded stand-in.
func forEachBackend(t *testing.T, fn func(t *testing.T, r *testenv.RedisServer)) {
	for _, b := range testenv.RedisBackends() {
		t.Run(b.Name, func(t *testing.T) { fn(t, b.Open(t)) })
	}
}

func TestThrottle(t *testing.T) {
	forEachBackend(t, func(t *testing.T, r *testenv.RedisServer) {
		ctx := context.Background()
		th := redis.NewThrottle(r.Client, r.Prefix+"th:")
		const limit = 3
		for i := 1; i <= limit; i++ {
			if d, err := th.Blocked(ctx, "u", limit); err != nil || d != 0 {
				t.Fatalf("before hit %d: blocked %v, %v", i, d, err)
			}
			n, err := th.Hit(ctx, "u", time.Minute)
			if err != nil || n != i {
				t.Fatalf("hit %d: %d, %v", i, n, err)
			}
		}
		d, err := th.Blocked(ctx, "u", limit)
		if err != nil || d <= 50*time.Second || d > time.Minute {
			t.Fatalf("after %d hits: blocked for %v, %v; want about a minute", limit, d, err)
		}
		if d, _ := th.Blocked(ctx, "other", limit); d != 0 {
			t.Errorf("keys are independent, got %v", d)
		}
		// A later hit does not extend the window: it is fixed from the first.
		time.Sleep(1100 * time.Millisecond)
		th.Hit(ctx, "u", time.Minute)
		if d2, _ := th.Blocked(ctx, "u", limit); d2 > d {
			t.Errorf("window grew from %v to %v", d, d2)
		}
		if err := th.Reset(ctx, "u"); err != nil {
			t.Fatal(err)
		}
		if d, _ := th.Blocked(ctx, "u", limit); d != 0 {
			t.Errorf("after reset: blocked %v", d)
		}
	})
}

func TestThrottleWindowExpires(t *testing.T) {
	forEachBackend(t, func(t *testing.T, r *testenv.RedisServer) {
		ctx := context.Background()
		th := redis.NewThrottle(r.Client, r.Prefix+"th:")
		th.Hit(ctx, "k", time.Second)
		if d, _ := th.Blocked(ctx, "k", 1); d == 0 {
			t.Fatal("want blocked")
		}
		time.Sleep(1200 * time.Millisecond)
		if d, _ := th.Blocked(ctx, "k", 1); d != 0 {
			t.Fatalf("window should have expired, still blocked %v", d)
		}
	})
}

func TestCache(t *testing.T) {
	forEachBackend(t, func(t *testing.T, r *testenv.RedisServer) {
		ctx := context.Background()
		c := redis.NewCache(r.Client, r.Prefix+"cache:")
		if _, ok, err := c.Get(ctx, "k"); ok || err != nil {
			t.Fatalf("empty get: %v %v", ok, err)
		}
		if err := c.Set(ctx, "k", []byte("青花"), time.Second); err != nil {
			t.Fatal(err)
		}
		if v, ok, err := c.Get(ctx, "k"); !ok || err != nil || string(v) != "青花" {
			t.Fatalf("get: %q %v %v", v, ok, err)
		}
		if err := c.Delete(ctx, "k", "other"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := c.Get(ctx, "k"); ok {
			t.Fatal("deleted key still there")
		}
		c.Set(ctx, "ttl", []byte("x"), time.Second)
		time.Sleep(1200 * time.Millisecond)
		if _, ok, _ := c.Get(ctx, "ttl"); ok {
			t.Fatal("expired key still there")
		}
	})
}
