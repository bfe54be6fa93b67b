package mysql

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

var _ appraisal.SessionStore = (*Store)(nil)

const sessionColumns = "id, user_id, created_at, last_used_at, expires_at, revoked_at, revoke_reason, ip, user_agent, device_hash"

func scanSession(row interface{ Scan(...any) error }) (*appraisal.Session, error) {
	var s appraisal.Session
	var revoked sql.NullTime
	if err := row.Scan(&s.ID, &s.UserID, &s.CreatedAt, &s.LastUsedAt, &s.ExpiresAt, &revoked, &s.RevokeReason, &s.IP, &s.UserAgent, &s.DeviceHash); err != nil {
		return nil, err
	}
	if revoked.Valid {
		t := revoked.Time
		s.RevokedAt = &t
	}
	return &s, nil
}

// CreateSession implements appraisal.SessionStore.
func (s *Store) CreateSession(ctx context.Context, sess *appraisal.Session, refreshHash string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO sessions ("+sessionColumns+") VALUES (?, ?, ?, ?, ?, NULL, '', ?, ?, ?)",
			sess.ID, sess.UserID, sess.CreatedAt.UTC(), sess.LastUsedAt.UTC(), sess.ExpiresAt.UTC(),
			truncate(sess.IP, 64), truncate(sess.UserAgent, 255), sess.DeviceHash); err != nil {
			return dbErr(err, "session")
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES (?, ?, ?)",
			refreshHash, sess.ID, sess.CreatedAt.UTC())
		return dbErr(err, "refresh token")
	})
}

// RotateRefresh implements appraisal.SessionStore. Spending the old token is a guarded UPDATE
// (used_at IS NULL), so of two concurrent refreshes with one token exactly one rotates; the other
// finds the token spent, and gets the grace answer or revokes the session.
func (s *Store) RotateRefresh(ctx context.Context, r appraisal.Rotation) (appraisal.RefreshUse, *appraisal.Session, []byte, error) {
	oldHash, t := r.OldHash, r.Now
	var sessionID string
	var used sql.NullTime
	err := s.db.QueryRowContext(ctx, "SELECT session_id, used_at FROM refresh_tokens WHERE token_hash = ?", oldHash).Scan(&sessionID, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return appraisal.RefreshUnknown, nil, nil, nil
	}
	if err != nil {
		return 0, nil, nil, dbErr(err, "refresh token")
	}
	if used.Valid {
		return s.spent(ctx, r, sessionID)
	}
	var out *appraisal.Session
	reused, ended := false, false
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE refresh_tokens SET used_at = ?, successor_hash = ?, successor_sealed = ?, rotated_device = ? WHERE token_hash = ? AND used_at IS NULL",
			t.UTC(), r.NewHash, r.SealedNew, r.Device, oldHash)
		if err != nil {
			return dbErr(err, "refresh token")
		}
		if ok, err := affectedOne(res); err != nil || !ok {
			reused = err == nil
			return dbErr(err, "refresh token")
		}
		res, err = tx.ExecContext(ctx, "UPDATE sessions SET last_used_at = ?, expires_at = ? WHERE id = ? AND revoked_at IS NULL AND expires_at > ?",
			t.UTC(), r.ExpiresAt.UTC(), sessionID, t.UTC())
		if err != nil {
			return dbErr(err, "session")
		}
		if ok, err := affectedOne(res); err != nil || !ok {
			ended = err == nil
			return dbErr(err, "session")
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO refresh_tokens (token_hash, session_id, created_at) VALUES (?, ?, ?)",
			r.NewHash, sessionID, t.UTC()); err != nil {
			return dbErr(err, "refresh token")
		}
		out, err = scanSession(tx.QueryRowContext(ctx, "SELECT "+sessionColumns+" FROM sessions WHERE id = ?", sessionID))
		return dbErr(err, "session")
	})
	if err != nil {
		return 0, nil, nil, err
	}
	if reused {
		return s.spent(ctx, r, sessionID)
	}
	if ended {
		return appraisal.RefreshEnded, nil, nil, nil
	}
	return appraisal.RefreshOK, out, nil, nil
}

// spent answers for a token already used. Within the grace window, while its successor is unspent
// and the session alive, and when both the request that spent it and this one carried the
// session's device secret (two tabs of one browser), it answers the sealed successor; otherwise
// the session is revoked as a replay. A thief holding only the token — before or after its owner
// used it — never gets the grace: presenting it revokes the family.
func (s *Store) spent(ctx context.Context, r appraisal.Rotation, sessionID string) (appraisal.RefreshUse, *appraisal.Session, []byte, error) {
	t := r.Now
	var usedAt time.Time
	var sealed []byte
	var spentBy string
	var successorUsed sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT r.used_at, r.successor_sealed, r.rotated_device, n.used_at FROM refresh_tokens r
  LEFT JOIN refresh_tokens n ON n.token_hash = r.successor_hash WHERE r.token_hash = ?`, r.OldHash).Scan(&usedAt, &sealed, &spentBy, &successorUsed)
	if err != nil {
		return 0, nil, nil, dbErr(err, "refresh token")
	}
	if r.Grace > 0 && len(sealed) > 0 && !successorUsed.Valid && t.Sub(usedAt) <= r.Grace && r.Device != "" && spentBy == r.Device {
		sess, err := scanSession(s.db.QueryRowContext(ctx, "SELECT "+sessionColumns+" FROM sessions WHERE id = ?", sessionID))
		if err != nil {
			return 0, nil, nil, dbErr(err, "session")
		}
		if sess.RevokedAt != nil || !sess.ExpiresAt.After(t) {
			return appraisal.RefreshEnded, nil, nil, nil
		}
		if sess.DeviceHash == r.Device {
			return appraisal.RefreshGrace, sess, sealed, nil
		}
	}
	_, err = s.db.ExecContext(ctx,
		"UPDATE sessions SET revoked_at = ?, revoke_reason = 'refresh_reused' WHERE id = ? AND revoked_at IS NULL", t.UTC(), sessionID)
	if err != nil {
		return 0, nil, nil, dbErr(err, "session")
	}
	sess, err := scanSession(s.db.QueryRowContext(ctx, "SELECT "+sessionColumns+" FROM sessions WHERE id = ?", sessionID))
	return appraisal.RefreshReused, sess, nil, dbErr(err, "session")
}

// SessionsOf implements appraisal.SessionStore.
func (s *Store) SessionsOf(ctx context.Context, userID int64, activeAt time.Time) ([]appraisal.Session, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT "+sessionColumns+
		" FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY last_used_at DESC LIMIT 100",
		userID, activeAt.UTC())
	if err != nil {
		return nil, dbErr(err, "sessions")
	}
	defer rows.Close()
	var out []appraisal.Session
	for rows.Next() {
		sess, err := scanSession(rows)
		if err != nil {
			return nil, dbErr(err, "sessions")
		}
		out = append(out, *sess)
	}
	return out, dbErr(rows.Err(), "sessions")
}

// RevokeSession implements appraisal.SessionStore.
func (s *Store) RevokeSession(ctx context.Context, userID int64, sessionID, reason string, a appraisal.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
			now(), truncate(reason, 64), sessionID, userID)
		if err != nil {
			return dbErr(err, "session")
		}
		if ok, err := affectedOne(res); err != nil || !ok {
			if err != nil {
				return dbErr(err, "session")
			}
			return appraisal.E(appraisal.KindNotFound, "auth.session_not_found", "no such active session")
		}
		a.After = map[string]any{"session_id": sessionID, "reason": reason}
		return insertAudit(ctx, tx, a)
	})
}

// RevokeUserSessions implements appraisal.SessionStore.
func (s *Store) RevokeUserSessions(ctx context.Context, userID int64, keep, reason string, a appraisal.AuditEntry) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE user_id = ? AND revoked_at IS NULL AND id <> ?",
			now(), truncate(reason, 64), userID, keep)
		if err != nil {
			return dbErr(err, "sessions")
		}
		n, _ = res.RowsAffected()
		a.After = map[string]any{"revoked_sessions": n, "reason": reason}
		return insertAudit(ctx, tx, a)
	})
	return int(n), err
}

// capabilityParams are the placeholders for appraisal.Capabilities.
var capabilityParams = strings.TrimSuffix(strings.Repeat("?, ", len(appraisal.Capabilities)), ", ")

// Grant implements appraisal.SessionStore: the session, the account and the permission in one
// query, so authorization costs one round trip and always sees the current state.
func (s *Store) Grant(ctx context.Context, sessionID string, userID int64, operation string, t time.Time) (*appraisal.Grant, error) {
	var g appraisal.Grant
	var role, active, allowed int
	var expert sql.NullInt64
	var caps sql.NullString
	args := []any{t.UTC(), operation}
	for _, c := range appraisal.Capabilities {
		args = append(args, c)
	}
	args = append(args, sessionID, userID)
	err := s.db.QueryRowContext(ctx, `SELECT u.id, u.username, u.role_id, u.disabled, u.must_change_password,
  CASE WHEN s.revoked_at IS NULL AND s.expires_at > ? THEN 1 ELSE 0 END,
  CASE WHEN EXISTS (SELECT 1 FROM role_permissions rp WHERE rp.role_id = u.role_id AND rp.operation = ?) THEN 1 ELSE 0 END,
  (SELECT e.id FROM experts e WHERE e.user_id = u.id),
  (SELECT GROUP_CONCAT(rp.operation ORDER BY rp.operation SEPARATOR ',') FROM role_permissions rp
     WHERE rp.role_id = u.role_id AND rp.operation IN (`+capabilityParams+`))
FROM sessions s JOIN admin_users u ON u.id = s.user_id
WHERE s.id = ? AND s.user_id = ?`, args...).
		Scan(&g.UserID, &g.Username, &role, &g.Disabled, &g.MustChangePassword, &active, &allowed, &expert, &caps)
	if errors.Is(err, sql.ErrNoRows) {
		return &appraisal.Grant{}, nil
	}
	if err != nil {
		return nil, dbErr(err, "grant")
	}
	g.Role = appraisal.RoleID(role)
	g.SessionID = sessionID
	g.SessionActive = active == 1
	g.Allowed = allowed == 1
	g.ExpertID = expert.Int64
	if caps.String != "" {
		g.Capabilities = strings.Split(caps.String, ",")
	}
	return &g, nil
}

// ActiveUsers counts the accounts that used a session (logged in or refreshed) since t: the
// business dashboard's "active users per day". The sessions table holds weeks of a few dozen
// users' sessions, so the scan is small.
func (s *Store) ActiveUsers(ctx context.Context, since time.Time) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT user_id) FROM sessions WHERE last_used_at >= ?`, since.UTC()).Scan(&n)
	return n, err
}
