// Package auth is the accounts service: logging in with throttling, sessions with rotating refresh
// tokens, per-request authorization against the live permission table, and account changes. It
// works on the domain's interfaces, so the same code runs over MySQL and Redis in production and
// over the embedded stand-ins locally.
package auth

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/password"
	"github.com/jianbao/admin/shared/token"
)

// Limits bound login attempts. They are aimed at sources, never at an account alone: anyone may
// type anyone's username, so a limit that locked an account for everybody would let an outsider
// lock the super admin out (see docs/SECURITY.md).
type Limits struct {
	// PerSource failures of one account from one address lock that address out of that account
	// for Window. The account stays open to every other address.
	PerSource int
	// PerIP attempts from one address (any accounts; a success is given back) block the address.
	PerIP int
	// PerAccount failures of one account from all addresses mark it as under attack: from then
	// each further failure makes its address wait before its next attempt, a delay that doubles
	// with each of that address's failures. An address that has not failed still gets its attempts.
	PerAccount int
	Window     time.Duration
}

// DefaultLimits suit a console of a few dozen staff.
var DefaultLimits = Limits{PerSource: 5, PerIP: 30, PerAccount: 20, Window: 15 * time.Minute}

// Service authenticates and authorizes admin users.
type Service struct {
	Users       appraisal.UserStore
	Audit       appraisal.AuditLog // rows for changes that live outside the database (unlocks)
	LoginLog    appraisal.LoginLog
	Sessions    appraisal.SessionStore
	Permissions appraisal.PermissionStore
	Throttle    appraisal.Throttle // nil: no throttling
	Tokens      *token.Issuer
	Password    password.Params
	RefreshTTL  time.Duration
	Limits      Limits
	// Hashing bounds the password hashes computed at once (each argon2id takes Password's
	// memory); nil means DefaultHashing's bound.
	Hashing *Gate
	Log     *slog.Logger
	Now     func() time.Time
	// LimitDecided, when set, hears where each login-limit check was decided: "shared" (Redis)
	// or "local" (this process, while Redis could not answer). The shim counts them in metrics.
	LimitDecided func(where string)

	dummyOnce   sync.Once
	dummyHash   string
	gateOnce    sync.Once
	limiterOnce sync.Once
	failover    *failover
	pairsOnce   sync.Once
	knownPairs  *knownPairs
}

// Meta is where a request came from.
type Meta struct {
	IP        string
	UserAgent string
}

// Tokens is what a login or a refresh hands the client.
type Tokens struct {
	User             *appraisal.User
	AccessToken      string
	Claims           token.Claims
	RefreshToken     string
	RefreshExpiresAt time.Time
	SessionID        string
	// Device is the device secret of a new session (a login only): the HTTP layer hands it to the
	// browser in an HttpOnly cookie, and the browser's later refreshes prove it (see Refresh).
	Device string
}

var (
	// ErrInvalidCredentials is the one answer to every failed login: a wrong password, an unknown
	// user and a disabled account look the same, so usernames cannot be probed.
	ErrInvalidCredentials = appraisal.E(appraisal.KindUnauthorized, "auth.invalid_credentials", "wrong username or password")
	errRefreshInvalid     = appraisal.E(appraisal.KindUnauthorized, "auth.refresh_invalid", "the refresh token is unknown or expired")
	errRefreshReused      = appraisal.E(appraisal.KindUnauthorized, "auth.refresh_reused", "the refresh token was already used; the session is revoked")
	errSessionEnded       = appraisal.E(appraisal.KindUnauthorized, "auth.session_revoked", "the session has ended; log in again")
	errForbidden          = appraisal.E(appraisal.KindForbidden, "auth.forbidden", "your role may not do this")
	errMustChangePassword = appraisal.E(appraisal.KindForbidden, "auth.password_change_required",
		"an administrator set your password: change it (POST /api/v1/auth/password) before anything else")
)

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) refreshTTL() time.Duration {
	if s.RefreshTTL > 0 {
		return s.RefreshTTL
	}
	return 7 * 24 * time.Hour
}

// Login checks a username and password and starts a session.
//
// Every attempt is counted before any hashing (per address, and per account and address), so a
// flood of parallel attempts cannot all pass the check first; an attempt over a limit answers
// 429 at once. Hashing then waits for a slot of the Hashing gate, or answers 503 at once when
// too many are waiting: a flood costs bounded memory, whatever its size.
func (s *Service) Login(ctx context.Context, username, pw string, m Meta) (*Tokens, error) {
	name := appraisal.NormalizeUsername(username)
	k := loginKeysFor(name, m.IP)
	if wait := s.admit(ctx, k); wait > 0 {
		s.throttled(ctx, name, m, k)
		return nil, &appraisal.Error{Kind: appraisal.KindRateLimited, Code: "auth.too_many_attempts",
			Message: "too many failed logins; try again later", RetryAfter: wait}
	}
	fail := func(userID int64, reason string) error {
		s.failed(ctx, k)
		s.record(ctx, appraisal.LoginAttempt{UserID: userID, Username: name, Reason: reason, IP: m.IP, UserAgent: m.UserAgent})
		return ErrInvalidCredentials
	}

	known := s.known(ctx, name, m, k)
	u, err := s.Users.UserByUsername(ctx, name)
	switch {
	case appraisal.IsKind(err, appraisal.KindNotFound):
		// Spend the same time as a real check, so response times do not reveal which names exist.
		if err := s.verify(ctx, pw, s.dummy(), known); appraisal.IsKind(err, appraisal.KindUnavailable) {
			s.forgive(ctx, k)
			return nil, err
		}
		return nil, fail(0, appraisal.LoginUnknownUser)
	case err != nil:
		s.forgive(ctx, k)
		return nil, err
	}
	if err := s.verify(ctx, pw, u.PasswordHash, known); err != nil {
		if appraisal.IsKind(err, appraisal.KindUnavailable) {
			s.forgive(ctx, k)
			return nil, err
		}
		if !errors.Is(err, password.ErrMismatch) {
			s.Log.ErrorContext(ctx, "unreadable password hash", "user_id", u.ID, "err", err)
		}
		return nil, fail(u.ID, appraisal.LoginBadPassword)
	}
	if u.Disabled {
		return nil, fail(u.ID, appraisal.LoginDisabled)
	}
	s.succeeded(ctx, name, m, k)

	t := s.now().UTC()
	refresh, hash := newRefreshToken()
	device, deviceHash := newRefreshToken() // the same shape: 256 random bits, kept hashed
	sess := &appraisal.Session{ID: newSessionID(), UserID: u.ID, CreatedAt: t, LastUsedAt: t,
		ExpiresAt: t.Add(s.refreshTTL()), IP: m.IP, UserAgent: m.UserAgent, DeviceHash: deviceHash}
	if err := s.Sessions.CreateSession(ctx, sess, hash); err != nil {
		return nil, err
	}
	s.record(ctx, appraisal.LoginAttempt{UserID: u.ID, Username: name, Success: true, IP: m.IP, UserAgent: m.UserAgent})
	out, err := s.issue(u, sess, refresh)
	if out != nil {
		out.Device = device
	}
	return out, err
}

func (s *Service) issue(u *appraisal.User, sess *appraisal.Session, refresh string) (*Tokens, error) {
	access, claims, err := s.Tokens.Issue(token.Claims{UserID: u.ID, Role: u.Role, SessionID: sess.ID})
	if err != nil {
		return nil, err
	}
	return &Tokens{User: u, AccessToken: access, Claims: claims, RefreshToken: refresh,
		RefreshExpiresAt: sess.ExpiresAt, SessionID: sess.ID}, nil
}

// RefreshGrace is how long a spent refresh token still answers with its successor: two tabs of
// one browser refresh with the same token at about the same time, and the second must not look
// like a replay. Identity providers call it the reuse interval.
const RefreshGrace = 30 * time.Second

// Refresh rotates a refresh token: the old one is spent and a new pair is issued. Presenting a
// spent token means it was stolen or replayed, so the whole session is revoked — unless it was
// spent less than RefreshGrace ago, its successor is still unused, and both the request that
// spent it and this one carried the session's device secret (device: the cookie's value, "" for
// none): then the caller gets that same successor (and a fresh access token). What a second tab
// of the browser shares with the first — the cookie — a thief holding a copied refresh token does
// not, so the thief never rides along: whether they present the token before or after its owner,
// the second presentation ends the session for both.
func (s *Service) Refresh(ctx context.Context, refresh, device string) (*Tokens, error) {
	if refresh == "" {
		return nil, errRefreshInvalid
	}
	t := s.now().UTC()
	next, nextHash := newRefreshToken()
	sealed, err := sealSuccessor(refresh, next)
	if err != nil {
		return nil, err
	}
	deviceHash := ""
	if device != "" {
		deviceHash = hashToken(device)
	}
	use, sess, prior, err := s.Sessions.RotateRefresh(ctx, appraisal.Rotation{OldHash: hashToken(refresh), NewHash: nextHash, SealedNew: sealed,
		Device: deviceHash, Now: t, ExpiresAt: t.Add(s.refreshTTL()), Grace: RefreshGrace})
	if err != nil {
		return nil, err
	}
	switch use {
	case appraisal.RefreshUnknown:
		return nil, errRefreshInvalid
	case appraisal.RefreshEnded:
		return nil, errSessionEnded
	case appraisal.RefreshReused:
		s.Log.WarnContext(ctx, "refresh token reused: session revoked", "session_id", sess.ID, "user_id", sess.UserID)
		return nil, errRefreshReused
	case appraisal.RefreshGrace:
		if next, err = openSuccessor(refresh, prior); err != nil {
			return nil, errRefreshInvalid
		}
	}
	if sess.RevokedAt != nil {
		return nil, errSessionEnded
	}
	u, err := s.Users.UserByID(ctx, sess.UserID)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, errSessionEnded
	}
	return s.issue(u, sess, next)
}

// successorKey derives the key that seals a refresh token's successor from the token itself: the
// database keeps only the token's hash, so what it stores cannot be opened without the token.
func successorKey(refresh string) []byte {
	k := sha256.Sum256([]byte("jianbao refresh successor v1\x00" + refresh))
	return k[:]
}

func sealSuccessor(refresh, next string) ([]byte, error) {
	block, err := aes.NewCipher(successorKey(refresh))
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	rand.Read(nonce)
	return gcm.Seal(nonce, nonce, []byte(next), nil), nil
}

func openSuccessor(refresh string, sealed []byte) (string, error) {
	block, err := aes.NewCipher(successorKey(refresh))
	if err != nil {
		return "", err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return "", err
	}
	if len(sealed) < gcm.NonceSize() {
		return "", errors.New("auth: sealed successor too short")
	}
	plain, err := gcm.Open(nil, sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():], nil)
	return string(plain), err
}

// Authorize checks an access token and whether its holder may perform operation now. The
// account, session and permission are read from the database on every call, so a disabled
// account, a revoked session or a changed permission applies on the next request everywhere.
func (s *Service) Authorize(ctx context.Context, accessToken, operation string) (*appraisal.Principal, error) {
	c, err := s.Tokens.Verify(accessToken)
	if err != nil {
		return nil, err
	}
	g, err := s.Sessions.Grant(ctx, c.SessionID, c.UserID, operation, s.now())
	if err != nil {
		return nil, err
	}
	if g.UserID == 0 || !g.SessionActive || g.Disabled {
		return nil, errSessionEnded
	}
	if g.MustChangePassword && !slices.Contains(WhilePasswordMustChange, operation) {
		return &g.Principal, errMustChangePassword
	}
	if !g.Allowed {
		return &g.Principal, errForbidden
	}
	return &g.Principal, nil
}

// WhilePasswordMustChange are the operations an account whose password an administrator set may
// call before it changes the password.
var WhilePasswordMustChange = []string{"auth.me", "auth.password.change", "auth.logout"}

// Can reports whether p's role holds a capability or an operation. Principals from Authorize
// carry their capabilities, read in the same query as the grant; operations (what an order's
// allowed_actions asks) and other principals are looked up.
func (s *Service) Can(ctx context.Context, p *appraisal.Principal, capability string) (bool, error) {
	if p.SessionID != "" && slices.Contains(appraisal.Capabilities, capability) {
		return p.Can(capability), nil
	}
	return s.Permissions.Can(ctx, p.Role, capability)
}

// Scope is what p may see of orders and what hangs off them — everything when the role holds
// CapSeeAllOrders now, else only the expert's own assignments: the one place the rule is decided,
// once per call, for every service that filters by it.
func (s *Service) Scope(ctx context.Context, p *appraisal.Principal) (appraisal.Scope, error) {
	all, err := s.Can(ctx, p, appraisal.CapSeeAllOrders)
	return appraisal.ScopeOf(p, all), err
}

// Logout ends the caller's session.
func (s *Service) Logout(ctx context.Context, p *appraisal.Principal, a appraisal.AuditEntry) error {
	return s.Sessions.RevokeSession(ctx, p.UserID, p.SessionID, "logout", a.For("auth.logout", "session", p.SessionID))
}

// RevokeSession ends one of the caller's own sessions.
func (s *Service) RevokeSession(ctx context.Context, p *appraisal.Principal, sessionID string, a appraisal.AuditEntry) error {
	return s.Sessions.RevokeSession(ctx, p.UserID, sessionID, "revoked_by_user", a.For("auth.sessions.revoke", "session", sessionID))
}

// ForceLogout ends every session of a user (an administrator's action).
func (s *Service) ForceLogout(ctx context.Context, actor *appraisal.Principal, userID int64, a appraisal.AuditEntry) (int, error) {
	target, err := s.Users.UserByID(ctx, userID)
	if err != nil {
		return 0, err
	}
	if err := CanManage(actor, target.Role); err != nil {
		return 0, err
	}
	return s.Sessions.RevokeUserSessions(ctx, userID, "", "forced_by_admin", a.For("admin.users.force_logout", "user", formatID(userID)))
}

// CanManage says whether actor may administer accounts of role: only a super admin manages
// super admins, so an admin cannot raise anyone, himself included, above himself.
func CanManage(actor *appraisal.Principal, role appraisal.RoleID) error {
	if role == appraisal.RoleSuperAdmin && actor.Role != appraisal.RoleSuperAdmin {
		return appraisal.E(appraisal.KindForbidden, "auth.cannot_manage_super_admin", "only a super admin can manage super admin accounts")
	}
	return nil
}

// errPeerReset refuses a reset that would let one administrator become another of equal rights.
var errPeerReset = appraisal.E(appraisal.KindForbidden, "auth.reset_peer_needs_super_admin",
	"only a super admin may reset the password of an account with the same or more rights than yours")

// mayTakeOver decides whether actor may set the password of an account of role — which lets the
// actor log in as it (audited, and the account must change it after, but for that one login the
// actor is the other person). It may, for accounts with fewer rights. For an account whose role
// holds every operation the actor's holds (a peer, or someone above), only a super admin may: an
// admin cannot use a reset to act as another admin. Rights are read from the live permission
// table, not from role codes, so a role given more rights later is protected too.
func (s *Service) mayTakeOver(ctx context.Context, actor *appraisal.Principal, role appraisal.RoleID) error {
	if actor.Role == appraisal.RoleSuperAdmin {
		return nil
	}
	table, err := s.Permissions.Permissions(ctx)
	if err != nil {
		return err
	}
	theirs := table[role]
	for _, op := range table[actor.Role] {
		if !slices.Contains(theirs, op) {
			return nil // the target lacks one of the actor's rights: fewer rights
		}
	}
	return errPeerReset
}

// MinPasswordLength is the shortest password an account may have.
const MinPasswordLength = 10

// CheckPassword validates a new password.
func CheckPassword(field, pw string) error {
	if len([]rune(pw)) < MinPasswordLength || len(pw) > password.MaxLength {
		return appraisal.Invalid(appraisal.FieldError{Field: field, Code: "weak_password",
			Message: "a password must have 10 to 128 characters"})
	}
	return nil
}

// ChangePassword replaces the caller's password after checking the current one, and ends every
// other session of the account.
func (s *Service) ChangePassword(ctx context.Context, p *appraisal.Principal, current, next string, a appraisal.AuditEntry) error {
	u, err := s.Users.UserByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	if err := s.verify(ctx, current, u.PasswordHash, true); appraisal.IsKind(err, appraisal.KindUnavailable) {
		return err
	} else if err != nil {
		return appraisal.Invalid(appraisal.FieldError{Field: "current_password", Code: "wrong_password", Message: "the current password is wrong"})
	}
	if err := CheckPassword("new_password", next); err != nil {
		return err
	}
	if next == current {
		return appraisal.Invalid(appraisal.FieldError{Field: "new_password", Code: "unchanged", Message: "the new password must differ from the current one"})
	}
	hash, err := s.hash(ctx, next)
	if err != nil {
		return err
	}
	if err := s.Users.SetPassword(ctx, u.ID, hash, false, a.For("auth.password.change", "user", formatID(u.ID))); err != nil {
		return err
	}
	_, err = s.Sessions.RevokeUserSessions(ctx, u.ID, p.SessionID, "password_changed", a.For("auth.sessions.revoke_others", "user", formatID(u.ID)))
	return err
}

// HashPassword hashes a new account password after validating it.
func (s *Service) HashPassword(ctx context.Context, field, pw string) (string, error) {
	if err := CheckPassword(field, pw); err != nil {
		return "", err
	}
	return s.hash(ctx, pw)
}

// ResetPassword is an administrator setting a user's password (a forgotten one, a suspected
// leak): every session of the account ends, its login limits are cleared, and its next login
// may do nothing but change the password, so the administrator does not keep knowing it.
func (s *Service) ResetPassword(ctx context.Context, actor *appraisal.Principal, userID int64, pw string, a appraisal.AuditEntry) error {
	target, err := s.Users.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if err := CanManage(actor, target.Role); err != nil {
		return err
	}
	if userID == actor.UserID {
		return appraisal.E(appraisal.KindConflict, "user.reset_own_password", "change your own password at /api/v1/auth/password")
	}
	if err := s.mayTakeOver(ctx, actor, target.Role); err != nil {
		return err
	}
	hash, err := s.HashPassword(ctx, "new_password", pw)
	if err != nil {
		return err
	}
	if err := s.Users.SetPassword(ctx, userID, hash, true, a.For("admin.users.password.reset", "user", formatID(userID))); err != nil {
		return err
	}
	if _, err := s.Sessions.RevokeUserSessions(ctx, userID, "", "password_reset", a.For("admin.users.force_logout", "user", formatID(userID))); err != nil {
		return err
	}
	if s.Throttle != nil {
		if err := s.limiter().ResetPrefix(ctx, loginKeysFor(target.Username, "").prefix); err != nil {
			s.Log.WarnContext(ctx, "login limits not cleared after a reset", "err", err)
		}
	}
	return nil
}

// record writes the login log. A failure to log must not fail the login, but is itself logged.
func (s *Service) record(ctx context.Context, a appraisal.LoginAttempt) {
	if err := s.LoginLog.RecordLogin(ctx, a); err != nil {
		s.Log.ErrorContext(ctx, "login log write failed", "err", err)
	}
}

func (s *Service) dummy() string {
	s.dummyOnce.Do(func() { s.dummyHash, _ = password.Hash("not-a-real-password", s.Password) })
	return s.dummyHash
}

func newRefreshToken() (tok, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	tok = base64.RawURLEncoding.EncodeToString(b)
	return tok, hashToken(tok)
}

// hashToken is what the database keeps of a refresh token: a leaked table cannot be replayed.
func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

func newSessionID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// BootstrapUsername is the first admin's account name.
const BootstrapUsername = "admin"

// Bootstrap creates the super admin "admin" when no account exists yet. With an empty pw and
// generate set (local mode), it makes up a password and returns it so the caller can show it once.
// It reports whether it created the account. Two instances racing both succeed: the loser sees
// the winner's account.
func (s *Service) Bootstrap(ctx context.Context, pw string, generate bool) (created bool, generated string, err error) {
	n, err := s.Users.CountUsers(ctx)
	if err != nil || n > 0 {
		return false, "", err
	}
	if pw == "" {
		if !generate {
			s.Log.WarnContext(ctx, "no admin account exists and BOOTSTRAP_ADMIN_PASSWORD is not set: nobody can log in")
			return false, "", nil
		}
		pw = password.Generate(20)
		generated = pw
	}
	if len(pw) < 12 {
		return false, "", appraisal.E(appraisal.KindInvalid, "auth.weak_bootstrap_password", "BOOTSTRAP_ADMIN_PASSWORD must be at least 12 characters")
	}
	hash, err := password.Hash(pw, s.Password)
	if err != nil {
		return false, "", err
	}
	u := &appraisal.User{Username: BootstrapUsername, DisplayName: "超级管理员", PasswordHash: hash, Role: appraisal.RoleSuperAdmin}
	a := appraisal.AuditEntry{Actor: appraisal.Actor{Username: "system"}, Action: "auth.bootstrap", TargetType: "user"}
	if err := s.Users.CreateUser(ctx, u, a); err != nil {
		if appraisal.IsKind(err, appraisal.KindConflict) {
			return false, "", nil
		}
		return false, "", err
	}
	s.Log.InfoContext(ctx, "bootstrap admin created", "username", BootstrapUsername, "user_id", u.ID)
	return true, generated, nil
}

func formatID(id int64) string { return token.FormatID(id) }
