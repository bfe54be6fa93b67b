// Package httpapi is the HTTP API of the admin backend: routes, handlers, authentication and the
// OpenAPI document, on net/http. The same handler serves the shim (every group on one port) and
// each SCF API function (one group each), so a route behaves the same wherever it is deployed.
//
// Operations are declared with huma, which generates the OpenAPI 3.1 document from the Go types
// and validates requests against it; errors from every layer become one problem+json shape
// (problem.go).
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/auth"
)

// Check is one readiness probe: a dependency that must answer before we take traffic.
type Check struct {
	Name string
	Fn   func(context.Context) error
}

// Deps is what the handlers need. Mains build it; tests build it with real stores.
type Deps struct {
	Log     *slog.Logger
	Auth    *auth.Service
	Checks  []Check
	Version string
	// Observe, if set, sees every finished request (metrics).
	Observe func(r *http.Request, status int, took time.Duration)
}

// Group is an API group: the unit that deploys as one SCF function.
type Group string

// The API groups. Each one's routes live under /api/v1 and are registered by one function below.
const (
	GroupAuth Group = "auth"
)

// Groups lists every group, in the order the shim mounts them.
var Groups = []Group{GroupAuth}

var registrars = map[Group]func(huma.API, *Deps){
	GroupAuth: registerAuth,
}

var hookOnce sync.Once

// New returns the handler for the given groups (all of them when none are named), with the
// health endpoints, /openapi.json and /docs.
func New(d Deps, groups ...Group) http.Handler {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	hookOnce.Do(func() { hookErrors(d.Log) })
	if len(groups) == 0 {
		groups = Groups
	}
	mux := http.NewServeMux()
	api := humago.New(mux, apiConfig(d.Version))
	registerHealth(api, &d)
	for _, g := range groups {
		reg, ok := registrars[g]
		if !ok {
			panic("httpapi: unknown group " + string(g))
		}
		reg(api, &d)
	}
	// Unknown paths get a problem+json 404 rather than the mux's plain text.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, d.Log, &Problem{Type: "about:blank", Status: http.StatusNotFound,
			Title: titleFor(http.StatusNotFound, langOf(r.Header.Get("Accept-Language"))), Code: "route_not_found",
			Detail: translate("route_not_found", "", langOf(r.Header.Get("Accept-Language")))})
	})
	return withMiddleware(mux, d.Log, d.Observe)
}

func apiConfig(version string) huma.Config {
	if version == "" {
		version = "1.0.0"
	}
	cfg := huma.DefaultConfig("鉴宝 Admin API", version)
	// No $schema links in bodies: the frontend wants plain JSON.
	cfg.CreateHooks = nil
	cfg.SchemasPath = ""
	cfg.Info.Description = "The admin console API of the 鉴宝 appraisal backend. Errors are RFC 9457 " +
		"problem+json with a stable `code`; messages are zh-CN unless `Accept-Language: en`."
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", BearerFormat: "JWT",
			Description: "The access token from POST /api/v1/auth/login."},
	}
	return cfg
}

// userView is how an account appears in responses.
type userView struct {
	ID          string `json:"id" doc:"Opaque user id" example:"1"`
	Username    string `json:"username" example:"admin"`
	DisplayName string `json:"display_name" example:"超级管理员"`
	Role        int    `json:"role" doc:"Role id: 1 super_admin, 2 admin, 3 operator, 4 expert, 5 reviewer, 6 viewer" example:"1"`
}

func viewUser(u *appraisal.User) userView {
	return userView{ID: formatID(u.ID), Username: u.Username, DisplayName: u.DisplayName, Role: int(u.Role)}
}
