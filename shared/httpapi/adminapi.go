package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/auth"
	"github.com/jianbao/admin/shared/settings"
)

type usersInput struct {
	ListParams
	ListSort
	Role     int    `query:"role" minimum:"0" maximum:"6" doc:"Only this role id"`
	Disabled string `query:"disabled" enum:"true,false," doc:"Only disabled (true) or enabled (false) accounts"`
	Q        string `query:"q" maxLength:"64" doc:"Substring of username or display name"`
}

type usersOutput struct {
	Body listBody[userView]
}

type userOutput struct {
	Body userView
}

type idInput struct {
	ID string `path:"id" maxLength:"20" doc:"Opaque id"`
}

type createUserInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"64" doc:"Retrying with the same key returns the first result"`
	Body           struct {
		Username    string `json:"username" minLength:"2" maxLength:"64" pattern:"^[A-Za-z0-9_.-]+$" example:"zhangsan"`
		DisplayName string `json:"display_name,omitempty" maxLength:"64" example:"张三"`
		Password    string `json:"password" minLength:"10" maxLength:"128"`
		Role        int    `json:"role" enum:"1,2,3,4,5,6" example:"3"`
	}
}

type updateUserInput struct {
	ID   string `path:"id" maxLength:"20"`
	Body struct {
		DisplayName *string `json:"display_name,omitempty" maxLength:"64"`
		Role        *int    `json:"role,omitempty" enum:"1,2,3,4,5,6"`
		Disabled    *bool   `json:"disabled,omitempty" doc:"Disabling ends every session of the account"`
	}
}

type forceLogoutOutput struct {
	Body struct {
		Revoked int `json:"revoked" doc:"How many sessions were ended"`
	}
}

type roleView struct {
	ID         int      `json:"id"`
	Code       string   `json:"code"`
	Operations []string `json:"operations" doc:"The operation ids the role holds"`
}

type rolesOutput struct {
	Body struct {
		Items      []roleView `json:"items"`
		Operations []string   `json:"operations" doc:"Every operation a role can be granted"`
	}
}

type setPermissionsInput struct {
	ID   string `path:"id" maxLength:"2"`
	Body struct {
		Operations []string `json:"operations" maxItems:"200"`
	}
}

type roleOutput struct {
	Body roleView
}

type loginLogsInput struct {
	ListParams
	TimeSort
	UserID   string `query:"user_id" maxLength:"20"`
	Username string `query:"username" maxLength:"64"`
	Success  string `query:"success" enum:"true,false,"`
	From     string `query:"from" doc:"RFC 3339 time or YYYY-MM-DD (Asia/Shanghai)"`
	To       string `query:"to" doc:"RFC 3339 time or YYYY-MM-DD (Asia/Shanghai), exclusive"`
}

func optionalBool(s string) *bool {
	switch s {
	case "true":
		b := true
		return &b
	case "false":
		b := false
		return &b
	}
	return nil
}

var adminTags = []string{"admin"}

// adminRoutes is the group as a list of routes, one handler maker per operation.
func adminRoutes(d *Deps) []route {
	return []route{adminUsersList(d), adminUsersCreate(d), adminUsersGet(d), adminUsersUpdate(d), adminUsersForceLogout(d), adminUsersUnlock(d), adminUsersPasswordReset(d), adminSettingsGet(d), adminSettingsUpdate(d), adminRolesList(d), adminRolesUpdatePermissions(d), adminLoginLogsList(d)}
}

func adminUsersList(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "admin.users.list", Method: http.MethodGet, Path: "/api/v1/admin/users", Tags: adminTags, Summary: "List accounts",
	}, func(ctx context.Context, in *usersInput) (*usersOutput, error) {
		pg, err := in.page()
		if err != nil {
			return nil, err
		}
		us, total, err := d.Auth.ListUsers(ctx, appraisal.UserFilter{Role: appraisal.RoleID(in.Role), Disabled: optionalBool(in.Disabled), Keyword: in.Q, Sort: in.Sort, Page: pg})
		if err != nil {
			return nil, err
		}
		return &usersOutput{Body: newList(mapSlice(us, func(u appraisal.User) userView { return viewUser(&u) }), total, pg)}, nil
	})
}

func adminUsersCreate(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "admin.users.create", Method: http.MethodPost, Path: "/api/v1/admin/users", Tags: adminTags,
		Summary: "Create an account", DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *createUserInput) (*userOutput, error) {
		return idempotent(ctx, d, in.IdempotencyKey, "admin.users.create", in.Body, func() (*userOutput, error) {
			u, err := d.Auth.CreateUser(ctx, principalFrom(ctx), auth.NewUser{Username: in.Body.Username, DisplayName: in.Body.DisplayName,
				Password: in.Body.Password, Role: appraisal.RoleID(in.Body.Role)}, actor(ctx).For("admin.users.create", "user", ""))
			if err != nil {
				return nil, err
			}
			return &userOutput{Body: viewUser(u)}, nil
		})
	})
}

func adminUsersGet(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "admin.users.get", Method: http.MethodGet, Path: "/api/v1/admin/users/{id}", Tags: adminTags,
		Summary: "Get an account", Errors: []int{http.StatusNotFound},
	}, byID(d.Auth.User, func(u *appraisal.User) *userOutput { return &userOutput{Body: viewUser(u)} }))
}

func adminUsersUpdate(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "admin.users.update", Method: http.MethodPatch, Path: "/api/v1/admin/users/{id}", Tags: adminTags,
		Summary: "Change an account's name, role or status", Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *updateUserInput) (*userOutput, error) {
		id, err := parseID(in.ID)
		if err != nil {
			return nil, err
		}
		patch := auth.UserPatch{DisplayName: in.Body.DisplayName, Disabled: in.Body.Disabled}
		if in.Body.Role != nil {
			role := appraisal.RoleID(*in.Body.Role)
			patch.Role = &role
		}
		u, err := d.Auth.UpdateUser(ctx, principalFrom(ctx), id, patch, actor(ctx).For("admin.users.update", "user", ""))
		if err != nil {
			return nil, err
		}
		return &userOutput{Body: viewUser(u)}, nil
	})
}

func adminUsersForceLogout(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "admin.users.force_logout", Method: http.MethodPost, Path: "/api/v1/admin/users/{id}/force-logout", Tags: adminTags,
		Summary: "End every session of an account", Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *idInput) (*forceLogoutOutput, error) {
		id, err := parseID(in.ID)
		if err != nil {
			return nil, err
		}
		n, err := d.Auth.ForceLogout(ctx, principalFrom(ctx), id, actor(ctx))
		if err != nil {
			return nil, err
		}
		out := &forceLogoutOutput{}
		out.Body.Revoked = n
		return out, nil
	})
}

func adminUsersUnlock(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "admin.users.unlock", Method: http.MethodPost, Path: "/api/v1/admin/users/{id}/unlock", Tags: adminTags,
		Summary:       "Clear an account's login lockout",
		Description:   "Clears the account's failure counts and every address's lockout on it (the address-wide limits stay). Audited.",
		DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusNotFound, http.StatusForbidden},
	}, func(ctx context.Context, in *idInput) (*struct{}, error) {
		id, err := parseID(in.ID)
		if err != nil {
			return nil, err
		}
		return nil, d.Auth.Unlock(ctx, principalFrom(ctx), id, actor(ctx))
	})
}

type passwordResetInput struct {
	ID   string `path:"id" maxLength:"20"`
	Body struct {
		NewPassword string `json:"new_password" minLength:"10" maxLength:"128" doc:"A temporary password to give the user; they must change it at their next login"`
	}
}

func adminUsersPasswordReset(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "admin.users.password.reset", Method: http.MethodPost, Path: "/api/v1/admin/users/{id}/password", Tags: adminTags,
		Summary: "Set a user's password (forgotten or leaked)",
		Description: "Ends every session of the account and clears its lockout. Until the user changes the password, " +
			"the account may only call auth.me, auth.password.change and auth.logout (403 auth.password_change_required otherwise). " +
			"Only a super admin resets a super admin; nobody resets their own password here.",
		DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusNotFound, http.StatusForbidden, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *passwordResetInput) (*struct{}, error) {
		id, err := parseID(in.ID)
		if err != nil {
			return nil, err
		}
		return nil, d.Auth.ResetPassword(ctx, principalFrom(ctx), id, in.Body.NewPassword, actor(ctx))
	})
}

type settingView struct {
	Key    string `json:"key" example:"review.sample_rate"`
	Value  string `json:"value" doc:"The value in force: the stored one, or the environment's default" example:"0.1"`
	Stored bool   `json:"stored" doc:"True when an administrator set it; false: the environment's default"`
	Doc    string `json:"doc"`
}

type settingsOutput struct {
	Body struct {
		Items []settingView `json:"items"`
	}
}

type settingsInput struct {
	Body struct {
		Values map[string]string `json:"values" doc:"Key → value; each key one of GET's, each value as its doc says"`
	}
}

// settingsOut lists every setting with the value in force.
func settingsOut(list []settings.Setting, err error) (*settingsOutput, error) {
	if err != nil {
		return nil, err
	}
	out := &settingsOutput{}
	out.Body.Items = mapSlice(list, func(s settings.Setting) settingView {
		return settingView{Key: s.Spec.Key, Value: s.Value, Stored: s.Stored, Doc: s.Spec.Doc}
	})
	return out, nil
}

func adminSettingsGet(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "admin.settings.get", Method: http.MethodGet, Path: "/api/v1/admin/settings", Tags: adminTags,
		Summary: "Run-time settings (review threshold and sample rate), with the values in force",
	}, func(ctx context.Context, _ *struct{}) (*settingsOutput, error) {
		return settingsOut(d.Settings.List(ctx))
	})
}

func adminSettingsUpdate(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "admin.settings.update", Method: http.MethodPatch, Path: "/api/v1/admin/settings", Tags: adminTags,
		Summary: "Change run-time settings", Description: "Applies to the next opinion submitted. Audited with the values before and after.",
		Errors: []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *settingsInput) (*settingsOutput, error) {
		return settingsOut(d.Settings.Update(ctx, in.Body.Values, actor(ctx).For("admin.settings.update", "settings", "")))
	})
}

func adminRolesList(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "admin.roles.list", Method: http.MethodGet, Path: "/api/v1/admin/roles", Tags: adminTags,
		Summary: "Roles and their permissions",
	}, func(ctx context.Context, _ *struct{}) (*rolesOutput, error) {
		perms, err := d.Auth.RolePermissions(ctx)
		if err != nil {
			return nil, err
		}
		out := &rolesOutput{}
		for _, r := range appraisal.Roles {
			out.Body.Items = append(out.Body.Items, roleView{ID: int(r), Code: r.Code(), Operations: append([]string{}, perms[r]...)})
		}
		out.Body.Operations = auth.Operations()
		return out, nil
	})
}

func adminRolesUpdatePermissions(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "admin.roles.update_permissions", Method: http.MethodPut, Path: "/api/v1/admin/roles/{id}/permissions", Tags: adminTags,
		Summary:     "Replace a role's permissions",
		Description: "Applies on the next request of every instance. The super admin role cannot be edited, so nobody can lock the administrators out.",
		Errors:      []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *setPermissionsInput) (*roleOutput, error) {
		id, err := parseID(in.ID)
		if err != nil {
			return nil, errNotFound
		}
		role := appraisal.RoleID(id)
		ops, err := d.Auth.SetRolePermissions(ctx, role, in.Body.Operations, actor(ctx).For("admin.roles.update_permissions", "role", formatID(id)))
		if err != nil {
			return nil, err
		}
		return &roleOutput{Body: roleView{ID: int(role), Code: role.Code(), Operations: ops}}, nil
	})
}

func adminLoginLogsList(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "admin.login_logs.list", Method: http.MethodGet, Path: "/api/v1/admin/login-logs", Tags: adminTags,
		Summary: "Everyone's login history",
	}, func(ctx context.Context, in *loginLogsInput) (*loginLogOutput, error) {
		pg, err := in.page()
		if err != nil {
			return nil, err
		}
		uid, err := parseOptionalID("user_id", in.UserID)
		if err != nil {
			return nil, err
		}
		from, err := parseTime("from", in.From)
		if err != nil {
			return nil, err
		}
		to, err := parseTime("to", in.To)
		if err != nil {
			return nil, err
		}
		rows, total, err := d.Auth.LoginHistory(ctx, appraisal.LoginFilter{UserID: uid, Username: in.Username, Oldest: in.oldest(),
			Success: optionalBool(in.Success), From: from, To: to, Page: pg})
		if err != nil {
			return nil, err
		}
		return &loginLogOutput{Body: newList(mapSlice(rows, viewAttempt), total, pg)}, nil
	})
}
