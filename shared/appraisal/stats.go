package appraisal

import (
	"context"
	"time"
)

// Dashboard is the overview the console opens on.
type Dashboard struct {
	GeneratedAt    time.Time
	OrdersByStatus map[Status]int
	Daily          []DayCount // the last 30 days, oldest first, in Asia/Shanghai dates
	SLABreaches    int
	Experts        []ExpertLoad
	// Media processed in the last 30 days, by outcome.
	MediaReady, MediaRejected, MediaFailed int
}

// MediaSuccessRate is the share of processed media that became ready, or 1 when none was processed.
func (d *Dashboard) MediaSuccessRate() float64 {
	n := d.MediaReady + d.MediaRejected + d.MediaFailed
	if n == 0 {
		return 1
	}
	return float64(d.MediaReady) / float64(n)
}

// DayCount is one day's intake and completions.
type DayCount struct {
	Date      string // 2006-01-02
	Intake    int
	Completed int
}

// ExpertLoad is one expert's open work and median turnaround over the last 30 days.
type ExpertLoad struct {
	ExpertID              int64
	Name                  string
	OpenOrders            int
	Capacity              int
	CompletedLast30Days   int
	MedianTurnaroundHours float64
}

// StatsStore computes the dashboard.
type StatsStore interface {
	Dashboard(ctx context.Context, now time.Time) (*Dashboard, error)
}

// Cache keeps short-lived computed values shared by every instance.
type Cache interface {
	// Get returns the value and whether it was there.
	Get(ctx context.Context, key string) ([]byte, bool, error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	Delete(ctx context.Context, keys ...string) error
}

// Store is every store of the domain: what the API reads and writes.
type Store interface {
	UserStore
	LoginLog
	SessionStore
	PermissionStore
	CatalogStore
	OrderStore
	StatsStore
	AuditLog
	IdempotencyStore
	MediaStore
	SettingsStore
}
