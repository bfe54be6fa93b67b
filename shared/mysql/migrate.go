package mysql

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// lockName is the MySQL named lock that serialises migrators across every process and instance.
const lockName = "jianbao.schema_migrations"

// Migration is one embedded schema change.
type Migration struct {
	Version    int64
	Name       string
	Checksum   string
	Statements []string
	step       func(ctx context.Context, conn *sql.Conn) error // a DataStep
}

// Migrations returns the embedded migrations in order. File names are NNNN_name.sql.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("mysql: migration file %q is not NNNN_name.sql", name)
		}
		b, err := migrationFiles.ReadFile("migrations/" + name)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		out = append(out, Migration{Version: v, Name: name, Checksum: hex.EncodeToString(sum[:]), Statements: splitStatements(string(b))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("mysql: two migrations numbered %d", out[i].Version)
		}
	}
	return out, nil
}

// splitStatements cuts a migration into single statements at a ';' that ends a line, dropping
// '--' comment lines. We split rather than rely on multiStatements: the embedded engine keeps
// running the statements after a failed one, and a DSN without multiStatements cannot be abused
// to stack queries.
func splitStatements(src string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			stmt := strings.TrimSuffix(strings.TrimSpace(cur.String()), ";")
			out = append(out, stmt)
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// DataStep is a migration written in Go, for a change SQL cannot make (one that needs the PII
// key, say). It is numbered in the same sequence as the SQL files, runs in order among them, and
// is recorded like them; it must be safe to run again after a crash halfway.
type DataStep struct {
	Version int64
	Name    string // NNNN_name, like a file's
	Run     func(ctx context.Context, conn *sql.Conn) error
}

// Migrate applies every embedded migration not yet applied. It holds a MySQL named lock on its own
// connection for the whole run, so concurrent migrators (two instances starting, a deploy and a
// cold start) wait for each other and each migration runs once. A migration already applied whose
// file has changed is an error: applied migrations are history, not to be edited.
//
// steps are the Go migrations that need the caller's keys (PhoneStep); the store's own (TermsStep)
// are always included. Each runs once, after the SQL migrations numbered below it.
func Migrate(ctx context.Context, db *sql.DB, log *slog.Logger, steps ...DataStep) (applied []string, err error) {
	migs, err := Migrations()
	if err != nil {
		return nil, err
	}
	for _, st := range append(steps, TermsStep()) {
		sum := sha256.Sum256([]byte("go:" + st.Name))
		migs = append(migs, Migration{Version: st.Version, Name: st.Name, Checksum: hex.EncodeToString(sum[:]), step: st.Run})
	}
	sort.Slice(migs, func(i, j int) bool { return migs[i].Version < migs[j].Version })
	for i := 1; i < len(migs); i++ {
		if migs[i].Version == migs[i-1].Version {
			return nil, fmt.Errorf("mysql: two migrations numbered %d", migs[i].Version)
		}
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, dbErr(err, "migrate: connection")
	}
	defer conn.Close()

	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, ?)", lockName, 120).Scan(&got); err != nil {
		return nil, dbErr(err, "migrate: lock")
	}
	if !got.Valid || got.Int64 != 1 {
		return nil, fmt.Errorf("mysql: migrate: another migrator held %q for 120s", lockName)
	}
	defer func() {
		// A fresh context: the lock must be released even when ctx is already done.
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn.ExecContext(rctx, "SELECT RELEASE_LOCK(?)", lockName)
	}()

	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
  version BIGINT NOT NULL PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  checksum CHAR(64) NOT NULL,
  applied_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`); err != nil {
		return nil, dbErr(err, "migrate: create schema_migrations")
	}

	done := map[int64]string{}
	rows, err := conn.QueryContext(ctx, "SELECT version, checksum FROM schema_migrations")
	if err != nil {
		return nil, dbErr(err, "migrate: read schema_migrations")
	}
	for rows.Next() {
		var v int64
		var sum string
		if err := rows.Scan(&v, &sum); err != nil {
			rows.Close()
			return nil, dbErr(err, "migrate: scan")
		}
		done[v] = sum
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, dbErr(err, "migrate: read schema_migrations")
	}

	for _, m := range migs {
		if sum, ok := done[m.Version]; ok {
			if sum != m.Checksum {
				return applied, fmt.Errorf("mysql: migration %s was changed after it was applied", m.Name)
			}
			continue
		}
		start := time.Now()
		if m.step != nil {
			if err := m.step(ctx, conn); err != nil {
				return applied, fmt.Errorf("mysql: migration %s: %w", m.Name, err)
			}
		}
		for i, stmt := range m.Statements {
			if _, err := conn.ExecContext(ctx, stmt); err != nil {
				return applied, fmt.Errorf("mysql: migration %s statement %d: %w", m.Name, i+1, err)
			}
		}
		if _, err := conn.ExecContext(ctx,
			"INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
			m.Version, m.Name, m.Checksum, now()); err != nil {
			return applied, dbErr(err, "migrate: record "+m.Name)
		}
		applied = append(applied, m.Name)
		if log != nil {
			log.Info("migration applied", "migration", m.Name, "statements", len(m.Statements), "took", time.Since(start).String())
		}
	}
	return applied, nil
}

// PhoneStep is migration 0007: customers' phone numbers sealed before NormalizePhone gave every
// number one canonical form (13900001111 and +8613900001111 were two numbers to a search) are
// opened and sealed again, with their search fingerprint and mask. reseal does the PII work
// (records.Service.Reseal); running it twice is harmless.
func PhoneStep(reseal func(enc []byte) (newEnc []byte, hash, masked string, err error)) DataStep {
	return DataStep{Version: 7, Name: "0007_phones_canonical", Run: func(ctx context.Context, conn *sql.Conn) error {
		type row struct {
			id  int64
			enc []byte
		}
		var rs []row
		q, err := conn.QueryContext(ctx, "SELECT id, phone_enc FROM customers WHERE phone_enc IS NOT NULL")
		if err != nil {
			return dbErr(err, "customers")
		}
		for q.Next() {
			var r row
			if err := q.Scan(&r.id, &r.enc); err != nil {
				q.Close()
				return dbErr(err, "customers")
			}
			rs = append(rs, r)
		}
		q.Close()
		if err := q.Err(); err != nil {
			return dbErr(err, "customers")
		}
		for _, r := range rs {
			enc, hash, masked, err := reseal(r.enc)
			if err != nil {
				return fmt.Errorf("customer %d: %w", r.id, err)
			}
			if _, err := conn.ExecContext(ctx, "UPDATE customers SET phone_enc = ?, phone_hash = ?, phone_masked = ? WHERE id = ?",
				enc, hash, masked, r.id); err != nil {
				return dbErr(err, "customers")
			}
		}
		return nil
	}}
}
