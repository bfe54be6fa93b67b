package auth

import (
	"testing"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

// Hold takes one of the gate's shared slots until the returned function is called: a flood
// holding the gate, for tests outside the package.
func (g *Gate) Hold(tb testing.TB) func() {
	tb.Helper()
	release, err := g.enter(tb.Context(), false)
	if err != nil {
		tb.Fatal(err)
	}
	return release
}

// NewLocalThrottle is the login limits' in-process fallback, for the conformance suite.
func NewLocalThrottle(max int, now func() time.Time) appraisal.Throttle {
	return newLocalThrottle(max, now)
}
