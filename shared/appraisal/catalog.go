package appraisal

import (
	"context"
	"strings"
	"time"
)

// Category is a node of the category tree (瓷器 › 青花瓷 …).
type Category struct {
	ID        int64
	ParentID  int64 // 0 for a root
	Code      string
	Name      string
	Sort      int
	Disabled  bool // kept for what uses it, offered for nothing new
	CreatedAt time.Time
}

// Customer is someone who sends items in. The phone number is kept encrypted; Phone is filled
// only for callers allowed to see it.
type Customer struct {
	ID            int64
	Name          string
	Phone         string // plaintext, only when decrypted for an allowed caller
	PhoneMasked   string // 138****5678
	Note          string
	Blocked       bool
	BlockedReason string
	Version       int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// NormalizePhone gives a phone number its one canonical form, so the same number however typed
// matches: separators go, a 00 prefix becomes +, and a mainland mobile number (11 digits starting
// with 1) gets its country code whatever way it was written — 13900001111, 139-0000-1111,
// +86 139 0000 1111, 0086 13900001111 and 86 13900001111 are all +8613900001111. Other numbers
// keep their digits (and a leading +). It returns "" for something that is not a phone number.
func NormalizePhone(s string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return ""
		}
	}
	out := b.String()
	if strings.HasPrefix(out, "00") {
		out = "+" + out[2:]
	}
	digits := strings.TrimPrefix(out, "+")
	if len(digits) < 5 || len(digits) > 20 {
		return ""
	}
	mobile := func(d string) bool { return len(d) == 11 && d[0] == '1' }
	switch {
	case mobile(digits) && !strings.HasPrefix(out, "+"):
		return "+86" + digits
	case strings.HasPrefix(digits, "86") && mobile(digits[2:]):
		return "+" + digits
	}
	return out
}

// MaskPhone shows the first three and last four digits: 13812345678 → 138****5678. A mainland
// mobile number is masked in the form people know it, without the country code.
func MaskPhone(p string) string {
	if d := strings.TrimPrefix(p, "+86"); d != p && len(d) == 11 && d[0] == '1' {
		p = d
	}
	r := []rune(p)
	if len(r) <= 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// Item is an object (藏品) a customer wants appraised.
type Item struct {
	ID               int64
	CustomerID       int64
	CategoryID       int64
	Title            string
	Description      string
	Attributes       map[string]string
	DeclaredValueFen int64
	Version          int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// ProductKind is how an appraisal is carried out.
type ProductKind string

const (
	ProductImage    ProductKind = "IMAGE"    // 图文
	ProductVideo    ProductKind = "VIDEO"    // 视频
	ProductPhysical ProductKind = "PHYSICAL" // 实物
)

// Product is a service the company sells.
type Product struct {
	ID        int64
	Code      string
	Name      string
	Kind      ProductKind
	PriceFen  int64
	SLAHours  int
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Specialty is a category an expert appraises.
type Specialty struct {
	CategoryID int64
	Grade      string // junior | senior | master
	CanReview  bool
}

// Expert is a 鉴定师: an account with specialties and a capacity of open orders.
type Expert struct {
	ID          int64
	UserID      int64
	Name        string
	Title       string
	Capacity    int
	Active      bool
	Specialties []Specialty
	OpenOrders  int // computed: orders assigned and not yet completed
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// CustomerFilter selects customers.
type CustomerFilter struct {
	Keyword   string // name substring
	PhoneHash string // exact phone match
	Blocked   *bool
	Sort      string // one of ListSorts; default -created_at
	Page
}

// ListSorts are the sort keys the customer, item and account lists allow: a field, '-' for
// descending.
var ListSorts = []string{"created_at", "-created_at", "updated_at", "-updated_at", "name", "-name"}

// ItemFilter selects items.
type ItemFilter struct {
	CustomerID int64
	CategoryID int64
	Keyword    string
	Sort       string // one of ListSorts (name sorts by title); default -created_at
	Page
}

// CatalogStore keeps categories, customers, items, products and experts.
type CatalogStore interface {
	Categories(ctx context.Context) ([]Category, error)
	// RemoveCustomer removes a customer at version (soft), or with into merges it: its items and
	// orders move to customer into first. A customer with items cannot simply be removed.
	RemoveCustomer(ctx context.Context, id, version, into int64, a AuditEntry) error
	// RemoveItem removes an item at version (soft), or with into merges it into another item of
	// the same customer: its orders and files move there. An item with orders can only be merged.
	RemoveItem(ctx context.Context, id, version, into int64, a AuditEntry) error
	// UpdateCategory saves a category's name, parent, sort and disabled flag.
	UpdateCategory(ctx context.Context, c *Category, a AuditEntry) error
	CreateCategory(ctx context.Context, c *Category, a AuditEntry) error

	CreateCustomer(ctx context.Context, c *Customer, phoneEnc []byte, phoneHash string, a AuditEntry) error
	Customer(ctx context.Context, id int64) (*Customer, []byte, error)
	ListCustomers(ctx context.Context, f CustomerFilter) ([]Customer, [][]byte, int, error)
	UpdateCustomer(ctx context.Context, c *Customer, phoneEnc []byte, phoneHash string, setPhone bool, a AuditEntry) error

	CreateItem(ctx context.Context, it *Item, a AuditEntry) error
	Item(ctx context.Context, id int64) (*Item, error)
	ListItems(ctx context.Context, f ItemFilter) ([]Item, int, error)
	UpdateItem(ctx context.Context, it *Item, a AuditEntry) error

	Products(ctx context.Context, activeOnly bool) ([]Product, error)
	Product(ctx context.Context, id int64) (*Product, error)
	// OrderSource reads, in one round trip, what a new order copies: the item, its customer and
	// the product. When any of them is missing it returns a KindNotFound error without saying
	// which; the caller asks each one to tell.
	OrderSource(ctx context.Context, itemID, productID int64) (*Item, *Customer, *Product, error)
	CreateProduct(ctx context.Context, p *Product, a AuditEntry) error
	UpdateProduct(ctx context.Context, p *Product, a AuditEntry) error

	CreateExpert(ctx context.Context, e *Expert, a AuditEntry) error
	Expert(ctx context.Context, id int64) (*Expert, error)
	Experts(ctx context.Context, categoryID int64) ([]Expert, error)
	UpdateExpert(ctx context.Context, e *Expert, a AuditEntry) error
}
