package appraisal

import "testing"

func TestScope(t *testing.T) {
	o := &Order{AssigneeID: 7}
	tests := []struct {
		name   string
		p      Principal
		seeAll bool
		want   bool
	}{
		{"staff with see-all", Principal{Role: RoleOperator}, true, true},
		{"the assigned expert", Principal{Role: RoleExpert, ExpertID: 7}, false, true},
		{"another expert", Principal{Role: RoleExpert, ExpertID: 8}, false, false},
		{"no expert profile", Principal{Role: RoleExpert}, false, false},
	}
	for _, tt := range tests {
		if got := ScopeOf(&tt.p, tt.seeAll).SeesOrder(o); got != tt.want {
			t.Errorf("%s: %v", tt.name, got)
		}
	}
	if ScopeOf(&Principal{}, false).SeesOrder(&Order{}) {
		t.Error("an unassigned order is not visible to a principal without an expert profile")
	}
}
