// Command server is the shim: every API group and (later) the media worker in one long-lived
// process. It is what runs on TKE and what a developer runs locally; with MYSQL_DSN and
// REDIS_ADDR unset it starts embedded stand-ins and needs nothing installed.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jianbao/admin/functions/internal/app"
	"github.com/jianbao/admin/functions/internal/console"
	"github.com/jianbao/admin/shared/httpapi"
	"github.com/jianbao/admin/shared/localstore"
	"github.com/jianbao/admin/shared/logs"
	"github.com/jianbao/admin/shared/media"
	"github.com/jianbao/admin/shared/metrics"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch cmd := append(os.Args[1:], "")[0]; cmd {
	case "":
		err = run(ctx, os.Getenv, os.Stdout)
	case "retention":
		// The TKE CronJob's job: the same handler as the cron-retention timer function.
		err = retention(ctx, os.Getenv, os.Stdout)
	case "version":
		fmt.Println(app.Version())
	case "openapi":
		// The whole API's document, without serving: the console's client is generated from it.
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(httpapi.OpenAPI(httpapi.Deps{}))
	default:
		err = fmt.Errorf("unknown command %q (want none, retention, openapi or version)", cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

// run starts the server and blocks until ctx ends, then drains. Everything it needs comes in as
// arguments, so tests run it in process.
func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := app.LoadConfig(ctx, getenv)
	if err != nil {
		return err
	}
	log := logs.New(stdout, cfg.LogLevel)

	embedded := cfg.Embedded()
	if embedded {
		stop, err := startEmbedded(&cfg, log)
		if err != nil {
			return err
		}
		defer stop()
	}
	log.Info("starting", "config", cfg, "version", app.Version())

	// Prometheus: /metrics on its own listener (METRICS_ADDR), never on the application port.
	m := metrics.New(app.Version())
	var draining atomic.Bool
	a, err := app.Open(ctx, cfg, log, app.Options{Stream: true, Workers: cfg.MediaWorkers > 0, Observe: m.ObserveHTTP, Draining: draining.Load,
		LimitDecided: m.ObserveLimit})
	if err != nil {
		return err
	}
	defer a.Close()

	_, generated, err := a.Migrate(ctx, embedded)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if generated != "" {
		// Shown once, on the terminal, and never logged: it is a credential.
		fmt.Fprintf(stdout, "\n  Embedded mode: created the admin account.\n  username: admin\n  password: %s\n  (set BOOTSTRAP_ADMIN_PASSWORD to choose it)\n\n", generated)
	}
	if a.Local != nil {
		log.Warn("objects are stored on local disk (set COS_BUCKET_URL for COS)", "dir", a.Local.Dir())
	}
	m.WatchDB(a.DB, "mysql")
	m.WatchRedis(a.Redis)
	m.WatchQueue(a.Stream.Depth)
	m.WatchActiveUsers(a.MySQL.ActiveUsers)

	proc := a.Processor()
	proc.Observe = m.ObserveJob
	workers, stopWorkers := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range cfg.MediaWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.Stream.Work(workers, fmt.Sprintf("%s-%d", proc.Worker, i), proc.Handle); err != nil {
				log.Error("media worker stopped", "err", err)
			}
		}()
	}
	if cfg.MediaWorkers > 0 {
		// MySQL is the durable queue: the sweeper re-queues what the stream lost and, while the
		// stream cannot take it (Redis down), processes it right here.
		sweeper := a.Sweeper(func(ctx context.Context, key string) error {
			if err := a.Stream.Publish(ctx, key); err != nil {
				log.WarnContext(ctx, "sweep: stream unavailable, processing in place", "key", key, "err", err)
				return proc.Handle(ctx, key)
			}
			return nil
		})
		wg.Add(1)
		go func() {
			defer wg.Done()
			sweeper.Run(workers, media.SweepEvery)
		}()
	}
	defer func() {
		stopWorkers()
		wg.Wait()
	}()

	mux := http.NewServeMux()
	if a.Local != nil {
		mux.Handle(localstore.PathPrefix, a.Local.Handler())
	}
	mux.Handle("/", a.Handler())
	mux.Handle("/docs/", docsHandler())
	mux.Handle("GET /docs", http.RedirectHandler("/docs/", http.StatusMovedPermanently))
	// The admin console, compiled in; the bare origin opens it.
	mux.Handle(console.Prefix, console.Handler(console.Config{}))
	mux.Handle("GET /console", http.RedirectHandler(console.Prefix, http.StatusMovedPermanently))
	mux.Handle("GET /{$}", http.RedirectHandler(console.Prefix, http.StatusFound))
	mux.Handle("GET /favicon.ico", http.RedirectHandler(console.Prefix+"favicon.svg", http.StatusMovedPermanently))
	if relay := a.Relay(); relay != nil {
		mux.Handle("/hooks/", http.StripPrefix("/hooks", relay.Handler()))
	}
	srv := &http.Server{
		Addr: cfg.HTTPAddr,
		// One header policy for every response, whatever mounts it (httpapi.SecureHeaders).
		Handler:           m.InFlight(httpapi.SecureHeaders(mux)),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	lis, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return err
	}
	log.Info("listening", "addr", lis.Addr().String())
	if cfg.MetricsAddr != "" {
		stop, err := serveMetrics(cfg.MetricsAddr, m.Handler(), log)
		if err != nil {
			lis.Close()
			return err
		}
		defer stop()
	}
	return serve(ctx, srv, lis, cfg.ShutdownDelay, cfg.ShutdownTimeout, &draining, log)
}

// serve runs srv on lis until ctx ends. Then it fails readiness for delay (so the load balancer
// takes the pod out), stops accepting, and waits up to timeout for in-flight requests to finish.
func serve(ctx context.Context, srv *http.Server, lis net.Listener, delay, timeout time.Duration, draining *atomic.Bool, log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(lis) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	draining.Store(true)
	log.Info("shutting down", "delay", delay, "timeout", timeout)
	time.Sleep(delay)
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("drain: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// retention runs the daily retention once and exits.
func retention(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := app.LoadConfig(ctx, getenv)
	if err != nil {
		return err
	}
	log := logs.New(stdout, cfg.LogLevel)
	a, err := app.Open(ctx, cfg, log, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	_, err = a.Retention().Run(ctx, time.Now())
	return err
}

// serveMetrics serves /metrics alone on addr: a port the ingress does not publish and only the
// cluster's Prometheus reaches. It stops with the server.
func serveMetrics(addr string, h http.Handler, log *slog.Logger) (stop func(), err error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go srv.Serve(lis)
	log.Info("metrics listening", "addr", lis.Addr().String())
	return func() { srv.Close() }, nil
}
