package appraisal

import (
	"slices"
	"testing"
)

// TestActionsListEveryAction: every action of the flow table is in Actions (the timeline's words
// are checked against that list).
func TestActionsListEveryAction(t *testing.T) {
	for from, moves := range transitions {
		for a := range moves {
			if !slices.Contains(Actions, a) {
				t.Errorf("action %s (from %s) is not in Actions", a, from)
			}
		}
	}
}
