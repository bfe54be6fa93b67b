package auth

import (
	"container/list"
	"context"
	"strings"
	"sync"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

// localThrottle is appraisal.Throttle in this process's memory, with the same fixed windows as
// Redis's. It holds at most max keys, forgetting the least recently used first, so a flood from
// millions of addresses costs bounded memory, while a guesser hammering one (account, address)
// pair keeps its key fresh and stays counted.
type localThrottle struct {
	mu   sync.Mutex
	max  int
	now  func() time.Time
	keys map[string]*list.Element // of *localCount
	lru  list.List                // front: most recently used
}

type localCount struct {
	key   string
	n     int
	until time.Time // when the window ends
}

func newLocalThrottle(max int, now func() time.Time) *localThrottle {
	return &localThrottle{max: max, now: now, keys: map[string]*list.Element{}}
}

var _ appraisal.Throttle = (*localThrottle)(nil)

// get returns key's live count, or nil; the caller holds mu.
func (l *localThrottle) get(key string) *localCount {
	e, ok := l.keys[key]
	if !ok {
		return nil
	}
	c := e.Value.(*localCount)
	if !l.now().Before(c.until) {
		l.lru.Remove(e)
		delete(l.keys, key)
		return nil
	}
	l.lru.MoveToFront(e)
	return c
}

// count adds one event to key, starting its window with the first.
func (l *localThrottle) count(key string, window time.Duration) *localCount {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.get(key)
	if c == nil {
		c = &localCount{key: key, until: l.now().Add(window)}
		l.keys[key] = l.lru.PushFront(c)
		for len(l.keys) > l.max {
			old := l.lru.Back()
			l.lru.Remove(old)
			delete(l.keys, old.Value.(*localCount).key)
		}
	}
	c.n++
	return c
}

func (l *localThrottle) Blocked(_ context.Context, key string, limit int) (time.Duration, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c := l.get(key); c != nil && c.n >= limit {
		return max(c.until.Sub(l.now()), time.Second), nil
	}
	return 0, nil
}

func (l *localThrottle) Hit(_ context.Context, key string, window time.Duration) (int, error) {
	return l.count(key, window).n, nil
}

func (l *localThrottle) Take(_ context.Context, key string, limit int, window time.Duration) (time.Duration, error) {
	c := l.count(key, window)
	if c.n <= limit {
		return 0, nil
	}
	return max(c.until.Sub(l.now()), time.Second), nil
}

func (l *localThrottle) Forgive(_ context.Context, key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c := l.get(key); c != nil && c.n > 0 {
		c.n--
	}
	return nil
}

func (l *localThrottle) Reset(_ context.Context, key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.keys[key]; ok {
		l.lru.Remove(e)
		delete(l.keys, key)
	}
	return nil
}

func (l *localThrottle) ResetPrefix(_ context.Context, prefix string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, e := range l.keys {
		if strings.HasPrefix(k, prefix) {
			l.lru.Remove(e)
			delete(l.keys, k)
		}
	}
	return nil
}

// failover is the login limits' throttle: Redis (shared by every instance) and this process's
// own counts, both counting every event. While Redis answers, the stricter of the two decides a
// limit (the fleet's count, or this instance's when Redis missed some of its events during a
// busy spell); when Redis cannot answer — down, or its connections all busy with a flood — the local
// count decides alone. Every attempt gets a decision, and a pair that keeps failing is locked
// out either way: the limits fail closed, never open.
type failover struct {
	shared appraisal.Throttle
	local  *localThrottle
	// decided, when set, hears where each check was decided: "shared" or "local".
	decided func(where string)
}

var _ appraisal.Throttle = (*failover)(nil)

// pick decides a limit from the shared answer and the local one: the stricter of the two.
func pick(f *failover, shared time.Duration, err error, local time.Duration) (time.Duration, error) {
	if appraisal.IsKind(err, appraisal.KindUnavailable) {
		f.note("local")
		return local, nil
	}
	if err != nil {
		return shared, err
	}
	f.note("shared")
	return max(shared, local), nil
}

// done reports a write's outcome: a shared store that cannot answer is no error, the local
// count holds.
func (f *failover) done(err error) error {
	if appraisal.IsKind(err, appraisal.KindUnavailable) {
		return nil
	}
	return err
}

func (f *failover) note(where string) {
	if f.decided != nil {
		f.decided(where)
	}
}

func (f *failover) Blocked(ctx context.Context, key string, limit int) (time.Duration, error) {
	local, _ := f.local.Blocked(ctx, key, limit)
	d, err := f.shared.Blocked(ctx, key, limit)
	return pick(f, d, err, local)
}

// Hit answers the fleet's count while Redis answers (callers act on exact counts, such as the
// first throttled attempt of a window), this process's otherwise.
func (f *failover) Hit(ctx context.Context, key string, window time.Duration) (int, error) {
	local, _ := f.local.Hit(ctx, key, window)
	n, err := f.shared.Hit(ctx, key, window)
	if appraisal.IsKind(err, appraisal.KindUnavailable) {
		f.note("local")
		return local, nil
	}
	if err == nil {
		f.note("shared")
	}
	return n, err
}

func (f *failover) Take(ctx context.Context, key string, limit int, window time.Duration) (time.Duration, error) {
	local, _ := f.local.Take(ctx, key, limit, window)
	d, err := f.shared.Take(ctx, key, limit, window)
	return pick(f, d, err, local)
}

func (f *failover) Forgive(ctx context.Context, key string) error {
	f.local.Forgive(ctx, key)
	return f.done(f.shared.Forgive(ctx, key))
}

func (f *failover) Reset(ctx context.Context, key string) error {
	f.local.Reset(ctx, key)
	return f.done(f.shared.Reset(ctx, key))
}

// ResetPrefix clears both; an unlock must reach Redis, so its failure is returned.
func (f *failover) ResetPrefix(ctx context.Context, prefix string) error {
	f.local.ResetPrefix(ctx, prefix)
	return f.shared.ResetPrefix(ctx, prefix)
}
