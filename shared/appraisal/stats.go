package appraisal

import (
	"context"
	"time"
)

// Dashboard is the overview the console opens on.
type Dashboard struct {
	GeneratedAt    time.Time
	OrdersByStatus map[Status]int
	From, To       time.Time  // the range the counts cover: Asia/Shanghai midnights, To excluded
	Daily          []DayCount // each day of the range, oldest first, in Asia/Shanghai dates
	SLABreaches    int
	Experts        []ExpertLoad
	// Media processed in the range, by outcome.
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

// ExpertLoad is one expert's open work, and their completions and median turnaround in the range.
type ExpertLoad struct {
	ExpertID              int64
	Name                  string
	OpenOrders            int
	Capacity              int
	Completed             int
	MedianTurnaroundHours float64
}

// MaxDashboardDays bounds a dashboard's range: a quarter.
const MaxDashboardDays = 92

// DashboardRange checks a range of Asia/Shanghai dates (zero: the last 30 days up to today) and
// returns it as midnights, to excluded.
func DashboardRange(now, from, to time.Time) (time.Time, time.Time, error) {
	today := now.In(Shanghai)
	tomorrow := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, Shanghai).AddDate(0, 0, 1)
	if to.IsZero() {
		to = tomorrow
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -30)
	}
	from, to = from.In(Shanghai), to.In(Shanghai)
	from = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, Shanghai)
	to = time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, Shanghai)
	switch {
	case !to.After(from):
		return from, to, Invalid(FieldError{Field: "to", Code: "bad_range", Message: "to must be after from"})
	case to.Sub(from) > MaxDashboardDays*24*time.Hour:
		return from, to, Invalid(FieldError{Field: "from", Code: "too_many", Message: "at most 92 days"})
	}
	return from, to, nil
}

// StatsStore computes the dashboard.
type StatsStore interface {
	// Dashboard computes the overview at now for the range [from, to) (DashboardRange).
	Dashboard(ctx context.Context, now, from, to time.Time) (*Dashboard, error)
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
