package stats_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/logs"
	"github.com/jianbao/admin/shared/stats"
)

// counting is a StatsStore that counts its computations.
type counting struct {
	n atomic.Int32
}

func (c *counting) Dashboard(_ context.Context, now, from, to time.Time) (*appraisal.Dashboard, error) {
	c.n.Add(1)
	return &appraisal.Dashboard{GeneratedAt: now, OrdersByStatus: map[appraisal.Status]int{appraisal.StatusQueued: 3}, SLABreaches: 1}, nil
}

// mapCache is an appraisal.Cache in a map (TTLs ignored), or one that always fails.
type mapCache struct {
	mu   sync.Mutex
	m    map[string][]byte
	down bool
}

func (c *mapCache) Get(_ context.Context, k string) ([]byte, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down {
		return nil, false, errors.New("cache down")
	}
	b, ok := c.m[k]
	return b, ok, nil
}

func (c *mapCache) Set(_ context.Context, k string, v []byte, _ time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down {
		return errors.New("cache down")
	}
	c.m[k] = v
	return nil
}

func (c *mapCache) Delete(_ context.Context, ks ...string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range ks {
		delete(c.m, k)
	}
	return nil
}

func TestDashboardIsCachedAndInvalidatedByKey(t *testing.T) {
	ctx := context.Background()
	st, cache := &counting{}, &mapCache{m: map[string][]byte{}}
	s := &stats.Service{Store: st, Cache: cache, Log: logs.Discard()}
	for range 3 {
		d, err := s.Dashboard(ctx, time.Time{}, time.Time{})
		if err != nil || d.OrdersByStatus[appraisal.StatusQueued] != 3 || d.SLABreaches != 1 || d.From.IsZero() || !d.To.After(d.From) {
			t.Fatalf("dashboard %+v %v", d, err)
		}
	}
	if st.n.Load() != 1 {
		t.Fatalf("%d computations for three reads, want 1 (cached)", st.n.Load())
	}
	cache.Delete(ctx, stats.CacheKey) // what an order write does
	s.Dashboard(ctx, time.Time{}, time.Time{})
	if st.n.Load() != 2 {
		t.Fatalf("%d computations after the invalidation, want 2", st.n.Load())
	}
}

func TestDashboardWithoutItsCache(t *testing.T) {
	st := &counting{}
	s := &stats.Service{Store: st, Cache: &mapCache{down: true}, Log: logs.Discard()}
	if _, err := s.Dashboard(context.Background(), time.Time{}, time.Time{}); err != nil {
		t.Fatalf("a cache outage is not the dashboard's: %v", err)
	}
}

func TestDashboardRangeIsChecked(t *testing.T) {
	s := &stats.Service{Store: &counting{}, Log: logs.Discard()}
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, appraisal.Shanghai)
	if _, err := s.Dashboard(context.Background(), day, day.AddDate(0, 6, 0)); appraisal.KindOf(err) != appraisal.KindInvalid {
		t.Fatalf("a half-year range: %v", err)
	}
}
