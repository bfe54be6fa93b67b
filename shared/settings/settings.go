// Package settings is the run-time settings' service: each setting with the value in force — the
// stored one, or the deployment's default — and changes checked against appraisal.SettingSpecs
// before they are stored (audited).
package settings

import (
	"context"

	"github.com/jianbao/admin/shared/appraisal"
)

// Setting is one setting and the value in force.
type Setting struct {
	Spec   appraisal.SettingSpec
	Value  string
	Stored bool // changed by an administrator (else the default)
}

// Service lists and changes settings.
type Service struct {
	Store appraisal.SettingsStore
	// Defaults are the values in force when nothing is stored (from the deployment's configuration).
	Defaults map[string]string
}

// List returns every setting, in appraisal.SettingSpecs' order.
func (s *Service) List(ctx context.Context) ([]Setting, error) {
	stored, err := s.Store.Settings(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Setting, 0, len(appraisal.SettingSpecs))
	for _, spec := range appraisal.SettingSpecs {
		v, ok := stored[spec.Key]
		if !ok {
			v = s.Defaults[spec.Key]
		}
		out = append(out, Setting{Spec: spec, Value: v, Stored: ok})
	}
	return out, nil
}

// Update checks and stores values (none: nothing changes), then lists the settings in force.
func (s *Service) Update(ctx context.Context, values map[string]string, a appraisal.AuditEntry) ([]Setting, error) {
	if err := appraisal.CheckSettings(values); err != nil {
		return nil, err
	}
	if len(values) > 0 {
		if err := s.Store.SetSettings(ctx, values, a); err != nil {
			return nil, err
		}
	}
	return s.List(ctx)
}
