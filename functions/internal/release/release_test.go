package release_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jianbao/admin/functions/internal/release"
	"github.com/jianbao/admin/shared/tencentapi/tencentapitest"
)

// scf is a tiny SCF for the fake endpoint: per function, a version counter and the alias.
type scf struct {
	mu       sync.Mutex
	versions map[string]int
	alias    map[string][2]string // version, description
	failOn   string               // an action+function that answers an error
	sick     map[string]int       // function → the status its versions above 1 answer /health with
	busy     map[string]int       // function → how many more invokes are throttled
}

func newSCF(t *testing.T) (*scf, *tencentapitest.Fake) {
	s := &scf{versions: map[string]int{}, alias: map[string][2]string{}, sick: map[string]int{}, busy: map[string]int{}}
	for _, fn := range release.Functions() {
		s.versions[fn] = 1
		s.alias[fn] = [2]string{"1", "what HTTP traffic runs"} // as Terraform leaves it
	}
	f := tencentapitest.New(t)
	guard := func(action string, h func(p map[string]any, fn string) (any, string, string)) {
		f.Handle(action, func(p map[string]any) (any, string, string) {
			s.mu.Lock()
			defer s.mu.Unlock()
			fn, _ := p["FunctionName"].(string)
			if p["Namespace"] != "jianbao-prod" || (action != "PublishVersion" && action != "Invoke" && p["Name"] != "live") {
				return nil, "InvalidParameter", fmt.Sprint(p)
			}
			if _, ok := s.versions[fn]; !ok {
				return nil, "ResourceNotFound.Function", fn
			}
			if s.failOn == action+" "+fn {
				return nil, "InternalError", "injected"
			}
			return h(p, fn)
		})
	}
	guard("GetAlias", func(_ map[string]any, fn string) (any, string, string) {
		a := s.alias[fn]
		return map[string]any{"Name": "live", "FunctionVersion": a[0], "Description": a[1]}, "", ""
	})
	guard("PublishVersion", func(p map[string]any, fn string) (any, string, string) {
		s.versions[fn]++
		return map[string]any{"FunctionVersion": strconv.Itoa(s.versions[fn]), "Description": p["Description"]}, "", ""
	})
	guard("Invoke", func(p map[string]any, fn string) (any, string, string) {
		v, _ := strconv.Atoi(fmt.Sprint(p["Qualifier"]))
		if v < 1 || v > s.versions[fn] || p["InvocationType"] != "RequestResponse" || !strings.Contains(fmt.Sprint(p["ClientContext"]), `"/health"`) {
			return nil, "InvalidParameter", fmt.Sprint(p)
		}
		if s.busy[fn] > 0 {
			s.busy[fn]--
			return nil, "ResourceLimitReached.Concurrency", "at its concurrency"
		}
		status := 200
		if v > 1 && s.sick[fn] != 0 {
			status = s.sick[fn]
		}
		ret := fmt.Sprintf(`{"statusCode":%d,"headers":{},"body":"{}","isBase64Encoded":false}`, status)
		return map[string]any{"Result": map[string]any{"RetMsg": ret, "InvokeResult": 0, "ErrMsg": ""}}, "", ""
	})
	guard("UpdateAlias", func(p map[string]any, fn string) (any, string, string) {
		v := p["FunctionVersion"].(string)
		if n, _ := strconv.Atoi(v); n < 1 || n > s.versions[fn] {
			return nil, "ResourceNotFound.Version", v
		}
		s.alias[fn] = [2]string{v, p["Description"].(string)}
		return map[string]any{}, "", ""
	})
	return s, f
}

func (s *scf) live() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for fn, a := range s.alias {
		out[fn] = a[0]
	}
	return out
}

func TestPromoteAndRollback(t *testing.T) {
	s, f := newSCF(t)
	// A function at its concurrency throttles the smoke test's first invokes: tried again.
	s.busy["api-stats"] = 2
	api := f.Client("ap-guangzhou")
	ctx := context.Background()
	fns := release.Functions()
	if len(fns) < 5 {
		t.Fatalf("API functions: %v", fns)
	}

	// The first deploy's alias records no previous version: nothing to roll back to.
	if _, err := release.Rollback(ctx, api, "jianbao-prod"); err == nil || !strings.Contains(err.Error(), "previous") {
		t.Fatalf("rollback before any promote: %v", err)
	}
	moves, err := release.Promote(ctx, api, "jianbao-prod", "abc123")
	if err != nil || len(moves) != len(fns) {
		t.Fatalf("promote: %v %v", moves, err)
	}
	for fn, v := range s.live() {
		if v != "2" {
			t.Errorf("%s live = %s after the first promote", fn, v)
		}
	}
	if _, err := release.Promote(ctx, api, "jianbao-prod", "def456"); err != nil {
		t.Fatal(err)
	}
	// Rollback goes to the version before the last promote; a second rollback undoes the first.
	for _, want := range []string{"2", "3"} {
		moves, err := release.Rollback(ctx, api, "jianbao-prod")
		if err != nil || len(moves) != len(fns) {
			t.Fatalf("rollback: %v %v", moves, err)
		}
		for fn, v := range s.live() {
			if v != want {
				t.Errorf("%s live = %s, want %s", fn, v, want)
			}
		}
	}

	// Pin: one function, its own version; unknown functions and bad numbers are refused.
	m, err := release.Pin(ctx, api, "jianbao-prod", "api-orders", "1")
	if err != nil || m.From != "3" || m.To != "1" || s.live()["api-orders"] != "1" || s.live()["api-auth"] != "3" {
		t.Fatalf("pin: %+v %v %v", m, err, s.live())
	}
	for _, bad := range [][2]string{{"media-image", "1"}, {"api-orders", "0"}, {"api-orders", "$LATEST"}, {"api-orders", "99"}} {
		if _, err := release.Pin(ctx, api, "jianbao-prod", bad[0], bad[1]); err == nil {
			t.Errorf("pin %v: no error", bad)
		}
	}
	st, err := release.Status(ctx, api, "jianbao-prod")
	if err != nil || len(st) != len(fns) {
		t.Fatalf("status: %v %v", st, err)
	}
}

// TestPromoteMovesNothingWhenPublishingFails: traffic stays on the old versions when any
// function cannot be published.
func TestPromoteMovesNothingWhenPublishingFails(t *testing.T) {
	s, f := newSCF(t)
	fns := release.Functions()
	s.failOn = "PublishVersion " + fns[len(fns)-1]
	moves, err := release.Promote(context.Background(), f.Client("ap-guangzhou"), "jianbao-prod", "abc123")
	if err == nil || len(moves) != 0 {
		t.Fatalf("promote: %v %v", moves, err)
	}
	for fn, v := range s.live() {
		if v != "1" {
			t.Errorf("%s moved to %s although publishing failed", fn, v)
		}
	}
	for _, c := range f.Calls() {
		if c.Action == "UpdateAlias" {
			t.Errorf("an alias moved: %v", c.Params)
		}
	}
}

// TestPromoteRefusesABuildThatFailsItsSmokeTest: every new version is asked for /health before
// any alias moves; one that answers 503 keeps the whole build away from traffic.
func TestPromoteRefusesABuildThatFailsItsSmokeTest(t *testing.T) {
	s, f := newSCF(t)
	fns := release.Functions()
	s.sick[fns[len(fns)-1]] = 503
	moves, err := release.Promote(context.Background(), f.Client("ap-guangzhou"), "jianbao-prod", "abc123")
	if err == nil || len(moves) != 0 || !strings.Contains(err.Error(), "503") {
		t.Fatalf("promote: %v %v", moves, err)
	}
	for fn, v := range s.live() {
		if v != "1" {
			t.Errorf("%s moved to %s although the build failed its smoke test", fn, v)
		}
	}
	invoked := map[string]bool{}
	for _, c := range f.Calls() {
		if c.Action == "UpdateAlias" {
			t.Errorf("an alias moved: %v", c.Params)
		}
		if c.Action == "Invoke" {
			invoked[fmt.Sprint(c.Params["FunctionName"])] = true
		}
	}
	if len(invoked) != len(fns) {
		t.Errorf("smoke-tested %d of %d functions", len(invoked), len(fns))
	}
}
