package auth_test

import (
	"context"
	"strings"
	"sync"
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
			svc := &auth.Service{Users: st, LoginLog: st, Sessions: st, Permissions: st, Log: logs.Discard(),
				Throttle: redis.NewThrottle(r.Client, r.Prefix),
				Tokens:   token.NewIssuer([]byte(strings.Repeat("s", 32)), 15*time.Minute),
				Password: password.Params{MemoryKiB: 1024, Time: 1, Threads: 1},
				Limits:   auth.Limits{PerUser: 3, PerIP: 10, Window: time.Minute}}
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
		second, err := e.svc.Refresh(ctx, first.RefreshToken)
		if err != nil || second.RefreshToken == first.RefreshToken || second.SessionID != first.SessionID {
			t.Fatalf("refresh: %+v, %v", second, err)
		}
		third, err := e.svc.Refresh(ctx, second.RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		// Replaying the first token revokes the family: the newest pair dies too.
		if _, err := e.svc.Refresh(ctx, first.RefreshToken); appraisal.KindOf(err) != appraisal.KindUnauthorized || !strings.Contains(err.Error(), "refresh_reused") {
			t.Fatalf("reuse: %v", err)
		}
		if _, err := e.svc.Refresh(ctx, third.RefreshToken); appraisal.KindOf(err) != appraisal.KindUnauthorized {
			t.Fatalf("family token after reuse: %v", err)
		}
		if _, err := e.svc.Authorize(ctx, third.AccessToken, "orders.list"); appraisal.KindOf(err) != appraisal.KindUnauthorized {
			t.Fatalf("access token of a revoked session: %v", err)
		}
		if _, err := e.svc.Refresh(ctx, "never-issued"); appraisal.KindOf(err) != appraisal.KindUnauthorized {
			t.Fatalf("unknown token: %v", err)
		}
	})
}

func TestThrottleAndLockout(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.user(t, "vic", appraisal.RoleViewer)
		for i := 0; i < 3; i++ {
			if _, err := e.svc.Login(ctx, "vic", "wrong", auth.Meta{IP: "2.2.2.2"}); err != auth.ErrInvalidCredentials {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		// Locked: even the right password is refused, with a time to wait.
		_, err := e.svc.Login(ctx, "vic", "password-vic", auth.Meta{IP: "3.3.3.3"})
		var ae *appraisal.Error
		if appraisal.KindOf(err) != appraisal.KindRateLimited || !asErr(err, &ae) || ae.RetryAfter <= 0 || ae.RetryAfter > time.Minute {
			t.Fatalf("locked login: %v", err)
		}
		// Another account from another address is not affected.
		e.user(t, "wen", appraisal.RoleViewer)
		if _, err := e.svc.Login(ctx, "wen", "password-wen", auth.Meta{IP: "4.4.4.4"}); err != nil {
			t.Fatal(err)
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

// TestRefreshGrace: two tabs refreshing with the same token — one after the other, or at the
// same moment — both get the same successor and stay logged in; the same replay after the grace
// window, or once the successor has been used, still revokes the session.
func TestRefreshGrace(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.user(t, "tabs", appraisal.RoleOperator)
		login, err := e.svc.Login(ctx, "tabs", "password-tabs", auth.Meta{IP: "1.1.1.1"})
		if err != nil {
			t.Fatal(err)
		}
		// Back to back.
		a, errA := e.svc.Refresh(ctx, login.RefreshToken)
		b, errB := e.svc.Refresh(ctx, login.RefreshToken)
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
				results[i], errs[i] = e.svc.Refresh(ctx, a.RefreshToken)
			}()
		}
		wg.Wait()
		for i := range results {
			if errs[i] != nil || results[i].RefreshToken != results[0].RefreshToken {
				t.Fatalf("parallel refresh %d: %v", i, errs[i])
			}
		}
		// The successor used, the old token is a replay again.
		next, err := e.svc.Refresh(ctx, results[0].RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Refresh(ctx, a.RefreshToken); err == nil || !strings.Contains(err.Error(), "refresh_reused") {
			t.Fatalf("a token whose successor was used: %v", err)
		}
		if _, err := e.svc.Authorize(ctx, next.AccessToken, "orders.list"); appraisal.KindOf(err) != appraisal.KindUnauthorized {
			t.Fatalf("the session survived a replay: %v", err)
		}

		// After the grace window a second use is a replay even with the successor unused.
		login, _ = e.svc.Login(ctx, "tabs", "password-tabs", auth.Meta{IP: "1.1.1.1"})
		if _, err := e.svc.Refresh(ctx, login.RefreshToken); err != nil {
			t.Fatal(err)
		}
		e.svc.Now = func() time.Time { return time.Now().Add(auth.RefreshGrace + time.Second) }
		defer func() { e.svc.Now = nil }()
		if _, err := e.svc.Refresh(ctx, login.RefreshToken); err == nil || !strings.Contains(err.Error(), "refresh_reused") {
			t.Fatalf("after the grace window: %v", err)
		}
	})
}
