package mysql

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/jianbao/admin/shared/appraisal"
)

var _ appraisal.CatalogStore = (*Store)(nil)

// Categories implements appraisal.CatalogStore.
func (s *Store) Categories(ctx context.Context) ([]appraisal.Category, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, parent_id, code, name, sort, disabled, created_at FROM categories ORDER BY sort, id")
	if err != nil {
		return nil, dbErr(err, "categories")
	}
	defer rows.Close()
	var out []appraisal.Category
	for rows.Next() {
		var c appraisal.Category
		var parent sql.NullInt64
		if err := rows.Scan(&c.ID, &parent, &c.Code, &c.Name, &c.Sort, &c.Disabled, &c.CreatedAt); err != nil {
			return nil, dbErr(err, "categories")
		}
		c.ParentID = parent.Int64
		out = append(out, c)
	}
	return out, dbErr(rows.Err(), "categories")
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// CreateCategory implements appraisal.CatalogStore.
func (s *Store) CreateCategory(ctx context.Context, c *appraisal.Category, a appraisal.AuditEntry) error {
	c.CreatedAt = now()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "INSERT INTO categories (parent_id, code, name, sort, created_at) VALUES (?, ?, ?, ?, ?)",
			nullID(c.ParentID), c.Code, c.Name, c.Sort, c.CreatedAt)
		if err != nil {
			return dbErr(err, "category")
		}
		c.ID, _ = res.LastInsertId()
		a.TargetID, a.After = formatID(c.ID), map[string]any{"id": c.ID, "parent_id": c.ParentID, "code": c.Code, "name": c.Name, "sort": c.Sort}
		return insertAudit(ctx, tx, a)
	})
}

func categorySnapshot(c *appraisal.Category) map[string]any {
	return map[string]any{"id": c.ID, "parent_id": c.ParentID, "code": c.Code, "name": c.Name, "sort": c.Sort, "disabled": c.Disabled}
}

// UpdateCategory implements appraisal.CatalogStore.
func (s *Store) UpdateCategory(ctx context.Context, c *appraisal.Category, a appraisal.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var before appraisal.Category
		var parent sql.NullInt64
		err := tx.QueryRowContext(ctx, "SELECT id, parent_id, code, name, sort, disabled, created_at FROM categories WHERE id = ?", c.ID).
			Scan(&before.ID, &parent, &before.Code, &before.Name, &before.Sort, &before.Disabled, &before.CreatedAt)
		if err != nil {
			return dbErr(err, "category")
		}
		before.ParentID = parent.Int64
		if _, err := tx.ExecContext(ctx, "UPDATE categories SET parent_id = ?, name = ?, sort = ?, disabled = ? WHERE id = ?",
			nullID(c.ParentID), c.Name, c.Sort, c.Disabled, c.ID); err != nil {
			return dbErr(err, "category")
		}
		c.Code, c.CreatedAt = before.Code, before.CreatedAt
		a.TargetID, a.Before, a.After = formatID(c.ID), categorySnapshot(&before), categorySnapshot(c)
		return insertAudit(ctx, tx, a)
	})
}

const customerColumns = "id, name, phone_enc, phone_masked, note, blocked, blocked_reason, version, created_at, updated_at"

func scanCustomer(r interface{ Scan(...any) error }) (*appraisal.Customer, []byte, error) {
	var cr customerRow
	err := r.Scan(cr.dest()...)
	return &cr.c, cr.enc, err
}

// customerRow is where a row's customerColumns are scanned to (scanCustomer, OrderSource).
type customerRow struct {
	c   appraisal.Customer
	enc []byte
}

func (r *customerRow) dest() []any {
	c := &r.c
	return []any{&c.ID, &c.Name, &r.enc, &c.PhoneMasked, &c.Note, &c.Blocked, &c.BlockedReason, &c.Version, &c.CreatedAt, &c.UpdatedAt}
}

// customerSnapshot is what the audit log keeps of a customer: the masked phone only.
func customerSnapshot(c *appraisal.Customer) map[string]any {
	return map[string]any{"id": c.ID, "name": c.Name, "phone_masked": c.PhoneMasked, "note": c.Note,
		"blocked": c.Blocked, "blocked_reason": c.BlockedReason, "version": c.Version}
}

// CreateCustomer implements appraisal.CatalogStore.
func (s *Store) CreateCustomer(ctx context.Context, c *appraisal.Customer, phoneEnc []byte, phoneHash string, a appraisal.AuditEntry) error {
	t := now()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO customers (name, phone_enc, phone_hash, phone_masked, note, blocked, blocked_reason, version, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, 0, '', 1, ?, ?)`, c.Name, phoneEnc, sql.NullString{String: phoneHash, Valid: phoneHash != ""}, c.PhoneMasked, c.Note, t, t)
		if err != nil {
			return dbErr(err, "customer")
		}
		c.ID, _ = res.LastInsertId()
		c.Version, c.CreatedAt, c.UpdatedAt = 1, t, t
		a.TargetID, a.After = formatID(c.ID), customerSnapshot(c)
		return insertAudit(ctx, tx, a)
	})
}

// Customer implements appraisal.CatalogStore.
func (s *Store) Customer(ctx context.Context, id int64) (*appraisal.Customer, []byte, error) {
	c, enc, err := scanCustomer(s.db.QueryRowContext(ctx, "SELECT "+customerColumns+" FROM customers WHERE id = ? AND deleted_at IS NULL", id))
	if err != nil {
		return nil, nil, dbErr(err, "customer")
	}
	return c, enc, nil
}

// ListCustomers implements appraisal.CatalogStore.
func (s *Store) ListCustomers(ctx context.Context, f appraisal.CustomerFilter) ([]appraisal.Customer, [][]byte, int, error) {
	w := &where{}
	w.add("deleted_at IS NULL")
	if f.Keyword != "" {
		w.add("name LIKE ?", like(f.Keyword))
	}
	if f.PhoneHash != "" {
		w.add("phone_hash = ?", f.PhoneHash)
	}
	if f.Blocked != nil {
		w.add("blocked = ?", *f.Blocked)
	}
	total, err := s.count(ctx, "customers", w)
	if err != nil {
		return nil, nil, 0, err
	}
	var out []appraisal.Customer
	var encs [][]byte
	err = s.list(ctx, "SELECT "+customerColumns+" FROM customers", w, orderBy(f.Sort, "name", "id DESC"), f.Page, func(r interface{ Scan(...any) error }) error {
		c, enc, err := scanCustomer(r)
		if err == nil {
			out, encs = append(out, *c), append(encs, enc)
		}
		return err
	})
	return out, encs, total, err
}

// UpdateCustomer implements appraisal.CatalogStore: guarded by version; a stale one is a conflict.
func (s *Store) UpdateCustomer(ctx context.Context, c *appraisal.Customer, phoneEnc []byte, phoneHash string, setPhone bool, a appraisal.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		before, _, err := scanCustomer(tx.QueryRowContext(ctx, "SELECT "+customerColumns+" FROM customers WHERE id = ? AND deleted_at IS NULL", c.ID))
		if err != nil {
			return dbErr(err, "customer")
		}
		t := now()
		q := "UPDATE customers SET name = ?, note = ?, blocked = ?, blocked_reason = ?, version = version + 1, updated_at = ?"
		args := []any{c.Name, c.Note, c.Blocked, c.BlockedReason, t}
		if setPhone {
			q += ", phone_enc = ?, phone_hash = ?, phone_masked = ?"
			args = append(args, phoneEnc, sql.NullString{String: phoneHash, Valid: phoneHash != ""}, c.PhoneMasked)
		} else {
			c.PhoneMasked = before.PhoneMasked
		}
		res, err := tx.ExecContext(ctx, q+" WHERE id = ? AND version = ?", append(args, c.ID, c.Version)...)
		if err != nil {
			return dbErr(err, "customer")
		}
		if ok, err := affectedOne(res); err != nil || !ok {
			if err != nil {
				return dbErr(err, "customer")
			}
			return versionConflict("customer", before.Version)
		}
		c.Version, c.UpdatedAt, c.CreatedAt = c.Version+1, t, before.CreatedAt
		a.TargetID, a.Before, a.After = formatID(c.ID), customerSnapshot(before), customerSnapshot(c)
		return insertAudit(ctx, tx, a)
	})
}

// versionConflict is the 409 of a stale version; the codes are spelled out so that the error
// code registry (httpapi's errorcodes.go, read from the source) sees each one.
func versionConflict(what string, current int64) error {
	code := map[string]string{"customer": "customer.version_conflict", "item": "item.version_conflict", "expert": "expert.version_conflict"}[what]
	return &appraisal.Error{Kind: appraisal.KindConflict, Code: code,
		Message: "the " + what + " was changed by someone else; reload and retry",
		Details: map[string]any{"current_version": current}}
}

const itemColumns = "id, customer_id, category_id, title, description, attributes, declared_value_fen, version, created_at, updated_at"

func scanItem(r interface{ Scan(...any) error }) (*appraisal.Item, error) {
	var ir itemRow
	if err := r.Scan(ir.dest()...); err != nil {
		return nil, err
	}
	return ir.item()
}

// itemRow is where a row's itemColumns are scanned to (scanItem, OrderSource).
type itemRow struct {
	it          appraisal.Item
	desc, attrs sql.NullString
}

func (r *itemRow) dest() []any {
	it := &r.it
	return []any{&it.ID, &it.CustomerID, &it.CategoryID, &it.Title, &r.desc, &r.attrs, &it.DeclaredValueFen, &it.Version, &it.CreatedAt, &it.UpdatedAt}
}

func (r *itemRow) item() (*appraisal.Item, error) {
	it := r.it
	it.Description = r.desc.String
	it.Attributes = map[string]string{}
	if r.attrs.Valid && r.attrs.String != "" {
		if err := json.Unmarshal([]byte(r.attrs.String), &it.Attributes); err != nil {
			return nil, err
		}
	}
	return &it, nil
}

func attrsJSON(m map[string]string) string {
	if m == nil {
		m = map[string]string{}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// CreateItem implements appraisal.CatalogStore.
func (s *Store) CreateItem(ctx context.Context, it *appraisal.Item, a appraisal.AuditEntry) error {
	t := now()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO items (customer_id, category_id, title, description, attributes, declared_value_fen, version, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`, it.CustomerID, it.CategoryID, it.Title, it.Description, attrsJSON(it.Attributes), it.DeclaredValueFen, t, t)
		if err != nil {
			return dbErr(err, "item")
		}
		it.ID, _ = res.LastInsertId()
		it.Version, it.CreatedAt, it.UpdatedAt = 1, t, t
		a.TargetID, a.After = formatID(it.ID), itemSnapshot(it)
		return insertAudit(ctx, tx, a)
	})
}

// Item implements appraisal.CatalogStore.
func (s *Store) Item(ctx context.Context, id int64) (*appraisal.Item, error) {
	it, err := scanItem(s.db.QueryRowContext(ctx, "SELECT "+itemColumns+" FROM items WHERE id = ? AND deleted_at IS NULL", id))
	return it, dbErr(err, "item")
}

// ListItems implements appraisal.CatalogStore.
func (s *Store) ListItems(ctx context.Context, f appraisal.ItemFilter) ([]appraisal.Item, int, error) {
	w := &where{}
	w.add("deleted_at IS NULL")
	if f.CustomerID != 0 {
		w.add("customer_id = ?", f.CustomerID)
	}
	if f.CategoryID != 0 {
		w.add("category_id = ?", f.CategoryID)
	}
	if f.Keyword != "" {
		w.add("title LIKE ?", like(f.Keyword))
	}
	total, err := s.count(ctx, "items", w)
	if err != nil {
		return nil, 0, err
	}
	var out []appraisal.Item
	err = s.list(ctx, "SELECT "+itemColumns+" FROM items", w, orderBy(f.Sort, "title", "id DESC"), f.Page, func(r interface{ Scan(...any) error }) error {
		it, err := scanItem(r)
		if err == nil {
			out = append(out, *it)
		}
		return err
	})
	return out, total, err
}

// UpdateItem implements appraisal.CatalogStore.
func (s *Store) UpdateItem(ctx context.Context, it *appraisal.Item, a appraisal.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		before, err := scanItem(tx.QueryRowContext(ctx, "SELECT "+itemColumns+" FROM items WHERE id = ? AND deleted_at IS NULL", it.ID))
		if err != nil {
			return dbErr(err, "item")
		}
		t := now()
		res, err := tx.ExecContext(ctx, `UPDATE items SET category_id = ?, title = ?, description = ?, attributes = ?, declared_value_fen = ?,
  version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			it.CategoryID, it.Title, it.Description, attrsJSON(it.Attributes), it.DeclaredValueFen, t, it.ID, it.Version)
		if err != nil {
			return dbErr(err, "item")
		}
		if ok, err := affectedOne(res); err != nil || !ok {
			if err != nil {
				return dbErr(err, "item")
			}
			return versionConflict("item", before.Version)
		}
		it.CustomerID, it.Version, it.UpdatedAt, it.CreatedAt = before.CustomerID, it.Version+1, t, before.CreatedAt
		a.TargetID, a.Before, a.After = formatID(it.ID), itemSnapshot(before), itemSnapshot(it)
		return insertAudit(ctx, tx, a)
	})
}

const productColumns = "id, code, name, kind, price_fen, sla_hours, active, created_at, updated_at"

func scanProduct(r interface{ Scan(...any) error }) (*appraisal.Product, error) {
	var pr productRow
	err := r.Scan(pr.dest()...)
	return pr.product(), err
}

// productRow is where a row's productColumns are scanned to (scanProduct, OrderSource).
type productRow struct {
	p    appraisal.Product
	kind string
}

func (r *productRow) dest() []any {
	p := &r.p
	return []any{&p.ID, &p.Code, &p.Name, &r.kind, &p.PriceFen, &p.SLAHours, &p.Active, &p.CreatedAt, &p.UpdatedAt}
}

func (r *productRow) product() *appraisal.Product {
	p := r.p
	p.Kind = appraisal.ProductKind(r.kind)
	return &p
}

// Products implements appraisal.CatalogStore.
func (s *Store) Products(ctx context.Context, activeOnly bool) ([]appraisal.Product, error) {
	q := "SELECT " + productColumns + " FROM service_products"
	if activeOnly {
		q += " WHERE active = 1"
	}
	rows, err := s.db.QueryContext(ctx, q+" ORDER BY id")
	if err != nil {
		return nil, dbErr(err, "products")
	}
	defer rows.Close()
	var out []appraisal.Product
	for rows.Next() {
		p, err := scanProduct(rows)
		if err != nil {
			return nil, dbErr(err, "products")
		}
		out = append(out, *p)
	}
	return out, dbErr(rows.Err(), "products")
}

// orderSourceQuery joins what a new order copies into one row.
var orderSourceQuery = "SELECT " + qualify("i", itemColumns) + ", " + qualify("c", customerColumns) + ", " + qualify("p", productColumns) + `
  FROM items i JOIN customers c ON c.id = i.customer_id AND c.deleted_at IS NULL JOIN service_products p ON p.id = ?
  WHERE i.id = ? AND i.deleted_at IS NULL`

// OrderSource implements appraisal.CatalogStore.
func (s *Store) OrderSource(ctx context.Context, itemID, productID int64) (*appraisal.Item, *appraisal.Customer, *appraisal.Product, error) {
	var ir itemRow
	var cr customerRow
	var pr productRow
	dest := append(append(ir.dest(), cr.dest()...), pr.dest()...)
	if err := s.db.QueryRowContext(ctx, orderSourceQuery, productID, itemID).Scan(dest...); err != nil {
		return nil, nil, nil, dbErr(err, "item, customer or product")
	}
	it, err := ir.item()
	if err != nil {
		return nil, nil, nil, err
	}
	return it, &cr.c, pr.product(), nil
}

// Product implements appraisal.CatalogStore.
func (s *Store) Product(ctx context.Context, id int64) (*appraisal.Product, error) {
	p, err := scanProduct(s.db.QueryRowContext(ctx, "SELECT "+productColumns+" FROM service_products WHERE id = ?", id))
	return p, dbErr(err, "product")
}

// CreateProduct implements appraisal.CatalogStore.
func (s *Store) CreateProduct(ctx context.Context, p *appraisal.Product, a appraisal.AuditEntry) error {
	t := now()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "INSERT INTO service_products (code, name, kind, price_fen, sla_hours, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			p.Code, p.Name, string(p.Kind), p.PriceFen, p.SLAHours, p.Active, t, t)
		if err != nil {
			return dbErr(err, "product")
		}
		p.ID, _ = res.LastInsertId()
		p.CreatedAt, p.UpdatedAt = t, t
		a.TargetID, a.After = formatID(p.ID), productSnapshot(p)
		return insertAudit(ctx, tx, a)
	})
}

// UpdateProduct implements appraisal.CatalogStore.
func (s *Store) UpdateProduct(ctx context.Context, p *appraisal.Product, a appraisal.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		before, err := scanProduct(tx.QueryRowContext(ctx, "SELECT "+productColumns+" FROM service_products WHERE id = ?", p.ID))
		if err != nil {
			return dbErr(err, "product")
		}
		t := now()
		if _, err := tx.ExecContext(ctx, "UPDATE service_products SET name = ?, price_fen = ?, sla_hours = ?, active = ?, updated_at = ? WHERE id = ?",
			p.Name, p.PriceFen, p.SLAHours, p.Active, t, p.ID); err != nil {
			return dbErr(err, "product")
		}
		p.Code, p.Kind, p.CreatedAt, p.UpdatedAt = before.Code, before.Kind, before.CreatedAt, t
		a.TargetID, a.Before, a.After = formatID(p.ID), productSnapshot(before), productSnapshot(p)
		return insertAudit(ctx, tx, a)
	})
}

// openAssigned is what counts as an expert's open work.
const openAssigned = `status IN ('ASSIGNED', 'IN_APPRAISAL', 'OPINION_SUBMITTED', 'IN_REVIEW')`

const expertColumns = `e.id, e.user_id, e.name, e.title, e.capacity, e.active, e.version, e.created_at, e.updated_at,
  (SELECT COUNT(*) FROM orders o WHERE o.assignee_expert_id = e.id AND o.` + openAssigned + `)`

// expertListColumns are expertColumns for a list: the open orders of every expert counted in one
// pass over the open statuses, not one subquery per expert (expertListFrom).
const expertListColumns = `e.id, e.user_id, e.name, e.title, e.capacity, e.active, e.version, e.created_at, e.updated_at, COALESCE(l.n, 0)`

const expertListFrom = ` FROM experts e LEFT JOIN (SELECT assignee_expert_id AS expert_id, COUNT(*) AS n FROM orders
  WHERE ` + openAssigned + ` AND assignee_expert_id IS NOT NULL GROUP BY assignee_expert_id) l ON l.expert_id = e.id`

func scanExpert(r interface{ Scan(...any) error }) (*appraisal.Expert, error) {
	var e appraisal.Expert
	err := r.Scan(&e.ID, &e.UserID, &e.Name, &e.Title, &e.Capacity, &e.Active, &e.Version, &e.CreatedAt, &e.UpdatedAt, &e.OpenOrders)
	return &e, err
}

func (s *Store) loadSpecialties(ctx context.Context, ex execer, experts []*appraisal.Expert) error {
	if len(experts) == 0 {
		return nil
	}
	byID := map[int64]*appraisal.Expert{}
	for _, e := range experts {
		byID[e.ID] = e
		e.Specialties = []appraisal.Specialty{}
	}
	rows, err := ex.QueryContext(ctx, "SELECT expert_id, category_id, grade, can_review FROM expert_specialties ORDER BY expert_id, category_id")
	if err != nil {
		return dbErr(err, "specialties")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var sp appraisal.Specialty
		if err := rows.Scan(&id, &sp.CategoryID, &sp.Grade, &sp.CanReview); err != nil {
			return dbErr(err, "specialties")
		}
		if e, ok := byID[id]; ok {
			e.Specialties = append(e.Specialties, sp)
		}
	}
	return dbErr(rows.Err(), "specialties")
}

func writeSpecialties(ctx context.Context, tx *sql.Tx, e *appraisal.Expert) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM expert_specialties WHERE expert_id = ?", e.ID); err != nil {
		return dbErr(err, "specialties")
	}
	for _, sp := range e.Specialties {
		if _, err := tx.ExecContext(ctx, "INSERT INTO expert_specialties (expert_id, category_id, grade, can_review) VALUES (?, ?, ?, ?)",
			e.ID, sp.CategoryID, sp.Grade, sp.CanReview); err != nil {
			return dbErr(err, "specialty")
		}
	}
	return nil
}

// CreateExpert implements appraisal.CatalogStore.
func (s *Store) CreateExpert(ctx context.Context, e *appraisal.Expert, a appraisal.AuditEntry) error {
	t := now()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "INSERT INTO experts (user_id, name, title, capacity, active, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
			e.UserID, e.Name, e.Title, e.Capacity, e.Active, t, t)
		if err != nil {
			return dbErr(err, "expert")
		}
		e.ID, _ = res.LastInsertId()
		e.Version, e.CreatedAt, e.UpdatedAt = 1, t, t
		if err := writeSpecialties(ctx, tx, e); err != nil {
			return err
		}
		a.TargetID, a.After = formatID(e.ID), expertSnapshot(e)
		return insertAudit(ctx, tx, a)
	})
}

// Expert implements appraisal.CatalogStore.
func (s *Store) Expert(ctx context.Context, id int64) (*appraisal.Expert, error) {
	e, err := scanExpert(s.db.QueryRowContext(ctx, "SELECT "+expertColumns+" FROM experts e WHERE e.id = ?", id))
	if err != nil {
		return nil, dbErr(err, "expert")
	}
	return e, s.loadSpecialties(ctx, s.db, []*appraisal.Expert{e})
}

// Experts implements appraisal.CatalogStore: all experts, or those with a specialty in categoryID.
func (s *Store) Experts(ctx context.Context, categoryID int64) ([]appraisal.Expert, error) {
	q := "SELECT " + expertListColumns + expertListFrom
	var args []any
	if categoryID != 0 {
		q += " WHERE EXISTS (SELECT 1 FROM expert_specialties sp WHERE sp.expert_id = e.id AND sp.category_id = ?)"
		args = append(args, categoryID)
	}
	rows, err := s.db.QueryContext(ctx, q+" ORDER BY e.id", args...)
	if err != nil {
		return nil, dbErr(err, "experts")
	}
	var ptrs []*appraisal.Expert
	for rows.Next() {
		e, err := scanExpert(rows)
		if err != nil {
			rows.Close()
			return nil, dbErr(err, "experts")
		}
		ptrs = append(ptrs, e)
	}
	rows.Close()
	if err := s.loadSpecialties(ctx, s.db, ptrs); err != nil {
		return nil, err
	}
	out := make([]appraisal.Expert, len(ptrs))
	for i, e := range ptrs {
		out[i] = *e
	}
	return out, nil
}

// UpdateExpert implements appraisal.CatalogStore.
func (s *Store) UpdateExpert(ctx context.Context, e *appraisal.Expert, a appraisal.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		before, err := scanExpert(tx.QueryRowContext(ctx, "SELECT "+expertColumns+" FROM experts e WHERE e.id = ?", e.ID))
		if err != nil {
			return dbErr(err, "expert")
		}
		if err := s.loadSpecialties(ctx, tx, []*appraisal.Expert{before}); err != nil {
			return err
		}
		t := now()
		res, err := tx.ExecContext(ctx, "UPDATE experts SET name = ?, title = ?, capacity = ?, active = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
			e.Name, e.Title, e.Capacity, e.Active, t, e.ID, e.Version)
		if err != nil {
			return dbErr(err, "expert")
		}
		if ok, err := affectedOne(res); err != nil || !ok {
			if err != nil {
				return dbErr(err, "expert")
			}
			return versionConflict("expert", before.Version)
		}
		if err := writeSpecialties(ctx, tx, e); err != nil {
			return err
		}
		e.UserID, e.Version, e.UpdatedAt, e.CreatedAt, e.OpenOrders = before.UserID, e.Version+1, t, before.CreatedAt, before.OpenOrders
		a.TargetID, a.Before, a.After = formatID(e.ID), expertSnapshot(before), expertSnapshot(e)
		return insertAudit(ctx, tx, a)
	})
}

// The audit snapshots use the API's snake_case names, whatever the Go structs are called.

func itemSnapshot(it *appraisal.Item) map[string]any {
	return map[string]any{"id": it.ID, "customer_id": it.CustomerID, "category_id": it.CategoryID, "title": it.Title,
		"description": it.Description, "attributes": it.Attributes, "declared_value_fen": it.DeclaredValueFen, "version": it.Version}
}

func productSnapshot(p *appraisal.Product) map[string]any {
	return map[string]any{"id": p.ID, "code": p.Code, "name": p.Name, "kind": p.Kind, "price_fen": p.PriceFen,
		"sla_hours": p.SLAHours, "active": p.Active}
}

func expertSnapshot(e *appraisal.Expert) map[string]any {
	sps := make([]map[string]any, len(e.Specialties))
	for i, sp := range e.Specialties {
		sps[i] = map[string]any{"category_id": sp.CategoryID, "grade": sp.Grade, "can_review": sp.CanReview}
	}
	return map[string]any{"id": e.ID, "user_id": e.UserID, "name": e.Name, "title": e.Title, "capacity": e.Capacity,
		"active": e.Active, "specialties": sps, "version": e.Version}
}

// open statuses are those of orders still being worked on.
const openOrder = "status NOT IN ('COMPLETED', 'CERT_ISSUED', 'REJECTED', 'CANCELLED')"

// RemoveCustomer implements appraisal.CatalogStore.
func (s *Store) RemoveCustomer(ctx context.Context, id, version, into int64, a appraisal.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		before, _, err := scanCustomer(tx.QueryRowContext(ctx, "SELECT "+customerColumns+" FROM customers WHERE id = ? AND deleted_at IS NULL", id))
		if err != nil {
			return dbErr(err, "customer")
		}
		if before.Version != version {
			return versionConflict("customer", before.Version)
		}
		t := now()
		if into == 0 {
			var items int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM items WHERE customer_id = ? AND deleted_at IS NULL", id).Scan(&items); err != nil {
				return dbErr(err, "items")
			}
			if items > 0 {
				return &appraisal.Error{Kind: appraisal.KindConflict, Code: "customer.has_items",
					Message: "the customer has items: merge the customer into another, or remove the items first", Details: map[string]any{"items": items}}
			}
		} else {
			target, _, err := scanCustomer(tx.QueryRowContext(ctx, "SELECT "+customerColumns+" FROM customers WHERE id = ? AND deleted_at IS NULL", into))
			if err != nil {
				return appraisal.Invalid(appraisal.FieldError{Field: "into", Code: "not_found", Message: "no such customer"})
			}
			if _, err := tx.ExecContext(ctx, "UPDATE items SET customer_id = ?, updated_at = ? WHERE customer_id = ?", into, t, id); err != nil {
				return dbErr(err, "items")
			}
			// The orders move under the kept customer's name, and are found by it.
			moved, err := termSources(ctx, tx, "WHERE customer_id = ?", id)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE orders SET customer_id = ?, customer_name = ?, updated_at = ? WHERE customer_id = ?", into, target.Name, t, id); err != nil {
				return dbErr(err, "orders")
			}
			if err := deleteTerms(ctx, tx, moved...); err != nil {
				return err
			}
			for i := range moved {
				moved[i].customerName = target.Name
			}
			if err := insertTerms(ctx, tx, moved...); err != nil {
				return err
			}
		}
		// Guarded by the version: a concurrent change rolls the whole move back.
		res, err := tx.ExecContext(ctx, "UPDATE customers SET deleted_at = ?, merged_into = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
			t, nullID(into), t, id, version)
		if err != nil {
			return dbErr(err, "customer")
		}
		if ok, err := affectedOne(res); err != nil || !ok {
			return versionConflict("customer", before.Version+1)
		}
		a.TargetID, a.Before, a.After = formatID(id), customerSnapshot(before), map[string]any{"deleted": true, "merged_into": into}
		return insertAudit(ctx, tx, a)
	})
}

// RemoveItem implements appraisal.CatalogStore.
func (s *Store) RemoveItem(ctx context.Context, id, version, into int64, a appraisal.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		before, err := scanItem(tx.QueryRowContext(ctx, "SELECT "+itemColumns+" FROM items WHERE id = ? AND deleted_at IS NULL", id))
		if err != nil {
			return dbErr(err, "item")
		}
		if before.Version != version {
			return versionConflict("item", before.Version)
		}
		t := now()
		if into == 0 {
			var orders int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM orders WHERE item_id = ?", id).Scan(&orders); err != nil {
				return dbErr(err, "orders")
			}
			if orders > 0 {
				return &appraisal.Error{Kind: appraisal.KindConflict, Code: "item.has_orders",
					Message: "the item has orders: it can only be merged into a duplicate", Details: map[string]any{"orders": orders}}
			}
		} else {
			target, err := scanItem(tx.QueryRowContext(ctx, "SELECT "+itemColumns+" FROM items WHERE id = ? AND deleted_at IS NULL", into))
			if err != nil {
				return appraisal.Invalid(appraisal.FieldError{Field: "into", Code: "not_found", Message: "no such item"})
			}
			if target.CustomerID != before.CustomerID {
				return appraisal.Invalid(appraisal.FieldError{Field: "into", Code: "other_customer", Message: "a duplicate is the same customer's item"})
			}
			if _, err := tx.ExecContext(ctx, "UPDATE orders SET item_id = ?, updated_at = ? WHERE item_id = ?", into, t, id); err != nil {
				return dbErr(err, "orders")
			}
			if _, err := tx.ExecContext(ctx, "UPDATE media SET owner_id = ?, updated_at = ? WHERE owner_type = 'item' AND owner_id = ?", into, t, id); err != nil {
				return dbErr(err, "media")
			}
		}
		// Guarded by the version: a concurrent change rolls the whole move back.
		res, err := tx.ExecContext(ctx, "UPDATE items SET deleted_at = ?, merged_into = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
			t, nullID(into), t, id, version)
		if err != nil {
			return dbErr(err, "item")
		}
		if ok, err := affectedOne(res); err != nil || !ok {
			return versionConflict("item", before.Version+1)
		}
		a.TargetID, a.Before, a.After = formatID(id), map[string]any{"id": before.ID, "title": before.Title, "customer_id": before.CustomerID},
			map[string]any{"deleted": true, "merged_into": into}
		return insertAudit(ctx, tx, a)
	})
}
