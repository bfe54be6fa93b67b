// Package metrics is what the shim exposes to Prometheus on /metrics: HTTP requests by route,
// media jobs by kind and result, the media queue, the MySQL and Redis pools, and build info. On
// SCF there is no scrape: the same facts are fields of the one log line per request or job, which
// CLS charts.
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	goredis "github.com/redis/go-redis/v9"

	"github.com/jianbao/admin/shared/appraisal"
)

// Metrics holds the collectors of one process.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.HistogramVec
	inflight prometheus.Gauge
	errors   *prometheus.CounterVec
	jobs     *prometheus.HistogramVec
	limits   *prometheus.CounterVec
}

// New registers the process's collectors. version labels the build info.
func New(version string) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "jianbao_http_request_duration_seconds", Help: "HTTP requests by route pattern, method and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .2, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "status"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "jianbao_http_requests_in_flight", Help: "Requests being served."}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jianbao_http_errors_total", Help: "Responses with a 5xx status, by route."}, []string{"route"}),
		jobs: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "jianbao_media_job_duration_seconds", Help: "Media jobs by kind (image, video) and result (READY, REJECTED, FAILED).",
			Buckets: []float64{.1, .25, .5, 1, 2, 5, 10, 30, 60, 120, 300, 900},
		}, []string{"kind", "result"}),
		limits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jianbao_login_limit_checks_total",
			Help: "Login-limit checks by where they were decided: shared (Redis) or local (this process, while Redis could not answer)."}, []string{"where"}),
	}
	// Every media outcome exists from the start at zero: rate() sees the first failures after a
	// restart as an increase, where a series born at 3 would show none.
	for _, kind := range []appraisal.MediaKind{appraisal.MediaImage, appraisal.MediaVideo} {
		for _, result := range []appraisal.MediaStatus{appraisal.MediaReady, appraisal.MediaRejected, appraisal.MediaFailed} {
			m.jobs.WithLabelValues(string(kind), string(result))
		}
	}
	build := prometheus.NewGauge(prometheus.GaugeOpts{Name: "jianbao_build_info", Help: "The running build.",
		ConstLabels: prometheus.Labels{"version": version}})
	build.Set(1)
	reg.MustRegister(m.requests, m.inflight, m.errors, m.jobs, m.limits, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// InFlight wraps a handler to count the requests it is serving.
func (m *Metrics) InFlight(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.inflight.Inc()
		defer m.inflight.Dec()
		next.ServeHTTP(w, r)
	})
}

// ObserveHTTP records a finished request (httpapi.Deps.Observe). The route is the mux pattern,
// never the raw path, so ids do not explode the label space.
func (m *Metrics) ObserveHTTP(r *http.Request, status int, took time.Duration) {
	route := r.Pattern
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, r.Method, strconv.Itoa(status)).Observe(took.Seconds())
	if status >= 500 {
		m.errors.WithLabelValues(route).Inc()
	}
}

// ObserveLimit records where a login-limit check was decided (auth.Service.LimitDecided).
func (m *Metrics) ObserveLimit(where string) { m.limits.WithLabelValues(where).Inc() }

// ObserveJob records a finished media job.
func (m *Metrics) ObserveJob(kind, result string, took time.Duration) {
	m.jobs.WithLabelValues(kind, result).Observe(took.Seconds())
}

// WatchDB exports a pool's statistics.
func (m *Metrics) WatchDB(db *sql.DB, name string) {
	m.reg.MustRegister(collectors.NewDBStatsCollector(db, name))
}

// WatchRedis exports the Redis client's pool.
func (m *Metrics) WatchRedis(c *goredis.Client) {
	stat := func(name, help string, f func(*goredis.PoolStats) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "jianbao_redis_pool_" + name, Help: help},
			func() float64 { return f(c.PoolStats()) })
	}
	m.reg.MustRegister(
		stat("total_conns", "Connections in the pool.", func(s *goredis.PoolStats) float64 { return float64(s.TotalConns) }),
		stat("idle_conns", "Idle connections.", func(s *goredis.PoolStats) float64 { return float64(s.IdleConns) }),
		stat("timeouts", "Times a connection was not available in time.", func(s *goredis.PoolStats) float64 { return float64(s.Timeouts) }),
	)
}

// WatchQueue exports the media stream's length and its unacknowledged entries.
func (m *Metrics) WatchQueue(depth func(ctx context.Context) (length, pending int64, err error)) {
	read := func(pick func(l, p int64) int64) func() float64 {
		return func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			l, p, err := depth(ctx)
			if err != nil {
				return -1
			}
			return float64(pick(l, p))
		}
	}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "jianbao_media_queue_length", Help: "Entries in the media stream (-1: unknown)."},
			read(func(l, _ int64) int64 { return l })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "jianbao_media_queue_pending", Help: "Entries read but not acknowledged (-1: unknown)."},
			read(func(_, p int64) int64 { return p })),
	)
}

// WatchActiveUsers exports how many accounts used the console in the last 24 hours, read at
// scrape time (-1: unknown).
func (m *Metrics) WatchActiveUsers(count func(ctx context.Context, since time.Time) (int64, error)) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "jianbao_active_users_24h",
		Help: "Accounts that logged in or refreshed a session in the last 24 hours (-1: unknown)."},
		func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			n, err := count(ctx, time.Now().Add(-24*time.Hour))
			if err != nil {
				return -1
			}
			return float64(n)
		}))
}
