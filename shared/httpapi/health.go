package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jianbao/admin/shared/appraisal"
)

type healthOutput struct {
	Body struct {
		Status string `json:"status" example:"ok"`
	}
}

type readyOutput struct {
	Body struct {
		Status string            `json:"status" enum:"ready,degraded" doc:"degraded: a dependency the service can do without is down (Redis); requests are served, slower" example:"ready"`
		Checks map[string]string `json:"checks" doc:"Each check: ok, or why not" example:"{\"mysql\":\"ok\",\"redis\":\"ok\",\"media_worker\":\"ok\"}"`
	}
}

func registerHealth(api huma.API, d *Deps) {
	huma.Register(api, huma.Operation{
		OperationID: "healthz", Method: http.MethodGet, Path: "/healthz", Tags: []string{"ops"}, Security: []map[string][]string{},
		Summary:     "Liveness: the process is up",
		Description: "Answers without touching any dependency, so a database outage does not get healthy pods killed.",
	}, func(ctx context.Context, _ *struct{}) (*healthOutput, error) {
		out := &healthOutput{}
		out.Body.Status = "ok"
		return out, nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "readyz", Method: http.MethodGet, Path: "/readyz", Tags: []string{"ops"}, Security: []map[string][]string{},
		Summary:     "Readiness: MySQL answers; Redis and the media worker are reported",
		Description: "503 when MySQL does not answer (or the instance is draining). Redis down, or a media worker that cannot read its stream, answers 200 with status degraded and the reason: requests are still served, from MySQL.",
		Errors:      []int{http.StatusServiceUnavailable},
	}, handleReady(d.Checks))
	// The smoke check a deploy runs (the seed's GET /health): the same answer as readiness, so a
	// release whose functions cannot reach MySQL or Redis fails its check.
	huma.Register(api, huma.Operation{
		OperationID: "health", Method: http.MethodGet, Path: "/health", Tags: []string{"ops"}, Security: []map[string][]string{},
		Summary: "Smoke check after a deploy: the dependencies answer",
		Errors:  []int{http.StatusServiceUnavailable},
	}, handleReady(d.Checks))
}

// handleReady probes every dependency at once, each within a short timeout.
func handleReady(checks []Check) func(context.Context, *struct{}) (*readyOutput, error) {
	return func(ctx context.Context, _ *struct{}) (*readyOutput, error) {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		results := make([]error, len(checks))
		var wg sync.WaitGroup
		for i, c := range checks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = c.Fn(ctx)
			}()
		}
		wg.Wait()
		out := &readyOutput{}
		out.Body.Checks = map[string]string{}
		var failed []appraisal.FieldError
		out.Body.Status = "ready"
		for i, c := range checks {
			switch {
			case results[i] == nil:
				out.Body.Checks[c.Name] = "ok"
			case c.Degrades:
				out.Body.Checks[c.Name] = "degraded: " + results[i].Error()
				out.Body.Status = "degraded"
			default:
				out.Body.Checks[c.Name] = "unavailable"
				failed = append(failed, appraisal.FieldError{Field: c.Name, Code: "unavailable", Message: c.Name + " is not answering"})
			}
		}
		if len(failed) > 0 {
			return nil, &appraisal.Error{Kind: appraisal.KindUnavailable, Code: "ready.dependency_unavailable",
				Message: "a dependency is not ready", Fields: failed}
		}
		return out, nil
	}
}

func formatID(id int64) string { return strconv.FormatInt(id, 10) }
