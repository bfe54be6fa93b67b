package app_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestAPI(t *testing.T) {
	forEachBackend(t, func(t *testing.T, h *harness) {
		{

			t.Run("healthz", func(t *testing.T) {
				r := h.do(t, "GET", "/healthz", "")
				if r.status != 200 || r.json(t)["status"] != "ok" {
					t.Fatalf("%d %s", r.status, r.body)
				}
			})

			for _, path := range []string{"/readyz", "/health"} {
				t.Run(path, func(t *testing.T) {
					r := h.do(t, "GET", path, "")
					if r.status != 200 || r.json(t)["status"] != "ready" {
						t.Fatalf("%d %s", r.status, r.body)
					}
					*h.ready = errors.New("down")
					defer func() { *h.ready = nil }()
					if r = h.do(t, "GET", path, ""); r.status != 503 {
						t.Fatalf("%s with a dependency down: %d", path, r.status)
					}
				})
			}

			t.Run("readyz", func(t *testing.T) {
				r := h.do(t, "GET", "/readyz", "")
				if r.status != 200 || r.json(t)["status"] != "ready" {
					t.Fatalf("%d %s", r.status, r.body)
				}
				*h.ready = errors.New("down")
				defer func() { *h.ready = nil }()
				r = h.do(t, "GET", "/readyz", "")
				p := r.json(t)
				if r.status != 503 || p["code"] != "ready.dependency_unavailable" || r.header.Get("Content-Type") != "application/problem+json" {
					t.Fatalf("%d %s", r.status, r.body)
				}
			})

			t.Run("openapi and docs", func(t *testing.T) {
				r := h.do(t, "GET", "/openapi.json", "")
				if r.status != 200 || !bytes.Contains(r.body, []byte(`"/api/v1/auth/login"`)) || !bytes.Contains(r.body, []byte(`"3.1.0"`)) {
					t.Fatalf("%d %.300s", r.status, r.body)
				}
				// /docs is the shim's (assets compiled in: functions/server TestRunEmbedded); the labels
				// every client shows are here, with no login, cacheable.
				r = h.do(t, "GET", "/api/v1/labels", "", "Accept-Language", "en")
				m := r.json(t)
				if r.status != 200 || r.header.Get("Cache-Control") != "public, max-age=300" ||
					m["statuses"].(map[string]any)["TRIAGE"].(map[string]any)["zh"] != "待分诊" ||
					m["operations"].(map[string]any)["orders.assign"].(map[string]any)["zh"] != "指派鉴定师" ||
					m["error_codes"].(map[string]any)["order.version_conflict"] == nil {
					t.Fatalf("labels: %d %s %.300s", r.status, r.header, r.body)
				}
			})

			t.Run("login", func(t *testing.T) {
				r := h.do(t, "POST", "/api/v1/auth/login", `{"username":" ADMIN ","password":"`+adminPassword+`"}`)
				if r.status != 200 {
					t.Fatalf("%d %s", r.status, r.body)
				}
				m := r.json(t)
				if m["token_type"] != "Bearer" || m["access_token"] == "" || m["expires_in"].(float64) < 890 ||
					m["user"].(map[string]any)["username"] != "admin" || r.header.Get("Cache-Control") != "no-store" {
					t.Fatalf("login response %s %v", r.body, r.header)
				}
				if _, ok := m["$schema"]; ok {
					t.Error("responses must not carry $schema")
				}
			})

			tests := []struct {
				name, method, path, body string
				headers                  []string
				status                   int
				code                     string
				title                    string
				fields                   []string
			}{
				{"wrong password zh", "POST", "/api/v1/auth/login", `{"username":"admin","password":"nope"}`, nil, 401, "auth.invalid_credentials", "未授权", nil},
				{"wrong password en", "POST", "/api/v1/auth/login", `{"username":"admin","password":"nope"}`, []string{"Accept-Language", "en-US,en;q=0.9"}, 401, "auth.invalid_credentials", "Unauthorized", nil},
				{"unknown user", "POST", "/api/v1/auth/login", `{"username":"ghost","password":"nope"}`, nil, 401, "auth.invalid_credentials", "", nil},
				{"missing fields", "POST", "/api/v1/auth/login", `{}`, nil, 422, "validation_failed", "请求参数不合法", []string{"username", "password"}},
				{"too long", "POST", "/api/v1/auth/login", `{"username":"` + strings.Repeat("u", 65) + `","password":"x"}`, nil, 422, "validation_failed", "", []string{"username"}},
				{"malformed json", "POST", "/api/v1/auth/login", `{"username":`, nil, 400, "bad_request", "", nil},
				{"body too large", "POST", "/api/v1/auth/login", `{"username":"` + strings.Repeat("u", 2<<20) + `"}`, nil, 413, "request_too_large", "", nil},
				{"unknown route", "GET", "/api/v1/nope", "", nil, 404, "route_not_found", "资源不存在", nil},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					r := h.do(t, tt.method, tt.path, tt.body, tt.headers...)
					if r.status != tt.status {
						t.Fatalf("status %d, want %d: %.400s", r.status, tt.status, r.body)
					}
					if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
						t.Errorf("Content-Type %q", ct)
					}
					p := r.json(t)
					if p["code"] != tt.code || int(p["status"].(float64)) != tt.status {
						t.Errorf("problem %s", r.body)
					}
					if tt.title != "" && p["title"] != tt.title {
						t.Errorf("title %q, want %q", p["title"], tt.title)
					}
					if p["request_id"] == "" || p["request_id"] != r.header.Get("X-Request-Id") {
						t.Errorf("request id %v vs header %q", p["request_id"], r.header.Get("X-Request-Id"))
					}
					var fields []string
					if errs, ok := p["errors"].([]any); ok {
						for _, e := range errs {
							fields = append(fields, e.(map[string]any)["field"].(string))
						}
					}
					for _, f := range tt.fields {
						if !strings.Contains(strings.Join(fields, ","), f) {
							t.Errorf("errors %v lack field %s: %s", fields, f, r.body)
						}
					}
				})
			}

			t.Run("language of messages", func(t *testing.T) {
				zhResp := h.do(t, "POST", "/api/v1/auth/login", `{"username":"admin","password":"nope"}`).json(t)
				enResp := h.do(t, "POST", "/api/v1/auth/login", `{"username":"admin","password":"nope"}`, "Accept-Language", "en").json(t)
				if zhResp["detail"] != "用户名或密码错误" || enResp["detail"] != "Wrong username or password" {
					t.Errorf("zh %v / en %v", zhResp["detail"], enResp["detail"])
				}
				v := h.do(t, "POST", "/api/v1/auth/login", `{"password":"x"}`).json(t)
				msg := v["errors"].([]any)[0].(map[string]any)
				if msg["code"] != "required" || !strings.Contains(msg["message"].(string), "缺少必填字段") {
					t.Errorf("zh field error %v", msg)
				}
			})

			t.Run("request id", func(t *testing.T) {
				r := h.do(t, "GET", "/healthz", "", "X-Request-Id", "gw-abc-123")
				if r.header.Get("X-Request-Id") != "gw-abc-123" {
					t.Errorf("echoed %q", r.header.Get("X-Request-Id"))
				}
				r = h.do(t, "GET", "/healthz", "", "X-Request-Id", "bad id\" with junk")
				if id := r.header.Get("X-Request-Id"); id == "" || strings.Contains(id, " ") {
					t.Errorf("unsafe id kept: %q", id)
				}
			})
		}
	})
}
