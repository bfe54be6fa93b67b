package orders

import (
	"strings"
	"testing"

	"github.com/jianbao/admin/shared/appraisal"
)

func TestCanSee(t *testing.T) {
	o := &appraisal.Order{AssigneeID: 7}
	tests := []struct {
		name   string
		p      appraisal.Principal
		seeAll bool
		want   bool
	}{
		{"staff with see-all", appraisal.Principal{Role: appraisal.RoleOperator}, true, true},
		{"the assigned expert", appraisal.Principal{Role: appraisal.RoleExpert, ExpertID: 7}, false, true},
		{"another expert", appraisal.Principal{Role: appraisal.RoleExpert, ExpertID: 8}, false, false},
		{"no expert profile", appraisal.Principal{Role: appraisal.RoleExpert}, false, false},
	}
	for _, tt := range tests {
		if got := CanSee(&tt.p, tt.seeAll, o); got != tt.want {
			t.Errorf("%s: %v", tt.name, got)
		}
	}
	if CanSee(&appraisal.Principal{}, false, &appraisal.Order{}) {
		t.Error("an unassigned order is not visible to a principal without an expert profile")
	}
}

func TestVerifyTokens(t *testing.T) {
	a, b := NewVerifyToken(), NewVerifyToken()
	if a == b || !ValidVerifyToken(a) || len(a) != 43 {
		t.Fatalf("tokens %q %q", a, b)
	}
	for _, bad := range []string{"", "short", strings.Repeat("!", 43), a + "x"} {
		if ValidVerifyToken(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}
