package app_test

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/httpapi"
)

type route struct {
	method, path, id string
	public           bool
}

// routes lists every operation of the API from its own OpenAPI document, so a new route is in the
// matrix without anyone adding it.
func routes(t *testing.T, d httpapi.Deps) []route {
	t.Helper()
	var out []route
	for path, item := range httpapi.OpenAPI(d).Paths {
		ops := map[string]*opInfo{}
		if item.Get != nil {
			ops[http.MethodGet] = &opInfo{item.Get.OperationID, len(item.Get.Security) == 0}
		}
		if item.Post != nil {
			ops[http.MethodPost] = &opInfo{item.Post.OperationID, len(item.Post.Security) == 0}
		}
		if item.Put != nil {
			ops[http.MethodPut] = &opInfo{item.Put.OperationID, len(item.Put.Security) == 0}
		}
		if item.Patch != nil {
			ops[http.MethodPatch] = &opInfo{item.Patch.OperationID, len(item.Patch.Security) == 0}
		}
		if item.Delete != nil {
			ops[http.MethodDelete] = &opInfo{item.Delete.OperationID, len(item.Delete.Security) == 0}
		}
		for method, op := range ops {
			out = append(out, route{method: method, path: path, id: op.id, public: op.public})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

type opInfo struct {
	id     string
	public bool
}

// concrete fills path parameters with values that reach the handler.
func concrete(path string) string {
	r := strings.NewReplacer("{id}", "1", "{token}", strings.Repeat("A", 43))
	return r.Replace(path)
}

// TestAuthorizationMatrix sends every route as every role and as nobody, and checks the answer
// against the permission table: a denied role gets 403 auth.forbidden, an allowed one never does,
// and nobody gets 401 everywhere but on public routes.
func TestAuthorizationMatrix(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		rs := routes(t, h.deps)
		if len(rs) < 50 {
			t.Fatalf("only %d routes found", len(rs))
		}
		names := map[appraisal.RoleID]string{}
		for _, r := range appraisal.Roles {
			name := "matrix-" + r.Code()
			name = strings.ReplaceAll(name, "_", "-")
			h.user(t, name, r)
			names[r] = name
		}
		for _, rt := range rs {
			t.Run(rt.method+" "+rt.path, func(t *testing.T) {
				body := ""
				if rt.method != http.MethodGet && rt.method != http.MethodDelete {
					body = "{}"
				}
				anon := h.do(t, rt.method, concrete(rt.path), body)
				if rt.public {
					if anon.status == 401 || anon.status == 403 {
						t.Errorf("public route denied anonymously: %d %s", anon.status, anon.body)
					}
					return
				}
				if anon.status != 401 {
					t.Errorf("anonymous: status %d, want 401: %s", anon.status, anon.body)
				}
				allowed, ok := appraisal.DefaultPolicy[rt.id]
				if !ok {
					t.Fatalf("operation %s has no rule in the permission table", rt.id)
				}
				for _, role := range appraisal.Roles {
					// A fresh session each time: some routes (logout, password) end the caller's session.
					tok := h.login(t, names[role], "password-"+names[role])
					r := h.do(t, rt.method, concrete(rt.path), body, "Authorization", "Bearer "+tok)
					denied := r.status == 403 && strings.Contains(string(r.body), `"code":"auth.forbidden"`)
					if slices.Contains(allowed, role) {
						if denied || r.status == 401 {
							t.Errorf("%s is allowed %s but got %d: %s", role.Code(), rt.id, r.status, r.body)
						}
					} else if !denied {
						t.Errorf("%s is not allowed %s but got %d: %s", role.Code(), rt.id, r.status, r.body)
					}
				}
			})
		}
	})
}

// TestPolicyHasNoDeadRules keeps the permission table honest: every rule is a route or a named
// capability.
func TestPolicyHasNoDeadRules(t *testing.T) {
	d := httpapi.Deps{}
	ops := map[string]bool{}
	for _, c := range appraisal.Capabilities {
		ops[c] = true
	}
	for _, rt := range routes(t, d) {
		ops[rt.id] = true
	}
	for op := range appraisal.DefaultPolicy {
		if !ops[op] {
			t.Errorf("rule %s matches no route and no capability", op)
		}
	}
}
