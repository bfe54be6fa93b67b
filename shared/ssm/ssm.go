// Package ssm reads the application's secrets from Tencent Cloud Secrets Manager (SSM).
//
// Secrets in plain SCF environment variables can be read by anyone allowed scf:GetFunction and sit
// in every saved plan. Instead Terraform writes them as one JSON object into an SSM secret
// version (through a write-only argument), and a function or pod fetches that object once, at
// cold start, as its CAM role (ssm:GetSecretValue on that secret only). The process environment
// then carries only the secret's name and version.
package ssm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jianbao/admin/shared/tencentapi"
)

// API version and action of SSM's GetSecretValue.
const (
	service = "ssm"
	version = "2019-09-23"
)

// ErrNotJSON is returned for a secret whose value is not a JSON object of strings.
var ErrNotJSON = errors.New("ssm: the secret's value is not a JSON object of strings")

// Load returns the name → value pairs stored as the JSON object of one secret version.
func Load(ctx context.Context, api tencentapi.Caller, secretName, versionID string) (map[string]string, error) {
	if secretName == "" || versionID == "" {
		return nil, errors.New("ssm: a secret name and a version are required")
	}
	var resp struct {
		SecretString string
	}
	params := map[string]any{"SecretName": secretName, "VersionId": versionID}
	if err := api.Call(ctx, service, version, "GetSecretValue", params, &resp); err != nil {
		return nil, fmt.Errorf("ssm: secret %s version %s: %w", secretName, versionID, err)
	}
	var out map[string]string
	if err := json.Unmarshal([]byte(resp.SecretString), &out); err != nil || out == nil {
		return nil, fmt.Errorf("%w (secret %s version %s)", ErrNotJSON, secretName, versionID)
	}
	return out, nil
}
