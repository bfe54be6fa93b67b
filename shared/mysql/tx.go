package mysql

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/jianbao/admin/shared/appraisal"
)

// execer is what both *sql.DB and *sql.Tx offer.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// inTx runs fn in a transaction, committing if it returns nil. Correctness never rests on the
// isolation level or row locks (the embedded engine ignores both): conflicting writers are caught
// by version checks in the statements themselves.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return dbErr(err, "begin")
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return dbErr(err, "commit")
	}
	return nil
}

// insertAudit writes one audit row inside the caller's transaction.
func insertAudit(ctx context.Context, ex execer, e appraisal.AuditEntry) error {
	before, err := snapshot(e.Before)
	if err != nil {
		return err
	}
	after, err := snapshot(e.After)
	if err != nil {
		return err
	}
	var actor sql.NullInt64
	if e.Actor.UserID != 0 {
		actor = sql.NullInt64{Int64: e.Actor.UserID, Valid: true}
	}
	at := e.At
	if at.IsZero() {
		at = now()
	}
	_, err = ex.ExecContext(ctx, `INSERT INTO audit_log
  (actor_user_id, actor_username, action, target_type, target_id, before_json, after_json, ip, user_agent, request_id, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		actor, truncate(e.Actor.Username, 64), e.Action, e.TargetType, truncate(e.TargetID, 64), before, after,
		truncate(e.Actor.IP, 64), truncate(e.Actor.UserAgent, 255), truncate(e.Actor.RequestID, 64), at.UTC())
	return dbErr(err, "audit")
}

func snapshot(v any) (sql.NullString, error) {
	if v == nil {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return sql.NullString{}, fmt.Errorf("audit snapshot: %w", err)
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

// affectedOne checks that an UPDATE guarded by a version or state matched its row. Every guarded
// UPDATE also changes a column (version or a timestamp), because the embedded engine reports a
// matched-but-unchanged row as affected and MariaDB does not.
func affectedOne(res sql.Result) (bool, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	return n == 1, nil
}
