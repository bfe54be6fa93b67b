// Package auth is the accounts service: logging in, issuing tokens and creating the first admin.
// It works on the domain's interfaces, so the same code runs over MySQL in production and over the
// embedded stand-in locally.
package auth

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/password"
	"github.com/jianbao/admin/shared/token"
)

// Service authenticates admin users.
type Service struct {
	Users    appraisal.UserStore
	LoginLog appraisal.LoginLog
	Tokens   *token.Issuer
	Password password.Params
	Log      *slog.Logger

	dummyOnce sync.Once
	dummyHash string
}

// Meta is where a login came from, for the login log.
type Meta struct {
	IP        string
	UserAgent string
}

// Session is a successful login.
type Session struct {
	User        *appraisal.User
	AccessToken string
	Claims      token.Claims
}

// ErrInvalidCredentials is the one answer to every failed login: a wrong password, an unknown
// user and a disabled account look the same to the client, so usernames cannot be probed.
var ErrInvalidCredentials = appraisal.E(appraisal.KindUnauthorized, "auth.invalid_credentials", "wrong username or password")

// Login checks a username and password and returns an access token.
func (s *Service) Login(ctx context.Context, username, pw string, m Meta) (*Session, error) {
	name := appraisal.NormalizeUsername(username)
	u, err := s.Users.UserByUsername(ctx, name)
	switch {
	case appraisal.IsKind(err, appraisal.KindNotFound):
		// Spend the same time as a real check, so response times do not reveal which usernames exist.
		password.Verify(pw, s.dummy())
		s.record(ctx, appraisal.LoginAttempt{Username: name, Reason: "unknown_user", IP: m.IP, UserAgent: m.UserAgent})
		return nil, ErrInvalidCredentials
	case err != nil:
		return nil, err
	}
	if err := password.Verify(pw, u.PasswordHash); err != nil {
		if !errors.Is(err, password.ErrMismatch) {
			s.Log.ErrorContext(ctx, "unreadable password hash", "user_id", u.ID, "err", err)
		}
		s.record(ctx, appraisal.LoginAttempt{UserID: u.ID, Username: name, Reason: "bad_password", IP: m.IP, UserAgent: m.UserAgent})
		return nil, ErrInvalidCredentials
	}
	if u.Disabled {
		s.record(ctx, appraisal.LoginAttempt{UserID: u.ID, Username: name, Reason: "disabled", IP: m.IP, UserAgent: m.UserAgent})
		return nil, ErrInvalidCredentials
	}
	tok, claims, err := s.Tokens.Issue(token.Claims{UserID: u.ID, Role: u.Role})
	if err != nil {
		return nil, err
	}
	s.record(ctx, appraisal.LoginAttempt{UserID: u.ID, Username: name, Success: true, IP: m.IP, UserAgent: m.UserAgent})
	return &Session{User: u, AccessToken: tok, Claims: claims}, nil
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
	if err := s.Users.CreateUser(ctx, u); err != nil {
		if appraisal.IsKind(err, appraisal.KindConflict) {
			return false, "", nil
		}
		return false, "", err
	}
	s.Log.InfoContext(ctx, "bootstrap admin created", "username", BootstrapUsername, "user_id", u.ID)
	return true, generated, nil
}
