package httpapi

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jianbao/admin/shared/auth"
)

type loginInput struct {
	Body struct {
		Username string `json:"username" minLength:"1" maxLength:"64" doc:"Case and surrounding spaces are ignored" example:"admin"`
		Password string `json:"password" minLength:"1" maxLength:"128" example:"correct horse battery staple"`
	}
}

type loginOutput struct {
	CacheControl string `header:"Cache-Control" doc:"Always no-store: tokens must not be cached"`
	Body         struct {
		AccessToken string    `json:"access_token" doc:"A JWT to send as 'Authorization: Bearer …'"`
		TokenType   string    `json:"token_type" example:"Bearer"`
		ExpiresIn   int       `json:"expires_in" doc:"Seconds until the access token expires" example:"900"`
		ExpiresAt   time.Time `json:"expires_at" doc:"When the access token expires (UTC)"`
		User        userView  `json:"user"`
	}
}

func registerAuth(api huma.API, d *Deps) {
	huma.Register(api, huma.Operation{
		OperationID: "login", Method: http.MethodPost, Path: "/api/v1/auth/login", Tags: []string{"auth"},
		Summary:     "Log in with username and password",
		Description: "Returns a short-lived access token. Every failure answers the same 401, whether the user exists or not.",
		Errors:      []int{http.StatusUnauthorized, http.StatusUnprocessableEntity, http.StatusTooManyRequests},
	}, handleLogin(d.Auth))
}

func handleLogin(svc *auth.Service) func(context.Context, *loginInput) (*loginOutput, error) {
	return func(ctx context.Context, in *loginInput) (*loginOutput, error) {
		c := clientFrom(ctx)
		s, err := svc.Login(ctx, in.Body.Username, in.Body.Password, auth.Meta{IP: c.IP, UserAgent: c.UserAgent})
		if err != nil {
			return nil, err
		}
		out := &loginOutput{CacheControl: "no-store"}
		out.Body.AccessToken = s.AccessToken
		out.Body.TokenType = "Bearer"
		out.Body.ExpiresAt = s.Claims.ExpiresAt.UTC()
		out.Body.ExpiresIn = int(time.Until(s.Claims.ExpiresAt).Round(time.Second).Seconds())
		out.Body.User = viewUser(s.User)
		return out, nil
	}
}

// client is who sent the request, for the login log and the audit log.
type client struct {
	IP        string
	UserAgent string
}

type clientKey struct{}

func clientFrom(ctx context.Context) client {
	c, _ := ctx.Value(clientKey{}).(client)
	return c
}

func withClient(r *http.Request) *http.Request {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	return r.WithContext(context.WithValue(r.Context(), clientKey{}, client{IP: ip, UserAgent: r.UserAgent()}))
}
