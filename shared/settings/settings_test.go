package settings_test

import (
	"context"
	"testing"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/settings"
)

type mapStore struct{ m map[string]string }

func (s *mapStore) Settings(context.Context) (map[string]string, error) { return s.m, nil }
func (s *mapStore) SetSettings(_ context.Context, v map[string]string, _ appraisal.AuditEntry) error {
	for k, x := range v {
		s.m[k] = x
	}
	return nil
}

func TestSettingsInForce(t *testing.T) {
	ctx := context.Background()
	st := &mapStore{m: map[string]string{}}
	s := &settings.Service{Store: st, Defaults: map[string]string{appraisal.SettingReviewThresholdFen: "1000000", appraisal.SettingReviewSampleRate: "0.1"}}
	list, err := s.List(ctx)
	if err != nil || len(list) != len(appraisal.SettingSpecs) {
		t.Fatalf("%v %v", list, err)
	}
	for _, x := range list {
		if x.Stored || x.Value != s.Defaults[x.Spec.Key] {
			t.Errorf("%s = %q stored %v, want the default", x.Spec.Key, x.Value, x.Stored)
		}
	}
	for _, bad := range []map[string]string{{appraisal.SettingReviewSampleRate: "2"}, {"no.such.setting": "1"}, {appraisal.SettingReviewThresholdFen: "-5"}} {
		if _, err := s.Update(ctx, bad, appraisal.AuditEntry{}); appraisal.KindOf(err) != appraisal.KindInvalid {
			t.Errorf("%v: %v, want invalid", bad, err)
		}
	}
	if len(st.m) != 0 {
		t.Fatalf("a refused change was stored: %v", st.m)
	}
	list, err = s.Update(ctx, map[string]string{appraisal.SettingReviewSampleRate: "0.5"}, appraisal.AuditEntry{})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range list {
		if x.Spec.Key == appraisal.SettingReviewSampleRate && (!x.Stored || x.Value != "0.5") {
			t.Errorf("after the change: %+v", x)
		}
	}
}
