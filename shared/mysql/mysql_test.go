package mysql_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/mysql"
	"github.com/jianbao/admin/shared/testenv"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

var sys = appraisal.AuditEntry{Action: "user.create", TargetType: "user", Actor: appraisal.Actor{Username: "test"}}

// forEachBackend runs the suite on the real server and on the embedded stand-in: one conformance
// suite, two backends, so local mode is held to production's behaviour.
func forEachBackend(t *testing.T, fn func(t *testing.T, d *testenv.Database)) {
	for _, b := range testenv.MySQLBackends() {
		t.Run(b.Name, func(t *testing.T) { fn(t, b.Open(t)) })
	}
}

func migrated(t *testing.T, d *testenv.Database) *mysql.Store {
	t.Helper()
	if _, err := mysql.Migrate(context.Background(), d.DB, quiet); err != nil {
		t.Fatal(err)
	}
	return mysql.NewStore(d.DB)
}

func TestMigrationsParse(t *testing.T) {
	migs, err := mysql.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(migs) == 0 || migs[0].Version != 1 {
		t.Fatalf("migrations = %+v", migs)
	}
	for _, m := range migs {
		if len(m.Statements) == 0 {
			t.Errorf("%s has no statements", m.Name)
		}
	}
}

func TestMigrate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *testenv.Database) {
		ctx := context.Background()
		migs, _ := mysql.Migrations()
		applied, err := mysql.Migrate(ctx, d.DB, quiet)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != len(migs)+1 { // and the store's own Go step, TermsStep
			t.Fatalf("applied %v, want all %d", applied, len(migs)+1)
		}
		again, err := mysql.Migrate(ctx, d.DB, quiet)
		if err != nil || len(again) != 0 {
			t.Fatalf("second run applied %v, %v; want nothing", again, err)
		}
		var roles int
		if err := d.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM roles").Scan(&roles); err != nil || roles != 6 {
			t.Fatalf("roles = %d, %v", roles, err)
		}
	})
}

// TestMigrateConcurrently starts several migrators, each with its own pool, at once: the named
// lock must make exactly one of them apply each migration.
func TestMigrateConcurrently(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *testenv.Database) {
		ctx := context.Background()
		const n = 4
		var wg sync.WaitGroup
		results := make([][]string, n)
		errs := make([]error, n)
		for i := range n {
			db, err := mysql.Open(ctx, d.DSN, mysql.Options{MaxOpenConns: d.MaxOpenConns})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = mysql.Migrate(ctx, db, quiet)
			}()
		}
		wg.Wait()
		migs, _ := mysql.Migrations()
		total := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("migrator %d: %v", i, errs[i])
			}
			total += len(results[i])
		}
		if total != len(migs)+1 { // and TermsStep
			t.Fatalf("migrations applied %d times in all, want %d: %v", total, len(migs)+1, results)
		}
		var rows int
		d.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&rows)
		if rows != len(migs)+1 {
			t.Fatalf("schema_migrations has %d rows, want %d", rows, len(migs)+1)
		}
	})
}

func TestMigrateRejectsEditedMigration(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *testenv.Database) {
		migrated(t, d)
		if _, err := d.DB.Exec("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1"); err != nil {
			t.Fatal(err)
		}
		if _, err := mysql.Migrate(context.Background(), d.DB, quiet); err == nil {
			t.Fatal("want an error for a migration changed after it was applied")
		}
	})
}

func TestUserStore(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *testenv.Database) {
		ctx := context.Background()
		s := migrated(t, d)

		if n, err := s.CountUsers(ctx); err != nil || n != 0 {
			t.Fatalf("CountUsers = %d, %v", n, err)
		}
		u := &appraisal.User{Username: "  Alice ", DisplayName: "爱丽丝", PasswordHash: "h", Role: appraisal.RoleOperator}
		if err := s.CreateUser(ctx, u, sys); err != nil {
			t.Fatal(err)
		}
		if u.ID == 0 || u.Username != "alice" || u.CreatedAt.IsZero() {
			t.Fatalf("created %+v", u)
		}

		tests := []struct {
			name     string
			username string
			wantKind appraisal.Kind
			ok       bool
		}{
			{"exact", "alice", 0, true},
			{"case and space folded", " ALICE", 0, true},
			{"missing", "bob", appraisal.KindNotFound, false},
		}
		for _, tt := range tests {
			got, err := s.UserByUsername(ctx, tt.username)
			if tt.ok {
				if err != nil || got.ID != u.ID || got.DisplayName != "爱丽丝" || got.Role != appraisal.RoleOperator || !got.CreatedAt.Equal(u.CreatedAt) {
					t.Errorf("%s: got %+v, %v", tt.name, got, err)
				}
			} else if appraisal.KindOf(err) != tt.wantKind {
				t.Errorf("%s: err = %v, want kind %v", tt.name, err, tt.wantKind)
			}
		}

		dup := &appraisal.User{Username: "ALICE", PasswordHash: "h", Role: appraisal.RoleViewer}
		if err := s.CreateUser(ctx, dup, sys); appraisal.KindOf(err) != appraisal.KindConflict {
			t.Errorf("duplicate username: err = %v, want conflict", err)
		}
		bad := &appraisal.User{Username: "carol", PasswordHash: "h", Role: 99}
		if err := s.CreateUser(ctx, bad, sys); appraisal.KindOf(err) != appraisal.KindInvalid {
			t.Errorf("unknown role: err = %v, want invalid", err)
		}
		if n, _ := s.CountUsers(ctx); n != 1 {
			t.Errorf("CountUsers = %d, want 1", n)
		}

		for _, a := range []appraisal.LoginAttempt{
			{UserID: u.ID, Username: "alice", Success: true, IP: "10.0.0.1", UserAgent: "curl"},
			{Username: "nobody", Reason: "unknown_user", IP: "10.0.0.2"},
		} {
			if err := s.RecordLogin(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		var logged int
		d.DB.QueryRowContext(ctx, "SELECT COUNT(*) FROM login_log").Scan(&logged)
		if logged != 2 {
			t.Errorf("login_log has %d rows, want 2", logged)
		}
	})
}

func TestRetention(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *testenv.Database) {
		ctx := context.Background()
		s := migrated(t, d)
		old := time.Now().Add(-400 * 24 * time.Hour)
		for i, at := range []time.Time{old, old, time.Now()} {
			a := appraisal.AuditEntry{Action: "test", TargetType: "t", TargetID: fmt.Sprint(i), At: at}
			if err := s.CreateUser(ctx, &appraisal.User{Username: fmt.Sprint("ret", i), PasswordHash: "h", Role: appraisal.RoleViewer}, a); err != nil {
				t.Fatal(err)
			}
		}
		n, err := s.PruneAudit(ctx, time.Now().Add(-365*24*time.Hour))
		if err != nil || n != 2 {
			t.Fatalf("pruned %d, %v; want 2", n, err)
		}
		_, total, _ := s.ListAudit(ctx, appraisal.AuditFilter{})
		if total != 1 {
			t.Fatalf("%d rows left, want 1", total)
		}
		if _, _, err := s.BeginIdempotent(ctx, 1, "k", "op", "h"); err != nil {
			t.Fatal(err)
		}
		if n, err := s.PruneIdempotency(ctx, time.Now().Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("idempotency pruned %d, %v", n, err)
		}
	})
}

func TestIdempotencyStore(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *testenv.Database) {
		ctx := context.Background()
		s := migrated(t, d)
		if st, _, err := s.BeginIdempotent(ctx, 7, "key", "orders.create", "hash-a"); st != 0 || err != nil {
			t.Fatalf("first begin: %d %v", st, err)
		}
		if _, _, err := s.BeginIdempotent(ctx, 7, "key", "orders.create", "hash-a"); appraisal.KindOf(err) != appraisal.KindConflict {
			t.Fatalf("while in progress: %v", err)
		}
		if err := s.FinishIdempotent(ctx, 7, "key", 201, []byte(`{"id":"1"}`)); err != nil {
			t.Fatal(err)
		}
		st, body, err := s.BeginIdempotent(ctx, 7, "key", "orders.create", "hash-a")
		if st != 201 || string(body) != `{"id":"1"}` || err != nil {
			t.Fatalf("replay: %d %s %v", st, body, err)
		}
		if _, _, err := s.BeginIdempotent(ctx, 7, "key", "orders.create", "hash-b"); appraisal.KindOf(err) != appraisal.KindConflict {
			t.Fatalf("same key, other request: %v", err)
		}
		if st, _, err := s.BeginIdempotent(ctx, 8, "key", "orders.create", "hash-b"); st != 0 || err != nil {
			t.Fatalf("keys are per user: %d %v", st, err)
		}
		if err := s.AbandonIdempotent(ctx, 8, "key"); err != nil {
			t.Fatal(err)
		}
		if st, _, err := s.BeginIdempotent(ctx, 8, "key", "orders.create", "hash-b"); st != 0 || err != nil {
			t.Fatalf("after abandon: %d %v", st, err)
		}
	})
}

// TestPhoneStep: the Go migration 0007 runs once, in order, over every stored number, and is
// recorded like a SQL migration; a later SQL migration runs after it.
func TestPhoneStep(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *testenv.Database) {
		ctx := context.Background()
		if _, err := mysql.Migrate(ctx, d.DB, quiet); err != nil { // SQL only: 0007 is not applied
			t.Fatal(err)
		}
		st := mysql.NewStore(d.DB)
		c := &appraisal.Customer{Name: "旧号码", PhoneMasked: "139****1111"}
		if err := st.CreateCustomer(ctx, c, []byte("13900001111"), "old-fingerprint", sys); err != nil {
			t.Fatal(err)
		}
		calls := 0
		step := mysql.PhoneStep(func(enc []byte) ([]byte, string, string, error) {
			calls++
			return append([]byte("+86"), enc...), "new-fingerprint", "139****1111", nil
		})
		applied, err := mysql.Migrate(ctx, d.DB, quiet, step)
		if err != nil || len(applied) != 1 || applied[0] != "0007_phones_canonical" || calls != 1 {
			t.Fatalf("applied %v, %v, %d calls", applied, err, calls)
		}
		got, enc, err := st.Customer(ctx, c.ID)
		if err != nil || string(enc) != "+8613900001111" {
			t.Fatalf("after the step: %q %v", enc, err)
		}
		if _, _, n, err := st.ListCustomers(ctx, appraisal.CustomerFilter{PhoneHash: "new-fingerprint", Page: appraisal.Page{Limit: 10}}); err != nil || n != 1 {
			t.Fatalf("search by the new fingerprint: %d %v (%+v)", n, err, got)
		}
		if again, err := mysql.Migrate(ctx, d.DB, quiet, step); err != nil || len(again) != 0 || calls != 1 {
			t.Fatalf("second run: %v %v, %d calls", again, err, calls)
		}
		clash := mysql.DataStep{Version: 1, Name: "0001_clash", Run: func(context.Context, *sql.Conn) error { return nil }}
		if _, err := mysql.Migrate(ctx, d.DB, quiet, clash); err == nil {
			t.Fatal("a step numbered like a SQL migration was accepted")
		}
	})
}

// secretColumn says which columns hold a secret, a signed or hashed value, or a key that must
// match exactly: by name, so a column added later under such a name is checked too. (sessions.id
// is not among them: it is only compared with the id inside a signed access token, and the
// embedded engine cannot change that primary key — migration 0015.)
func secretColumn(table, column string) bool {
	for _, part := range []string{"token", "hash", "sha256", "etag", "secret", "device", "idem_key", "object_key", "session_id"} {
		if strings.Contains(column, part) {
			return true
		}
	}
	return false
}

// TestSecretsCompareByteForByte: every such column compares byte for byte (a binary collation or
// a binary type), so an upper-cased certificate token opens nothing and two keys that differ in
// case are two keys. The columns are read from the schema, not listed here.
func TestSecretsCompareByteForByte(t *testing.T) {
	forEachBackend(t, func(t *testing.T, d *testenv.Database) {
		migrated(t, d)
		rows, err := d.DB.Query(`SELECT table_name, column_name, COALESCE(collation_name, '') FROM information_schema.columns
  WHERE table_schema = DATABASE() ORDER BY table_name, column_name`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		checked := 0
		for rows.Next() {
			var table, column, collation string
			if err := rows.Scan(&table, &column, &collation); err != nil {
				t.Fatal(err)
			}
			if !secretColumn(table, column) {
				continue
			}
			checked++
			if collation != "" && !strings.HasSuffix(collation, "_bin") {
				t.Errorf("%s.%s compares by %s: a secret must compare byte for byte (CHARACTER SET ascii COLLATE ascii_bin)", table, column, collation)
			}
		}
		if checked < 10 {
			t.Errorf("only %d secret columns found", checked)
		}
	})
}
