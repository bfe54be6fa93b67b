// Package release moves HTTP traffic between published SCF versions. Every API function has an
// alias "live" that the HTTP entries (API Gateway, the custom domain) invoke; Terraform updates
// $LATEST, and Promote publishes $LATEST as a version and points "live" at it, after the
// migrations have run. Rollback points "live" back. The alias's description remembers the
// version it pointed at before, so one rollback needs no bookkeeping elsewhere.
package release

import (
	"context"
	"fmt"
	"regexp"
	"slices"

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

// Promote publishes every API function's $LATEST as a version labelled with the build and then
// points "live" at them. All versions are published before any alias moves, so a failure while
// publishing leaves traffic where it was; a failure while moving is reported with the moves
// already made (run Rollback to undo them).
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
	return applyMoves(ctx, api, ns, plan, func(m Move) string { return fmt.Sprintf("build %s; previous %s", build, m.From) })
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
