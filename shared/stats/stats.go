// Package stats is the dashboard's service: the store computes it, the cache keeps it a short
// while, and one computation per range at a time runs in a process — when the cached dashboard
// expires under load, the requests that find it gone wait for that one instead of each running
// their own (on two cores that made every one of them slow).
package stats

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/jianbao/admin/shared/appraisal"
)

// CacheKey is the default range's cache entry; every order write deletes it, so a read after a
// write is never stale, and TTL bounds staleness from anything else (custom ranges too).
const CacheKey = "dashboard:v1"

// TTL is how long a computed dashboard is served from the cache.
const TTL = 30 * time.Second

// Service answers the dashboard.
type Service struct {
	Store appraisal.StatsStore
	Cache appraisal.Cache // nil: computed every time
	Log   *slog.Logger
	Now   func() time.Time

	flight singleflight.Group
}

// Dashboard is the dashboard of the days from..to (Asia/Shanghai midnights, to excluded); zero
// values take the default range (appraisal.DashboardRange), which also refuses one too long.
func (s *Service) Dashboard(ctx context.Context, from, to time.Time) (*appraisal.Dashboard, error) {
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	custom := !from.IsZero() || !to.IsZero()
	from, to, err := appraisal.DashboardRange(now, from, to)
	if err != nil {
		return nil, err
	}
	key := CacheKey
	if custom {
		key += ":" + from.Format("20060102") + "-" + to.Format("20060102")
	}
	if s.Cache != nil {
		if b, ok, err := s.Cache.Get(ctx, key); err == nil && ok {
			var d appraisal.Dashboard
			if json.Unmarshal(b, &d) == nil {
				return &d, nil
			}
		} else if err != nil {
			s.Log.WarnContext(ctx, "dashboard cache unavailable", "err", err)
		}
	}
	v, err, _ := s.flight.Do(key, func() (any, error) {
		d, err := s.Store.Dashboard(context.WithoutCancel(ctx), now, from, to)
		if err == nil {
			d.From, d.To = from, to // set once, before the result is shared
		}
		return d, err
	})
	if err != nil {
		return nil, err
	}
	d := v.(*appraisal.Dashboard)
	if s.Cache != nil {
		if b, err := json.Marshal(d); err == nil {
			if err := s.Cache.Set(ctx, key, b, TTL); err != nil {
				s.Log.WarnContext(ctx, "dashboard cache unavailable", "err", err)
			}
		}
	}
	return d, nil
}
