package appraisal

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestOrderFlow(t *testing.T) {
	tests := []struct {
		from   Status
		action Action
		to     Status // "" for illegal
	}{
		{StatusSubmitted, ActionTriage, StatusTriage},
		{StatusSubmitted, ActionCancel, StatusCancelled},
		{StatusSubmitted, ActionAssign, ""},
		{StatusTriage, ActionRequestInfo, StatusNeedMoreInfo},
		{StatusNeedMoreInfo, ActionProvideInfo, StatusTriage},
		{StatusTriage, ActionReject, StatusRejected},
		{StatusTriage, ActionAccept, StatusQueued},
		{StatusQueued, ActionAssign, StatusAssigned},
		{StatusQueued, ActionCancel, StatusCancelled},
		{StatusAssigned, ActionCancel, ""}, // cancelling stops at assignment
		{StatusAssigned, ActionAssign, StatusAssigned},
		{StatusAssigned, ActionStart, StatusInAppraisal},
		{StatusInAppraisal, ActionSubmitOpinion, StatusOpinionSubmitted},
		{StatusOpinionSubmitted, ActionRouteReview, StatusInReview},
		{StatusOpinionSubmitted, ActionAutoComplete, StatusCompleted},
		{StatusInReview, ActionReviewAgree, StatusCompleted},
		{StatusInReview, ActionReviewSendBk, StatusInAppraisal},
		{StatusCompleted, ActionIssueCert, StatusCertIssued},
		{StatusCompleted, ActionDispute, StatusDisputed},
		{StatusCertIssued, ActionDispute, StatusDisputed},
		{StatusDisputed, ActionAssign, StatusAssigned},
		{StatusRejected, ActionTriage, ""},
		{StatusCancelled, ActionTriage, ""},
		{StatusCertIssued, ActionIssueCert, ""},
	}
	for _, tt := range tests {
		got, err := Next(tt.from, tt.action)
		if tt.to == "" {
			var e *Error
			if !errors.As(err, &e) || e.Kind != KindConflict || e.Details["allowed_actions"] == nil {
				t.Errorf("%s --%s--> want a conflict naming the allowed actions, got %q, %v", tt.from, tt.action, got, err)
			}
			continue
		}
		if err != nil || got != tt.to {
			t.Errorf("%s --%s--> %q, %v; want %s", tt.from, tt.action, got, err, tt.to)
		}
	}
	if !StatusRejected.Terminal() || !StatusCancelled.Terminal() || StatusCertIssued.Terminal() {
		t.Error("terminal statuses wrong")
	}
	if got := AllowedActions(StatusTriage); !reflect.DeepEqual(got, []Action{ActionAccept, ActionCancel, ActionReject, ActionRequestInfo}) {
		t.Errorf("allowed from TRIAGE: %v", got)
	}
	if got := FlowOperations(StatusInReview); !reflect.DeepEqual(got, []string{"orders.review"}) {
		t.Errorf("operations from IN_REVIEW: %v", got)
	}
	if got := FlowOperations(StatusCertIssued); !reflect.DeepEqual(got, []string{"orders.dispute"}) {
		t.Errorf("operations from CERT_ISSUED (revocation is a step of the system): %v", got)
	}
	for _, s := range Statuses {
		if !s.Valid() {
			t.Errorf("%s invalid", s)
		}
	}
	if Status("DONE").Valid() {
		t.Error("unknown status valid")
	}
}

func TestReviewPolicy(t *testing.T) {
	p := ReviewPolicy{ValueThresholdFen: 1_000_000, SampleRate: 0.1}
	tests := []struct {
		op     Opinion
		sample float64
		want   bool
		reason string
	}{
		{Opinion{Verdict: VerdictFake}, 0.99, true, "verdict"},
		{Opinion{Verdict: VerdictUncertain}, 0.99, true, "verdict"},
		{Opinion{Verdict: VerdictGenuine, ValueMaxFen: 1_000_001}, 0.99, true, "high_value"},
		{Opinion{Verdict: VerdictGenuine, ValueMaxFen: 1_000_000}, 0.99, false, ""},
		{Opinion{Verdict: VerdictGenuine}, 0.05, true, "sampled"},
		{Opinion{Verdict: VerdictNotAppraisable}, 0.5, false, ""},
	}
	for _, tt := range tests {
		got, reason := p.NeedsReview(&tt.op, tt.sample)
		if got != tt.want || reason != tt.reason {
			t.Errorf("%+v at %v: %v %q, want %v %q", tt.op, tt.sample, got, reason, tt.want, tt.reason)
		}
	}
	if (ReviewPolicy{}).ValueThresholdFen != 0 {
		t.Fatal("zero policy")
	}
	if got, _ := (ReviewPolicy{}).NeedsReview(&Opinion{Verdict: VerdictGenuine, ValueMaxFen: 1 << 40}, 0.5); got {
		t.Error("a zero threshold disables the value rule")
	}
}

func TestSLAPause(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	o := &Order{Status: StatusTriage, SLADueAt: t0.Add(48 * time.Hour)}
	o.PauseSLA(t0.Add(time.Hour))
	o.PauseSLA(t0.Add(2 * time.Hour)) // a second pause keeps the first start
	if o.SLABreached(t0.Add(100 * time.Hour)) {
		t.Error("a paused order is never breached")
	}
	o.ResumeSLA(t0.Add(11 * time.Hour))
	if want := t0.Add(58 * time.Hour); !o.SLADueAt.Equal(want) {
		t.Errorf("due %v, want %v (moved by the 10 h pause)", o.SLADueAt, want)
	}
	if !o.SLABreached(t0.Add(59*time.Hour)) || o.SLABreached(t0.Add(57*time.Hour)) {
		t.Error("breach after resume")
	}
	done := &Order{Status: StatusCompleted, SLADueAt: t0}
	if done.SLABreached(t0.Add(time.Hour)) {
		t.Error("a completed order is not breached")
	}
}

func TestPhones(t *testing.T) {
	tests := []struct{ in, norm, masked string }{
		{"138-1234-5678", "+8613812345678", "138****5678"},
		{" +86 (139) 0000 1111 ", "+8613900001111", "139****1111"},
		{"0086 139 0000 1111", "+8613900001111", "139****1111"},
		{"86 13900001111", "+8613900001111", "139****1111"},
		{"13900001111", "+8613900001111", "139****1111"},
		{"+852 9123 4567", "+85291234567", "+85*****4567"},
		{"010-6552-1234", "01065521234", "010****1234"},
		{"12a45678", "", ""},
		{"1234", "", ""},
	}
	for _, tt := range tests {
		n := NormalizePhone(tt.in)
		if n != tt.norm {
			t.Errorf("NormalizePhone(%q) = %q, want %q", tt.in, n, tt.norm)
		}
		if n != "" && MaskPhone(n) != tt.masked {
			t.Errorf("MaskPhone(%q) = %q, want %q", n, MaskPhone(n), tt.masked)
		}
	}
}

func TestNumbers(t *testing.T) {
	// 23:30 UTC is the next day in Shanghai.
	at := time.Date(2026, 11, 25, 23, 30, 0, 0, time.UTC)
	if got := FormatOrderNo(at, 42); got != "JB20261126000042" {
		t.Errorf("order no %s", got)
	}
	if got := FormatCertNo(at, 7); got != "JBC20261126000007" {
		t.Errorf("cert no %s", got)
	}
}
