// Package app wires configuration to adapters for the mains: every SCF function and the shim open
// MySQL, Redis and the services the same way through it, so a function's main stays a few lines.
// Only mains import it; shared/ never does.
package app

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/http"

	goredis "github.com/redis/go-redis/v9"

	"github.com/jianbao/admin/shared/auth"
	"github.com/jianbao/admin/shared/config"
	"github.com/jianbao/admin/shared/httpapi"
	"github.com/jianbao/admin/shared/mysql"
	"github.com/jianbao/admin/shared/password"
	"github.com/jianbao/admin/shared/redis"
	"github.com/jianbao/admin/shared/token"
)

// App is an opened set of dependencies.
type App struct {
	Config config.Config
	Log    *slog.Logger
	DB     *sql.DB
	Redis  *goredis.Client
	Store  *mysql.Store
	Auth   *auth.Service
	// Draining, when set, fails readiness so load balancers stop sending traffic before shutdown.
	Draining func() bool
}

// Open connects to MySQL and Redis as cfg says. It never starts stand-ins: that is the shim's
// choice in local mode, made before calling Open.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	if cfg.MySQLDSN == "" || cfg.RedisAddr == "" {
		return nil, errors.New("app: MYSQL_DSN and REDIS_ADDR must be set")
	}
	db, err := mysql.Open(ctx, cfg.MySQLDSN, mysql.Options{MaxOpenConns: cfg.MySQLMaxOpenConns})
	if err != nil {
		return nil, err
	}
	rdb, err := redis.Open(ctx, redis.Options{Addr: cfg.RedisAddr, Password: cfg.RedisPassword, DB: cfg.RedisDB})
	if err != nil {
		db.Close()
		return nil, err
	}
	st := mysql.NewStore(db)
	return &App{
		Config: cfg, Log: log, DB: db, Redis: rdb, Store: st,
		Auth: &auth.Service{Users: st, LoginLog: st, Log: log, Password: password.Default,
			Tokens: token.NewIssuer([]byte(cfg.JWTSecret), cfg.AccessTokenTTL)},
	}, nil
}

// Close releases the connections.
func (a *App) Close() error {
	return errors.Join(a.Redis.Close(), a.DB.Close())
}

// Handler is the HTTP API for the given groups (all when none are named).
func (a *App) Handler(groups ...httpapi.Group) http.Handler {
	checks := []httpapi.Check{
		{Name: "mysql", Fn: a.DB.PingContext},
		{Name: "redis", Fn: func(ctx context.Context) error { return a.Redis.Ping(ctx).Err() }},
	}
	if a.Draining != nil {
		checks = append(checks, httpapi.Check{Name: "draining", Fn: func(context.Context) error {
			if a.Draining() {
				return errors.New("shutting down")
			}
			return nil
		}})
	}
	return httpapi.New(httpapi.Deps{Log: a.Log, Auth: a.Auth, Checks: checks, Version: Version()}, groups...)
}

// Migrate applies the schema migrations and creates the first admin if there is none. With
// generate (local mode only) a missing bootstrap password is made up and returned.
func (a *App) Migrate(ctx context.Context, generate bool) (applied []string, generated string, err error) {
	applied, err = mysql.Migrate(ctx, a.DB, a.Log)
	if err != nil {
		return applied, "", err
	}
	_, generated, err = a.Auth.Bootstrap(ctx, a.Config.BootstrapAdminPassword, generate)
	return applied, generated, err
}
