package appraisal

import "context"

// Roles lists every role, by id.
var Roles = []RoleID{RoleSuperAdmin, RoleAdmin, RoleOperator, RoleExpert, RoleReviewer, RoleViewer}

// RoleCode is a role's stable code, for display and logs; permissions never key on it.
func (r RoleID) Code() string {
	switch r {
	case RoleSuperAdmin:
		return "super_admin"
	case RoleAdmin:
		return "admin"
	case RoleOperator:
		return "operator"
	case RoleExpert:
		return "expert"
	case RoleReviewer:
		return "reviewer"
	case RoleViewer:
		return "viewer"
	}
	return "unknown"
}

// Valid reports whether r is a known role.
func (r RoleID) Valid() bool { return r >= RoleSuperAdmin && r <= RoleViewer }

// Capabilities are permissions that are not routes: things a route does more of for some roles.
const (
	CapViewCustomerPhone = "customers.phone.view" // see phone numbers unmasked
	CapSeeAllOrders      = "orders.see_all"       // see orders not assigned to oneself
	// CapSeeInternalNotes: read the internal notes of experts' opinions. The note is what an expert
	// writes for the company, not the customer (doubts, comparisons, what to watch for): the
	// managers and the reviewers who judge the opinion read it, its author always does, and roles
	// that face customers or only look (operators, viewers) do not.
	CapSeeInternalNotes = "opinions.internal_note.view"
)

// Capabilities lists every capability: the per-request grant loads the ones the caller's role
// holds, so a capability missing here would never be granted.
var Capabilities = []string{CapViewCustomerPhone, CapSeeAllOrders, CapEditFrozenMedia, CapSeeInternalNotes}

var (
	everyone = Roles
	managers = []RoleID{RoleSuperAdmin, RoleAdmin}
	office   = []RoleID{RoleSuperAdmin, RoleAdmin, RoleOperator}
	readers  = []RoleID{RoleSuperAdmin, RoleAdmin, RoleOperator, RoleReviewer, RoleViewer}
)

// DefaultPolicy is the permission table a new database starts with: operation → roles allowed.
// Every route's operation must have an entry (a test checks it); super admins may change the
// table at run time, and a change applies on the next request everywhere because the check reads
// the database on every request.
//
// Seeding adds an operation's default rules only the first time that operation is seen, so an
// administrator's later removal of a rule is not undone by the next deploy.
var DefaultPolicy = map[string][]RoleID{
	// accounts
	"auth.logout":          everyone,
	"auth.me":              everyone,
	"auth.me.update":       everyone,
	"auth.sessions.list":   everyone,
	"auth.sessions.revoke": everyone,
	"auth.password.change": everyone,
	"auth.login_log.list":  everyone,
	// administration
	"admin.users.list":               managers,
	"admin.users.create":             managers,
	"admin.users.get":                managers,
	"admin.users.update":             managers,
	"admin.users.force_logout":       managers,
	"admin.users.unlock":             managers,
	"admin.settings.get":             managers,
	"admin.settings.update":          managers,
	"admin.users.password.reset":     managers,
	"admin.roles.list":               managers,
	"admin.roles.update_permissions": {RoleSuperAdmin},
	"admin.login_logs.list":          managers,
	// catalog
	"categories.list":    everyone,
	"categories.create":  managers,
	"categories.update":  managers,
	"customers.list":     {RoleSuperAdmin, RoleAdmin, RoleOperator, RoleViewer},
	"customers.get":      {RoleSuperAdmin, RoleAdmin, RoleOperator, RoleViewer},
	"customers.create":   office,
	"customers.update":   office,
	"customers.delete":   office,
	"customers.merge":    office,
	"customers.block":    office,
	"customers.unblock":  office,
	CapViewCustomerPhone: office,
	"items.list":         {RoleSuperAdmin, RoleAdmin, RoleOperator, RoleViewer},
	"items.get":          {RoleSuperAdmin, RoleAdmin, RoleOperator, RoleViewer},
	"items.create":       office,
	"items.update":       office,
	"items.delete":       office,
	"items.merge":        office,
	"products.list":      everyone,
	"products.create":    managers,
	"products.update":    managers,
	"experts.list":       readers,
	"experts.create":     managers,
	"experts.update":     managers,
	// orders
	"orders.list":           everyone,
	"orders.export":         readers,
	"orders.get":            everyone,
	CapSeeAllOrders:         readers,
	"orders.create":         office,
	"orders.triage":         office,
	"orders.request_info":   office,
	"orders.provide_info":   office,
	"orders.accept":         office,
	"orders.reject":         office,
	"orders.cancel":         office,
	"orders.assign":         office,
	"orders.suggest_expert": office,
	"orders.start":          {RoleSuperAdmin, RoleExpert},
	"orders.submit_opinion": {RoleSuperAdmin, RoleExpert},
	"orders.review":         {RoleSuperAdmin, RoleReviewer},
	CapSeeInternalNotes:     {RoleSuperAdmin, RoleAdmin, RoleReviewer},
	"orders.dispute":        office,
	"certificates.issue":    office,
	"certificates.revoke":   managers,
	"certificates.get":      readers,
	"certificates.list":     readers,
	"certificates.print":    readers,
	"certificates.qr":       readers,
	"dashboard.get":         readers,
	// media
	"media.uploads.create":   {RoleSuperAdmin, RoleAdmin, RoleOperator, RoleExpert},
	"media.uploads.complete": {RoleSuperAdmin, RoleAdmin, RoleOperator, RoleExpert},
	"media.list":             everyone,
	"media.get":              everyone,
	"media.original":         []RoleID{RoleSuperAdmin, RoleAdmin, RoleOperator, RoleExpert, RoleReviewer},
	"media.troubled.list":    office,
	"media.delete":           office,
	"media.reprocess":        office,
	CapEditFrozenMedia:       managers,
	"audit.list":             managers,
}

// PermissionStore keeps the live permission table.
type PermissionStore interface {
	// SeedPermissions adds the default rules of operations never seeded before.
	SeedPermissions(ctx context.Context, policy map[string][]RoleID) (added int, err error)
	// Permissions returns role → operations.
	Permissions(ctx context.Context) (map[RoleID][]string, error)
	// SetPermissions replaces one role's operations.
	SetPermissions(ctx context.Context, role RoleID, operations []string, a AuditEntry) error
	// Can reports whether role holds operation now.
	Can(ctx context.Context, role RoleID, operation string) (bool, error)
}
