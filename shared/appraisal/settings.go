package appraisal

import (
	"context"
	"strconv"
)

// Run-time settings: what administrators change in the console without a deploy. The
// environment gives the defaults; a value stored in the database wins. Each setting is declared
// here with its check, so an unknown key or a bad value never reaches the table.

// The setting keys.
const (
	SettingReviewThresholdFen = "review.value_threshold_fen"
	SettingReviewSampleRate   = "review.sample_rate"
)

// SettingSpec says what a setting is and what values it takes.
type SettingSpec struct {
	Key   string
	Doc   string
	Check func(v string) bool
}

// SettingSpecs are every run-time setting.
var SettingSpecs = []SettingSpec{
	{SettingReviewThresholdFen, "Opinions whose upper estimate exceeds this (fen) go to review; 0 turns the rule off",
		func(v string) bool { n, err := strconv.ParseInt(v, 10, 64); return err == nil && n >= 0 }},
	{SettingReviewSampleRate, "The fraction (0–1) of the other opinions sampled for review",
		func(v string) bool { f, err := strconv.ParseFloat(v, 64); return err == nil && f >= 0 && f <= 1 }},
}

// SettingsStore keeps the settings administrators changed.
type SettingsStore interface {
	// Settings returns the stored values by key (keys never set are absent).
	Settings(ctx context.Context) (map[string]string, error)
	// SetSettings stores values (each checked by the caller against SettingSpecs), audited.
	SetSettings(ctx context.Context, values map[string]string, a AuditEntry) error
}

// CheckSettings validates values against SettingSpecs.
func CheckSettings(values map[string]string) error {
	var bad []FieldError
	for k, v := range values {
		ok := false
		for _, s := range SettingSpecs {
			if s.Key == k {
				ok = s.Check(v)
				break
			}
		}
		if !ok {
			bad = append(bad, FieldError{Field: k, Code: "invalid", Message: "unknown setting or bad value"})
		}
	}
	if len(bad) > 0 {
		return Invalid(bad...)
	}
	return nil
}

// WithSettings is the review policy with the stored settings applied over p (the environment's).
func (p ReviewPolicy) WithSettings(values map[string]string) ReviewPolicy {
	if v, ok := values[SettingReviewThresholdFen]; ok {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			p.ValueThresholdFen = n
		}
	}
	if v, ok := values[SettingReviewSampleRate]; ok {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			p.SampleRate = f
		}
	}
	return p
}
