package mysql

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

var _ appraisal.AuditLog = (*Store)(nil)

func formatID(id int64) string { return strconv.FormatInt(id, 10) }

// ListAudit implements appraisal.AuditLog.
func (s *Store) ListAudit(ctx context.Context, f appraisal.AuditFilter) ([]appraisal.AuditRecord, int, error) {
	w := &where{}
	if f.ActorID != 0 {
		w.add("actor_user_id = ?", f.ActorID)
	}
	if f.Action != "" {
		w.add("action = ?", f.Action)
	}
	if f.TargetType != "" {
		w.add("target_type = ?", f.TargetType)
	}
	if f.TargetID != "" {
		w.add("target_id = ?", f.TargetID)
	}
	if !f.From.IsZero() {
		w.add("created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		w.add("created_at < ?", f.To.UTC())
	}
	total, err := s.count(ctx, "audit_log", w)
	if err != nil {
		return nil, 0, err
	}
	var out []appraisal.AuditRecord
	err = s.list(ctx, `SELECT id, actor_user_id, actor_username, action, target_type, target_id, before_json, after_json,
  ip, user_agent, request_id, created_at FROM audit_log`, w, byTime("created_at", "id", f.Oldest), f.Page,
		func(r interface{ Scan(...any) error }) error {
			var a appraisal.AuditRecord
			var actor sql.NullInt64
			var before, after sql.NullString
			if err := r.Scan(&a.ID, &actor, &a.ActorName, &a.Action, &a.TargetType, &a.TargetID, &before, &after,
				&a.IP, &a.UserAgent, &a.RequestID, &a.At); err != nil {
				return err
			}
			a.ActorID = actor.Int64
			if before.Valid {
				a.Before = []byte(before.String)
			}
			if after.Valid {
				a.After = []byte(after.String)
			}
			out = append(out, a)
			return nil
		})
	return out, total, err
}

// PruneAudit implements appraisal.AuditLog: it deletes rows older than before, in batches so a
// large backlog never holds one long transaction.
func (s *Store) PruneAudit(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		res, err := s.db.ExecContext(ctx, "DELETE FROM audit_log WHERE created_at < ? ORDER BY id LIMIT 1000", before.UTC())
		if err != nil {
			return total, dbErr(err, "audit prune")
		}
		n, _ := res.RowsAffected()
		total += n
		if n < 1000 {
			return total, nil
		}
	}
}

// RecordAudit implements appraisal.AuditLog.
func (s *Store) RecordAudit(ctx context.Context, a appraisal.AuditEntry) error {
	return dbErr(insertAudit(ctx, s.db, a), "audit")
}
