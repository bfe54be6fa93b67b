package mysql

import (
	"context"
	"database/sql"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

// Store implements the domain's store interfaces on one *sql.DB.
type Store struct{ db *sql.DB }

// NewStore returns a store over db, which must be migrated.
func NewStore(db *sql.DB) *Store { return &Store{db: db} }

var (
	_ appraisal.UserStore = (*Store)(nil)
	_ appraisal.LoginLog  = (*Store)(nil)
)

const userColumns = "id, username, display_name, password_hash, role_id, disabled, must_change_password, created_at, updated_at"

func scanUser(row interface{ Scan(...any) error }) (*appraisal.User, error) {
	var u appraisal.User
	var role int
	if err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.PasswordHash, &role, &u.Disabled, &u.MustChangePassword, &u.CreatedAt, &u.UpdatedAt); err != nil {
		return nil, err
	}
	u.Role = appraisal.RoleID(role)
	return &u, nil
}

// userSnapshot is what the audit log keeps of an account: never the password hash.
func userSnapshot(u *appraisal.User) map[string]any {
	return map[string]any{"id": u.ID, "username": u.Username, "display_name": u.DisplayName, "role": int(u.Role), "disabled": u.Disabled}
}

// CreateUser implements appraisal.UserStore.
func (s *Store) CreateUser(ctx context.Context, u *appraisal.User, a appraisal.AuditEntry) error {
	u.Username = appraisal.NormalizeUsername(u.Username)
	t := now()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			"INSERT INTO admin_users (username, display_name, password_hash, role_id, disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			u.Username, u.DisplayName, u.PasswordHash, int(u.Role), u.Disabled, t, t)
		if err != nil {
			return dbErr(err, "user")
		}
		id, err := res.LastInsertId()
		if err != nil {
			return dbErr(err, "user")
		}
		u.ID, u.CreatedAt, u.UpdatedAt = id, t, t
		a.TargetID, a.After = formatID(id), userSnapshot(u)
		return insertAudit(ctx, tx, a)
	})
}

// UserByUsername implements appraisal.UserStore.
func (s *Store) UserByUsername(ctx context.Context, username string) (*appraisal.User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx,
		"SELECT "+userColumns+" FROM admin_users WHERE username = ?", appraisal.NormalizeUsername(username)))
	return u, dbErr(err, "user")
}

// UserByID implements appraisal.UserStore.
func (s *Store) UserByID(ctx context.Context, id int64) (*appraisal.User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, "SELECT "+userColumns+" FROM admin_users WHERE id = ?", id))
	return u, dbErr(err, "user")
}

// ListUsers implements appraisal.UserStore.
func (s *Store) ListUsers(ctx context.Context, f appraisal.UserFilter) ([]appraisal.User, int, error) {
	w := &where{}
	if f.Role != 0 {
		w.add("role_id = ?", int(f.Role))
	}
	if f.Disabled != nil {
		w.add("disabled = ?", *f.Disabled)
	}
	if f.Keyword != "" {
		w.add("(username LIKE ? OR display_name LIKE ?)", like(f.Keyword), like(f.Keyword))
	}
	total, err := s.count(ctx, "admin_users", w)
	if err != nil {
		return nil, 0, err
	}
	var out []appraisal.User
	err = s.list(ctx, "SELECT "+userColumns+" FROM admin_users", w, orderBy(f.Sort, "username", "id"), f.Page, func(r interface{ Scan(...any) error }) error {
		u, err := scanUser(r)
		if err == nil {
			out = append(out, *u)
		}
		return err
	})
	return out, total, err
}

// UpdateUser implements appraisal.UserStore.
func (s *Store) UpdateUser(ctx context.Context, u *appraisal.User, a appraisal.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		before, err := scanUser(tx.QueryRowContext(ctx, "SELECT "+userColumns+" FROM admin_users WHERE id = ?", u.ID))
		if err != nil {
			return dbErr(err, "user")
		}
		t := now()
		if _, err := tx.ExecContext(ctx, "UPDATE admin_users SET display_name = ?, role_id = ?, disabled = ?, updated_at = ? WHERE id = ?",
			u.DisplayName, int(u.Role), u.Disabled, t, u.ID); err != nil {
			return dbErr(err, "user")
		}
		u.Username, u.CreatedAt, u.UpdatedAt, u.PasswordHash = before.Username, before.CreatedAt, t, before.PasswordHash
		a.TargetID, a.Before, a.After = formatID(u.ID), userSnapshot(before), userSnapshot(u)
		return insertAudit(ctx, tx, a)
	})
}

// SetPassword implements appraisal.UserStore.
func (s *Store) SetPassword(ctx context.Context, id int64, hash string, mustChange bool, a appraisal.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE admin_users SET password_hash = ?, must_change_password = ?, updated_at = ? WHERE id = ?", hash, mustChange, now(), id)
		if err != nil {
			return dbErr(err, "user")
		}
		if ok, err := affectedOne(res); err != nil || !ok {
			return dbErr(orNotFound(err), "user")
		}
		a.TargetID = formatID(id)
		a.After = map[string]any{"password": "changed", "must_change_password": mustChange}
		return insertAudit(ctx, tx, a)
	})
}

// CountUsers implements appraisal.UserStore.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM admin_users").Scan(&n)
	return n, dbErr(err, "users")
}

// RecordLogin implements appraisal.LoginLog.
func (s *Store) RecordLogin(ctx context.Context, a appraisal.LoginAttempt) error {
	var uid sql.NullInt64
	if a.UserID != 0 {
		uid = sql.NullInt64{Int64: a.UserID, Valid: true}
	}
	at := a.At
	if at.IsZero() {
		at = now()
	}
	_, err := s.db.ExecContext(ctx,
		"INSERT INTO login_log (user_id, username, success, reason, ip, user_agent, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		uid, truncate(a.Username, 64), a.Success, truncate(a.Reason, 64), truncate(a.IP, 64), truncate(a.UserAgent, 255), at.UTC())
	return dbErr(err, "login log")
}

// LoginAttempts implements appraisal.LoginLog.
func (s *Store) LoginAttempts(ctx context.Context, f appraisal.LoginFilter) ([]appraisal.LoginAttempt, int, error) {
	w := &where{}
	if f.UserID != 0 {
		w.add("user_id = ?", f.UserID)
	}
	if f.Username != "" {
		w.add("username = ?", appraisal.NormalizeUsername(f.Username))
	}
	if f.Success != nil {
		w.add("success = ?", *f.Success)
	}
	if !f.From.IsZero() {
		w.add("created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		w.add("created_at < ?", f.To.UTC())
	}
	total, err := s.count(ctx, "login_log", w)
	if err != nil {
		return nil, 0, err
	}
	var out []appraisal.LoginAttempt
	err = s.list(ctx, "SELECT id, user_id, username, success, reason, ip, user_agent, created_at FROM login_log", w, byTime("created_at", "id", f.Oldest), f.Page,
		func(r interface{ Scan(...any) error }) error {
			var a appraisal.LoginAttempt
			var uid sql.NullInt64
			if err := r.Scan(&a.ID, &uid, &a.Username, &a.Success, &a.Reason, &a.IP, &a.UserAgent, &a.At); err != nil {
				return err
			}
			a.UserID = uid.Int64
			out = append(out, a)
			return nil
		})
	return out, total, err
}

// KnownPairs implements appraisal.LoginLog. The covering index idx_login_log_known keeps it to
// the successful logins of the period, however many failures a flood wrote beside them.
func (s *Store) KnownPairs(ctx context.Context, since time.Time, limit int) ([]appraisal.LoginPair, error) {
	var out []appraisal.LoginPair
	err := s.each(ctx, `SELECT username, ip FROM login_log WHERE success = 1 AND created_at >= ?
  GROUP BY username, ip ORDER BY MAX(created_at) DESC LIMIT ?`, []any{since.UTC(), limit},
		func(r interface{ Scan(...any) error }) error {
			var p appraisal.LoginPair
			if err := r.Scan(&p.Username, &p.IP); err != nil {
				return err
			}
			out = append(out, p)
			return nil
		})
	return out, dbErr(err, "login log")
}

// orNotFound turns "no row matched" (err == nil) into sql.ErrNoRows for dbErr.
func orNotFound(err error) error {
	if err == nil {
		return sql.ErrNoRows
	}
	return err
}

// truncate cuts s to at most n characters (not bytes), as VARCHAR(n) counts them.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
