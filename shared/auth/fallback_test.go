package auth_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/auth"
	"github.com/jianbao/admin/shared/throttletest"
)

// TestLocalThrottle: the in-process fallback passes the same conformance suite as Redis.
func TestLocalThrottle(t *testing.T) {
	throttletest.Run(t, func(t *testing.T) appraisal.Throttle { return auth.NewLocalThrottle(1000, time.Now) })
}

// TestLocalThrottleIsBounded: however many keys a flood brings, the fallback holds at most its
// bound, forgetting the least recently used; a key in steady use (a guesser's pair) stays counted,
// and a window ends on the clock.
func TestLocalThrottleIsBounded(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	th := auth.NewLocalThrottle(100, func() time.Time { return now })
	for i := range 10_000 {
		th.Hit(ctx, fmt.Sprint("flood-", i), time.Minute)
		if i%10 == 0 {
			th.Hit(ctx, "guesser", time.Minute)
		}
	}
	if d, _ := th.Blocked(ctx, "guesser", 1000); d == 0 {
		t.Error("the guesser's key was forgotten while in use")
	}
	forgotten := 0
	for i := range 10_000 {
		if d, _ := th.Blocked(ctx, fmt.Sprint("flood-", i), 1); d == 0 {
			forgotten++
		}
	}
	if forgotten < 10_000-100 {
		t.Errorf("only %d of 10,000 flood keys forgotten with a bound of 100", forgotten)
	}
	now = now.Add(time.Minute)
	if d, _ := th.Blocked(ctx, "guesser", 1); d != 0 {
		t.Errorf("blocked %v after the window", d)
	}
}
