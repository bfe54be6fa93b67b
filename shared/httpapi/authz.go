package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/logs"
)

// publicKey marks an operation that needs no token.
const publicKey = "public"

// register declares an operation. A non-public operation must have a rule in the default
// permission table: a route without one panics at start, and the authorization matrix test, which
// walks every route, fails.
func register[I, O any](api huma.API, op huma.Operation, h func(context.Context, *I) (*O, error)) {
	if public, _ := op.Metadata[publicKey].(bool); !public {
		if _, ok := appraisal.DefaultPolicy[op.OperationID]; !ok {
			panic("httpapi: operation " + op.OperationID + " has no rule in appraisal.DefaultPolicy")
		}
		op.Security = []map[string][]string{{"bearer": {}}}
		op.Errors = append(op.Errors, http.StatusUnauthorized, http.StatusForbidden)
	} else {
		op.Security = []map[string][]string{} // explicitly none: a client sends no token
	}
	// What any operation may answer, whatever its own errors: a malformed request or an unknown
	// query parameter (400), a body over MaxBodyBytes (413), and trouble of ours (500, 503).
	op.Errors = append(op.Errors, http.StatusBadRequest, http.StatusInternalServerError, http.StatusServiceUnavailable)
	if op.Method == http.MethodPost || op.Method == http.MethodPut || op.Method == http.MethodPatch {
		op.Errors = append(op.Errors, http.StatusRequestEntityTooLarge)
	}
	huma.Register(api, op, h)
}

// public marks an operation as open to anonymous callers.
func public(op huma.Operation) huma.Operation {
	if op.Metadata == nil {
		op.Metadata = map[string]any{}
	}
	op.Metadata[publicKey] = true
	return op
}

type principalKey struct{}

// principalFrom returns the caller of an authorized operation.
func principalFrom(ctx context.Context) *appraisal.Principal {
	p, _ := ctx.Value(principalKey{}).(*appraisal.Principal)
	if p == nil {
		return &appraisal.Principal{}
	}
	return p
}

// authorize checks the bearer token and the operation's permission before any handler runs.
func authorize(api huma.API, d *Deps) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		op := ctx.Operation()
		if public, _ := op.Metadata[publicKey].(bool); public || len(op.Security) == 0 {
			next(ctx)
			return
		}
		tok, ok := strings.CutPrefix(ctx.Header("Authorization"), "Bearer ")
		if !ok {
			tok, ok = strings.CutPrefix(ctx.Header("Authorization"), "bearer ")
		}
		var p *appraisal.Principal
		var err error
		if !ok || strings.TrimSpace(tok) == "" {
			err = appraisal.E(appraisal.KindUnauthorized, "auth.token_invalid", "the access token is missing, expired or invalid")
		} else {
			p, err = d.Auth.Authorize(ctx.Context(), strings.TrimSpace(tok), op.OperationID)
		}
		if err != nil {
			huma.WriteErr(api, ctx, http.StatusInternalServerError, "", err)
			return
		}
		ctx = huma.WithValue(ctx, principalKey{}, p)
		ctx = huma.WithContext(ctx, logs.With(ctx.Context(), userAttr(p.UserID)))
		next(ctx)
	}
}

// actor is the audit identity of the request: the caller, their address and the request id.
func actor(ctx context.Context) appraisal.AuditEntry {
	p := principalFrom(ctx)
	c := clientFrom(ctx)
	return appraisal.AuditEntry{Actor: appraisal.Actor{UserID: p.UserID, Username: p.Username, IP: c.IP,
		UserAgent: c.UserAgent, RequestID: logs.RequestIDFrom(ctx)}}
}

// route registers one operation. Each group is a list of routes, each made by a handler maker
// (func opName(d *Deps) route) from the services it needs.
type route func(api huma.API)

// handle makes the route of an operation and its handler.
func handle[I, O any](op huma.Operation, h func(context.Context, *I) (*O, error)) route {
	return func(api huma.API) { register(api, op, h) }
}

// knownQuery refuses a query parameter the operation does not define, naming it: a misspelt or
// unsupported filter (?item_id=1 on a route without it) must not silently return everything.
func knownQuery(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		u := ctx.URL()
		if u.RawQuery == "" {
			next(ctx)
			return
		}
		params := ctx.Operation().Parameters
		known := func(name string) bool {
			return slices.ContainsFunc(params, func(p *huma.Param) bool { return p.In == "query" && p.Name == name })
		}
		var unknown []error
		for name := range u.Query() {
			if !known(name) {
				unknown = append(unknown, &huma.ErrorDetail{Location: "query." + name, Message: "unknown query parameter", Value: name})
			}
		}
		if len(unknown) > 0 {
			huma.WriteErr(api, ctx, http.StatusBadRequest, "unknown query parameter", unknown...)
			return
		}
		next(ctx)
	}
}
