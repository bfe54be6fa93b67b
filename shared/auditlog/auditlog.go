// Package auditlog is the audit log's service: reading it, and the entries a route writes on its
// own (an export changes nothing, yet who exported what is recorded). Every mutation's entry is
// written by its own service in the mutation's transaction; this is for the rest.
package auditlog

import (
	"context"

	"github.com/jianbao/admin/shared/appraisal"
)

// Service reads and writes the audit log.
type Service struct {
	Log appraisal.AuditLog
}

// List returns the entries matching f, newest first, with their total.
func (s *Service) List(ctx context.Context, f appraisal.AuditFilter) ([]appraisal.AuditRecord, int, error) {
	return s.Log.ListAudit(ctx, f)
}

// Record writes one entry that goes with no change (a read worth recording).
func (s *Service) Record(ctx context.Context, e appraisal.AuditEntry) error {
	return s.Log.RecordAudit(ctx, e)
}
