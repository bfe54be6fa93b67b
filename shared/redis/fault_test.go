package redis_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/logs"
	"github.com/jianbao/admin/shared/redis"
	"github.com/jianbao/admin/shared/testenv"
)

// TestBreakerFailsFastAndRecovers: with Redis gone, the first commands find out (each within the
// short timeouts), then the breaker opens and every command fails at once with ErrOpen, without
// touching the network; when Redis is back, the next probe closes it.
func TestBreakerFailsFastAndRecovers(t *testing.T) {
	p := testenv.OwnRedis(t)
	b := redis.NewBreaker()
	b.Cooldown = 200 * time.Millisecond
	c, err := redis.Open(context.Background(), redis.Options{Addr: p.Addr, Breaker: b})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	p.Stop()
	var open int
	for i := range 10 {
		err := c.Get(ctx, "k").Err()
		if err == nil {
			t.Fatalf("command %d succeeded with Redis down", i)
		}
		if errors.Is(err, redis.ErrOpen) {
			open++
		}
	}
	if open < 10-b.Threshold {
		t.Fatalf("%d of 10 commands failed fast, want all after the first %d", open, b.Threshold)
	}
	if isOpen, since, lastErr := b.State(); !isOpen || since.IsZero() || lastErr == nil {
		t.Fatalf("state while down: open %v since %v err %v", isOpen, since, lastErr)
	}
	// A missing key is an answer, not a failure: it must not count against Redis.
	p.Start()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := c.Get(ctx, "missing").Err()
		if err == nil || errors.Is(err, goredis.Nil) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the breaker did not close after Redis came back: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if isOpen, _, _ := b.State(); isOpen {
		t.Fatal("still open after a successful probe")
	}
}

// TestQueueSurvivesAnEmptyRestart: a worker keeps consuming after Redis restarts empty (the
// stream and its consumer group gone): it creates the group again on NOGROUP, and reports its
// health meanwhile.
func TestQueueSurvivesAnEmptyRestart(t *testing.T) {
	p := testenv.OwnRedis(t)
	c, err := redis.Open(context.Background(), redis.Options{Addr: p.Addr, Breaker: redis.NewBreaker()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	q := redis.NewQueue(c, "jbt:jobs", "workers")
	q.Block = 100 * time.Millisecond
	q.Log = logs.Discard()
	var mu sync.Mutex
	got := map[string]bool{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		q.Work(ctx, "w1", func(_ context.Context, key string) error {
			mu.Lock()
			got[key] = true
			mu.Unlock()
			return nil
		})
	}()
	defer func() { cancel(); <-done }()
	arrived := func(key string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			ok := got[key]
			mu.Unlock()
			if ok {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		last, lastErr := q.Health()
		t.Fatalf("%s was never handled (last read %v, last error %q)", key, last, lastErr)
	}
	if err := q.Publish(ctx, "before"); err != nil {
		t.Fatal(err)
	}
	arrived("before")

	p.Restart()
	// Publishing may fail while the client reconnects (the breaker may be open): retry as the
	// sweeper would.
	deadline := time.Now().Add(20 * time.Second)
	for err := q.Publish(ctx, "after"); err != nil; err = q.Publish(ctx, "after") {
		if time.Now().After(deadline) {
			t.Fatalf("cannot publish after the restart: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	arrived("after")
	if _, lastErr := q.Health(); lastErr != "" {
		// The last read may have been before the re-creation; give it one more block.
		time.Sleep(3 * q.Block)
		if _, lastErr := q.Health(); lastErr != "" {
			t.Fatalf("health after recovery: %q", lastErr)
		}
	}
}

// TestEpochsNeverRepeat: after Redis loses its data, no epoch token comes back, however many
// bumps follow — a counter would climb back to the value an old entry was cached under.
func TestEpochsNeverRepeat(t *testing.T) {
	p := testenv.OwnRedis(t)
	c, err := redis.Open(context.Background(), redis.Options{Addr: p.Addr, Breaker: redis.NewBreaker()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	e := redis.NewEpochs(c, "jbt:epoch:")
	seen := map[string]bool{}
	note := func() {
		t.Helper()
		v, err := e.Current(ctx, "orders")
		for i := 0; err != nil && i < 100; i++ { // reconnecting after a restart
			time.Sleep(50 * time.Millisecond)
			v, err = e.Current(ctx, "orders")
		}
		if err != nil {
			t.Fatal(err)
		}
		if seen[v[0]] {
			t.Fatalf("epoch token %s came back", v[0])
		}
		seen[v[0]] = true
	}
	note()
	for range 4 {
		if err := e.Bump(ctx, "orders"); err != nil {
			t.Fatal(err)
		}
		note()
	}
	p.Restart()
	note()
	for range 4 {
		for err := e.Bump(ctx, "orders"); err != nil; err = e.Bump(ctx, "orders") {
			if !appraisal.IsKind(err, appraisal.KindUnavailable) {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		note()
	}
}

// TestBusyPoolIsNotAnOutage: commands that cannot get a connection because this process's pool
// is full (a login flood) fail with a pool timeout, but Redis is answering: the breaker stays
// closed, and the next command with a free connection works.
func TestBusyPoolIsNotAnOutage(t *testing.T) {
	r := testenv.Redis(t)
	b := redis.NewBreaker()
	c, err := redis.Open(context.Background(), redis.Options{Addr: r.Addr, Breaker: b, PoolSize: 1, PoolTimeout: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	held := make(chan struct{})
	go func() {
		defer close(held)
		c.BLPop(ctx, time.Second, r.Prefix+"never") // holds the one connection
	}()
	for deadline := time.Now().Add(5 * time.Second); c.PoolStats().TotalConns == 0 || c.PoolStats().IdleConns > 0; {
		if time.Now().After(deadline) {
			t.Fatal("the blocking command never took the connection")
		}
		time.Sleep(time.Millisecond)
	}
	var timeouts int
	for range 10 {
		if err := c.Get(ctx, r.Prefix+"k").Err(); errors.Is(err, goredis.ErrPoolTimeout) {
			timeouts++
		}
	}
	if timeouts == 0 {
		t.Fatal("the pool never ran out: the test did not hold its connection")
	}
	if open, _, lastErr := b.State(); open {
		t.Fatalf("a full pool opened the breaker (%d pool timeouts, last %v)", timeouts, lastErr)
	}
	<-held
	if err := c.Get(ctx, r.Prefix+"k").Err(); err != nil && !errors.Is(err, goredis.Nil) {
		t.Fatalf("after the pool freed: %v", err)
	}
}
