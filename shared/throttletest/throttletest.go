// Package throttletest is the conformance suite every appraisal.Throttle passes: Redis (the
// real server and the embedded stand-in) and the login limits' in-process fallback run the same
// tests, so the fallback counts exactly as Redis does.
package throttletest

import (
	"context"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

// Run tests the throttle that open makes, a fresh one per subtest. Windows are a minute long:
// nothing here waits for one to end (expiry is each implementation's own test).
func Run(t *testing.T, open func(t *testing.T) appraisal.Throttle) {
	ctx := context.Background()
	const limit = 3
	t.Run("hits block at the limit, for the rest of the window", func(t *testing.T) {
		th := open(t)
		for i := 1; i <= limit; i++ {
			if d, err := th.Blocked(ctx, "u", limit); err != nil || d != 0 {
				t.Fatalf("before hit %d: blocked %v, %v", i, d, err)
			}
			if n, err := th.Hit(ctx, "u", time.Minute); err != nil || n != i {
				t.Fatalf("hit %d: %d, %v", i, n, err)
			}
		}
		if d, err := th.Blocked(ctx, "u", limit); err != nil || d <= 50*time.Second || d > time.Minute {
			t.Fatalf("after %d hits: blocked for %v, %v; want about a minute", limit, d, err)
		}
		if d, _ := th.Blocked(ctx, "other", limit); d != 0 {
			t.Errorf("keys are independent, got %v", d)
		}
		// A later hit does not extend the window: it is fixed from the first. (A window that
		// restarted would have grown back by the pause; one that did not can only have shrunk.)
		d, _ := th.Blocked(ctx, "u", limit)
		time.Sleep(5 * time.Millisecond)
		th.Hit(ctx, "u", time.Minute)
		if d2, _ := th.Blocked(ctx, "u", limit); d2 > d {
			t.Errorf("window grew from %v to %v", d, d2)
		}
	})
	t.Run("take counts and checks in one step", func(t *testing.T) {
		th := open(t)
		for i := 1; i <= limit; i++ {
			if d, err := th.Take(ctx, "t", limit, time.Minute); err != nil || d != 0 {
				t.Fatalf("take %d within the limit: wait %v, %v", i, d, err)
			}
		}
		if d, err := th.Take(ctx, "t", limit, time.Minute); err != nil || d < time.Second || d > time.Minute {
			t.Fatalf("take past the limit: wait %v, %v", d, err)
		}
	})
	t.Run("forgive gives one back, never below zero, never creating a key", func(t *testing.T) {
		th := open(t)
		th.Hit(ctx, "f", time.Minute)
		th.Hit(ctx, "f", time.Minute)
		if err := th.Forgive(ctx, "f"); err != nil {
			t.Fatal(err)
		}
		if n, _ := th.Hit(ctx, "f", time.Minute); n != 2 {
			t.Errorf("after two hits, a forgive and a hit: %d, want 2", n)
		}
		for range 3 {
			th.Forgive(ctx, "g")
		}
		if n, _ := th.Hit(ctx, "g", time.Minute); n != 1 {
			t.Errorf("forgiving a key never hit made it %d, want 1 after a hit", n)
		}
	})
	t.Run("reset and reset by prefix", func(t *testing.T) {
		th := open(t)
		for _, k := range []string{"acct:a:src:1", "acct:a:src:2", "acct:b:src:1"} {
			for range limit {
				th.Hit(ctx, k, time.Minute)
			}
		}
		if err := th.Reset(ctx, "acct:b:src:1"); err != nil {
			t.Fatal(err)
		}
		if err := th.ResetPrefix(ctx, "acct:a:"); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"acct:a:src:1", "acct:a:src:2", "acct:b:src:1"} {
			if d, _ := th.Blocked(ctx, k, limit); d != 0 {
				t.Errorf("%s still blocked for %v", k, d)
			}
		}
	})
}
