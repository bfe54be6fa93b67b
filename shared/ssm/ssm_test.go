package ssm_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jianbao/admin/shared/ssm"
	"github.com/jianbao/admin/shared/tencentapi"
	"github.com/jianbao/admin/shared/tencentapi/tencentapitest"
)

func TestLoad(t *testing.T) {
	fake := tencentapitest.New(t)
	fake.Handle("GetSecretValue", func(p map[string]any) (any, string, string) {
		switch p["SecretName"] {
		case "app":
			if p["VersionId"] != "v1" {
				return nil, "ResourceNotFound.VersionNotExist", "no such version"
			}
			return map[string]any{"SecretString": `{"JWT_SECRET":"j","MYSQL_DSN":"u:p@tcp(h)/d"}`}, "", ""
		case "binary":
			return map[string]any{"SecretString": "", "SecretBinary": "AAEC"}, "", ""
		}
		return nil, "ResourceNotFound.SecretNotExist", "no such secret"
	})
	api := fake.Client("ap-guangzhou")
	ctx := context.Background()

	got, err := ssm.Load(ctx, api, "app", "v1")
	if err != nil || got["JWT_SECRET"] != "j" || got["MYSQL_DSN"] != "u:p@tcp(h)/d" || len(got) != 2 {
		t.Fatalf("Load = %v, %v", got, err)
	}
	calls := fake.Calls()
	if last := calls[len(calls)-1]; last.Service != "ssm" || last.Version != "2019-09-23" || last.Region != "ap-guangzhou" {
		t.Errorf("the request went to %+v", last)
	}
	for _, tc := range []struct {
		name, secret, version string
		check                 func(error) bool
	}{
		{"unknown version", "app", "v2", tencentapi.IsNotFound},
		{"unknown secret", "nope", "v1", tencentapi.IsNotFound},
		{"not a JSON object", "binary", "v1", func(err error) bool { return errors.Is(err, ssm.ErrNotJSON) }},
		{"no version", "app", "", func(err error) bool { return err != nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ssm.Load(ctx, api, tc.secret, tc.version); !tc.check(err) {
				t.Errorf("error %v", err)
			}
		})
	}
}
