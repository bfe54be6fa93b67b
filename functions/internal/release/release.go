// Package release moves HTTP traffic between published SCF versions. Every API function has an
// alias "live" that the HTTP entries (the Function URLs, the custom domain, API Gateway) invoke;
// Terraform updates $LATEST, and Promote publishes $LATEST as a version, asks each new version
// for /health, and only then points "live" at them. Rollback points "live" back. The alias's
// description remembers the version it pointed at before, so one rollback needs no bookkeeping
// elsewhere. Migrate runs the migrate function, which the deploy calls before the rest of the
// build reaches $LATEST.
package release

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jianbao/admin/functions/catalog"
	"github.com/jianbao/admin/shared/tencentapi"
)

// Alias is the name the HTTP entries invoke (terraform/modules/functions/release.tf).
const Alias = "live"

const scfVersion = "2018-04-16"

// Move is one function's alias change (or, from Status, where it points: From == To).
type Move struct {
	Function, From, To string
}

// Functions are the ones behind the alias: the API functions.
func Functions() []string {
	var names []string
	for _, f := range catalog.Functions {
		if f.Kind == catalog.KindAPI {
			names = append(names, f.Name)
		}
	}
	return names
}

type alias struct {
	FunctionVersion string
	Description     string
}

func getAlias(ctx context.Context, api tencentapi.Caller, ns, fn string) (alias, error) {
	var a alias
	err := api.Call(ctx, "scf", scfVersion, "GetAlias", map[string]any{"FunctionName": fn, "Namespace": ns, "Name": Alias}, &a)
	return a, err
}

func setAlias(ctx context.Context, api tencentapi.Caller, ns, fn, version, description string) error {
	return api.Call(ctx, "scf", scfVersion, "UpdateAlias", map[string]any{
		"FunctionName": fn, "Namespace": ns, "Name": Alias, "FunctionVersion": version, "Description": description}, nil)
}

var previousRE = regexp.MustCompile(`previous (\d+)`)

// Status says where "live" points for every API function.
func Status(ctx context.Context, api tencentapi.Caller, ns string) ([]Move, error) {
	var out []Move
	for _, fn := range Functions() {
		a, err := getAlias(ctx, api, ns, fn)
		if err != nil {
			return out, err
		}
		out = append(out, Move{fn, a.FunctionVersion, a.FunctionVersion})
	}
	return out, nil
}

// Promote publishes every API function's $LATEST as a version labelled with the build, smoke
// tests each new version (Smoke), and then points "live" at them. Every version is published and
// answers before any alias moves, so a build that fails either leaves traffic where it was; a
// failure while moving is reported with the moves already made (run Rollback to undo them).
func Promote(ctx context.Context, api tencentapi.Caller, ns, build string) ([]Move, error) {
	if build == "" {
		return nil, fmt.Errorf("release: promote needs the build (the commit) to label versions with")
	}
	plan, err := planMoves(ctx, api, ns, func(fn string, _ alias) (string, error) {
		var pub struct{ FunctionVersion string }
		if err := api.Call(ctx, "scf", scfVersion, "PublishVersion", map[string]any{"FunctionName": fn, "Namespace": ns, "Description": "build " + build}, &pub); err != nil {
			return "", err
		}
		if pub.FunctionVersion == "" {
			return "", fmt.Errorf("release: PublishVersion of %s returned no version", fn)
		}
		return pub.FunctionVersion, nil
	})
	if err != nil {
		return nil, err
	}
	for _, m := range plan {
		if err := Smoke(ctx, api, ns, m.Function, m.To); err != nil {
			return nil, fmt.Errorf("release: build %s refused, live stays where it was: %w", build, err)
		}
	}
	return applyMoves(ctx, api, ns, plan, func(m Move) string { return fmt.Sprintf("build %s; previous %s", build, m.From) })
}

// invoke runs one version of a function synchronously with event and returns what it returned.
// A function that fails (its error, a crash, a timeout) is an error.
func invoke(ctx context.Context, api tencentapi.Caller, ns, fn, qualifier string, event any) (json.RawMessage, error) {
	body, err := json.Marshal(event)
	if err != nil {
		return nil, err
	}
	var out struct {
		Result struct {
			RetMsg, ErrMsg, Log string
			InvokeResult        int
		}
	}
	params := map[string]any{"FunctionName": fn, "Namespace": ns, "Qualifier": qualifier, "InvocationType": "RequestResponse",
		"ClientContext": string(body)}
	// A function at its concurrency throttles the invoke too (a burst of traffic while deploying):
	// that says nothing of the build, so it is tried again for a while.
	for wait := 500 * time.Millisecond; ; wait *= 2 {
		err := api.Call(ctx, "scf", scfVersion, "Invoke", params, &out)
		var ae *tencentapi.APIError
		if err == nil {
			break
		}
		if !errors.As(err, &ae) || !strings.HasPrefix(ae.Code, "ResourceLimitReached") || wait > 8*time.Second {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
	if out.Result.InvokeResult != 0 {
		return nil, fmt.Errorf("%s %s failed: %s", fn, qualifier, firstOf(out.Result.ErrMsg, out.Result.RetMsg))
	}
	return json.RawMessage(out.Result.RetMsg), nil
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return "no message"
}

// Smoke sends one version of an API function the event its HTTP entry would send for
// GET /health, through SCF's Invoke, so a version is tried before any traffic reaches it. A
// function serving API groups must answer 200 (it reached MySQL and Redis with the secrets it
// read at start); one that serves other paths only (the alert relay) must start and answer
// anything below 500.
func Smoke(ctx context.Context, api tencentapi.Caller, ns, fn, version string) error {
	ret, err := invoke(ctx, api, ns, fn, version, map[string]any{"httpMethod": "GET", "path": "/health",
		"headers": map[string]string{"accept": "application/json"}, "queryString": map[string]string{}, "body": ""})
	if err != nil {
		return fmt.Errorf("smoke test: %w", err)
	}
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal(ret, &resp); err != nil || resp.StatusCode == 0 {
		return fmt.Errorf("smoke test: %s version %s answered no HTTP response: %.200s", fn, version, ret)
	}
	want200 := true
	for _, f := range catalog.Functions {
		if f.Name == fn {
			want200 = len(f.Groups) > 0
		}
	}
	if (want200 && resp.StatusCode != 200) || resp.StatusCode >= 500 {
		return fmt.Errorf("smoke test: %s version %s answered GET /health with %d: %.200s", fn, version, resp.StatusCode, resp.Body)
	}
	return nil
}

// Migrate runs the migrate function ($LATEST) and returns the migrations it applied.
func Migrate(ctx context.Context, api tencentapi.Caller, ns string) ([]string, error) {
	ret, err := invoke(ctx, api, ns, "migrate", "$LATEST", map[string]any{})
	if err != nil {
		return nil, fmt.Errorf("release: migrations: %w", err)
	}
	var res struct {
		Applied []string `json:"applied"`
	}
	if err := json.Unmarshal(ret, &res); err != nil {
		return nil, fmt.Errorf("release: migrations: the migrate function returned %.200s", ret)
	}
	return res.Applied, nil
}

// Rollback points every API function's "live" back at the version it pointed at before the
// last move. Version numbers are per function, so there is no "roll back to version N" for all of
// them; a second Rollback undoes the first (each move records where it came from).
func Rollback(ctx context.Context, api tencentapi.Caller, ns string) ([]Move, error) {
	plan, err := planMoves(ctx, api, ns, func(fn string, a alias) (string, error) {
		m := previousRE.FindStringSubmatch(a.Description)
		if m == nil {
			return "", fmt.Errorf("release: %s's alias does not record a previous version (%q); use Pin for that function", fn, a.Description)
		}
		return m[1], nil
	})
	if err != nil {
		return nil, err
	}
	return applyMoves(ctx, api, ns, plan, func(m Move) string { return "rolled back; previous " + m.From })
}

// planMoves decides every function's target before anything moves, so a failure part way
// through planning leaves all traffic where it was.
func planMoves(ctx context.Context, api tencentapi.Caller, ns string, target func(fn string, a alias) (string, error)) ([]Move, error) {
	var plan []Move
	for _, fn := range Functions() {
		a, err := getAlias(ctx, api, ns, fn)
		if err != nil {
			return nil, err
		}
		to, err := target(fn, a)
		if err != nil {
			return nil, err
		}
		plan = append(plan, Move{fn, a.FunctionVersion, to})
	}
	return plan, nil
}

// applyMoves points the aliases, recording in each description where it came from.
func applyMoves(ctx context.Context, api tencentapi.Caller, ns string, plan []Move, describe func(Move) string) ([]Move, error) {
	var moved []Move
	for _, m := range plan {
		if m.From == m.To {
			continue
		}
		if err := setAlias(ctx, api, ns, m.Function, m.To, describe(m)); err != nil {
			return moved, err
		}
		moved = append(moved, m)
	}
	return moved, nil
}

// Pin points one API function's "live" at a version of its own.
func Pin(ctx context.Context, api tencentapi.Caller, ns, fn, version string) (Move, error) {
	if !slices.Contains(Functions(), fn) {
		return Move{}, fmt.Errorf("release: %q is not an API function", fn)
	}
	if !versionRE.MatchString(version) {
		return Move{}, fmt.Errorf("release: %q is not a published version number", version)
	}
	a, err := getAlias(ctx, api, ns, fn)
	if err != nil {
		return Move{}, err
	}
	if err := setAlias(ctx, api, ns, fn, version, fmt.Sprintf("pinned; previous %s", a.FunctionVersion)); err != nil {
		return Move{}, err
	}
	return Move{fn, a.FunctionVersion, version}, nil
}

var versionRE = regexp.MustCompile(`^[1-9][0-9]*$`)
