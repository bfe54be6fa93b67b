package auth

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/jianbao/admin/shared/appraisal"
)

// The administration of accounts and roles: who may create and change which accounts, and what
// a role's permission table may hold. The admin API group's handlers only translate to these.

// ListUsers lists accounts.
func (s *Service) ListUsers(ctx context.Context, f appraisal.UserFilter) ([]appraisal.User, int, error) {
	return s.Users.ListUsers(ctx, f)
}

// User reads one account.
func (s *Service) User(ctx context.Context, id int64) (*appraisal.User, error) {
	return s.Users.UserByID(ctx, id)
}

// NewUser is an account to create.
type NewUser struct {
	Username, DisplayName, Password string
	Role                            appraisal.RoleID
}

// CreateUser creates an account; only a super admin may create a super admin.
func (s *Service) CreateUser(ctx context.Context, actor *appraisal.Principal, in NewUser, a appraisal.AuditEntry) (*appraisal.User, error) {
	if err := CanManage(actor, in.Role); err != nil {
		return nil, err
	}
	hash, err := s.HashPassword(ctx, "password", in.Password)
	if err != nil {
		return nil, err
	}
	u := &appraisal.User{Username: in.Username, DisplayName: in.DisplayName, PasswordHash: hash, Role: in.Role}
	if err := s.Users.CreateUser(ctx, u, a); err != nil {
		if appraisal.IsKind(err, appraisal.KindConflict) {
			return nil, appraisal.E(appraisal.KindConflict, "user.username_taken", "the username is taken")
		}
		return nil, err
	}
	return u, nil
}

// UserPatch changes what is set.
type UserPatch struct {
	DisplayName *string
	Role        *appraisal.RoleID
	Disabled    *bool
}

// UpdateUser changes an account's name, role or status. Nobody changes their own role or
// disables themselves; disabling ends every session of the account.
func (s *Service) UpdateUser(ctx context.Context, actor *appraisal.Principal, id int64, patch UserPatch, a appraisal.AuditEntry) (*appraisal.User, error) {
	u, err := s.Users.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := CanManage(actor, u.Role); err != nil {
		return nil, err
	}
	if patch.DisplayName != nil {
		u.DisplayName = *patch.DisplayName
	}
	if patch.Role != nil {
		if err := CanManage(actor, *patch.Role); err != nil {
			return nil, err
		}
		if id == actor.UserID && *patch.Role != u.Role {
			return nil, appraisal.E(appraisal.KindConflict, "user.cannot_change_own_role", "nobody changes their own role")
		}
		u.Role = *patch.Role
	}
	disabling := false
	if patch.Disabled != nil {
		if id == actor.UserID && *patch.Disabled {
			return nil, appraisal.E(appraisal.KindConflict, "user.cannot_disable_self", "nobody disables their own account")
		}
		disabling = *patch.Disabled && !u.Disabled
		u.Disabled = *patch.Disabled
	}
	if err := s.Users.UpdateUser(ctx, u, a); err != nil {
		return nil, err
	}
	if disabling {
		if _, err := s.Sessions.RevokeUserSessions(ctx, id, "", "account_disabled", a.For("admin.users.force_logout", "user", strconv.FormatInt(id, 10))); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// UpdateProfile changes the caller's own display name (their role and status are an
// administrator's to change).
func (s *Service) UpdateProfile(ctx context.Context, p *appraisal.Principal, displayName string, a appraisal.AuditEntry) (*appraisal.User, error) {
	u, err := s.Users.UserByID(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(displayName)
	if name == "" {
		return nil, appraisal.Invalid(appraisal.FieldError{Field: "display_name", Code: "required", Message: "a name to show"})
	}
	u.DisplayName = name
	if err := s.Users.UpdateUser(ctx, u, a.For("auth.me.update", "user", formatID(u.ID))); err != nil {
		return nil, err
	}
	return u, nil
}

// Operations are every operation and capability the permission table may grant.
func Operations() []string {
	ops := make([]string, 0, len(appraisal.DefaultPolicy))
	for op := range appraisal.DefaultPolicy {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	return ops
}

// RolePermissions returns role → operations.
func (s *Service) RolePermissions(ctx context.Context) (map[appraisal.RoleID][]string, error) {
	return s.Permissions.Permissions(ctx)
}

// ErrNoSuchRole is a role id that is not one of appraisal.Roles.
var ErrNoSuchRole = appraisal.E(appraisal.KindNotFound, "not_found", "no such role")

// SetRolePermissions replaces a role's operations (deduplicated, sorted). The super admin role
// cannot be edited, so nobody can lock the administrators out; an unknown operation is refused.
func (s *Service) SetRolePermissions(ctx context.Context, role appraisal.RoleID, operations []string, a appraisal.AuditEntry) ([]string, error) {
	if !role.Valid() {
		return nil, ErrNoSuchRole
	}
	if role == appraisal.RoleSuperAdmin {
		return nil, appraisal.E(appraisal.KindConflict, "role.super_admin_fixed", "the super admin role's permissions cannot be changed")
	}
	seen := map[string]bool{}
	ops := []string{}
	for i, op := range operations {
		if _, known := appraisal.DefaultPolicy[op]; !known {
			return nil, appraisal.Invalid(appraisal.FieldError{Field: "operations[" + strconv.Itoa(i) + "]", Code: "unknown_operation", Message: "no such operation: " + op})
		}
		if !seen[op] {
			seen[op] = true
			ops = append(ops, op)
		}
	}
	sort.Strings(ops)
	return ops, s.Permissions.SetPermissions(ctx, role, ops, a)
}

// LoginHistory lists login attempts.
func (s *Service) LoginHistory(ctx context.Context, f appraisal.LoginFilter) ([]appraisal.LoginAttempt, int, error) {
	return s.LoginLog.LoginAttempts(ctx, f)
}

// Me is the caller's account with its role's operations.
func (s *Service) Me(ctx context.Context, p *appraisal.Principal) (*appraisal.User, []string, error) {
	u, err := s.Users.UserByID(ctx, p.UserID)
	if err != nil {
		return nil, nil, err
	}
	perms, err := s.Permissions.Permissions(ctx)
	if err != nil {
		return nil, nil, err
	}
	return u, append([]string{}, perms[p.Role]...), nil
}

// OwnSessions lists the caller's active sessions.
func (s *Service) OwnSessions(ctx context.Context, p *appraisal.Principal) ([]appraisal.Session, error) {
	return s.Sessions.SessionsOf(ctx, p.UserID, s.now())
}

// OwnLoginHistory lists the caller's own login attempts.
func (s *Service) OwnLoginHistory(ctx context.Context, p *appraisal.Principal, pg appraisal.Page, oldest bool) ([]appraisal.LoginAttempt, int, error) {
	return s.LoginLog.LoginAttempts(ctx, appraisal.LoginFilter{UserID: p.UserID, Oldest: oldest, Page: pg})
}
