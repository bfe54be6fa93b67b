package mysql

import (
	"context"
	"database/sql"
	"sort"

	"github.com/jianbao/admin/shared/appraisal"
)

var _ appraisal.PermissionStore = (*Store)(nil)

// SeedPermissions implements appraisal.PermissionStore.
func (s *Store) SeedPermissions(ctx context.Context, policy map[string][]appraisal.RoleID) (int, error) {
	seeded := map[string]bool{}
	rows, err := s.db.QueryContext(ctx, "SELECT operation FROM permission_seeds")
	if err != nil {
		return 0, dbErr(err, "permission seeds")
	}
	for rows.Next() {
		var op string
		if err := rows.Scan(&op); err != nil {
			rows.Close()
			return 0, dbErr(err, "permission seeds")
		}
		seeded[op] = true
	}
	rows.Close()
	ops := make([]string, 0, len(policy))
	for op := range policy {
		if !seeded[op] {
			ops = append(ops, op)
		}
	}
	sort.Strings(ops)
	added := 0
	for _, op := range ops {
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			// INSERT IGNORE: a concurrent seeder may have got here first; either way the rules stand once.
			res, err := tx.ExecContext(ctx, "INSERT IGNORE INTO permission_seeds (operation, seeded_at) VALUES (?, ?)", op, now())
			if err != nil {
				return dbErr(err, "permission seeds")
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil
			}
			for _, r := range policy[op] {
				if _, err := tx.ExecContext(ctx, "INSERT IGNORE INTO role_permissions (role_id, operation) VALUES (?, ?)", int(r), op); err != nil {
					return dbErr(err, "role permissions")
				}
				added++
			}
			return nil
		})
		if err != nil {
			return added, err
		}
	}
	return added, nil
}

// Permissions implements appraisal.PermissionStore.
func (s *Store) Permissions(ctx context.Context) (map[appraisal.RoleID][]string, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT role_id, operation FROM role_permissions ORDER BY role_id, operation")
	if err != nil {
		return nil, dbErr(err, "role permissions")
	}
	defer rows.Close()
	out := map[appraisal.RoleID][]string{}
	for rows.Next() {
		var r int
		var op string
		if err := rows.Scan(&r, &op); err != nil {
			return nil, dbErr(err, "role permissions")
		}
		out[appraisal.RoleID(r)] = append(out[appraisal.RoleID(r)], op)
	}
	return out, dbErr(rows.Err(), "role permissions")
}

// SetPermissions implements appraisal.PermissionStore.
func (s *Store) SetPermissions(ctx context.Context, role appraisal.RoleID, operations []string, a appraisal.AuditEntry) error {
	all, err := s.Permissions(ctx)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM role_permissions WHERE role_id = ?", int(role)); err != nil {
			return dbErr(err, "role permissions")
		}
		for _, op := range operations {
			if _, err := tx.ExecContext(ctx, "INSERT INTO role_permissions (role_id, operation) VALUES (?, ?)", int(role), op); err != nil {
				return dbErr(err, "role permissions")
			}
		}
		a.Before = map[string]any{"operations": all[role]}
		a.After = map[string]any{"operations": operations}
		return insertAudit(ctx, tx, a)
	})
}

// Can implements appraisal.PermissionStore.
func (s *Store) Can(ctx context.Context, role appraisal.RoleID, operation string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM role_permissions WHERE role_id = ? AND operation = ?", int(role), operation).Scan(&n)
	return n > 0, dbErr(err, "role permissions")
}
