// Package logs builds the structured JSON logger every process uses and carries per-request
// attributes (the request id) in the context, so any line logged with a request's context names
// the request without each call passing it.
package logs

import (
	"context"
	"io"
	"log/slog"
)

type attrsKey struct{}

// With returns a context whose log lines carry attrs in addition to any it already had.
func With(ctx context.Context, attrs ...slog.Attr) context.Context {
	prev, _ := ctx.Value(attrsKey{}).([]slog.Attr)
	all := make([]slog.Attr, 0, len(prev)+len(attrs))
	all = append(append(all, prev...), attrs...)
	return context.WithValue(ctx, attrsKey{}, all)
}

// RequestID is the attribute name for request ids across every log line and response.
const RequestID = "request_id"

// WithRequestID is With for the request id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return With(ctx, slog.String(RequestID, id))
}

// RequestIDFrom returns the request id carried by ctx, if any.
func RequestIDFrom(ctx context.Context) string {
	attrs, _ := ctx.Value(attrsKey{}).([]slog.Attr)
	for _, a := range attrs {
		if a.Key == RequestID {
			return a.Value.String()
		}
	}
	return ""
}

type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if attrs, ok := ctx.Value(attrsKey{}).([]slog.Attr); ok {
		r.AddAttrs(attrs...)
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(attrs)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}

// New returns a JSON logger at level writing to w. Log with the *Context methods to get the
// context's attributes.
func New(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(contextHandler{slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})})
}

// Discard is a logger for tests that don't read logs.
func Discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
