package appraisal

import (
	"context"
	"strings"
	"time"
)

// RoleID identifies a role. Roles are referred to by these immutable ids, never by name, so that a
// renamed role keeps its permissions.
type RoleID int

const (
	RoleSuperAdmin RoleID = 1
	RoleAdmin      RoleID = 2
	RoleOperator   RoleID = 3 // 客服/运营
	RoleExpert     RoleID = 4 // 鉴定师
	RoleReviewer   RoleID = 5 // 复核
	RoleViewer     RoleID = 6
)

// User is an admin console account.
type User struct {
	ID           int64
	Username     string // normalised: see NormalizeUsername
	DisplayName  string
	PasswordHash string
	Role         RoleID
	Disabled     bool
	// MustChangePassword: an administrator set the password; until the user changes it, the
	// account may do nothing but that (auth.Service.Authorize).
	MustChangePassword bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// NormalizeUsername trims and lower-cases a username. Uniqueness is enforced on the normalised form
// in Go because the embedded SQL engine's unique indexes are case-sensitive whatever the collation.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// UserFilter selects accounts.
type UserFilter struct {
	Role     RoleID
	Disabled *bool
	Keyword  string
	Sort     string // one of ListSorts (name sorts by username); default created_at
	Page
}

// UserStore keeps admin accounts.
type UserStore interface {
	// CreateUser inserts u and sets its ID and timestamps. A taken username is KindConflict.
	CreateUser(ctx context.Context, u *User, a AuditEntry) error
	// UserByUsername finds an account by its normalised username; none is KindNotFound.
	UserByUsername(ctx context.Context, username string) (*User, error)
	UserByID(ctx context.Context, id int64) (*User, error)
	ListUsers(ctx context.Context, f UserFilter) ([]User, int, error)
	// UpdateUser saves display name, role and disabled.
	UpdateUser(ctx context.Context, u *User, a AuditEntry) error
	// SetPassword replaces the password hash; mustChange makes the next login change it.
	SetPassword(ctx context.Context, id int64, hash string, mustChange bool, a AuditEntry) error
	// CountUsers counts all accounts, disabled ones included.
	CountUsers(ctx context.Context) (int, error)
}

// LoginAttempt is one row of the login log.
// Why a login failed, as the login log records it: a closed set, each worded for the console.
const (
	LoginUnknownUser = "unknown_user"
	LoginBadPassword = "bad_password"
	LoginDisabled    = "disabled"
	LoginThrottled   = "throttled"
)

// LoginReasons lists every reason a failed login is recorded with.
var LoginReasons = []string{LoginUnknownUser, LoginBadPassword, LoginDisabled, LoginThrottled}

type LoginAttempt struct {
	ID        int64
	UserID    int64 // 0 when the username matched no account
	Username  string
	Success   bool
	Reason    string
	IP        string
	UserAgent string
	At        time.Time
}

// LoginFilter selects login log rows.
type LoginFilter struct {
	UserID   int64
	Username string
	Success  *bool
	From, To time.Time
	Oldest   bool // oldest first; newest first otherwise
	Page
}

// LoginLog records login attempts.
type LoginLog interface {
	RecordLogin(ctx context.Context, a LoginAttempt) error
	LoginAttempts(ctx context.Context, f LoginFilter) ([]LoginAttempt, int, error)
	// KnownPairs lists the (username, address) pairs with a successful login since since, at
	// most limit of them, the most recent first: the durable record of where staff log in from.
	KnownPairs(ctx context.Context, since time.Time, limit int) ([]LoginPair, error)
}

// LoginPair is an account's username and an address it logged in from.
type LoginPair struct {
	Username, IP string
}
