// Package tencentapi calls Tencent Cloud APIs through tencentcloud-sdk-go's common client.
//
// The per-product SDK modules (billing, scf, cdb, redis) are not served by the module proxy we
// build with, and each would add megabytes for one or two calls; the common client signs any
// action (TC3-HMAC-SHA256) given its service, version and JSON parameters. The ops tools (cost,
// release) use it for everything, and the functions and the shim read their secrets through it
// (shared/ssm).
package tencentapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
	tcerr "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/errors"
	tchttp "github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/http"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common/profile"
)

// Caller is what the cost tools need from Tencent Cloud: one action, JSON in, JSON out. The
// tests pass a Client pointed at an httptest server speaking the API's envelope.
type Caller interface {
	Call(ctx context.Context, service, version, action string, params, out any) error
}

// ErrNoCredentials is returned before any request when the environment holds no key.
var ErrNoCredentials = errors.New("tencentapi: TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY are not set")

// Client calls one region. Endpoint, when set (tests), replaces <service>.<region>.tencentcloudapi.com
// and is spoken over plain HTTP. Domain and Scheme replace tencentcloudapi.com and HTTPS: the
// same settings the tencentcloud provider reads (TENCENTCLOUD_DOMAIN, TENCENTCLOUD_PROTOCOL), so
// one environment points Terraform, the ops tools and the functions at a local cloud.
type Client struct {
	Region   string
	Endpoint string
	Domain   string
	Scheme   string // "HTTP" or "" (HTTPS)
	cred     common.CredentialIface
}

// Reach sets Domain and Scheme from TENCENTCLOUD_DOMAIN and TENCENTCLOUD_PROTOCOL, and returns c.
func (c *Client) Reach(getenv func(string) string) *Client {
	c.Domain = getenv("TENCENTCLOUD_DOMAIN")
	if strings.EqualFold(getenv("TENCENTCLOUD_PROTOCOL"), "HTTP") {
		c.Scheme = "HTTP"
	}
	return c
}

// New calls region with a key; token is the session token of temporary keys (an SCF run role's
// arrive with every invoke as TENCENTCLOUD_SECRETID, TENCENTCLOUD_SECRETKEY and
// TENCENTCLOUD_SESSIONTOKEN).
func New(region, id, key, token string) (*Client, error) {
	if id == "" || key == "" {
		return nil, ErrNoCredentials
	}
	return &Client{Region: region, cred: common.NewTokenCredential(id, key, token)}, nil
}

// FromTKEIdentity calls region as the CAM role a TKE pod is bound to: TKE's pod identity webhook
// projects an OIDC token and sets TKE_ROLE_ARN, TKE_PROVIDER_ID, TKE_IDENTITY_TOKEN_FILE and
// TKE_REGION, which the SDK exchanges for temporary keys (AssumeRoleWithWebIdentity) and renews.
func FromTKEIdentity(region string) (*Client, error) {
	p, err := common.DefaultTkeOIDCRoleArnProvider()
	if err != nil {
		return nil, fmt.Errorf("tencentapi: TKE pod identity: %w", err)
	}
	cred, err := p.GetCredential()
	if err != nil {
		return nil, fmt.Errorf("tencentapi: TKE pod identity: %w", err)
	}
	return &Client{Region: region, cred: cred}, nil
}

// FromEnv reads the key from TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY and, for the
// temporary keys SCF and CI roles hand out, TENCENTCLOUD_SESSION_TOKEN.
func FromEnv(getenv func(string) string, region string) (*Client, error) {
	id, key := getenv("TENCENTCLOUD_SECRET_ID"), getenv("TENCENTCLOUD_SECRET_KEY")
	if id == "" || key == "" {
		return nil, ErrNoCredentials
	}
	c := &Client{Region: region, cred: common.NewTokenCredential(id, key, getenv("TENCENTCLOUD_SESSION_TOKEN"))}
	return c.Reach(getenv), nil
}

// NewForTest returns a client that talks to endpoint (host:port) over HTTP with a dummy key.
func NewForTest(endpoint, region string) *Client {
	return &Client{Region: region, Endpoint: endpoint, cred: common.NewCredential("test-id", "test-key")}
}

// Call sends one action and decodes the Response object into out. API errors come back as
// *APIError so callers can tell "not found" from "denied".
func (c *Client) Call(ctx context.Context, service, version, action string, params, out any) error {
	cpf := profile.NewClientProfile()
	cpf.HttpProfile.ReqTimeout = 30
	if c.Endpoint != "" {
		cpf.HttpProfile.Endpoint = c.Endpoint
		cpf.HttpProfile.Scheme = "HTTP"
	} else {
		domain := c.Domain
		if domain == "" {
			domain = "tencentcloudapi.com"
		}
		if service == "billing" {
			cpf.HttpProfile.Endpoint = "billing." + domain // the bill is the account's, not a region's
		} else {
			// The regional access point: price queries answer for the region they are sent to.
			cpf.HttpProfile.Endpoint = service + "." + c.Region + "." + domain
		}
		if c.Scheme == "HTTP" {
			cpf.HttpProfile.Scheme = "HTTP"
		}
	}
	cpf.DisableRegionBreaker = true
	client := common.NewCommonClient(c.cred, c.Region, cpf)
	req := tchttp.NewCommonRequest(service, version, action)
	if err := req.SetActionParameters(params); err != nil {
		return fmt.Errorf("tencentapi: %s parameters: %w", action, err)
	}
	resp := tchttp.NewCommonResponse()
	done := make(chan error, 1)
	go func() { done <- client.Send(req, resp) }()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case err := <-done:
		if err != nil {
			var sdkErr *tcerr.TencentCloudSDKError
			if errors.As(err, &sdkErr) {
				return &APIError{Action: action, Code: sdkErr.Code, Message: sdkErr.Message, RequestID: sdkErr.RequestId}
			}
			return fmt.Errorf("tencentapi: %s: %w", action, err)
		}
	}
	var env struct{ Response json.RawMessage }
	if err := json.Unmarshal(resp.GetBody(), &env); err != nil {
		return fmt.Errorf("tencentapi: %s: bad response: %w", action, err)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(env.Response, out); err != nil {
		return fmt.Errorf("tencentapi: %s: bad response: %w", action, err)
	}
	return nil
}

// APIError is an error the API answered with.
type APIError struct {
	Action, Code, Message, RequestID string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("tencentapi: %s: %s: %s (request %s)", e.Action, e.Code, e.Message, e.RequestID)
}

// IsNotFound reports whether the API said the thing asked about does not exist.
func IsNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && strings.HasPrefix(e.Code, "ResourceNotFound")
}
