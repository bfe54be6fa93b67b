package appraisal

import (
	"context"
	"time"
)

// Session is one login: the family of refresh tokens rotated from it. Revoking the session ends
// every token of the family at once.
type Session struct {
	ID           string
	UserID       int64
	CreatedAt    time.Time
	LastUsedAt   time.Time
	ExpiresAt    time.Time
	RevokedAt    *time.Time
	RevokeReason string
	IP           string
	UserAgent    string
	// DeviceHash is the hash of the device secret the login handed the browser in an HttpOnly
	// cookie: what a second tab of the same browser shares with the first and a thief holding only
	// a refresh token does not. Empty for clients that keep no cookies.
	DeviceHash string
}

// Rotation is one presentation of a refresh token: spend OldHash for NewHash (and SealedNew, the
// new token sealed with a key only the old token gives), extending the session to ExpiresAt.
// Device is the hash of the device secret the request carried ("" for none).
type Rotation struct {
	OldHash, NewHash string
	SealedNew        []byte
	Device           string
	Now, ExpiresAt   time.Time
	Grace            time.Duration
}

// Active reports whether the session can still be used at t.
func (s *Session) Active(t time.Time) bool { return s.RevokedAt == nil && t.Before(s.ExpiresAt) }

// Principal is the authenticated caller of one request, as the database says now: role and
// status come from the account row, not from the token, so a change applies on the next request.
type Principal struct {
	UserID    int64
	Username  string
	Role      RoleID
	SessionID string
	ExpertID  int64 // the caller's expert profile, 0 when none
	// Capabilities are the capability permissions (Cap…) the role holds, read with the grant.
	Capabilities []string
	// MustChangePassword: an administrator reset the password; only changing it is allowed.
	MustChangePassword bool
}

// Can reports whether the principal's role held capability when the request was authorized.
func (p *Principal) Can(capability string) bool {
	for _, c := range p.Capabilities {
		if c == capability {
			return true
		}
	}
	return false
}

// Has reports whether the principal's role is one of roles.
func (p *Principal) Has(roles ...RoleID) bool {
	for _, r := range roles {
		if p.Role == r {
			return true
		}
	}
	return false
}

// Grant is what the per-request authorization check learns in one query.
type Grant struct {
	Principal
	SessionActive bool
	Disabled      bool
	Allowed       bool // the role holds the operation's permission
}

// RefreshUse is the outcome of presenting a refresh token.
type RefreshUse int

const (
	RefreshUnknown RefreshUse = iota // no such token
	RefreshOK                        // rotated: the old token is now spent
	RefreshReused                    // already spent: someone replayed it, the family is revoked
	RefreshEnded                     // the session was revoked or has expired
	// RefreshGrace: already spent, moments ago, its successor still unspent, and both the spending
	// request and this one carried the session's device secret — a second tab of the same browser
	// refreshing at the same time, not a replay. The caller gets the sealed successor back.
	RefreshGrace
)

// SessionStore keeps sessions and their refresh tokens.
type SessionStore interface {
	CreateSession(ctx context.Context, s *Session, refreshHash string) error
	// RotateRefresh spends r.OldHash and stores r.NewHash in the same session, extending it to
	// r.ExpiresAt; the spent row keeps the successor (hash and sealed) and the device the spending
	// request proved. A token spent less than r.Grace ago whose successor is still unspent, spent
	// and presented again by requests that both carried the session's device, is RefreshGrace
	// with that sealed successor; any other spent token revokes the session (reuse detection).
	RotateRefresh(ctx context.Context, r Rotation) (RefreshUse, *Session, []byte, error)
	SessionsOf(ctx context.Context, userID int64, activeAt time.Time) ([]Session, error)
	// RevokeSession revokes one session of userID; a session of someone else is KindNotFound.
	RevokeSession(ctx context.Context, userID int64, sessionID, reason string, a AuditEntry) error
	// RevokeUserSessions revokes every session of userID but keep (if set).
	RevokeUserSessions(ctx context.Context, userID int64, keep, reason string, a AuditEntry) (int, error)
	// Grant checks a session and a permission in one round trip.
	Grant(ctx context.Context, sessionID string, userID int64, operation string, now time.Time) (*Grant, error)
}

// Throttle counts events in fixed windows, shared by every instance (Redis).
type Throttle interface {
	// Blocked reports how long key stays blocked when it has reached limit, or 0.
	Blocked(ctx context.Context, key string, limit int) (time.Duration, error)
	// Hit counts one event against key; the window starts at the first hit.
	Hit(ctx context.Context, key string, window time.Duration) (int, error)
	// Take counts one event against key and, when that event is over limit, reports how long
	// the window still runs (else 0). Counting and checking are one step, so parallel callers
	// cannot all pass the check before any of them is counted.
	Take(ctx context.Context, key string, limit int, window time.Duration) (time.Duration, error)
	// Forgive takes back one event counted against key (a login that succeeded).
	Forgive(ctx context.Context, key string) error
	// Reset forgets key.
	Reset(ctx context.Context, key string) error
	// ResetPrefix forgets every key that starts with prefix (an administrator's unlock).
	ResetPrefix(ctx context.Context, prefix string) error
}

// IdempotencyStore remembers the responses of creates sent with an Idempotency-Key, so that a
// retried POST returns the first result instead of creating a duplicate.
type IdempotencyStore interface {
	// BeginIdempotent reserves key for userID. It returns status 0 when the caller should go ahead,
	// or the stored status and body of the first request with this key. A key still in progress,
	// or reused for a different request, is KindConflict.
	BeginIdempotent(ctx context.Context, userID int64, key, operation, requestHash string) (status int, body []byte, err error)
	// FinishIdempotent stores the response of a reserved key.
	FinishIdempotent(ctx context.Context, userID int64, key string, status int, body []byte) error
	// AbandonIdempotent releases a reserved key after a failure, so a retry can run.
	AbandonIdempotent(ctx context.Context, userID int64, key string) error
}
