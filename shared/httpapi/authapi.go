package httpapi

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/auth"
)

// userView is how an account appears in responses.
type userView struct {
	ID          string `json:"id" doc:"Opaque user id" example:"1"`
	Username    string `json:"username" example:"admin"`
	DisplayName string `json:"display_name" example:"超级管理员"`
	Role        int    `json:"role" enum:"1,2,3,4,5,6" doc:"Role id: 1 super_admin, 2 admin, 3 operator, 4 expert, 5 reviewer, 6 viewer" example:"1"`
	RoleCode    string `json:"role_code" example:"super_admin"`
	Disabled    bool   `json:"disabled"`
	// MustChangePassword: an administrator set the password; the account may only change it.
	MustChangePassword bool      `json:"must_change_password" doc:"An administrator set the password: until it is changed, only auth.me, auth.password.change and auth.logout are allowed"`
	CreatedAt          time.Time `json:"created_at"`
}

func viewUser(u *appraisal.User) userView {
	return userView{ID: formatID(u.ID), Username: u.Username, DisplayName: u.DisplayName, Role: int(u.Role),
		RoleCode: u.Role.Code(), Disabled: u.Disabled, MustChangePassword: u.MustChangePassword, CreatedAt: u.CreatedAt.UTC()}
}

type tokensBody struct {
	AccessToken      string    `json:"access_token" doc:"A JWT to send as 'Authorization: Bearer …'"`
	TokenType        string    `json:"token_type" example:"Bearer"`
	ExpiresIn        int       `json:"expires_in" doc:"Seconds until the access token expires" example:"900"`
	ExpiresAt        time.Time `json:"expires_at" doc:"When the access token expires"`
	RefreshToken     string    `json:"refresh_token" doc:"Single-use: exchange it at /api/v1/auth/refresh for a new pair"`
	RefreshExpiresAt time.Time `json:"refresh_expires_at"`
	SessionID        string    `json:"session_id"`
	User             userView  `json:"user"`
}

type tokensOutput struct {
	CacheControl string `header:"Cache-Control" doc:"Always no-store: tokens must not be cached"`
	SetCookie    string `header:"Set-Cookie" doc:"On login: the session's device secret (HttpOnly, Secure, SameSite=Strict), which binds the refresh grace window to this browser"`
	Body         tokensBody
}

// DeviceCookie carries a session's device secret: set at login, sent back by the browser on every
// call to this origin (Path /), readable by no script (HttpOnly), never sent from another site
// (SameSite=Strict), and — by its __Host- prefix — only ever set by this host over a secure
// connection, with no Domain. Browsers count localhost as secure, so it works in development.
// It decides one thing: whether a spent refresh token presented within the grace window comes
// from the browser that logged in (auth.Service.Refresh).
const DeviceCookie = "__Host-jb_device"

func deviceCookie(secret string, maxAge time.Duration) string {
	c := http.Cookie{Name: DeviceCookie, Value: secret, Path: "/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode}
	return c.String()
}

func viewTokens(t *auth.Tokens) *tokensOutput {
	return &tokensOutput{CacheControl: "no-store", Body: tokensBody{
		AccessToken: t.AccessToken, TokenType: "Bearer", ExpiresAt: t.Claims.ExpiresAt.UTC(),
		ExpiresIn:    int(time.Until(t.Claims.ExpiresAt).Round(time.Second).Seconds()),
		RefreshToken: t.RefreshToken, RefreshExpiresAt: t.RefreshExpiresAt.UTC(), SessionID: t.SessionID, User: viewUser(t.User)}}
}

type loginInput struct {
	Body struct {
		Username string `json:"username" minLength:"1" maxLength:"64" doc:"Case and surrounding spaces are ignored" example:"admin"`
		Password string `json:"password" minLength:"1" maxLength:"128" example:"correct horse battery staple"`
	}
}

type refreshInput struct {
	Device string `cookie:"__Host-jb_device" doc:"The device secret the login set (browsers send it by themselves)"`
	Body   struct {
		RefreshToken string `json:"refresh_token" minLength:"1" maxLength:"128"`
	}
}

type meOutput struct {
	Body struct {
		User       userView `json:"user"`
		SessionID  string   `json:"session_id"`
		ExpertID   string   `json:"expert_id" doc:"The caller's expert profile; empty when none"`
		Operations []string `json:"operations" doc:"The operation ids the caller's role may call now: the same names as a role's operations and an order's allowed_actions"`
	}
}

type sessionView struct {
	ID         string    `json:"id"`
	Current    bool      `json:"current" doc:"The session of this request"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	IP         string    `json:"ip"`
	UserAgent  string    `json:"user_agent"`
}

type sessionsOutput struct {
	Body struct {
		Items []sessionView `json:"items"`
	}
}

type sessionIDInput struct {
	ID string `path:"id" maxLength:"64"`
}

type passwordInput struct {
	Body struct {
		CurrentPassword string `json:"current_password" minLength:"1" maxLength:"128"`
		NewPassword     string `json:"new_password" minLength:"10" maxLength:"128"`
	}
}

type loginAttemptView struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id" doc:"Empty when the username matched no account"`
	Username  string    `json:"username"`
	Success   bool      `json:"success"`
	Reason    string    `json:"reason" doc:"Why a login failed: unknown_user, bad_password, disabled, throttled"`
	IP        string    `json:"ip"`
	UserAgent string    `json:"user_agent"`
	At        time.Time `json:"at"`
}

func viewAttempt(a appraisal.LoginAttempt) loginAttemptView {
	return loginAttemptView{ID: formatID(a.ID), UserID: formatOptionalID(a.UserID), Username: a.Username, Success: a.Success,
		Reason: a.Reason, IP: a.IP, UserAgent: a.UserAgent, At: a.At.UTC()}
}

type ownLoginLogInput struct {
	ListParams
	TimeSort
}

type loginLogOutput struct {
	Body listBody[loginAttemptView]
}

var authTags = []string{"auth"}

// authRoutes is the group as a list of routes, one handler maker per operation.
func authRoutes(d *Deps) []route {
	return []route{authLogin(d), authRefresh(d), authLogout(d), authMe(d), authMeUpdate(d), authSessionsList(d), authSessionsRevoke(d), authPasswordChange(d), authLoginLogList(d), labelsGet(d)}
}

func authLogin(d *Deps) route {
	return handle(public(huma.Operation{
		OperationID: "auth.login", Method: http.MethodPost, Path: "/api/v1/auth/login", Tags: authTags,
		Summary: "Log in with username and password",
		Description: "Starts a session: a short-lived access token and a single-use refresh token. Every failure answers the same 401, whether the user exists or not. " +
			"Limits (429 with Retry-After) are aimed at the caller's address, never at the account alone: five failures lock that address out of that account for 15 minutes; " +
			"thirty attempts block the address; once an account has many failures, each failing address waits a doubling delay. " +
			"When too many passwords are being checked at once the answer is 503 auth.busy with Retry-After: retry then. " +
			"When user.must_change_password is true, change the password before anything else.",
		Errors: []int{http.StatusUnauthorized, http.StatusUnprocessableEntity, http.StatusTooManyRequests, http.StatusServiceUnavailable},
	}), func(ctx context.Context, in *loginInput) (*tokensOutput, error) {
		c := clientFrom(ctx)
		t, err := d.Auth.Login(ctx, in.Body.Username, in.Body.Password, auth.Meta{IP: c.IP, UserAgent: c.UserAgent})
		if err != nil {
			return nil, err
		}
		out := viewTokens(t)
		out.SetCookie = deviceCookie(t.Device, time.Until(t.RefreshExpiresAt))
		return out, nil
	})
}

func authRefresh(d *Deps) route {
	return handle(public(huma.Operation{
		OperationID: "auth.refresh", Method: http.MethodPost, Path: "/api/v1/auth/refresh", Tags: authTags,
		Summary: "Exchange a refresh token for a new token pair",
		Description: "The refresh token is spent. Presenting a spent one again revokes the whole session (reuse detection) — " +
			"except within 30 seconds of its first use, when both requests carried the device cookie the login set (two tabs of one browser): " +
			"then the second gets the same successor. Browsers send the cookie by themselves (cross-origin: fetch with credentials: \"include\"); " +
			"other clients have no grace and must refresh once for all their users of a session.",
		Errors: []int{http.StatusUnauthorized, http.StatusUnprocessableEntity},
	}), func(ctx context.Context, in *refreshInput) (*tokensOutput, error) {
		t, err := d.Auth.Refresh(ctx, in.Body.RefreshToken, in.Device)
		if err != nil {
			return nil, err
		}
		return viewTokens(t), nil
	})
}

func authLogout(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "auth.logout", Method: http.MethodPost, Path: "/api/v1/auth/logout", Tags: authTags,
		Summary: "End the current session", DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, _ *struct{}) (*struct{}, error) {
		return nil, d.Auth.Logout(ctx, principalFrom(ctx), actor(ctx))
	})
}

func authMe(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "auth.me", Method: http.MethodGet, Path: "/api/v1/auth/me", Tags: authTags,
		Summary: "The caller's account and permissions",
	}, func(ctx context.Context, _ *struct{}) (*meOutput, error) {
		p := principalFrom(ctx)
		u, perms, err := d.Auth.Me(ctx, p)
		if err != nil {
			return nil, err
		}
		out := &meOutput{}
		out.Body.User, out.Body.SessionID, out.Body.ExpertID = viewUser(u), p.SessionID, formatOptionalID(p.ExpertID)
		out.Body.Operations = perms
		return out, nil
	})
}

type profileInput struct {
	Body struct {
		DisplayName string `json:"display_name" minLength:"1" maxLength:"64" doc:"The name others see on timelines and lists"`
	}
}

func authMeUpdate(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "auth.me.update", Method: http.MethodPatch, Path: "/api/v1/auth/me", Tags: authTags,
		Summary: "Change the caller's own display name", Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *profileInput) (*userOutput, error) {
		u, err := d.Auth.UpdateProfile(ctx, principalFrom(ctx), in.Body.DisplayName, actor(ctx))
		if err != nil {
			return nil, err
		}
		return &userOutput{Body: viewUser(u)}, nil
	})
}

func authSessionsList(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "auth.sessions.list", Method: http.MethodGet, Path: "/api/v1/auth/sessions", Tags: authTags,
		Summary: "The caller's active sessions",
	}, func(ctx context.Context, _ *struct{}) (*sessionsOutput, error) {
		p := principalFrom(ctx)
		ss, err := d.Auth.OwnSessions(ctx, p)
		if err != nil {
			return nil, err
		}
		out := &sessionsOutput{}
		out.Body.Items = []sessionView{}
		for _, s := range ss {
			out.Body.Items = append(out.Body.Items, sessionView{ID: s.ID, Current: s.ID == p.SessionID, CreatedAt: s.CreatedAt.UTC(),
				LastUsedAt: s.LastUsedAt.UTC(), ExpiresAt: s.ExpiresAt.UTC(), IP: s.IP, UserAgent: s.UserAgent})
		}
		return out, nil
	})
}

func authSessionsRevoke(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "auth.sessions.revoke", Method: http.MethodDelete, Path: "/api/v1/auth/sessions/{id}", Tags: authTags,
		Summary: "End one of the caller's sessions", DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *sessionIDInput) (*struct{}, error) {
		return nil, d.Auth.RevokeSession(ctx, principalFrom(ctx), in.ID, actor(ctx))
	})
}

func authPasswordChange(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "auth.password.change", Method: http.MethodPost, Path: "/api/v1/auth/password", Tags: authTags,
		Summary: "Change the caller's password", Description: "Ends every other session of the account.",
		DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *passwordInput) (*struct{}, error) {
		return nil, d.Auth.ChangePassword(ctx, principalFrom(ctx), in.Body.CurrentPassword, in.Body.NewPassword, actor(ctx))
	})
}

func authLoginLogList(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "auth.login_log.list", Method: http.MethodGet, Path: "/api/v1/auth/login-log", Tags: authTags,
		Summary: "The caller's own login history",
	}, func(ctx context.Context, in *ownLoginLogInput) (*loginLogOutput, error) {
		pg, err := in.page()
		if err != nil {
			return nil, err
		}
		rows, total, err := d.Auth.OwnLoginHistory(ctx, principalFrom(ctx), pg, in.oldest())
		if err != nil {
			return nil, err
		}
		return &loginLogOutput{Body: newList(mapSlice(rows, viewAttempt), total, pg)}, nil
	})
}

func mapSlice[T, U any](in []T, f func(T) U) []U {
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// client is who sent the request, for the login log and the audit log.
type client struct {
	IP        string
	UserAgent string
	Lang      lang // the language of messages in responses (Accept-Language)
}

type clientKey struct{}

func clientFrom(ctx context.Context) client {
	c, _ := ctx.Value(clientKey{}).(client)
	return c
}

func withClient(r *http.Request, trusted []netip.Prefix) *http.Request {
	c := client{IP: ClientIP(r, trusted), UserAgent: r.UserAgent(), Lang: langOf(r.Header.Get("Accept-Language"))}
	return r.WithContext(context.WithValue(r.Context(), clientKey{}, c))
}

// ClientIP is the address a request came from. The TCP peer (on SCF: the gateway's source
// address) is the client unless it is a trusted proxy; then X-Forwarded-For is read from the
// right, skipping trusted proxies, and the first address that is not one is the client. Entries
// left of it were written by the client itself and are never believed.
func ClientIP(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !isTrusted(peer.Unmap(), trusted) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a garbled hop: stop at the last address we could trust
		}
		a = a.Unmap()
		if !isTrusted(a, trusted) {
			return a.String()
		}
		peer = a
	}
	return peer.String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
