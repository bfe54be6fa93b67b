package appraisal

import (
	"context"
	"time"
)

// Actor is who did something, and from where.
type Actor struct {
	UserID    int64
	Username  string
	IP        string
	UserAgent string
	RequestID string
}

// AuditEntry is one row of the audit log: who did what to which target, with the target's state
// before and after. Before and After are JSON-encodable snapshots; they never hold secrets or
// upload bodies.
type AuditEntry struct {
	ID         int64
	Actor      Actor
	Action     string // e.g. "order.assign"
	TargetType string // e.g. "order"
	TargetID   string
	Before     any
	After      any
	At         time.Time
}

// For returns a copy of a aimed at a new action and target.
func (a AuditEntry) For(action, targetType, targetID string) AuditEntry {
	a.Action, a.TargetType, a.TargetID = action, targetType, targetID
	return a
}

// AuditRecord is an audit row read back, with its snapshots as raw JSON.
type AuditRecord struct {
	ID         int64
	ActorID    int64
	ActorName  string
	Action     string
	TargetType string
	TargetID   string
	Before     []byte
	After      []byte
	IP         string
	UserAgent  string
	RequestID  string
	At         time.Time
}

// AuditFilter selects audit rows.
type AuditFilter struct {
	ActorID    int64
	Action     string
	TargetType string
	TargetID   string
	From, To   time.Time
	Oldest     bool // oldest first; newest first otherwise
	Page
}

// AuditLog reads and prunes the audit log. Rows are written by the stores, in the transaction of
// the change they describe, so a change is never without its row.
type AuditLog interface {
	// RecordAudit writes a row for a change that has no row of its own in the database (an
	// unlock clears counters in Redis).
	RecordAudit(ctx context.Context, a AuditEntry) error
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditRecord, int, error)
	PruneAudit(ctx context.Context, before time.Time) (int64, error)
}

// Page is offset pagination with a bounded size.
type Page struct {
	Limit  int
	Offset int
}
