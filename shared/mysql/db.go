// Package mysql implements the domain's stores on MySQL 8.0 / TencentDB MySQL through
// database/sql and go-sql-driver/mysql. Its SQL stays in the subset that behaves the same on
// MySQL 8.0, MariaDB 10.11 and the embedded go-mysql-server (docs/embedded-stand-ins.md):
// DATETIME(6) in UTC, no FOR UPDATE for correctness, optimistic locking by version, and only
// error numbers 1062/1452/1048 branched on.
package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"time"

	driver "github.com/go-sql-driver/mysql"

	"github.com/jianbao/admin/shared/appraisal"
)

// Options size the connection pool.
type Options struct {
	MaxOpenConns int
}

// Open connects to dsn and checks that the server answers. The DSN is normalised so that every
// process reads and writes times the same way (parseTime, UTC) and never runs multi-statement
// strings: migrations are split into single statements instead.
func Open(ctx context.Context, dsn string, opts Options) (*sql.DB, error) {
	cfg, err := driver.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("mysql: bad DSN: %w", err)
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.MultiStatements = false
	// Interpolate arguments client-side: one round trip per query instead of prepare, execute and
	// close. The driver escapes for the connection's charset and refuses to interpolate for the
	// multibyte charsets where that is unsafe; ours is utf8mb4.
	cfg.InterpolateParams = true
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	connector, err := driver.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("mysql: %w", err)
	}
	db := sql.OpenDB(connector)
	if opts.MaxOpenConns > 0 {
		db.SetMaxOpenConns(opts.MaxOpenConns)
		db.SetMaxIdleConns(opts.MaxOpenConns)
	}
	// TencentDB closes idle connections after wait_timeout; recycle ours well before.
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(30 * time.Minute)

	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		if e := busy(err); e != nil {
			return nil, e
		}
		return nil, appraisal.Wrap(err, appraisal.KindUnavailable, "mysql.unavailable", "cannot reach MySQL")
	}
	return db, nil
}

// Error numbers of a server that refuses a connection because it has too many: the server's
// max_connections (1040), the server's max_user_connections (1203), or the account's own
// MAX_USER_CONNECTIONS (1226, as MariaDB and MySQL report it).
const (
	errTooManyConnections     = 1040
	errTooManyUserConnections = 1203
	errUserLimitReached       = 1226
)

// busyRetryAfter is what a caller refused for want of connections is told to wait.
const busyRetryAfter = 2 * time.Second

// busy is the error for a refusal for want of connections — a 503 with Retry-After, which the
// caller can retry and the next request may not meet — or nil for any other error.
func busy(err error) error {
	if n := errNumber(err); n == errTooManyConnections || n == errTooManyUserConnections || n == errUserLimitReached {
		e := appraisal.Wrap(err, appraisal.KindUnavailable, "mysql.busy", "the database has no connection free; retry shortly")
		e.RetryAfter = busyRetryAfter
		return e
	}
	return nil
}

// Error numbers we branch on; they agree across MySQL, MariaDB and go-mysql-server.
const (
	errDuplicate  = 1062
	errForeignKey = 1452
)

func errNumber(err error) uint16 {
	var me *driver.MySQLError
	if errors.As(err, &me) {
		return me.Number
	}
	return 0
}

// dbErr classifies an error from database/sql. A lost connection is a dependency failure
// (unavailable, worth a retry); anything else unrecognised is a bug in our SQL (internal). Neither
// is ever reported as the client's mistake.
func dbErr(err error, what string) error {
	if err == nil {
		return nil
	}
	var ae *appraisal.Error
	if errors.As(err, &ae) {
		return err
	}
	if e := busy(err); e != nil {
		return e
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return appraisal.Wrap(err, appraisal.KindNotFound, "not_found", what+" not found")
	case errNumber(err) == errDuplicate:
		return appraisal.Wrap(err, appraisal.KindConflict, "already_exists", what+" already exists")
	case errNumber(err) == errForeignKey:
		return appraisal.Wrap(err, appraisal.KindInvalid, "reference_missing", what+" refers to something that does not exist")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, driver.ErrInvalidConn), errors.As(err, new(net.Error)):
		return appraisal.Wrap(err, appraisal.KindUnavailable, "timeout", "the database did not answer in time")
	}
	return appraisal.Wrap(err, appraisal.KindInternal, "db_error", what)
}

// now is the database clock for rows we write: UTC, microseconds, as DATETIME(6) keeps it.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
