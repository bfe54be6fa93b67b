// Package app wires configuration to adapters for the mains: every SCF function and the shim open
// MySQL, Redis and the services the same way through it, so a function's main stays a few lines.
// Only mains import it; shared/ never does.
package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/auditlog"
	"github.com/jianbao/admin/shared/auth"
	"github.com/jianbao/admin/shared/config"
	"github.com/jianbao/admin/shared/cos"
	"github.com/jianbao/admin/shared/httpapi"
	"github.com/jianbao/admin/shared/localstore"
	"github.com/jianbao/admin/shared/mysql"
	"github.com/jianbao/admin/shared/orders"
	"github.com/jianbao/admin/shared/password"
	"github.com/jianbao/admin/shared/pii"
	"github.com/jianbao/admin/shared/readcache"
	"github.com/jianbao/admin/shared/records"
	"github.com/jianbao/admin/shared/redis"
	"github.com/jianbao/admin/shared/retention"
	"github.com/jianbao/admin/shared/settings"
	"github.com/jianbao/admin/shared/stats"
	"github.com/jianbao/admin/shared/token"
)

// App is an opened set of dependencies. Open builds it whole from the configuration and the
// Options; nothing changes it afterwards, so every handler built from it sees the same wiring.
type App struct {
	Config config.Config
	Log    *slog.Logger
	DB     *sql.DB
	Redis  *goredis.Client
	Store  appraisal.Store // MySQL behind the read cache
	MySQL  *mysql.Store    // MySQL itself, for maintenance outside the request path
	Epochs *redis.Epochs
	// Breaker fails Redis commands fast while Redis is down; readiness reports it.
	Breaker *redis.Breaker
	// Limits is the login limits' own Redis client: its small pool is theirs alone, so a flood
	// of requests cannot take its connections from them, nor their calls from everyone else's.
	Limits   *goredis.Client
	Cache    *redis.Cache
	Throttle *redis.Throttle
	PII      *pii.Box
	Auth     *auth.Service
	Orders   *orders.Service
	Blobs    appraisal.BlobStore
	// Local is the local object store when COS is not configured (its handler serves signed URLs).
	Local *localstore.Store
	// Stream is the media job stream when Options.Stream asked for it (the shim's workers read it).
	Stream *redis.Queue

	// dispatch hands an original to processing: the stream, or a COS self-copy on SCF.
	dispatch func(ctx context.Context, key string) error
	opts     Options
}

// Options are what a main decides beyond the configuration.
type Options struct {
	// Stream feeds processing through the Redis stream (the shim, locally and on TKE): uploads to
	// the local store and reprocessing publish to it. Without it (SCF) processing starts with a
	// COS event, and reprocessing makes one.
	Stream bool
	// Observe, when set, sees every finished request (the shim's metrics).
	Observe func(r *http.Request, status int, took time.Duration)
	// Draining, when set, fails readiness so load balancers stop sending traffic before shutdown.
	Draining func() bool
	// Password, when set, replaces the password hashing parameters (tests: a cheap hash).
	Password *password.Params
	// Workers: this process runs media workers on the stream, and readiness reports them.
	Workers bool
	// LimitDecided, when set, hears where each login-limit check was decided (the shim's metrics).
	LimitDecided func(where string)
}

// Open connects to MySQL and Redis as cfg says. It never starts stand-ins: that is the shim's
// choice in local mode, made before calling Open.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options) (*App, error) {
	if cfg.MySQLDSN == "" || cfg.RedisAddr == "" {
		return nil, errors.New("app: MYSQL_DSN and REDIS_ADDR must be set")
	}
	box, err := pii.New([]byte(cfg.PIISecret))
	if err != nil {
		return nil, err
	}
	db, err := mysql.Open(ctx, cfg.MySQLDSN, mysql.Options{MaxOpenConns: cfg.MySQLMaxOpenConns})
	if err != nil {
		return nil, err
	}
	breaker := redis.NewBreaker()
	rdb, err := redis.Open(ctx, redis.Options{Addr: cfg.RedisAddr, Password: cfg.RedisPassword, DB: cfg.RedisDB, Breaker: breaker})
	if err != nil {
		db.Close()
		return nil, err
	}
	// The login limits' client: few connections, a short wait for one. Past that the limits decide
	// in process (auth's failover) instead of waiting behind the flood they are limiting.
	limits, err := redis.Open(ctx, redis.Options{Addr: cfg.RedisAddr, Password: cfg.RedisPassword, DB: cfg.RedisDB,
		Breaker: redis.NewBreaker(), PoolSize: limitsPool, PoolTimeout: 100 * time.Millisecond})
	if err != nil {
		rdb.Close()
		db.Close()
		return nil, err
	}
	if open, _, rerr := breaker.State(); open || rerr != nil {
		log.WarnContext(ctx, "starting without Redis: caching off, limits open, media via the sweeper", "err", rerr)
	}
	my := mysql.NewStore(db)
	epochs := redis.NewEpochs(rdb, cfg.RedisPrefix+"epoch:")
	var st appraisal.Store = my
	if cfg.ReadCacheSize > 0 {
		st = readcache.New(my, epochs, log, cfg.ReadCacheSize, 30*time.Second)
	}
	a := &App{Config: cfg, Log: log, DB: db, Redis: rdb, Limits: limits, Store: st, MySQL: my, Epochs: epochs, Breaker: breaker, PII: box, opts: opts,
		Cache:    redis.NewCache(rdb, cfg.RedisPrefix+"cache:"),
		Throttle: redis.NewThrottle(limits, cfg.RedisPrefix+"throttle:"),
	}
	if cfg.COSBucketURL != "" {
		var cs *cos.Store
		cs, err = cos.New(cos.Options{BucketURL: cfg.COSBucketURL, Endpoint: cfg.COSEndpoint,
			// Only real COS answers the CRC64 header the SDK checks uploads against.
			DisableCRC: cfg.COSEndpoint != "",
			Credentials: func() cos.Credentials {
				id, key, tok := cfg.COSCredentials()
				return cos.Credentials{SecretID: id, SecretKey: key, SessionToken: tok}
			}})
		if err == nil {
			a.Blobs = cs
			// On SCF, processing starts with a COS event: reprocessing makes one.
			a.dispatch = cs.Retrigger
		}
	} else if a.Local, err = openLocalStore(a); err == nil {
		a.Blobs = a.Local
	}
	if err != nil {
		a.Close()
		return nil, err
	}
	if opts.Stream {
		// The local store reports each upload to the stream, as COS triggers do on SCF.
		a.Stream = redis.NewQueue(a.Redis, cfg.RedisPrefix+"media:jobs", "media-workers")
		a.Stream.Log = log
		a.dispatch = a.Stream.Publish
		if a.Local != nil {
			a.Local.OnPut = func(ctx context.Context, key string) {
				if err := a.Stream.Publish(ctx, key); err != nil {
					log.ErrorContext(ctx, "upload not queued for processing", "key", key, "err", err)
				}
			}
		}
	}
	hashing := password.Default
	if opts.Password != nil {
		hashing = *opts.Password
	}
	a.Auth = &auth.Service{Users: st, Audit: st, LoginLog: st, Sessions: st, Permissions: st, Throttle: a.Throttle,
		Tokens: token.NewIssuer([]byte(cfg.JWTSecret), cfg.AccessTokenTTL), Password: hashing,
		RefreshTTL: cfg.RefreshTokenTTL, Log: log, LimitDecided: opts.LimitDecided,
		Limits: auth.Limits{PerSource: cfg.LoginMaxFailures, PerIP: cfg.LoginMaxFailuresPerIP, Window: cfg.LoginLockout}}
	a.Orders = &orders.Service{Orders: st, Catalog: st, Permissions: a.Auth,
		Review: appraisal.ReviewPolicy{ValueThresholdFen: cfg.ReviewValueThresholdFen, SampleRate: cfg.ReviewSampleRate}, Settings: st,
		Changed: func(ctx context.Context) {
			if err := a.Cache.Delete(context.WithoutCancel(ctx), stats.CacheKey); err != nil {
				log.WarnContext(ctx, "dashboard cache not invalidated", "err", err)
			}
		}}
	return a, nil
}

// limitsPool is the login limits' connections: each attempt makes three to five short calls, so
// sixteen carry hundreds of attempts a second, and the hashing gate admits far fewer than that.
const limitsPool = 16

// Close releases the connections.
func (a *App) Close() error {
	return errors.Join(a.Limits.Close(), a.Redis.Close(), a.DB.Close())
}

// Deps is what the HTTP API needs, for the given readiness checks.
func (a *App) Deps() httpapi.Deps {
	checks := []httpapi.Check{
		{Name: "mysql", Fn: a.DB.PingContext},
		{Name: "redis", Degrades: true, Fn: func(ctx context.Context) error {
			// The ping goes through the breaker: while it is open it fails at once, after the
			// cooldown it is the probe that closes it.
			err := a.Redis.Ping(ctx).Err()
			if open, since, last := a.Breaker.State(); open && err != nil {
				return fmt.Errorf("not answering since %s (%v); serving from MySQL", since.UTC().Format(time.RFC3339), last)
			}
			return err
		}},
	}
	if a.opts.Workers {
		checks = append(checks, httpapi.Check{Name: "media_worker", Degrades: true, Fn: a.workerHealth})
	}
	if a.opts.Draining != nil {
		checks = append(checks, httpapi.Check{Name: "draining", Fn: func(context.Context) error {
			if a.opts.Draining() {
				return errors.New("shutting down")
			}
			return nil
		}})
	}
	d := httpapi.Deps{Log: a.Log, Auth: a.Auth, Orders: a.Orders, Records: a.records(),
		Stats:    &stats.Service{Store: a.Store, Cache: a.Cache, Log: a.Log},
		AuditLog: &auditlog.Service{Log: a.Store},
		Settings: &settings.Service{Store: a.Store, Defaults: map[string]string{
			appraisal.SettingReviewThresholdFen: strconv.FormatInt(a.Orders.Review.ValueThresholdFen, 10),
			appraisal.SettingReviewSampleRate:   strconv.FormatFloat(a.Orders.Review.SampleRate, 'f', -1, 64),
		}},
		Idempotency: a.Store,
		Limiter:     a.Throttle, CertPageURL: a.Config.CertPageURL, CertIssuer: a.Config.CertIssuer, CORSOrigins: a.Config.CORSOrigins, TrustedProxies: a.Config.TrustedProxies, Checks: checks, Version: Version(), Observe: a.opts.Observe}
	if rc, ok := a.Store.(*readcache.Store); ok {
		d.Answers = rc
	}
	a.mediaDeps(&d)
	return d
}

func (a *App) records() *records.Service {
	return &records.Service{Store: a.Store, PII: a.PII, Permissions: a.Auth}
}

// Handler is the HTTP API for the given groups (all when none are named).
func (a *App) Handler(groups ...httpapi.Group) http.Handler {
	// One reading of the read cache's epochs per request (harmless when the cache is off).
	return readcache.Middleware(httpapi.New(a.Deps(), groups...))
}

// Migrate applies the schema migrations, seeds the permission table with the rules of operations
// new to it, and creates the first admin if there is none. With generate (local mode only) a
// missing bootstrap password is made up and returned.
func (a *App) Migrate(ctx context.Context, generate bool) (applied []string, generated string, err error) {
	applied, err = mysql.Migrate(ctx, a.DB, a.Log, mysql.PhoneStep(a.records().Reseal))
	if err != nil {
		return applied, "", err
	}
	// Through the read cache, which invalidates the cached grants when rules were added.
	if n, err := a.Store.SeedPermissions(ctx, appraisal.DefaultPolicy); err != nil {
		return applied, "", err
	} else if n > 0 {
		a.Log.InfoContext(ctx, "permission rules seeded", "added", n)
	}
	_, generated, err = a.Auth.Bootstrap(ctx, a.Config.BootstrapAdminPassword, generate)
	return applied, generated, err
}

// Retention is the daily clean-up job of this deployment.
func (a *App) Retention() *retention.Job {
	return &retention.Job{Store: a.MySQL, Blobs: a.Blobs, Log: a.Log, Audit: a.Config.AuditRetention}
}
