package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/auth"
	"github.com/jianbao/admin/shared/logs"
	"github.com/jianbao/admin/shared/mysql"
	"github.com/jianbao/admin/shared/password"
	"github.com/jianbao/admin/shared/testenv"
	"github.com/jianbao/admin/shared/token"
)

func newService(t *testing.T, d *testenv.Database) *auth.Service {
	t.Helper()
	if _, err := mysql.Migrate(context.Background(), d.DB, logs.Discard()); err != nil {
		t.Fatal(err)
	}
	st := mysql.NewStore(d.DB)
	return &auth.Service{Users: st, LoginLog: st, Log: logs.Discard(),
		Tokens:   token.NewIssuer([]byte(strings.Repeat("s", 32)), 15*time.Minute),
		Password: password.Params{MemoryKiB: 1024, Time: 1, Threads: 1}}
}

func TestBootstrapAndLogin(t *testing.T) {
	for _, b := range testenv.MySQLBackends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			d := b.Open(t)
			svc := newService(t, d)

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

			s, err := svc.Login(ctx, " Admin ", gen, auth.Meta{IP: "127.0.0.1"})
			if err != nil {
				t.Fatal(err)
			}
			claims, err := svc.Tokens.Verify(s.AccessToken)
			if err != nil || claims.UserID != s.User.ID || claims.Role != appraisal.RoleSuperAdmin {
				t.Fatalf("token claims %+v, %v", claims, err)
			}

			for _, tt := range []struct{ name, user, pw string }{
				{"wrong password", "admin", gen + "x"},
				{"unknown user", "nobody", gen},
				{"empty", "", ""},
			} {
				if _, err := svc.Login(ctx, tt.user, tt.pw, auth.Meta{}); err != auth.ErrInvalidCredentials {
					t.Errorf("%s: err = %v", tt.name, err)
				}
			}
			var fails, oks int
			d.DB.QueryRow("SELECT COUNT(*) FROM login_log WHERE success = 0").Scan(&fails)
			d.DB.QueryRow("SELECT COUNT(*) FROM login_log WHERE success = 1").Scan(&oks)
			if fails != 3 || oks != 1 {
				t.Errorf("login_log: %d failures, %d successes; want 3, 1", fails, oks)
			}
		})
	}
}
