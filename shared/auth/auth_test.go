package auth_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/auth"
	"github.com/jianbao/admin/shared/logs"
	"github.com/jianbao/admin/shared/mysql"
	"github.com/jianbao/admin/shared/password"
	"github.com/jianbao/admin/shared/redis"
	"github.com/jianbao/admin/shared/testenv"
	"github.com/jianbao/admin/shared/token"
)

type env struct {
	svc *auth.Service
	db  *testenv.Database
}

// forEachBackend pairs the real MySQL with the real Redis, and the stand-ins with each other.
func forEachBackend(t *testing.T, fn func(t *testing.T, e *env)) {
	redisFor := map[string]func(testing.TB) *testenv.RedisServer{"mariadb": testenv.Redis, "embedded": testenv.EmbeddedRedis}
	for _, b := range testenv.MySQLBackends() {
		t.Run(b.Name, func(t *testing.T) {
			d := b.Open(t)
			r := redisFor[b.Name](t)
			ctx := context.Background()
			if _, err := mysql.Migrate(ctx, d.DB, logs.Discard()); err != nil {
				t.Fatal(err)
			}
			st := mysql.NewStore(d.DB)
			if _, err := st.SeedPermissions(ctx, appraisal.DefaultPolicy); err != nil {
				t.Fatal(err)
			}
			svc := &auth.Service{Users: st, Audit: st, LoginLog: st, Sessions: st, Permissions: st, Log: logs.Discard(),
				Throttle: redis.NewThrottle(r.Client, r.Prefix),
				Tokens:   token.NewIssuer([]byte(strings.Repeat("s", 32)), 15*time.Minute),
				Password: password.Params{MemoryKiB: 1024, Time: 1, Threads: 1},
				Limits:   auth.Limits{PerSource: 3, PerIP: 10, PerAccount: 6, Window: time.Minute}}
			fn(t, &env{svc: svc, db: d})
		})
	}
}

var actor = appraisal.AuditEntry{Actor: appraisal.Actor{Username: "test"}}

func (e *env) user(t *testing.T, name string, role appraisal.RoleID) {
	t.Helper()
	hash, _ := password.Hash("password-"+name, e.svc.Password)
	if err := e.svc.Users.CreateUser(context.Background(), &appraisal.User{Username: name, PasswordHash: hash, Role: role}, actor); err != nil {
		t.Fatal(err)
	}
}

func TestBootstrapAndLogin(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		svc := e.svc
		if _, _, err := svc.Bootstrap(ctx, "short", false); appraisal.KindOf(err) != appraisal.KindInvalid {
			t.Fatalf("weak password: %v", err)
		}
		if created, _, err := svc.Bootstrap(ctx, "", false); created || err != nil {
			t.Fatalf("no password, no generate: created=%v err=%v", created, err)
		}
		created, gen, err := svc.Bootstrap(ctx, "", true)
		if !created || len(gen) != 20 || err != nil {
			t.Fatalf("generated bootstrap: %v %q %v", created, gen, err)
		}
		if again, _, err := svc.Bootstrap(ctx, "another-long-password", false); again || err != nil {
			t.Fatalf("second bootstrap: %v %v", again, err)
		}
		tok, err := svc.Login(ctx, " Admin ", gen, auth.Meta{IP: "127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := svc.Authorize(ctx, tok.AccessToken, "admin.users.list")
		if err != nil || p.UserID != tok.User.ID || p.Role != appraisal.RoleSuperAdmin {
			t.Fatalf("authorize: %+v, %v", p, err)
		}
		for _, tt := range []struct{ name, user, pw string }{
			{"wrong password", "admin", gen + "x"},
			{"unknown user", "nobody", gen},
		} {
			if _, err := svc.Login(ctx, tt.user, tt.pw, auth.Meta{IP: "10.0.0.9"}); err != auth.ErrInvalidCredentials {
				t.Errorf("%s: err = %v", tt.name, err)
			}
		}
		attempts, total, err := svc.LoginLog.LoginAttempts(ctx, appraisal.LoginFilter{Username: "admin"})
		if err != nil || total != 2 || attempts[0].Success || !attempts[1].Success {
			t.Errorf("login log for admin: %d rows %+v, %v", total, attempts, err)
		}
	})
}

func TestRefreshRotationAndReuse(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.user(t, "olga", appraisal.RoleOperator)
		first, err := e.svc.Login(ctx, "olga", "password-olga", auth.Meta{IP: "1.1.1.1"})
		if err != nil {
			t.Fatal(err)
		}
		second, err := e.svc.Refresh(ctx, first.RefreshToken, "")
		if err != nil || second.RefreshToken == first.RefreshToken || second.SessionID != first.SessionID {
			t.Fatalf("refresh: %+v, %v", second, err)
		}
		third, err := e.svc.Refresh(ctx, second.RefreshToken, "")
		if err != nil {
			t.Fatal(err)
		}
		// Replaying the first token revokes the family: the newest pair dies too.
		if _, err := e.svc.Refresh(ctx, first.RefreshToken, ""); appraisal.KindOf(err) != appraisal.KindUnauthorized || !strings.Contains(err.Error(), "refresh_reused") {
			t.Fatalf("reuse: %v", err)
		}
		if _, err := e.svc.Refresh(ctx, third.RefreshToken, ""); appraisal.KindOf(err) != appraisal.KindUnauthorized {
			t.Fatalf("family token after reuse: %v", err)
		}
		if _, err := e.svc.Authorize(ctx, third.AccessToken, "orders.list"); appraisal.KindOf(err) != appraisal.KindUnauthorized {
			t.Fatalf("access token of a revoked session: %v", err)
		}
		if _, err := e.svc.Refresh(ctx, "never-issued", ""); appraisal.KindOf(err) != appraisal.KindUnauthorized {
			t.Fatalf("unknown token: %v", err)
		}
	})
}

// TestLockoutIsAimedAtTheSource: failures lock the address that made them out of the account,
// and nobody else — the account's owner logs in from another address at once.
func TestLockoutIsAimedAtTheSource(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.user(t, "vic", appraisal.RoleViewer)
		for i := 0; i < 3; i++ {
			if _, err := e.svc.Login(ctx, "vic", "wrong", auth.Meta{IP: "2.2.2.2"}); err != auth.ErrInvalidCredentials {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		// The attacking address is locked, even with the right password, with a time to wait.
		_, err := e.svc.Login(ctx, "vic", "password-vic", auth.Meta{IP: "2.2.2.2"})
		var ae *appraisal.Error
		if appraisal.KindOf(err) != appraisal.KindRateLimited || !asErr(err, &ae) || ae.RetryAfter <= 0 || ae.RetryAfter > time.Minute {
			t.Fatalf("locked source: %v", err)
		}
		// The owner, from another address, is not.
		if _, err := e.svc.Login(ctx, "vic", "password-vic", auth.Meta{IP: "3.3.3.3"}); err != nil {
			t.Fatalf("owner from a new address: %v", err)
		}
	})
}

// TestAccountUnderAttackStaysOpen: an attack on one account from many addresses slows the
// addresses that fail (growing delays), never the account: the super admin logs in from a new
// address in the middle of it.
func TestAccountUnderAttackStaysOpen(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.user(t, "boss", appraisal.RoleSuperAdmin)
		// Six failures from three addresses (two each): the account is now under attack.
		for i := range 6 {
			ip := fmt.Sprintf("10.0.0.%d", i%3+1)
			if _, err := e.svc.Login(ctx, "boss", "guess", auth.Meta{IP: ip}); err != auth.ErrInvalidCredentials {
				t.Fatalf("attempt %d from %s: %v", i, ip, err)
			}
		}
		// The address that failed last (the sixth) now waits before its next attempt, before its
		// own limit of three.
		if _, err := e.svc.Login(ctx, "boss", "guess", auth.Meta{IP: "10.0.0.3"}); appraisal.KindOf(err) != appraisal.KindRateLimited {
			t.Fatalf("failing address under attack: %v, want rate limited", err)
		}
		// An address that never failed is not slowed: the owner gets in.
		if _, err := e.svc.Login(ctx, "boss", "password-boss", auth.Meta{IP: "192.168.1.5"}); err != nil {
			t.Fatalf("owner during the attack: %v", err)
		}
	})
}

// TestAttemptsAreCountedBeforeHashing: parallel attempts from one address cannot all pass the
// check before any is counted; only PerIP of them reach a password check.
func TestAttemptsAreCountedBeforeHashing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[string]int{}
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := e.svc.Login(ctx, fmt.Sprintf("nobody%d", i), "guess", auth.Meta{IP: "6.6.6.6"})
				mu.Lock()
				codes[appraisal.CodeOf(err)]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if codes["auth.invalid_credentials"] > 10 || codes["auth.invalid_credentials"]+codes["auth.too_many_attempts"]+codes["auth.busy"] != 40 {
			t.Fatalf("outcomes %v: at most 10 checked (PerIP), the rest refused", codes)
		}
		// Throttled attempts are counted, not logged row by row: one row for the address.
		rows, _, err := e.svc.LoginLog.LoginAttempts(ctx, appraisal.LoginFilter{Page: appraisal.Page{Limit: 100}})
		if err != nil {
			t.Fatal(err)
		}
		throttled := 0
		for _, r := range rows {
			if r.Reason == "throttled" {
				throttled++
			}
		}
		if throttled != 1 || len(rows) > 11 {
			t.Fatalf("%d rows, %d throttled: want at most 10 checked and one throttled row", len(rows), throttled)
		}
	})
}

// TestHashingIsBounded: a flood from many addresses (no limit applies) never computes more
// hashes at once than the gate allows; the excess is refused at once with auth.busy.
func TestHashingIsBounded(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.svc.Password = password.Params{MemoryKiB: 8 * 1024, Time: 3, Threads: 1} // slow enough to overlap
		e.svc.Hashing = auth.NewGate(2, 3, 50*time.Millisecond)
		var wg sync.WaitGroup
		var busy atomic.Int64
		for i := range 60 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := e.svc.Login(ctx, "nobody", "guess", auth.Meta{IP: fmt.Sprintf("172.16.%d.%d", i/250, i%250)})
				if appraisal.CodeOf(err) == "auth.busy" {
					if appraisal.KindOf(err) != appraisal.KindUnavailable {
						t.Errorf("busy is %v, want unavailable (503)", appraisal.KindOf(err))
					}
					busy.Add(1)
				}
			}()
		}
		wg.Wait()
		if p := e.svc.Hashing.Peak(); p > 2 || p < 1 {
			t.Fatalf("peak hashes in flight = %d, want 1..2", p)
		}
		if busy.Load() == 0 {
			t.Fatal("60 parallel logins through 2 slots and a queue of 3: some must be refused at once")
		}
	})
}

// TestUnlockAndReset: an administrator clears an account's lockout, and a reset password must be
// changed before the account can do anything else.
func TestUnlockAndReset(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.user(t, "root", appraisal.RoleSuperAdmin)
		e.user(t, "una", appraisal.RoleOperator)
		root, err := e.svc.Login(ctx, "root", "password-root", auth.Meta{IP: "1.1.1.1"})
		if err != nil {
			t.Fatal(err)
		}
		admin := &appraisal.Principal{UserID: root.User.ID, Role: appraisal.RoleSuperAdmin, SessionID: root.SessionID}
		una, _ := e.svc.Users.UserByUsername(ctx, "una")
		for range 3 {
			e.svc.Login(ctx, "una", "typo", auth.Meta{IP: "5.5.5.5"})
		}
		if _, err := e.svc.Login(ctx, "una", "password-una", auth.Meta{IP: "5.5.5.5"}); appraisal.KindOf(err) != appraisal.KindRateLimited {
			t.Fatalf("locked: %v", err)
		}
		if err := e.svc.Unlock(ctx, admin, una.ID, actor); err != nil {
			t.Fatal(err)
		}
		before, err := e.svc.Login(ctx, "una", "password-una", auth.Meta{IP: "5.5.5.5"})
		if err != nil {
			t.Fatalf("after unlock: %v", err)
		}

		// Reset: her sessions end, the new password logs in, and only a password change is allowed.
		if err := e.svc.ResetPassword(ctx, admin, una.ID, "temporary-pass-1", actor); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authorize(ctx, before.AccessToken, "auth.me"); appraisal.CodeOf(err) != "auth.session_revoked" {
			t.Fatalf("old session after reset: %v", err)
		}
		tk, err := e.svc.Login(ctx, "una", "temporary-pass-1", auth.Meta{IP: "5.5.5.5"})
		if err != nil || !tk.User.MustChangePassword {
			t.Fatalf("login with the reset password: %v, must change %v", err, tk != nil && tk.User.MustChangePassword)
		}
		if _, err := e.svc.Authorize(ctx, tk.AccessToken, "orders.list"); appraisal.CodeOf(err) != "auth.password_change_required" {
			t.Fatalf("orders.list before the change: %v", err)
		}
		p, err := e.svc.Authorize(ctx, tk.AccessToken, "auth.password.change")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ChangePassword(ctx, p, "temporary-pass-1", "her-own-password", actor); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authorize(ctx, tk.AccessToken, "orders.list"); err != nil {
			t.Fatalf("orders.list after the change: %v", err)
		}
		// An admin may not reset a super admin's password, nor his own this way.
		if err := e.svc.ResetPassword(ctx, &appraisal.Principal{UserID: una.ID, Role: appraisal.RoleAdmin}, root.User.ID, "whatever-123", actor); appraisal.KindOf(err) != appraisal.KindForbidden {
			t.Fatalf("admin resets super admin: %v", err)
		}
		if err := e.svc.ResetPassword(ctx, admin, root.User.ID, "whatever-123", actor); appraisal.KindOf(err) != appraisal.KindConflict {
			t.Fatalf("reset own password: %v", err)
		}
	})
}

func TestSessionsAndPermissions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.user(t, "boss", appraisal.RoleAdmin)
		e.user(t, "pat", appraisal.RoleViewer)
		boss, _ := e.svc.Login(ctx, "boss", "password-boss", auth.Meta{})
		pat1, _ := e.svc.Login(ctx, "pat", "password-pat", auth.Meta{UserAgent: "laptop"})
		pat2, _ := e.svc.Login(ctx, "pat", "password-pat", auth.Meta{UserAgent: "phone"})

		if _, err := e.svc.Authorize(ctx, pat1.AccessToken, "admin.users.list"); appraisal.KindOf(err) != appraisal.KindForbidden {
			t.Fatalf("viewer listing users: %v", err)
		}
		// A permission change applies on the next request.
		if err := e.svc.Permissions.SetPermissions(ctx, appraisal.RoleViewer, []string{"admin.users.list"}, actor); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authorize(ctx, pat1.AccessToken, "admin.users.list"); err != nil {
			t.Fatalf("after grant: %v", err)
		}
		if _, err := e.svc.Authorize(ctx, pat1.AccessToken, "orders.list"); appraisal.KindOf(err) != appraisal.KindForbidden {
			t.Fatalf("after the role lost orders.list: %v", err)
		}

		bossP, _ := e.svc.Authorize(ctx, boss.AccessToken, "admin.users.force_logout")
		patP, _ := e.svc.Authorize(ctx, pat1.AccessToken, "admin.users.list")
		sessions, err := e.svc.Sessions.SessionsOf(ctx, patP.UserID, time.Now())
		if err != nil || len(sessions) != 2 {
			t.Fatalf("pat's sessions: %d, %v", len(sessions), err)
		}
		if err := e.svc.RevokeSession(ctx, patP, pat2.SessionID, actor); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RevokeSession(ctx, patP, boss.SessionID, actor); appraisal.KindOf(err) != appraisal.KindNotFound {
			t.Fatalf("revoking someone else's session: %v", err)
		}
		if _, err := e.svc.Authorize(ctx, pat2.AccessToken, "admin.users.list"); appraisal.KindOf(err) != appraisal.KindUnauthorized {
			t.Fatalf("revoked session: %v", err)
		}
		n, err := e.svc.ForceLogout(ctx, bossP, patP.UserID, actor)
		if err != nil || n != 1 {
			t.Fatalf("force logout: %d, %v", n, err)
		}
		if _, err := e.svc.Authorize(ctx, pat1.AccessToken, "admin.users.list"); appraisal.KindOf(err) != appraisal.KindUnauthorized {
			t.Fatalf("after force logout: %v", err)
		}
		// An admin cannot force out a super admin.
		e.user(t, "root2", appraisal.RoleSuperAdmin)
		root, _ := e.svc.Users.UserByUsername(ctx, "root2")
		if _, err := e.svc.ForceLogout(ctx, bossP, root.ID, actor); appraisal.KindOf(err) != appraisal.KindForbidden {
			t.Fatalf("admin forcing out a super admin: %v", err)
		}
	})
}

func TestChangePassword(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.user(t, "cara", appraisal.RoleOperator)
		a, _ := e.svc.Login(ctx, "cara", "password-cara", auth.Meta{})
		b, _ := e.svc.Login(ctx, "cara", "password-cara", auth.Meta{})
		p, err := e.svc.Authorize(ctx, a.AccessToken, "auth.password.change")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ChangePassword(ctx, p, "wrong", "a-new-long-password", actor); appraisal.KindOf(err) != appraisal.KindInvalid {
			t.Fatalf("wrong current: %v", err)
		}
		if err := e.svc.ChangePassword(ctx, p, "password-cara", "short", actor); appraisal.KindOf(err) != appraisal.KindInvalid {
			t.Fatalf("weak new: %v", err)
		}
		if err := e.svc.ChangePassword(ctx, p, "password-cara", "a-new-long-password", actor); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authorize(ctx, a.AccessToken, "auth.me"); err != nil {
			t.Errorf("the changing session must survive: %v", err)
		}
		if _, err := e.svc.Authorize(ctx, b.AccessToken, "auth.me"); appraisal.KindOf(err) != appraisal.KindUnauthorized {
			t.Errorf("other sessions must end: %v", err)
		}
		if _, err := e.svc.Login(ctx, "cara", "a-new-long-password", auth.Meta{}); err != nil {
			t.Errorf("login with the new password: %v", err)
		}
	})
}

func asErr(err error, target **appraisal.Error) bool {
	e, ok := err.(*appraisal.Error)
	if ok {
		*target = e
	}
	return ok
}

// TestRefreshGrace: two tabs of one browser (both proving the login's device secret) refreshing
// with the same token — one after the other, or at the same moment — both get the same successor
// and stay logged in; the same replay after the grace window, or once the successor has been
// used, still revokes the session. (Without the device secret there is no grace: the HTTP test
// TestRefreshReuseOverHTTP plays the thief.)
func TestRefreshGrace(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.user(t, "tabs", appraisal.RoleOperator)
		login, err := e.svc.Login(ctx, "tabs", "password-tabs", auth.Meta{IP: "1.1.1.1"})
		if err != nil {
			t.Fatal(err)
		}
		// Back to back.
		a, errA := e.svc.Refresh(ctx, login.RefreshToken, login.Device)
		b, errB := e.svc.Refresh(ctx, login.RefreshToken, login.Device)
		if errA != nil || errB != nil || a.RefreshToken != b.RefreshToken || a.SessionID != b.SessionID {
			t.Fatalf("two tabs: %v %v, successors equal %v", errA, errB, errA == nil && errB == nil && a.RefreshToken == b.RefreshToken)
		}
		for _, tok := range []*auth.Tokens{a, b} {
			if _, err := e.svc.Authorize(ctx, tok.AccessToken, "orders.list"); err != nil {
				t.Fatalf("a tab's access token after the double refresh: %v", err)
			}
		}
		// At the same moment.
		results := make([]*auth.Tokens, 4)
		errs := make([]error, 4)
		var wg sync.WaitGroup
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = e.svc.Refresh(ctx, a.RefreshToken, login.Device)
			}()
		}
		wg.Wait()
		for i := range results {
			if errs[i] != nil || results[i].RefreshToken != results[0].RefreshToken {
				t.Fatalf("parallel refresh %d: %v", i, errs[i])
			}
		}
		// The successor used, the old token is a replay again.
		next, err := e.svc.Refresh(ctx, results[0].RefreshToken, login.Device)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Refresh(ctx, a.RefreshToken, login.Device); err == nil || !strings.Contains(err.Error(), "refresh_reused") {
			t.Fatalf("a token whose successor was used: %v", err)
		}
		if _, err := e.svc.Authorize(ctx, next.AccessToken, "orders.list"); appraisal.KindOf(err) != appraisal.KindUnauthorized {
			t.Fatalf("the session survived a replay: %v", err)
		}

		// After the grace window a second use is a replay even with the successor unused.
		login, _ = e.svc.Login(ctx, "tabs", "password-tabs", auth.Meta{IP: "1.1.1.1"})
		if _, err := e.svc.Refresh(ctx, login.RefreshToken, login.Device); err != nil {
			t.Fatal(err)
		}
		e.svc.Now = func() time.Time { return time.Now().Add(auth.RefreshGrace + time.Second) }
		defer func() { e.svc.Now = nil }()
		if _, err := e.svc.Refresh(ctx, login.RefreshToken, login.Device); err == nil || !strings.Contains(err.Error(), "refresh_reused") {
			t.Fatalf("after the grace window: %v", err)
		}
	})
}

// downThrottle is Redis that cannot answer: every call fails as unavailable (an outage, or a
// pool all taken by a flood).
type downThrottle struct{}

var errDown = appraisal.E(appraisal.KindUnavailable, "redis.unavailable", "Redis did not answer")

func (downThrottle) Blocked(context.Context, string, int) (time.Duration, error) { return 0, errDown }
func (downThrottle) Hit(context.Context, string, time.Duration) (int, error)     { return 0, errDown }
func (downThrottle) Take(context.Context, string, int, time.Duration) (time.Duration, error) {
	return 0, errDown
}
func (downThrottle) Forgive(context.Context, string) error     { return errDown }
func (downThrottle) Reset(context.Context, string) error       { return errDown }
func (downThrottle) ResetPrefix(context.Context, string) error { return errDown }

// TestLimitsFailClosedWithoutRedis: while Redis cannot answer, every attempt still gets a
// decision, from this process's own counts: a guesser is locked out of the pair after PerSource
// failures exactly as with Redis, and every check says where it was decided. The owner from
// another address still gets in.
func TestLimitsFailClosedWithoutRedis(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		var local, shared atomic.Int64
		e.svc.Throttle = downThrottle{}
		e.svc.LimitDecided = func(where string) {
			map[string]*atomic.Int64{"local": &local, "shared": &shared}[where].Add(1)
		}
		e.user(t, "nina", appraisal.RoleOperator)
		guesser := auth.Meta{IP: "203.0.113.9"}
		for i := range 8 {
			_, err := e.svc.Login(ctx, "nina", fmt.Sprint("guess-", i), guesser)
			want := appraisal.KindUnauthorized
			if i >= e.svc.Limits.PerSource {
				want = appraisal.KindRateLimited
			}
			if appraisal.KindOf(err) != want {
				t.Fatalf("attempt %d with Redis down: %v, want %s", i+1, err, want)
			}
		}
		if _, err := e.svc.Login(ctx, "nina", "password-nina", auth.Meta{IP: "198.51.100.4"}); err != nil {
			t.Fatalf("the owner from another address: %v", err)
		}
		if local.Load() == 0 || shared.Load() != 0 {
			t.Errorf("checks decided locally %d, in Redis %d", local.Load(), shared.Load())
		}
	})
}

// TestKnownPairsSurviveRedisLosingItsData: the admin's (account, address) pair is known from
// the login log in MySQL, so after Redis loses its data — and in a process that never saw the
// login — the admin at their desk still gets the reserved hashing slot while a flood holds every
// shared one; a stranger with the same password from elsewhere is told to come back.
func TestKnownPairsSurviveRedisLosingItsData(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.user(t, "ada", appraisal.RoleAdmin)
		desk := auth.Meta{IP: "198.51.100.10"}
		if _, err := e.svc.Login(ctx, "ada", "password-ada", desk); err != nil {
			t.Fatal(err)
		}
		// Another process (a new instance), whose Redis has lost everything, during a flood:
		// the one shared hashing slot is taken and nobody may wait.
		fresh := &auth.Service{Users: e.svc.Users, Audit: e.svc.Audit, LoginLog: e.svc.LoginLog, Sessions: e.svc.Sessions,
			Permissions: e.svc.Permissions, Log: e.svc.Log, Tokens: e.svc.Tokens, Password: e.svc.Password, Limits: e.svc.Limits,
			Throttle: redis.NewThrottle(testenv.EmbeddedRedis(t).Client, "empty:"),
			Hashing:  auth.NewGate(1, 0, 10*time.Millisecond)}
		release := fresh.Hashing.Hold(t)
		defer release()
		if _, err := fresh.Login(ctx, "ada", "password-ada", auth.Meta{IP: "203.0.113.50"}); appraisal.CodeOf(err) != "auth.busy" {
			t.Fatalf("from a new address during the flood: %v, want auth.busy", err)
		}
		if _, err := fresh.Login(ctx, "ada", "password-ada", desk); err != nil {
			t.Fatalf("from the desk during the flood, Redis empty: %v", err)
		}
	})
}
