package mysql

import (
	"context"
	"database/sql"

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

const userColumns = "id, username, display_name, password_hash, role_id, disabled, created_at, updated_at"

func scanUser(row interface{ Scan(...any) error }) (*appraisal.User, error) {
	var u appraisal.User
	var role int
	if err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.PasswordHash, &role, &u.Disabled, &u.CreatedAt, &u.UpdatedAt); err != nil {
		return nil, err
	}
	u.Role = appraisal.RoleID(role)
	return &u, nil
}

// CreateUser implements appraisal.UserStore.
func (s *Store) CreateUser(ctx context.Context, u *appraisal.User) error {
	u.Username = appraisal.NormalizeUsername(u.Username)
	t := now()
	res, err := s.db.ExecContext(ctx,
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
	return nil
}

// UserByUsername implements appraisal.UserStore.
func (s *Store) UserByUsername(ctx context.Context, username string) (*appraisal.User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx,
		"SELECT "+userColumns+" FROM admin_users WHERE username = ?", appraisal.NormalizeUsername(username)))
	return u, dbErr(err, "user")
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

// truncate cuts s to at most n characters (not bytes), as VARCHAR(n) counts them.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
