package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"time"

	"github.com/jianbao/admin/shared/logs"
)

// MaxBodyBytes bounds every request body. Uploads never pass through the API (they go straight
// to object storage), so anything larger is a mistake or an attack.
const MaxBodyBytes = 1 << 20

// statusRecorder remembers what was written, for the access log and the recoverer.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(p)
	s.bytes += n
	return n, err
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// validRequestID accepts a client's or gateway's id only if it is short and plain, so it can be
// logged and echoed without escaping.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// withMiddleware wraps the routes in what every request gets: a request id on the context, the
// response and every log line; the client's address; the security headers; a body limit; a
// panic guard; and one access log line.
//
// Every response starts as Cache-Control: no-store — most carry personal data or tokens — and a
// handler that serves something cacheable (the docs, a public QR code) says so itself. The
// security headers are the server's one policy (headers.go), set here too because an SCF
// function serves this handler alone.
func withMiddleware(next http.Handler, log *slog.Logger, trusted []netip.Prefix, observe func(r *http.Request, status int, took time.Duration)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			id = newRequestID()
		}
		ctx := logs.WithRequestID(r.Context(), id)
		r = withClient(r.WithContext(ctx), trusted)
		ctx = r.Context()
		h := w.Header()
		h.Set("X-Request-Id", id)
		setSecurityHeaders(h)
		h.Set("Cache-Control", "no-store")
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		}
		rec := &statusRecorder{ResponseWriter: w}

		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(ctx, "handler panicked", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if rec.status == 0 {
					writeProblem(rec, r, log, errors.New("panic"))
				}
			}
			took := time.Since(start)
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			log.LogAttrs(ctx, level, "request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("route", r.Pattern),
				slog.Int("status", status), slog.Int("bytes", rec.bytes),
				slog.Float64("duration_ms", float64(took.Microseconds())/1000),
				slog.String("remote", r.RemoteAddr), slog.String("client_ip", clientFrom(ctx).IP), slog.String("user_agent", r.UserAgent()))
			if observe != nil {
				observe(r, status, took)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}
