package httpapi

import (
	"context"
	"testing"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

// TestOrderViewHoldsUntil: a view that shows an SLA as not yet breached bounds its answer by the
// due time; one that no clock can change does not.
func TestOrderViewHoldsUntil(t *testing.T) {
	now := time.Now()
	soon, later, past := now.Add(time.Hour), now.Add(2*time.Hour), now.Add(-time.Hour)
	for _, tc := range []struct {
		name   string
		orders []appraisal.Order
		want   time.Time
	}{
		{"running", []appraisal.Order{{Status: appraisal.StatusQueued, SLADueAt: later}, {Status: appraisal.StatusTriage, SLADueAt: soon}}, soon},
		{"breached already", []appraisal.Order{{Status: appraisal.StatusQueued, SLADueAt: past}}, time.Time{}},
		{"paused", []appraisal.Order{{Status: appraisal.StatusNeedMoreInfo, SLADueAt: soon, SLAPausedAt: &now}}, time.Time{}},
		{"completed", []appraisal.Order{{Status: appraisal.StatusCompleted, SLADueAt: soon}}, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := &validity{}
			ctx := context.WithValue(context.Background(), validityKey{}, v)
			for _, o := range tc.orders {
				viewOrder(ctx, &o)
			}
			if !v.until.Equal(tc.want) {
				t.Fatalf("holds until %v, want %v", v.until, tc.want)
			}
		})
	}
}

func TestNotModified(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   bool
	}{
		{"", false}, {`"a"`, true}, {`W/"a"`, true}, {`"b", "a"`, true}, {"*", true}, {`"b"`, false}, {`a`, false},
	} {
		if got := notModified(tc.header, `"a"`); got != tc.want {
			t.Errorf("If-None-Match %q: %v, want %v", tc.header, got, tc.want)
		}
	}
}
