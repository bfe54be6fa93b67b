package api_test

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
	ssm "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/ssm/v20190923"

	"github.com/jianbao/admin/localcloud/api"
)

type keys map[string]string

func (k keys) SecretKey(id, _ string) (string, bool) { v, ok := k[id]; return v, ok }

// request is any action with any fields, as the SDK builds and signs it.
type request struct {
	*tchttp.BaseRequest
	SecretName *string `json:"SecretName,omitempty"`
	VersionId  *string `json:"VersionId,omitempty"`
	Flavour    *string `json:"Flavour,omitempty"`
}

// call sends one action the way the SDK (and so the tencentcloud provider) sends it: TC3-HMAC-
// SHA256 signed, JSON body, X-TC-* headers.
func call(t *testing.T, endpoint, id, key, action string, fields map[string]string) (string, error) {
	t.Helper()
	cpf := profile.NewClientProfile()
	cpf.HttpProfile.Endpoint, cpf.HttpProfile.Scheme = endpoint, "HTTP"
	c, err := ssm.NewClient(common.NewCredential(id, key), "ap-guangzhou", cpf)
	if err != nil {
		t.Fatal(err)
	}
	req := &request{BaseRequest: &tchttp.BaseRequest{}}
	req.Init().WithApiInfo("ssm", "2019-09-23", action)
	set := func(v string) *string {
		if v == "" {
			return nil
		}
		return &v
	}
	req.SecretName, req.VersionId, req.Flavour = set(fields["SecretName"]), set(fields["VersionId"]), set(fields["Flavour"])
	resp := ssm.NewGetSecretValueResponse()
	err = c.Send(req, resp)
	return resp.ToJsonString(), err
}

func code(err error) string {
	var e *tcerr.TencentCloudSDKError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// TestTheAPIAsTheSDKSpeaksIt: a request signed with the account's key is served with the SDK
// model strictly; a wrong key, a field no model declares and an action nobody implemented each
// get the real API's error code, and the last two are remembered for the test run to report.
func TestTheAPIAsTheSDKSpeaksIt(t *testing.T) {
	s := &api.Server{Keys: keys{"AKIDtest": "secret"}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	s.Handle("ssm", "GetSecretValue", func(c *api.Call) (any, error) {
		var req ssm.GetSecretValueRequest
		if err := c.Decode(&req); err != nil {
			return nil, err
		}
		return map[string]any{"SecretName": *req.SecretName, "SecretString": "s3cret"}, nil
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.ServeAPI(w, r, "ssm") }))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")

	body, err := call(t, host, "AKIDtest", "secret", "GetSecretValue", map[string]string{"SecretName": "app", "VersionId": "current"})
	if err != nil || !strings.Contains(body, `"SecretString":"s3cret"`) || !strings.Contains(body, `"RequestId"`) {
		t.Fatalf("a signed call: %v %s", err, body)
	}
	app := map[string]string{"SecretName": "app"}
	for _, c := range []struct {
		name, id, key, action string
		body                  map[string]string
		want                  string
	}{
		{"a wrong key", "AKIDtest", "not-the-key", "GetSecretValue", app, api.CodeAuthFailure},
		{"an unknown key id", "AKIDother", "secret", "GetSecretValue", app, api.CodeSecretIDNotFound},
		{"a field no model declares", "AKIDtest", "secret", "GetSecretValue", map[string]string{"SecretName": "app", "Flavour": "x"}, api.CodeUnknownParameter},
		{"an action nobody implemented", "AKIDtest", "secret", "RotateSecret", app, api.CodeInvalidAction},
	} {
		if _, err := call(t, host, c.id, c.key, c.action, c.body); code(err) != c.want {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
	}
	actions, fields := s.Unknown()
	if len(actions) != 1 || actions[0] != "ssm.RotateSecret" || len(fields) != 1 || fields[0] != "ssm.GetSecretValue.Flavour" {
		t.Errorf("remembered: actions %v, fields %v", actions, fields)
	}
}
