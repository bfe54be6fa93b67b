package mysql

import (
	"context"
	"database/sql"
	"sort"

	"github.com/jianbao/admin/shared/appraisal"
)

var _ appraisal.SettingsStore = (*Store)(nil)

// Settings implements appraisal.SettingsStore.
func (s *Store) Settings(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	err := s.each(ctx, "SELECT setting_key, value FROM settings", nil, func(r interface{ Scan(...any) error }) error {
		var k, v string
		if err := r.Scan(&k, &v); err != nil {
			return err
		}
		out[k] = v
		return nil
	})
	return out, err
}

// SetSettings implements appraisal.SettingsStore: every value and its audit row in one
// transaction. An upsert written as delete-then-insert: the embedded engine and MariaDB agree on it.
func (s *Store) SetSettings(ctx context.Context, values map[string]string, a appraisal.AuditEntry) error {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		before := map[string]any{}
		for _, k := range keys {
			var old string
			if err := tx.QueryRowContext(ctx, "SELECT value FROM settings WHERE setting_key = ?", k).Scan(&old); err == nil {
				before[k] = old
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM settings WHERE setting_key = ?", k); err != nil {
				return dbErr(err, "settings")
			}
			var by sql.NullInt64
			if a.Actor.UserID != 0 {
				by = sql.NullInt64{Int64: a.Actor.UserID, Valid: true}
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO settings (setting_key, value, updated_by, updated_at) VALUES (?, ?, ?, ?)",
				k, values[k], by, now()); err != nil {
				return dbErr(err, "settings")
			}
		}
		after := map[string]any{}
		for k, v := range values {
			after[k] = v
		}
		a.TargetType, a.TargetID, a.Before, a.After = "settings", "", before, after
		return insertAudit(ctx, tx, a)
	})
}
