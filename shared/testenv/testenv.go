// Package testenv gives tests their backing services: the real MariaDB/MySQL and Redis the machine
// runs, and the embedded stand-ins. A test that needs a real service skips when it is unreachable
// on a developer's machine, but fails when CI=true: in CI a skipped integration test would pass a
// change nobody tested.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	osuser "os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	driver "github.com/go-sql-driver/mysql"
	goredis "github.com/redis/go-redis/v9"

	"github.com/jianbao/admin/shared/memmysql"
	"github.com/jianbao/admin/shared/memredis"
	"github.com/jianbao/admin/shared/mysql"
	"github.com/jianbao/admin/shared/redis"
)

// CI reports whether we run in CI, where every integration test must run.
func CI() bool { return os.Getenv("CI") == "true" }

func unreachable(tb testing.TB, what string, err error) {
	tb.Helper()
	if CI() {
		tb.Fatalf("%s is unreachable and CI=true, so this integration test must not skip: %v", what, err)
	}
	tb.Skipf("%s is unreachable (%v); start it or run scripts/test.sh", what, err)
}

// MySQLDSN is the server the real-MySQL tests use: TEST_MYSQL_DSN, or the machine's MariaDB.
func MySQLDSN() string {
	if dsn := os.Getenv("TEST_MYSQL_DSN"); dsn != "" {
		return dsn
	}
	return "root@tcp(127.0.0.1:3306)/test"
}

// RedisAddr is the server the real-Redis tests use: TEST_REDIS_ADDR, or the machine's Redis.
func RedisAddr() string {
	if a := os.Getenv("TEST_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

// Database is a freshly created, empty database for one test.
type Database struct {
	DB  *sql.DB
	DSN string // for a child process, such as a function binary under test
	// MaxOpenConns is what a client of this database must hold its pool to.
	MaxOpenConns int
}

// MySQL creates an empty database on the real server, dropped when the test ends.
func MySQL(tb testing.TB) *Database {
	tb.Helper()
	ctx := context.Background()
	cfg, err := driver.ParseDSN(MySQLDSN())
	if err != nil {
		tb.Fatalf("TEST_MYSQL_DSN: %v", err)
	}
	admin, err := mysql.Open(ctx, cfg.FormatDSN(), mysql.Options{MaxOpenConns: 2})
	if err != nil {
		unreachable(tb, "MySQL at "+cfg.Addr, err)
	}
	name := "jbt_" + randomHex(6)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		admin.Close()
		tb.Fatalf("create test database: %v", err)
	}
	cfg.DBName = name
	dsn := cfg.FormatDSN()
	db, err := mysql.Open(ctx, dsn, mysql.Options{MaxOpenConns: 20})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		db.Close()
		admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name)
		admin.Close()
	})
	return &Database{DB: db, DSN: dsn, MaxOpenConns: 20}
}

// EmbeddedMySQL starts an in-process go-mysql-server for one test, held to one connection as its
// write semantics require.
func EmbeddedMySQL(tb testing.TB) *Database {
	tb.Helper()
	srv, err := memmysql.Start("jianbao")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { srv.Close(context.Background()) })
	db, err := mysql.Open(context.Background(), srv.DSN(), mysql.Options{MaxOpenConns: memmysql.MaxOpenConns})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return &Database{DB: db, DSN: srv.DSN(), MaxOpenConns: memmysql.MaxOpenConns}
}

// MySQLBackend is a way to get a database.
type MySQLBackend struct {
	Name string
	Open func(testing.TB) *Database
}

// MySQLBackends lists the backends a conformance suite runs on.
func MySQLBackends() []MySQLBackend {
	return []MySQLBackend{{"mariadb", MySQL}, {"embedded", EmbeddedMySQL}}
}

// RedisServer is a Redis for one test. Tests share the real server (and go test runs packages in
// parallel), so every key a test writes goes under its own Prefix; the keys are deleted at the end.
type RedisServer struct {
	Client *goredis.Client
	Addr   string
	Prefix string
}

// Redis connects to the real server.
func Redis(tb testing.TB) *RedisServer {
	tb.Helper()
	c, err := redis.Open(context.Background(), redis.Options{Addr: RedisAddr()})
	if err != nil {
		unreachable(tb, "Redis at "+RedisAddr(), err)
	}
	prefix := "jbt:" + randomHex(6) + ":"
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		c.Close()
	})
	return &RedisServer{Client: c, Addr: RedisAddr(), Prefix: prefix}
}

// EmbeddedRedis starts an in-process miniredis for one test.
func EmbeddedRedis(tb testing.TB) *RedisServer {
	tb.Helper()
	srv, err := memredis.Start()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(srv.Close)
	c, err := redis.Open(context.Background(), redis.Options{Addr: srv.Addr()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return &RedisServer{Client: c, Addr: srv.Addr(), Prefix: "jbt:"}
}

// RedisBackend is a way to get a Redis.
type RedisBackend struct {
	Name string
	Open func(testing.TB) *RedisServer
}

// RedisBackends lists the backends a conformance suite runs on.
func RedisBackends() []RedisBackend {
	return []RedisBackend{{"redis", Redis}, {"embedded", EmbeddedRedis}}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Describe names a backend in failure messages.
func (d *Database) String() string { return fmt.Sprintf("database(%s)", d.DSN) }

// RedisProcess is a redis-server of the test's own, on a free port, keeping nothing on disk, so
// a test can stop it, restart it empty (as a failover to an empty replica would) and watch what
// the code does. It needs the redis-server binary; without it the test skips, or fails in CI.
type RedisProcess struct {
	Addr   string
	Prefix string
	tb     testing.TB
	bin    string
	port   int
	cmd    *exec.Cmd
}

// OwnRedis starts a redis-server for one test; it is stopped at the end.
func OwnRedis(tb testing.TB) *RedisProcess {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		unreachable(tb, "redis-server (the binary)", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	p := &RedisProcess{tb: tb, port: port}
	p.Addr = fmt.Sprintf("127.0.0.1:%d", port)
	p.Prefix = "jbt:"
	p.bin = bin
	p.Start()
	tb.Cleanup(p.Stop)
	return p
}

// Start runs the server (again), empty.
func (p *RedisProcess) Start() {
	p.tb.Helper()
	if p.cmd != nil {
		return
	}
	p.cmd = exec.Command(p.bin, "--port", strconv.Itoa(p.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := p.cmd.Start(); err != nil {
		p.tb.Fatal(err)
	}
	for range 100 {
		if c, err := net.DialTimeout("tcp", p.Addr, 100*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.tb.Fatalf("redis-server on %s did not start", p.Addr)
}

// Stop kills the server (no clean shutdown: nothing is saved anyway).
func (p *RedisProcess) Stop() {
	if p.cmd == nil {
		return
	}
	p.cmd.Process.Kill()
	p.cmd.Wait()
	p.cmd = nil
}

// Restart stops the server and starts it again with no data.
func (p *RedisProcess) Restart() {
	p.tb.Helper()
	p.Stop()
	p.Start()
}

// MySQLProcess is a mariadbd of the test's own, on a free port with its data in a temporary
// directory, so a test can kill it (as a crashed or unreachable database) and start it again with
// its data. It needs mariadbd and mariadb-install-db; without them the test skips, or fails in CI.
type MySQLProcess struct {
	// DSN reaches the database `test` as root (no password) over TCP.
	DSN  string
	tb   testing.TB
	bin  string
	dir  string
	port int
	cmd  *exec.Cmd
}

// OwnMySQL initialises and starts a MariaDB server for one test; it is stopped at the end.
func OwnMySQL(tb testing.TB) *MySQLProcess {
	tb.Helper()
	bin := ""
	for _, p := range []string{"/usr/sbin/mariadbd", "/usr/sbin/mysqld"} {
		if _, err := os.Stat(p); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("mariadbd"); err != nil {
			unreachable(tb, "mariadbd (the binary)", err)
		}
	}
	install, err := exec.LookPath("mariadb-install-db")
	if err != nil {
		unreachable(tb, "mariadb-install-db", err)
	}
	dir := tb.TempDir()
	if out, err := exec.Command(install, "--no-defaults", "--datadir="+filepath.Join(dir, "data"), "--user="+processUser(),
		"--auth-root-authentication-method=normal", "--skip-test-db").CombinedOutput(); err != nil {
		tb.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	p := &MySQLProcess{tb: tb, bin: bin, dir: dir, port: port}
	p.DSN = fmt.Sprintf("root@tcp(127.0.0.1:%d)/test?parseTime=true", port)
	p.Start()
	tb.Cleanup(p.Stop)
	db, err := sql.Open("mysql", fmt.Sprintf("root@tcp(127.0.0.1:%d)/", port))
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE DATABASE IF NOT EXISTS test CHARACTER SET utf8mb4"); err != nil {
		tb.Fatal(err)
	}
	return p
}

// Start runs the server (again) on its data.
func (p *MySQLProcess) Start() {
	p.tb.Helper()
	if p.cmd != nil {
		return
	}
	p.cmd = exec.Command(p.bin, "--no-defaults", "--datadir="+filepath.Join(p.dir, "data"), "--user="+processUser(),
		"--bind-address=127.0.0.1", "--port="+strconv.Itoa(p.port), "--socket="+filepath.Join(p.dir, "sock"),
		"--pid-file="+filepath.Join(p.dir, "pid"), "--skip-log-bin", "--innodb-buffer-pool-size=32M",
		"--log-error="+filepath.Join(p.dir, "error.log"))
	if err := p.cmd.Start(); err != nil {
		p.tb.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", p.port)
	for range 300 {
		if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(p.dir, "error.log"))
	p.tb.Fatalf("mariadbd on %s did not start:\n%s", addr, log)
}

// processUser is who mariadbd runs as: this process's user (root included, which mariadbd
// accepts when named), so the test's own directories are its.
func processUser() string {
	if u, err := osuser.Current(); err == nil {
		return u.Username
	}
	return "root"
}

// Stop kills the server at once (SIGKILL), as a crash would.
func (p *MySQLProcess) Stop() {
	if p.cmd == nil {
		return
	}
	p.cmd.Process.Kill()
	p.cmd.Wait()
	p.cmd = nil
}
