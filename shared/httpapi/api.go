// Package httpapi is the HTTP API of the admin backend: routes, handlers, authentication and the
// OpenAPI document, on net/http. The same handler serves the shim (every group on one port) and
// each SCF API function (one group each), so a route behaves the same wherever it is deployed.
//
// Operations are declared with huma, which generates the OpenAPI 3.1 document from the Go types
// and validates requests against it; errors from every layer become one problem+json shape
// (problem.go); every non-public operation is checked against the live permission table by
// operation id (authz.go).
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/auditlog"
	"github.com/jianbao/admin/shared/auth"
	"github.com/jianbao/admin/shared/gallery"
	"github.com/jianbao/admin/shared/orders"
	"github.com/jianbao/admin/shared/records"
	"github.com/jianbao/admin/shared/settings"
	"github.com/jianbao/admin/shared/stats"
)

// Check is one readiness probe: a dependency that must answer before we take traffic.
type Check struct {
	Name string
	Fn   func(context.Context) error
	// Degrades: the service still works without it (Redis: a cache, a throttle and a queue), so
	// its failure makes readiness "degraded", still 200, with the reason, rather than 503.
	Degrades bool
}

// Store is what the handlers read directly, beside the services: the dashboard, the audit log,
// the run-time settings (checked by appraisal.CheckSettings) and the Idempotency-Key records of
// creates (an HTTP concern).
// Deps is what the handlers need. Mains build it; tests build it with real stores.
type Deps struct {
	Log    *slog.Logger
	Auth   *auth.Service
	Orders *orders.Service
	// Stats, AuditLog and Settings serve the dashboard, the audit log and the run-time settings:
	// handlers reach data only through services, so one that skips a rule does not compile.
	Stats    *stats.Service
	AuditLog *auditlog.Service
	Settings *settings.Service
	// Idempotency keeps the answers of creates sent with an Idempotency-Key (the HTTP protocol's
	// own concern, no business rule).
	Idempotency appraisal.IdempotencyStore
	// Answers keeps the encoded answers of the hottest reads (answers.go); nil keeps none.
	Answers AnswerCache

	Limiter appraisal.Throttle // rate limits public endpoints
	// Blobs signs the rendition links the media views carry.
	Blobs appraisal.BlobStore
	// Gallery is the media group's service.
	Gallery *gallery.Service
	// CORSOrigins are the browser origins allowed to call the API (the admin console's).
	CORSOrigins []string
	// TrustedProxies are the proxies whose X-Forwarded-For names the client (ClientIP).
	TrustedProxies []netip.Prefix
	// Records is the service of customers, items, categories, products and experts.
	Records *records.Service
	// CertPageURL + token is the certificate page a QR code opens; CertIssuer is named on it.
	CertPageURL, CertIssuer string
	Checks                  []Check
	Version                 string
	// Observe, if set, sees every finished request (metrics).
	Observe func(r *http.Request, status int, took time.Duration)
}

// Group is an API group: the unit that deploys as one SCF function.
type Group string

// The API groups. Each one's routes are registered by one function.
const (
	GroupAuth    Group = "auth"
	GroupAdmin   Group = "admin"
	GroupRecords Group = "records"
	GroupOrders  Group = "orders"
	GroupStats   Group = "stats"
	GroupAudit   Group = "audit"
	GroupMedia   Group = "media"
)

// Groups lists every group, in the order the shim mounts them.
var Groups = []Group{GroupAuth, GroupAdmin, GroupRecords, GroupOrders, GroupStats, GroupAudit, GroupMedia}

// groups are the routes lists of the groups: one handler maker per operation, in each group's
// file.
var routesOfGroup = map[Group]func(*Deps) []route{
	GroupAuth:    authRoutes,
	GroupAdmin:   adminRoutes,
	GroupRecords: recordsRoutes,
	GroupOrders:  ordersRoutes,
	GroupStats:   statsRoutes,
	GroupAudit:   auditRoutes,
	GroupMedia:   mediaRoutes,
}

var hookOnce sync.Once

// New returns the handler for the given groups (all of them when none are named), with the
// health endpoints, /openapi.json and /docs.
func New(d Deps, groups ...Group) http.Handler {
	h, _ := build(d, groups...)
	return h
}

// OpenAPI returns the document of the given groups (all when none are named), without serving.
func OpenAPI(d Deps, groups ...Group) *huma.OpenAPI {
	_, api := build(d, groups...)
	return api.OpenAPI()
}

func build(d Deps, groups ...Group) (http.Handler, huma.API) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	hookOnce.Do(func() {
		hookErrors(d.Log)
		// Lists are never null in our answers (every handler starts them empty): say so, so that
		// generated clients do not make every array optional.
		huma.DefaultArrayNullable = false
	})
	if len(groups) == 0 {
		groups = Groups
	}
	mux := http.NewServeMux()
	api := humago.New(mux, apiConfig(d.Version))
	api.UseMiddleware(authorize(api, &d), knownQuery(api), answers(&d))
	registerHealth(api, &d)
	for _, g := range groups {
		routes, ok := routesOfGroup[g]
		if !ok {
			panic("httpapi: unknown group " + string(g))
		}
		for _, r := range routes(&d) {
			r(api)
		}
	}
	fillEnums(api.OpenAPI())
	// Unknown paths get a problem+json 404 rather than the mux's plain text.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		l := langOf(r.Header.Get("Accept-Language"))
		writeProblem(w, r, d.Log, &Problem{Type: "about:blank", Status: http.StatusNotFound,
			Title: titleFor(http.StatusNotFound, l), Code: "route_not_found", Detail: translate("route_not_found", "", l)})
	})
	return withMiddleware(withCORS(mux, d.CORSOrigins), d.Log, d.TrustedProxies, d.Observe), api
}

func apiConfig(version string) huma.Config {
	if version == "" {
		version = "1.0.0"
	}
	cfg := huma.DefaultConfig("鉴宝 Admin API", version)
	// Huma's docs page loads its renderer from a public CDN, which an intranet cannot reach; the
	// shim serves /docs with the assets compiled in instead (functions/server).
	cfg.DocsPath = ""
	// No $schema links in bodies: the frontend wants plain JSON.
	cfg.CreateHooks = nil
	cfg.SchemasPath = ""
	cfg.Info.Description = "The admin console API of the 鉴宝 appraisal backend.\n\n" +
		"- Authenticate with `POST /api/v1/auth/login`, then send `Authorization: Bearer <access_token>`. " +
		"Access tokens live at most 15 minutes; `POST /api/v1/auth/refresh` rotates the refresh token.\n" +
		"- Every operation is allowed or denied per role by the permission table (`GET /api/v1/admin/roles`).\n" +
		"- Errors are RFC 9457 `application/problem+json` with a stable `code`; messages are zh-CN unless `Accept-Language: en`.\n" +
		"- Money is integer fen (`*_fen`), times are RFC 3339 UTC, ids are opaque strings.\n" +
		"- Lists return `{items, total, next_cursor}`; mutable resources carry a `version` for optimistic concurrency.\n" +
		"- The order list and detail answer with an `ETag` of their bytes: send it back as `If-None-Match` and get `304 Not Modified` while nothing in the answer changed."
	cfg.Servers = []*huma.Server{{URL: "/", Description: "This server (the API and the console share the origin, or CORS allows the console's)"}}
	cfg.Info.License = &huma.License{Name: "Proprietary: internal use of 鉴宝 only", Identifier: "LicenseRef-Jianbao-Proprietary"}
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", BearerFormat: "JWT",
			Description: "The access token from POST /api/v1/auth/login."},
	}
	return cfg
}
