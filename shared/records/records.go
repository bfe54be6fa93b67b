// Package records is the service of the business's records: customers (their phone numbers
// sealed, shown in full only to roles allowed to see them), the items they send in, the category
// tree, the service products and the experts. The HTTP handlers only translate; the rules live
// here and every method takes the caller.
package records

import (
	"context"
	"strconv"
	"strings"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/pii"
)

// Store is what the service needs of the database.
type Store interface {
	appraisal.CatalogStore
	// UserByID names the account an expert profile is made for.
	UserByID(ctx context.Context, id int64) (*appraisal.User, error)
}

// Permissions answers whether a principal's role holds a capability now (auth.Service).
type Permissions interface {
	Can(ctx context.Context, p *appraisal.Principal, capability string) (bool, error)
}

// Service is the records' rules.
type Service struct {
	Store       Store
	PII         *pii.Box
	Permissions Permissions
}

// Customer is a customer as one caller may see them: Phone is the full number for roles holding
// CapViewCustomerPhone, the masked one otherwise.
type Customer struct {
	appraisal.Customer
	Phone string
	// SamePhone are the other customers with this phone number, found when a number is set (a
	// likely duplicate to merge). Only for roles that see phone numbers: it would reveal whose
	// number it is.
	SamePhone []appraisal.Customer
}

// samePhone lists up to five other customers holding the number with fingerprint hash.
func (s *Service) samePhone(ctx context.Context, out *Customer, hash string, full bool) error {
	if hash == "" || !full {
		return nil
	}
	cs, _, _, err := s.Store.ListCustomers(ctx, appraisal.CustomerFilter{PhoneHash: hash, Page: appraisal.Page{Limit: 6}})
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.ID != out.ID && len(out.SamePhone) < 5 {
			out.SamePhone = append(out.SamePhone, c)
		}
	}
	return nil
}

func (s *Service) seesPhone(ctx context.Context, p *appraisal.Principal) (bool, error) {
	return s.Permissions.Can(ctx, p, appraisal.CapViewCustomerPhone)
}

func (s *Service) show(c *appraisal.Customer, enc []byte, full bool) *Customer {
	out := &Customer{Customer: *c, Phone: c.PhoneMasked}
	if full && len(enc) > 0 {
		if p, err := s.PII.Open(enc); err == nil {
			out.Phone = p
		}
	}
	return out
}

// seal normalises, encrypts and fingerprints a phone number; an empty one is no number.
func (s *Service) seal(field, raw string) (enc []byte, hash, masked string, err error) {
	if strings.TrimSpace(raw) == "" {
		return nil, "", "", nil
	}
	p := appraisal.NormalizePhone(raw)
	if p == "" {
		return nil, "", "", appraisal.Invalid(appraisal.FieldError{Field: field, Code: "bad_phone", Message: "not a phone number"})
	}
	return s.PII.Seal(p), s.PII.Fingerprint(p), appraisal.MaskPhone(p), nil
}

// Reseal opens a sealed phone number and seals its canonical form again (the migration that
// brought every stored number to NormalizePhone's form: mysql.PhoneStep).
func (s *Service) Reseal(enc []byte) ([]byte, string, string, error) {
	raw, err := s.PII.Open(enc)
	if err != nil {
		return nil, "", "", err
	}
	p := appraisal.NormalizePhone(raw)
	if p == "" {
		p = raw // not a number we can read: keep it as it is
	}
	return s.PII.Seal(p), s.PII.Fingerprint(p), appraisal.MaskPhone(p), nil
}

// Categories is the category tree, parents before children.
func (s *Service) Categories(ctx context.Context) ([]appraisal.Category, error) {
	return s.Store.Categories(ctx)
}

// CreateCategory adds a category.
func (s *Service) CreateCategory(ctx context.Context, c *appraisal.Category, a appraisal.AuditEntry) error {
	return s.Store.CreateCategory(ctx, c, a)
}

// ErrPhoneSearchForbidden refuses a phone search to a role that may not see phone numbers.
var ErrPhoneSearchForbidden = appraisal.E(appraisal.KindForbidden, "customers.phone_search_forbidden",
	"your role may not see phone numbers, so it may not search by one")

// CustomerQuery filters the customer list; Phone is a raw number to match exactly.
type CustomerQuery struct {
	Keyword, Phone, Sort string
	Blocked              *bool
	Page                 appraisal.Page
}

// Customers searches customers.
func (s *Service) Customers(ctx context.Context, p *appraisal.Principal, q CustomerQuery) ([]Customer, int, error) {
	f := appraisal.CustomerFilter{Keyword: q.Keyword, Blocked: q.Blocked, Sort: q.Sort, Page: q.Page}
	full, err := s.seesPhone(ctx, p)
	if err != nil {
		return nil, 0, err
	}
	if q.Phone != "" {
		// Matching a full number tells whose number it is: that is seeing the number, so only
		// roles that may see phone numbers may search by one.
		if !full {
			return nil, 0, ErrPhoneSearchForbidden
		}
		n := appraisal.NormalizePhone(q.Phone)
		if n == "" {
			return nil, 0, appraisal.Invalid(appraisal.FieldError{Field: "phone", Code: "bad_phone", Message: "not a phone number"})
		}
		f.PhoneHash = s.PII.Fingerprint(n)
	}
	cs, encs, total, err := s.Store.ListCustomers(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Customer, len(cs))
	for i := range cs {
		out[i] = *s.show(&cs[i], encs[i], full)
	}
	return out, total, nil
}

// NewCustomer is a customer to add.
type NewCustomer struct{ Name, Phone, Note string }

// CreateCustomer adds a customer, their phone sealed.
func (s *Service) CreateCustomer(ctx context.Context, p *appraisal.Principal, in NewCustomer, a appraisal.AuditEntry) (*Customer, error) {
	enc, hash, masked, err := s.seal("phone", in.Phone)
	if err != nil {
		return nil, err
	}
	c := &appraisal.Customer{Name: strings.TrimSpace(in.Name), PhoneMasked: masked, Note: in.Note}
	if err := s.Store.CreateCustomer(ctx, c, enc, hash, a); err != nil {
		return nil, err
	}
	full, err := s.seesPhone(ctx, p)
	if err != nil {
		return nil, err
	}
	out := s.show(c, enc, full)
	return out, s.samePhone(ctx, out, hash, full)
}

// Customer reads one customer.
func (s *Service) Customer(ctx context.Context, p *appraisal.Principal, id int64) (*Customer, error) {
	c, _, err := s.customer(ctx, p, id)
	return c, err
}

// customer reads a customer as p may see them, and says whether p sees phone numbers.
func (s *Service) customer(ctx context.Context, p *appraisal.Principal, id int64) (*Customer, bool, error) {
	c, enc, err := s.Store.Customer(ctx, id)
	if err != nil {
		return nil, false, err
	}
	full, err := s.seesPhone(ctx, p)
	if err != nil {
		return nil, false, err
	}
	return s.show(c, enc, full), full, nil
}

// Show is a customer read elsewhere (with an order's detail) as p may see them: the phone in
// full only for a role that holds customers.phone.view, masked otherwise.
func (s *Service) Show(ctx context.Context, p *appraisal.Principal, c *appraisal.Customer, phoneEnc []byte) (*Customer, error) {
	full, err := s.seesPhone(ctx, p)
	if err != nil {
		return nil, err
	}
	return s.show(c, phoneEnc, full), nil
}

// CustomerPatch changes what is set; a Phone of "" removes the number.
type CustomerPatch struct{ Name, Phone, Note *string }

// UpdateCustomer changes a customer the caller read at version.
func (s *Service) UpdateCustomer(ctx context.Context, p *appraisal.Principal, id, version int64, patch CustomerPatch, a appraisal.AuditEntry) (*Customer, error) {
	c, _, err := s.Store.Customer(ctx, id)
	if err != nil {
		return nil, err
	}
	c.Version = version
	if patch.Name != nil {
		c.Name = strings.TrimSpace(*patch.Name)
	}
	if patch.Note != nil {
		c.Note = *patch.Note
	}
	var enc []byte
	var hash string
	if patch.Phone != nil {
		if enc, hash, c.PhoneMasked, err = s.seal("phone", *patch.Phone); err != nil {
			return nil, err
		}
	}
	if err := s.Store.UpdateCustomer(ctx, c, enc, hash, patch.Phone != nil, a); err != nil {
		return nil, err
	}
	out, full, err := s.customer(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return out, s.samePhone(ctx, out, hash, full)
}

// RemoveCustomer removes a customer (soft), or merges it into another (into ≠ 0): a duplicate's
// items and orders move to the customer kept.
func (s *Service) RemoveCustomer(ctx context.Context, id, version, into int64, a appraisal.AuditEntry) error {
	if into == id {
		return appraisal.Invalid(appraisal.FieldError{Field: "into", Code: "invalid", Message: "a customer is not merged into itself"})
	}
	return s.Store.RemoveCustomer(ctx, id, version, into, a)
}

// RemoveItem removes an item (soft), or merges it into another of the same customer's (into ≠ 0).
func (s *Service) RemoveItem(ctx context.Context, id, version, into int64, a appraisal.AuditEntry) error {
	if into == id {
		return appraisal.Invalid(appraisal.FieldError{Field: "into", Code: "invalid", Message: "an item is not merged into itself"})
	}
	return s.Store.RemoveItem(ctx, id, version, into, a)
}

// SetBlocked blocks (with a reason) or unblocks a customer; a blocked customer gets no new orders.
func (s *Service) SetBlocked(ctx context.Context, p *appraisal.Principal, id, version int64, blocked bool, reason string, a appraisal.AuditEntry) (*Customer, error) {
	c, _, err := s.Store.Customer(ctx, id)
	if err != nil {
		return nil, err
	}
	if blocked && strings.TrimSpace(reason) == "" {
		return nil, appraisal.Invalid(appraisal.FieldError{Field: "reason", Code: "required", Message: "say why the customer is blocked"})
	}
	c.Version, c.Blocked, c.BlockedReason = version, blocked, ""
	if blocked {
		c.BlockedReason = reason
	}
	if err := s.Store.UpdateCustomer(ctx, c, nil, "", false, a); err != nil {
		return nil, err
	}
	return s.Customer(ctx, p, id)
}

// category checks that a category exists.
func (s *Service) category(ctx context.Context, field string, id int64) error {
	cats, err := s.Store.Categories(ctx)
	if err != nil {
		return err
	}
	for _, c := range cats {
		if c.ID == id && c.Disabled {
			return appraisal.Invalid(appraisal.FieldError{Field: field, Code: "disabled", Message: "the category is disabled"})
		}
		if c.ID == id {
			return nil
		}
	}
	return appraisal.Invalid(appraisal.FieldError{Field: field, Code: "not_found", Message: "no such category"})
}

// CategoryPatch changes what is set.
type CategoryPatch struct {
	Name     *string
	ParentID *int64 // 0 moves it to the top level
	Sort     *int
	Disabled *bool
}

// UpdateCategory renames, moves, reorders, disables or enables a category. A move may not put a
// category under itself or under one of its own descendants.
func (s *Service) UpdateCategory(ctx context.Context, id int64, patch CategoryPatch, a appraisal.AuditEntry) (*appraisal.Category, error) {
	cats, err := s.Store.Categories(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[int64]appraisal.Category{}
	for _, c := range cats {
		byID[c.ID] = c
	}
	c, ok := byID[id]
	if !ok {
		return nil, appraisal.E(appraisal.KindNotFound, "not_found", "no such category")
	}
	if patch.Name != nil {
		if c.Name = strings.TrimSpace(*patch.Name); c.Name == "" {
			return nil, appraisal.Invalid(appraisal.FieldError{Field: "name", Code: "required", Message: "a name"})
		}
	}
	if patch.ParentID != nil {
		to := *patch.ParentID
		if _, ok := byID[to]; to != 0 && !ok {
			return nil, appraisal.Invalid(appraisal.FieldError{Field: "parent_id", Code: "not_found", Message: "no such category"})
		}
		for p := to; p != 0; p = byID[p].ParentID {
			if p == id {
				return nil, appraisal.Invalid(appraisal.FieldError{Field: "parent_id", Code: "cycle", Message: "a category cannot move under itself"})
			}
		}
		c.ParentID = to
	}
	if patch.Sort != nil {
		c.Sort = *patch.Sort
	}
	if patch.Disabled != nil {
		c.Disabled = *patch.Disabled
	}
	if err := s.Store.UpdateCategory(ctx, &c, a); err != nil {
		return nil, err
	}
	return &c, nil
}

// Items lists items.
func (s *Service) Items(ctx context.Context, f appraisal.ItemFilter) ([]appraisal.Item, int, error) {
	return s.Store.ListItems(ctx, f)
}

// Item reads an item.
func (s *Service) Item(ctx context.Context, id int64) (*appraisal.Item, error) {
	return s.Store.Item(ctx, id)
}

// CreateItem adds an item of an existing customer in an existing category.
func (s *Service) CreateItem(ctx context.Context, it *appraisal.Item, a appraisal.AuditEntry) error {
	if it.CustomerID == 0 {
		return appraisal.Invalid(appraisal.FieldError{Field: "customer_id", Code: "required", Message: "whose item is it"})
	}
	if _, _, err := s.Store.Customer(ctx, it.CustomerID); appraisal.IsKind(err, appraisal.KindNotFound) {
		return appraisal.Invalid(appraisal.FieldError{Field: "customer_id", Code: "not_found", Message: "no such customer"})
	} else if err != nil {
		return err
	}
	if err := s.category(ctx, "category_id", it.CategoryID); err != nil {
		return err
	}
	return s.Store.CreateItem(ctx, it, a)
}

// ItemPatch changes what is set; Attributes merge key by key, a nil value removing the key.
type ItemPatch struct {
	CategoryID       *int64
	Title            *string
	Description      *string
	Attributes       map[string]*string
	DeclaredValueFen *int64
}

// UpdateItem applies a patch to an item the caller read at version.
func (s *Service) UpdateItem(ctx context.Context, id, version int64, patch ItemPatch, a appraisal.AuditEntry) (*appraisal.Item, error) {
	it, err := s.Store.Item(ctx, id)
	if err != nil {
		return nil, err
	}
	it.Version = version
	if patch.CategoryID != nil {
		if err := s.category(ctx, "category_id", *patch.CategoryID); err != nil {
			return nil, err
		}
		it.CategoryID = *patch.CategoryID
	}
	if patch.Title != nil {
		it.Title = *patch.Title
	}
	if patch.Description != nil {
		it.Description = *patch.Description
	}
	if patch.DeclaredValueFen != nil {
		it.DeclaredValueFen = *patch.DeclaredValueFen
	}
	if len(patch.Attributes) > 0 {
		attrs := map[string]string{}
		for k, v := range it.Attributes {
			attrs[k] = v
		}
		for k, v := range patch.Attributes {
			if v == nil {
				delete(attrs, k)
			} else {
				attrs[k] = *v
			}
		}
		if len(attrs) > 50 {
			return nil, appraisal.Invalid(appraisal.FieldError{Field: "attributes", Code: "too_many", Message: "at most 50 attributes"})
		}
		it.Attributes = attrs
	}
	if err := s.Store.UpdateItem(ctx, it, a); err != nil {
		return nil, err
	}
	return it, nil
}

// Products lists the service products.
func (s *Service) Products(ctx context.Context, activeOnly bool) ([]appraisal.Product, error) {
	return s.Store.Products(ctx, activeOnly)
}

// CreateProduct adds a service product.
func (s *Service) CreateProduct(ctx context.Context, p *appraisal.Product, a appraisal.AuditEntry) error {
	return s.Store.CreateProduct(ctx, p, a)
}

// ProductPatch changes what is set; price and SLA changes apply to new orders only.
type ProductPatch struct {
	Name     *string
	PriceFen *int64
	SLAHours *int
	Active   *bool
}

// UpdateProduct changes a service product.
func (s *Service) UpdateProduct(ctx context.Context, id int64, patch ProductPatch, a appraisal.AuditEntry) (*appraisal.Product, error) {
	p, err := s.Store.Product(ctx, id)
	if err != nil {
		return nil, err
	}
	if patch.Name != nil {
		p.Name = *patch.Name
	}
	if patch.PriceFen != nil {
		p.PriceFen = *patch.PriceFen
	}
	if patch.SLAHours != nil {
		p.SLAHours = *patch.SLAHours
	}
	if patch.Active != nil {
		p.Active = *patch.Active
	}
	return p, s.Store.UpdateProduct(ctx, p, a)
}

// Experts lists experts, with a specialty in the category when one is given.
func (s *Service) Experts(ctx context.Context, categoryID int64) ([]appraisal.Expert, error) {
	return s.Store.Experts(ctx, categoryID)
}

// Specialty is a declared specialty, its category still to check.
type Specialty struct {
	CategoryID int64
	Grade      string
	CanReview  bool
}

// specialties checks every category and defaults the grade.
func (s *Service) specialties(ctx context.Context, in []Specialty) ([]appraisal.Specialty, error) {
	cats, err := s.Store.Categories(ctx)
	if err != nil {
		return nil, err
	}
	known := map[int64]bool{}
	for _, c := range cats {
		known[c.ID] = true
	}
	out := []appraisal.Specialty{}
	for i, sp := range in {
		if !known[sp.CategoryID] {
			return nil, appraisal.Invalid(appraisal.FieldError{Field: "specialties[" + strconv.Itoa(i) + "].category_id", Code: "not_found", Message: "no such category"})
		}
		grade := sp.Grade
		if grade == "" {
			grade = "senior"
		}
		out = append(out, appraisal.Specialty{CategoryID: sp.CategoryID, Grade: grade, CanReview: sp.CanReview})
	}
	return out, nil
}

// NewExpert makes an account an expert.
type NewExpert struct {
	UserID      int64
	Name, Title string
	Capacity    int
	Specialties []Specialty
}

// CreateExpert gives an existing account an expert profile.
func (s *Service) CreateExpert(ctx context.Context, in NewExpert, a appraisal.AuditEntry) (*appraisal.Expert, error) {
	if in.UserID == 0 {
		return nil, appraisal.Invalid(appraisal.FieldError{Field: "user_id", Code: "required", Message: "which account"})
	}
	u, err := s.Store.UserByID(ctx, in.UserID)
	if appraisal.IsKind(err, appraisal.KindNotFound) {
		return nil, appraisal.Invalid(appraisal.FieldError{Field: "user_id", Code: "not_found", Message: "no such account"})
	} else if err != nil {
		return nil, err
	}
	// Only an expert account can start and appraise the orders assigned to it: any other role
	// would leave them stuck.
	if u.Role != appraisal.RoleExpert {
		return nil, appraisal.Invalid(appraisal.FieldError{Field: "user_id", Code: "not_expert_role", Message: "the account's role is not expert"})
	}
	sps, err := s.specialties(ctx, in.Specialties)
	if err != nil {
		return nil, err
	}
	capacity := in.Capacity
	if capacity == 0 {
		capacity = 10
	}
	e := &appraisal.Expert{UserID: in.UserID, Name: in.Name, Title: in.Title, Capacity: capacity, Active: true, Specialties: sps}
	if err := s.Store.CreateExpert(ctx, e, a); err != nil {
		if appraisal.IsKind(err, appraisal.KindConflict) {
			return nil, appraisal.E(appraisal.KindConflict, "expert.exists", "this account is already an expert")
		}
		return nil, err
	}
	return e, nil
}

// ExpertPatch changes what is set; Specialties, when not nil, replaces them all.
type ExpertPatch struct {
	Name, Title *string
	Capacity    *int
	Active      *bool
	Specialties []Specialty
}

// UpdateExpert changes an expert the caller read at version.
func (s *Service) UpdateExpert(ctx context.Context, id, version int64, patch ExpertPatch, a appraisal.AuditEntry) (*appraisal.Expert, error) {
	e, err := s.Store.Expert(ctx, id)
	if err != nil {
		return nil, err
	}
	e.Version = version
	if patch.Name != nil {
		e.Name = *patch.Name
	}
	if patch.Title != nil {
		e.Title = *patch.Title
	}
	if patch.Capacity != nil {
		e.Capacity = *patch.Capacity
	}
	if patch.Active != nil {
		e.Active = *patch.Active
	}
	if patch.Specialties != nil {
		if e.Specialties, err = s.specialties(ctx, patch.Specialties); err != nil {
			return nil, err
		}
	}
	return e, s.Store.UpdateExpert(ctx, e, a)
}
