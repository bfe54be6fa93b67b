package mysql

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

var _ appraisal.OrderStore = (*Store)(nil)

const orderColumns = `id, order_no, customer_id, item_id, product_id, category_id, title, customer_name, status, round,
  assignee_expert_id, price_fen, sla_due_at, sla_paused_at, note, version, created_by, created_at, updated_at, completed_at`

func scanOrder(r interface{ Scan(...any) error }) (*appraisal.Order, error) {
	var or orderRow
	if err := r.Scan(or.dest()...); err != nil {
		return nil, err
	}
	return or.order(), nil
}

// orderRow is where a row's orderColumns are scanned to (scanOrder, OrderDetail).
type orderRow struct {
	o                 appraisal.Order
	status            string
	assignee          sql.NullInt64
	paused, completed sql.NullTime
}

func (r *orderRow) dest() []any {
	o := &r.o
	return []any{&o.ID, &o.OrderNo, &o.CustomerID, &o.ItemID, &o.ProductID, &o.CategoryID, &o.Title, &o.CustomerName,
		&r.status, &o.Round, &r.assignee, &o.PriceFen, &o.SLADueAt, &r.paused, &o.Note, &o.Version, &o.CreatedBy,
		&o.CreatedAt, &o.UpdatedAt, &r.completed}
}

func (r *orderRow) order() *appraisal.Order {
	o := r.o
	o.Status = appraisal.Status(r.status)
	o.AssigneeID = r.assignee.Int64
	if r.paused.Valid {
		o.SLAPausedAt = &r.paused.Time
	}
	if r.completed.Valid {
		o.CompletedAt = &r.completed.Time
	}
	return &o
}

// orderSnapshot is what the audit log keeps of an order.
func orderSnapshot(o *appraisal.Order) map[string]any {
	return map[string]any{"id": o.ID, "order_no": o.OrderNo, "status": o.Status, "round": o.Round,
		"assignee_expert_id": o.AssigneeID, "sla_due_at": o.SLADueAt, "version": o.Version}
}

// CreateOrder implements appraisal.OrderStore. The order number is derived from the row id, so
// it is unique without a second sequence.
func (s *Store) CreateOrder(ctx context.Context, o *appraisal.Order, a appraisal.AuditEntry) error {
	t := now()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		tmpNo := "TMP-" + randomToken(12)
		res, err := tx.ExecContext(ctx, `INSERT INTO orders (order_no, customer_id, item_id, product_id, category_id, title, customer_name,
  status, round, assignee_expert_id, price_fen, sla_due_at, sla_paused_at, note, version, created_by, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, NULL, ?, ?, NULL, ?, 1, ?, ?, ?)`,
			tmpNo, o.CustomerID, o.ItemID, o.ProductID, o.CategoryID, o.Title, o.CustomerName,
			string(appraisal.StatusSubmitted), o.PriceFen, o.SLADueAt.UTC(), o.Note, o.CreatedBy, t, t)
		if err != nil {
			return dbErr(err, "order")
		}
		id, _ := res.LastInsertId()
		o.ID, o.Status, o.Round, o.Version, o.CreatedAt, o.UpdatedAt = id, appraisal.StatusSubmitted, 1, 1, t, t
		o.OrderNo = appraisal.FormatOrderNo(t, id)
		if _, err := tx.ExecContext(ctx, "UPDATE orders SET order_no = ? WHERE id = ?", o.OrderNo, id); err != nil {
			return dbErr(err, "order")
		}
		if err := insertTerms(ctx, tx, termSource{id, o.OrderNo, o.Title, o.CustomerName}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO order_events (order_id, round, action, from_status, to_status, version, actor_user_id, note, created_at)
  VALUES (?, 1, ?, '', ?, 1, ?, '', ?)`, id, string(appraisal.ActionCreate), string(appraisal.StatusSubmitted), nullID(a.Actor.UserID), t); err != nil {
			return dbErr(err, "order event")
		}
		a.TargetID, a.After = formatID(id), orderSnapshot(o)
		if err := insertAudit(ctx, tx, a); err != nil {
			return err
		}
		// The rollups last: their rows are shared by every writer and locked until COMMIT.
		return rollup(ctx, tx, orderState{}, orderState{status: appraisal.StatusSubmitted, created: t})
	})
}

// Order implements appraisal.OrderStore.
func (s *Store) Order(ctx context.Context, id int64) (*appraisal.Order, error) {
	o, err := scanOrder(s.db.QueryRowContext(ctx, "SELECT "+orderColumns+" FROM orders WHERE id = ?", id))
	return o, dbErr(err, "order")
}

// orderDetailQuery reads an order with its item and customer, one row.
var orderDetailQuery = "SELECT " + qualify("o", orderColumns) + ", " + qualify("i", itemColumns) + ", " + qualify("c", customerColumns) + `
  FROM orders o JOIN items i ON i.id = o.item_id JOIN customers c ON c.id = o.customer_id WHERE o.id = ?`

// OrderDetail implements appraisal.OrderStore, in two round trips: the order with its item and
// customer, then everything that hangs off it (events, opinions, reviews, certificates) in one
// UNION ALL. Each branch puts its columns into the same typed slots (7 integers, 7 strings, 3
// times, NULL where it has none), so one scan reads every kind.
func (s *Store) OrderDetail(ctx context.Context, id int64) (*appraisal.OrderDetail, error) {
	var or orderRow
	var ir itemRow
	var cr customerRow
	if err := s.db.QueryRowContext(ctx, orderDetailQuery, id).Scan(append(append(or.dest(), ir.dest()...), cr.dest()...)...); err != nil {
		return nil, dbErr(err, "order")
	}
	it, err := ir.item()
	if err != nil {
		return nil, err
	}
	d := &appraisal.OrderDetail{Order: *or.order(), Item: *it, Customer: cr.c, CustomerPhoneEnc: cr.enc, Events: []appraisal.OrderEvent{},
		Opinions: []appraisal.Opinion{}, Reviews: []appraisal.Review{}, Certificates: []appraisal.Certificate{}}
	// The actor's name is joined here, not copied into the event, so a renamed account reads
	// under its new name; whoever may read the order may read who worked on it.
	const (
		noInt  = "CAST(NULL AS SIGNED)"
		noStr  = "CAST(NULL AS CHAR CHARACTER SET utf8mb4) COLLATE utf8mb4_unicode_ci"
		noTime = "CAST(NULL AS DATETIME(6))"
	)
	// The first branch of each derived table names the slots.
	events := `SELECT 1 AS k, e.id AS n1, e.order_id AS n2, e.round AS n3, e.version AS n4, e.actor_user_id AS n5, ` + noInt + ` AS n6, ` + noInt + ` AS n7,
  e.action AS s1, e.from_status AS s2, e.to_status AS s3, u.display_name AS s4, u.username AS s5, e.note AS s6, ` + noStr + ` AS s7,
  e.created_at AS t1, ` + noTime + ` AS t2, ` + noTime + ` AS t3
  FROM order_events e LEFT JOIN admin_users u ON u.id = e.actor_user_id WHERE e.order_id = ?`
	opinions := `SELECT 2, id, order_id, round, expert_id, value_min_fen, value_max_fen, review_required,
  verdict, era, condition_grade, public_comment, internal_note, status, review_reason, created_at, ` + noTime + `, ` + noTime + `
  FROM opinions WHERE order_id = ?`
	reviews := `SELECT 3 AS k, id AS n1, order_id AS n2, opinion_id AS n3, reviewer_user_id AS n4, ` + noInt + ` AS n5, ` + noInt + ` AS n6, ` + noInt + ` AS n7,
  decision AS s1, comment AS s2, ` + noStr + ` AS s3, ` + noStr + ` AS s4, ` + noStr + ` AS s5, ` + noStr + ` AS s6, ` + noStr + ` AS s7,
  created_at AS t1, ` + noTime + ` AS t2, ` + noTime + ` AS t3
  FROM reviews WHERE order_id = ?`
	certificates := `SELECT 4, id, order_id, opinion_id, round, issued_by, ` + noInt + `, ` + noInt + `,
  cert_no, verify_token, status, revoke_reason, revoke_code, ` + noStr + `, ` + noStr + `, issued_at, revoked_at, superseded_at
  FROM certificates WHERE order_id = ?`
	// Two unions of two: the embedded engine drops the connection on a flat union of three or
	// more branches with NULL slots; MariaDB and MySQL read both forms alike.
	q := "SELECT * FROM (" + events + " UNION ALL " + opinions + ") a UNION ALL SELECT * FROM (" + reviews + " UNION ALL " + certificates + ") b ORDER BY k, n1"
	err = s.each(ctx, q, []any{id, id, id, id}, func(r interface{ Scan(...any) error }) error {
		var k int
		var n [7]sql.NullInt64
		var str [7]sql.NullString
		var tm [3]sql.NullTime
		if err := r.Scan(&k, &n[0], &n[1], &n[2], &n[3], &n[4], &n[5], &n[6],
			&str[0], &str[1], &str[2], &str[3], &str[4], &str[5], &str[6], &tm[0], &tm[1], &tm[2]); err != nil {
			return err
		}
		at := func(i int) *time.Time {
			if !tm[i].Valid {
				return nil
			}
			t := tm[i].Time
			return &t
		}
		switch k {
		case 1:
			e := appraisal.OrderEvent{ID: n[0].Int64, OrderID: n[1].Int64, Round: int(n[2].Int64), Version: n[3].Int64, ActorID: n[4].Int64,
				Action: appraisal.Action(str[0].String), From: appraisal.Status(str[1].String), To: appraisal.Status(str[2].String),
				ActorName: str[3].String, Note: str[5].String, CreatedAt: tm[0].Time}
			if e.ActorName == "" {
				e.ActorName = str[4].String
			}
			d.Events = append(d.Events, e)
		case 2:
			d.Opinions = append(d.Opinions, appraisal.Opinion{ID: n[0].Int64, OrderID: n[1].Int64, Round: int(n[2].Int64), ExpertID: n[3].Int64,
				ValueMinFen: n[4].Int64, ValueMaxFen: n[5].Int64, ReviewRequired: n[6].Int64 != 0,
				Verdict: appraisal.Verdict(str[0].String), Era: str[1].String, Condition: str[2].String, PublicComment: str[3].String,
				InternalNote: str[4].String, Status: str[5].String, ReviewReason: str[6].String, CreatedAt: tm[0].Time})
		case 3:
			d.Reviews = append(d.Reviews, appraisal.Review{ID: n[0].Int64, OrderID: n[1].Int64, OpinionID: n[2].Int64, ReviewerID: n[3].Int64,
				Decision: str[0].String, Comment: str[1].String, CreatedAt: tm[0].Time})
		case 4:
			d.Certificates = append(d.Certificates, appraisal.Certificate{ID: n[0].Int64, OrderID: n[1].Int64, OpinionID: n[2].Int64,
				Round: int(n[3].Int64), IssuedBy: n[4].Int64, CertNo: str[0].String, VerifyToken: str[1].String, Status: str[2].String,
				RevokeReason: str[3].String, PublicReason: appraisal.RevokeReason(str[4].String), IssuedAt: tm[0].Time, RevokedAt: at(1), SupersededAt: at(2)})
		}
		return nil
	})
	return d, err
}

func (s *Store) each(ctx context.Context, q string, args []any, scan func(interface{ Scan(...any) error }) error) error {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return dbErr(err, "query")
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return dbErr(err, "scan")
		}
	}
	return dbErr(rows.Err(), "query")
}

// orderSorts maps the allow-listed sort keys to a column, each with an index of its own; the id
// breaks ties (order_no is unique), so pages never overlap and a page's last row is a key.
// Anything else never reaches SQL.
var orderSorts = map[string]struct {
	col  string
	desc bool
}{
	"created_at": {"created_at", false}, "-created_at": {"created_at", true},
	"updated_at": {"updated_at", false}, "-updated_at": {"updated_at", true},
	"sla_due_at": {"sla_due_at", false}, "-sla_due_at": {"sla_due_at", true},
	"price_fen": {"price_fen", false}, "-price_fen": {"price_fen", true},
	"order_no": {"order_no", false}, "-order_no": {"order_no", true},
}

// openStatuses are those whose SLA still runs.
var openStatuses = []any{"SUBMITTED", "TRIAGE", "QUEUED", "ASSIGNED", "IN_APPRAISAL", "OPINION_SUBMITTED", "IN_REVIEW", "DISPUTED"}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// ListOrders implements appraisal.OrderStore. No part of it reads a range as long as the table:
// the count comes from order_counts when only statuses filter, and stops at
// appraisal.CountBound otherwise; a keyword is looked up in order_terms; a page after the first
// starts from the previous page's last key.
func (s *Store) ListOrders(ctx context.Context, f appraisal.OrderFilter) (appraisal.OrderList, error) {
	out := appraisal.OrderList{Orders: []appraisal.Order{}}
	if f.Sort == "" {
		f.Sort = "-created_at"
	}
	sort, ok := orderSorts[f.Sort]
	if !ok {
		return out, appraisal.Invalid(appraisal.FieldError{Field: "sort", Code: "not_allowed", Message: "unknown sort key"})
	}
	// A cursor is checked before anything is counted; its clause applies to the page only.
	var after string
	var afterArgs []any
	if f.After != "" {
		var err error
		if after, afterArgs, err = afterKey(f.Sort, sort.col, sort.desc, f.After); err != nil {
			return out, err
		}
		f.Offset = 0
	}
	w := &where{}
	var statuses []any
	for _, st := range f.Statuses {
		statuses = append(statuses, string(st))
	}
	if len(statuses) > 0 {
		w.add("status IN ("+placeholders(len(statuses))+")", statuses...)
	}
	statusOnly := true
	filter := func(clause string, args ...any) {
		w.add(clause, args...)
		statusOnly = false
	}
	if f.CategoryID != 0 {
		// The category and what lies under it (瓷器 finds 青花瓷), three levels deep.
		filter(`category_id IN (SELECT c.id FROM categories c LEFT JOIN categories p ON p.id = c.parent_id
  WHERE c.id = ? OR c.parent_id = ? OR p.parent_id = ?)`, f.CategoryID, f.CategoryID, f.CategoryID)
	}
	if f.ExpertID != 0 {
		filter("assignee_expert_id = ?", f.ExpertID)
	}
	if f.ProductID != 0 {
		filter("product_id = ?", f.ProductID)
	}
	if f.ItemID != 0 {
		filter("item_id = ?", f.ItemID)
	}
	if f.CustomerID != 0 {
		filter("customer_id = ?", f.CustomerID)
	}
	if !f.From.IsZero() {
		filter("created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		filter("created_at < ?", f.To.UTC())
	}
	candidates, through, termOnly := false, "", false
	if f.Keyword != "" {
		if terms := bigrams(f.Keyword); len(terms) > 0 {
			// A two-character keyword is its own only term: with no other filter, its term's
			// orders are exactly its matches.
			termOnly = statusOnly && len(statuses) == 0 && len(fold(f.Keyword)) == 2
			ids, rarest, ok, err := s.termCandidates(ctx, terms)
			if err != nil {
				return out, err
			}
			if ok && len(ids) == 0 {
				out.TotalExact = true
				return out, nil
			}
			if ok {
				w.add("id IN ("+placeholders(len(ids))+")", ids...)
				candidates = true
			} else {
				through = rarest
			}
		}
		kw := like(f.Keyword)
		filter("(order_no LIKE ? OR title LIKE ? OR customer_name LIKE ?)", kw, kw, kw)
	}
	if f.SLABreached {
		filter("status IN ("+placeholders(len(openStatuses))+") AND sla_paused_at IS NULL AND sla_due_at < ?", append(append([]any{}, openStatuses...), now())...)
	}

	// The candidates of a keyword (at most searchCap) are counted by the page's own query, with
	// a window over its matches, when the page starts at the top: one round trip less for the
	// search people type most.
	countInPage := candidates && after == ""
	var err error
	switch {
	case countInPage:
		out.TotalExact = true
	case statusOnly:
		out.Total, err = s.countByStatus(ctx, statuses)
		out.TotalExact = true
	case candidates:
		out.Total, err = s.count(ctx, "orders", w)
		out.TotalExact = true
	case through != "" && termOnly:
		out.Total, out.TotalExact, err = s.countBounded(ctx, "order_terms", &where{clauses: []string{"term = ?"}, args: []any{through}})
	case through != "":
		// A common keyword: count the orders of its rarest term that match, up to the bound,
		// instead of scanning orders until a thousand match.
		c := &where{clauses: append([]string{"t.term = ?"}, w.clauses...), args: append([]any{through}, w.args...)}
		out.Total, out.TotalExact, err = s.countBounded(ctx, "order_terms t JOIN orders ON orders.id = t.order_id", c)
	default:
		out.Total, out.TotalExact, err = s.countBounded(ctx, "orders", w)
	}
	if err != nil {
		return out, err
	}

	if after != "" {
		w.add(after, afterArgs...)
	}
	dir := ""
	if sort.desc {
		dir = " DESC"
	}
	order := sort.col + dir
	if sort.col != "order_no" {
		order += ", id" + dir
	}
	// One row more than the page tells whether there is a next page.
	limit, offset := limits(f.Page)
	columns := orderColumns
	if countInPage {
		columns += ", COUNT(*) OVER ()"
	}
	err = s.each(ctx, "SELECT "+columns+" FROM orders"+w.String()+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(append([]any(nil), w.args...), limit+1, offset), func(r interface{ Scan(...any) error }) error {
			var or orderRow
			dest := or.dest()
			if countInPage {
				dest = append(dest, &out.Total)
			}
			if err := r.Scan(dest...); err != nil {
				return err
			}
			out.Orders = append(out.Orders, *or.order())
			return nil
		})
	if countInPage && len(out.Orders) == 0 && offset > 0 && err == nil {
		// A page past the last match has no row to carry the count.
		out.Total, err = s.count(ctx, "orders", w)
	}
	if err == nil && len(out.Orders) > limit {
		out.Orders = out.Orders[:limit]
		out.Next = orderKey(f.Sort, &out.Orders[limit-1])
	}
	return out, err
}

// orderKey is an order's place in a sort: the sort's name, the id and the column's value.
func orderKey(sort string, o *appraisal.Order) string {
	var v string
	switch strings.TrimPrefix(sort, "-") {
	case "created_at":
		v = o.CreatedAt.UTC().Format(time.RFC3339Nano)
	case "updated_at":
		v = o.UpdatedAt.UTC().Format(time.RFC3339Nano)
	case "sla_due_at":
		v = o.SLADueAt.UTC().Format(time.RFC3339Nano)
	case "price_fen":
		v = strconv.FormatInt(o.PriceFen, 10)
	case "order_no":
		v = o.OrderNo
	}
	return sort + "|" + strconv.FormatInt(o.ID, 10) + "|" + v
}

// afterKey turns a key from orderKey into the clause that starts a page after it.
func afterKey(sort, col string, desc bool, key string) (string, []any, error) {
	bad := appraisal.Invalid(appraisal.FieldError{Field: "cursor", Code: "bad_cursor", Message: "the cursor is not one this API issued for this sort"})
	parts := strings.SplitN(key, "|", 3)
	if len(parts) != 3 || parts[0] != sort {
		return "", nil, bad
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return "", nil, bad
	}
	var v any = parts[2]
	switch col {
	case "created_at", "updated_at", "sla_due_at":
		t, err := time.Parse(time.RFC3339Nano, parts[2])
		if err != nil {
			return "", nil, bad
		}
		v = t
	case "price_fen":
		n, err := strconv.ParseInt(parts[2], 10, 64)
		if err != nil {
			return "", nil, bad
		}
		v = n
	}
	op := ">"
	if desc {
		op = "<"
	}
	if col == "order_no" {
		return "order_no " + op + " ?", []any{v}, nil
	}
	return "(" + col + " " + op + " ? OR (" + col + " = ? AND id " + op + " ?))", []any{v, v, id}, nil
}

// countByStatus adds up order_counts: every order, or those in the statuses.
func (s *Store) countByStatus(ctx context.Context, statuses []any) (int, error) {
	q := "SELECT COALESCE(SUM(n), 0) FROM order_counts"
	if len(statuses) > 0 {
		q += " WHERE status IN (" + placeholders(len(statuses)) + ")"
	}
	var n int
	err := s.db.QueryRowContext(ctx, q, statuses...).Scan(&n)
	return n, dbErr(err, "count")
}

// errAtCapacity is an assignment to an expert whose places are all taken.
var errAtCapacity = appraisal.Invalid(appraisal.FieldError{Field: "expert_id", Code: "at_capacity", Message: "the expert has no capacity left"})

// claimPlace checks, inside the assignment's transaction, that the expert has a place left. The
// expert's row is locked before their open orders are counted, so of two assignments racing for
// the last place the second waits for the first to commit, then counts it: the count is this
// transaction's first plain read, and its snapshot starts after the lock was granted.
func claimPlace(ctx context.Context, tx *sql.Tx, expertID int64) error {
	var capacity, open int
	err := tx.QueryRowContext(ctx, "SELECT capacity FROM experts WHERE id = ? FOR UPDATE", expertID).Scan(&capacity)
	if errors.Is(err, sql.ErrNoRows) {
		return appraisal.Invalid(appraisal.FieldError{Field: "expert_id", Code: "not_found", Message: "no such expert"})
	}
	if err != nil {
		return dbErr(err, "expert")
	}
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM orders WHERE assignee_expert_id = ? AND "+openAssigned, expertID).Scan(&open); err != nil {
		return dbErr(err, "expert")
	}
	if open >= capacity {
		return errAtCapacity
	}
	return nil
}

// ApplyOrderChange implements appraisal.OrderStore. The order row is updated only if it still has
// the version (and status) the change was computed from; the event row takes the new version,
// unique per order, so even a lost race cannot leave two events for one version.
func (s *Store) ApplyOrderChange(ctx context.Context, ch appraisal.OrderChange) (*appraisal.Order, error) {
	o := *ch.Order
	from := ch.Event.From
	t := now()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// First, before anything is read: an order given to another expert takes one of that
		// expert's places, or the change is refused.
		if o.AssigneeID != 0 && (ch.Prior == nil || ch.Prior.AssigneeID != o.AssigneeID) {
			if err := claimPlace(ctx, tx, o.AssigneeID); err != nil {
				return err
			}
		}
		write := func(ev appraisal.OrderEvent, readVersion int64) error {
			var paused, completed any
			if o.SLAPausedAt != nil {
				paused = o.SLAPausedAt.UTC()
			}
			if o.CompletedAt != nil {
				completed = o.CompletedAt.UTC()
			}
			res, err := tx.ExecContext(ctx, `UPDATE orders SET status = ?, round = ?, assignee_expert_id = ?, sla_due_at = ?, sla_paused_at = ?,
  completed_at = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND status = ?`,
				string(ev.To), o.Round, nullID(o.AssigneeID), o.SLADueAt.UTC(), paused, completed, t, o.ID, readVersion, string(ev.From))
			if err != nil {
				return dbErr(err, "order")
			}
			if ok, err := affectedOne(res); err != nil || !ok {
				if err != nil {
					return dbErr(err, "order")
				}
				return errStale
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO order_events (order_id, round, action, from_status, to_status, version, actor_user_id, note, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, o.ID, o.Round, string(ev.Action), string(ev.From), string(ev.To), readVersion+1,
				nullID(ev.ActorID), truncate(ev.Note, 500), t); err != nil {
				if errNumber(err) == errDuplicate {
					return errStale
				}
				return dbErr(err, "order event")
			}
			return nil
		}
		if err := write(ch.Event, ch.Order.Version); err != nil {
			return err
		}
		o.Version = ch.Order.Version + 1
		o.Status = ch.Event.To

		if ch.Supersede {
			if _, err := tx.ExecContext(ctx, "UPDATE opinions SET status = 'SUPERSEDED' WHERE order_id = ? AND status = 'ACTIVE'", o.ID); err != nil {
				return dbErr(err, "opinions")
			}
			if _, err := tx.ExecContext(ctx, "UPDATE certificates SET status = 'SUPERSEDED', superseded_at = ? WHERE order_id = ? AND status = 'ISSUED'", t, o.ID); err != nil {
				return dbErr(err, "certificates")
			}
		}
		if ch.SendBackOpinionID != 0 {
			if _, err := tx.ExecContext(ctx, "UPDATE opinions SET status = 'SENT_BACK' WHERE id = ? AND status = 'ACTIVE'", ch.SendBackOpinionID); err != nil {
				return dbErr(err, "opinion")
			}
		}
		if op := ch.Opinion; op != nil {
			op.OrderID, op.Round, op.CreatedAt, op.Status = o.ID, o.Round, t, "ACTIVE"
			res, err := tx.ExecContext(ctx, `INSERT INTO opinions (order_id, round, expert_id, verdict, era, condition_grade, value_min_fen, value_max_fen,
  public_comment, internal_note, status, review_required, review_reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				op.OrderID, op.Round, op.ExpertID, string(op.Verdict), op.Era, op.Condition, op.ValueMinFen, op.ValueMaxFen,
				op.PublicComment, op.InternalNote, op.Status, op.ReviewRequired, op.ReviewReason, t)
			if err != nil {
				return dbErr(err, "opinion")
			}
			op.ID, _ = res.LastInsertId()
		}
		if rv := ch.Review; rv != nil {
			rv.OrderID, rv.CreatedAt = o.ID, t
			res, err := tx.ExecContext(ctx, "INSERT INTO reviews (order_id, opinion_id, reviewer_user_id, decision, comment, created_at) VALUES (?, ?, ?, ?, ?, ?)",
				rv.OrderID, rv.OpinionID, rv.ReviewerID, rv.Decision, rv.Comment, t)
			if err != nil {
				return dbErr(err, "review")
			}
			rv.ID, _ = res.LastInsertId()
		}
		if c := ch.Certificate; c != nil {
			c.OrderID, c.Round, c.IssuedAt, c.Status = o.ID, o.Round, t, "ISSUED"
			res, err := tx.ExecContext(ctx, `INSERT INTO certificates (cert_no, verify_token, order_id, opinion_id, round, status, issued_by, issued_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, "TMP-"+randomToken(12), c.VerifyToken, c.OrderID, c.OpinionID, c.Round, c.Status, c.IssuedBy, t)
			if err != nil {
				return dbErr(err, "certificate")
			}
			c.ID, _ = res.LastInsertId()
			c.CertNo = appraisal.FormatCertNo(t, c.ID)
			if _, err := tx.ExecContext(ctx, "UPDATE certificates SET cert_no = ? WHERE id = ?", c.CertNo, c.ID); err != nil {
				return dbErr(err, "certificate")
			}
		}
		if ch.Then != nil {
			if err := write(*ch.Then, o.Version); err != nil {
				return err
			}
			o.Version++
			o.Status = ch.Then.To
		}
		before := orderState{status: from, created: o.CreatedAt}
		if ch.Prior != nil {
			before.completed = ch.Prior.CompletedAt
		} else if err := tx.QueryRowContext(ctx, "SELECT completed_at FROM orders WHERE id = ?", o.ID).Scan(&before.completed); err != nil {
			return dbErr(err, "order")
		}
		o.UpdatedAt = t
		a := ch.Audit
		a.TargetID = formatID(o.ID)
		// Before is the order as the caller read it: the changed copy already holds the new
		// assignee, round and SLA.
		prior := ch.Prior
		if prior == nil {
			prior = ch.Order
		}
		a.Before = orderSnapshot(prior)
		a.Before.(map[string]any)["status"] = from
		a.After = orderSnapshot(&o)
		if err := insertAudit(ctx, tx, a); err != nil {
			return err
		}
		// The rollups last: their rows are shared by every writer and locked until COMMIT.
		return rollup(ctx, tx, before, orderState{status: o.Status, created: o.CreatedAt, completed: o.CompletedAt})
	})
	if errors.Is(err, errStale) {
		cur, cerr := s.Order(ctx, o.ID)
		if cerr != nil {
			return nil, cerr
		}
		return nil, &appraisal.Error{Kind: appraisal.KindConflict, Code: "order.version_conflict",
			Message: "the order was changed by someone else; reload and retry",
			Details: map[string]any{"current_status": cur.Status, "current_version": cur.Version, "allowed_actions": appraisal.FlowOperations(cur.Status)}}
	}
	if err != nil {
		return nil, err
	}
	return &o, nil
}

var errStale = errors.New("stale order version")

// PastExperts implements appraisal.OrderStore.
func (s *Store) PastExperts(ctx context.Context, orderID int64) ([]int64, error) {
	var out []int64
	err := s.each(ctx, "SELECT DISTINCT expert_id FROM opinions WHERE order_id = ?", []any{orderID}, func(r interface{ Scan(...any) error }) error {
		var id int64
		if err := r.Scan(&id); err != nil {
			return err
		}
		out = append(out, id)
		return nil
	})
	return out, err
}

const opinionColumns = `id, order_id, round, expert_id, verdict, era, condition_grade, value_min_fen, value_max_fen,
  public_comment, internal_note, status, review_required, review_reason, created_at`

func scanOpinion(r interface{ Scan(...any) error }) (*appraisal.Opinion, error) {
	var op appraisal.Opinion
	var verdict string
	var pub, internal sql.NullString
	if err := r.Scan(&op.ID, &op.OrderID, &op.Round, &op.ExpertID, &verdict, &op.Era, &op.Condition, &op.ValueMinFen, &op.ValueMaxFen,
		&pub, &internal, &op.Status, &op.ReviewRequired, &op.ReviewReason, &op.CreatedAt); err != nil {
		return nil, err
	}
	op.Verdict, op.PublicComment, op.InternalNote = appraisal.Verdict(verdict), pub.String, internal.String
	return &op, nil
}

const certColumns = "id, cert_no, verify_token, order_id, opinion_id, round, status, issued_by, issued_at, revoked_at, revoke_reason, revoke_code, superseded_at"

func scanCert(r interface{ Scan(...any) error }) (*appraisal.Certificate, error) {
	var c appraisal.Certificate
	var revoked, superseded sql.NullTime
	if err := r.Scan(&c.ID, &c.CertNo, &c.VerifyToken, &c.OrderID, &c.OpinionID, &c.Round, &c.Status, &c.IssuedBy, &c.IssuedAt,
		&revoked, &c.RevokeReason, &c.PublicReason, &superseded); err != nil {
		return nil, err
	}
	if revoked.Valid {
		c.RevokedAt = &revoked.Time
	}
	if superseded.Valid {
		c.SupersededAt = &superseded.Time
	}
	return &c, nil
}

// CertificateByToken implements appraisal.OrderStore.
func (s *Store) CertificateByToken(ctx context.Context, token string) (*appraisal.Certificate, *appraisal.Order, *appraisal.Opinion, error) {
	c, err := scanCert(s.db.QueryRowContext(ctx, "SELECT "+certColumns+" FROM certificates WHERE verify_token = ?", token))
	if err != nil {
		return nil, nil, nil, dbErr(err, "certificate")
	}
	o, err := s.Order(ctx, c.OrderID)
	if err != nil {
		return nil, nil, nil, err
	}
	op, err := scanOpinion(s.db.QueryRowContext(ctx, "SELECT "+opinionColumns+" FROM opinions WHERE id = ?", c.OpinionID))
	if err != nil {
		return nil, nil, nil, dbErr(err, "opinion")
	}
	return c, o, op, nil
}

// Certificate implements appraisal.OrderStore.
func (s *Store) Certificate(ctx context.Context, id int64) (*appraisal.Certificate, error) {
	c, err := scanCert(s.db.QueryRowContext(ctx, "SELECT "+certColumns+" FROM certificates WHERE id = ?", id))
	return c, dbErr(err, "certificate")
}

// ListCertificates implements appraisal.OrderStore.
func (s *Store) ListCertificates(ctx context.Context, sc appraisal.Scope, f appraisal.CertificateFilter) ([]appraisal.CertificateRow, int, error) {
	var w where
	if !sc.All {
		w.add("o.assignee_expert_id = ?", sc.ExpertID)
	}
	if f.Status != "" {
		w.add("c.status = ?", f.Status)
	}
	if f.CertNo != "" {
		w.add("c.cert_no = ?", f.CertNo)
	}
	if f.OrderID != 0 {
		w.add("c.order_id = ?", f.OrderID)
	}
	if !f.From.IsZero() {
		w.add("c.issued_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		w.add("c.issued_at < ?", f.To.UTC())
	}
	total, err := s.count(ctx, "certificates c JOIN orders o ON o.id = c.order_id", &w)
	if err != nil {
		return nil, 0, err
	}
	from := " FROM certificates c JOIN orders o ON o.id = c.order_id" + w.String()
	limit, offset := limits(f.Page)
	out := []appraisal.CertificateRow{}
	cols := "c." + strings.ReplaceAll(certColumns, ", ", ", c.")
	err = s.each(ctx, "SELECT "+cols+", o.order_no, o.title, o.customer_name"+from+" ORDER BY "+byTime("c.issued_at", "c.id", f.Oldest)+" LIMIT ? OFFSET ?",
		append(append([]any{}, w.args...), limit, offset), func(r interface{ Scan(...any) error }) error {
			var row appraisal.CertificateRow
			var c *appraisal.Certificate
			var err error
			c, err = scanCert(rowWithTail{r, []any{&row.OrderNo, &row.Title, &row.CustomerName}})
			if err != nil {
				return err
			}
			row.Certificate = *c
			out = append(out, row)
			return nil
		})
	return out, total, err
}

// rowWithTail scans extra columns after the ones a scanner asks for.
type rowWithTail struct {
	r    interface{ Scan(...any) error }
	tail []any
}

func (t rowWithTail) Scan(dest ...any) error { return t.r.Scan(append(dest, t.tail...)...) }

// RevokeCertificate implements appraisal.OrderStore. Only an issued certificate can be revoked.
func (s *Store) RevokeCertificate(ctx context.Context, id int64, r appraisal.Revocation, a appraisal.AuditEntry) (*appraisal.Certificate, error) {
	var out *appraisal.Certificate
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		before, err := scanCert(tx.QueryRowContext(ctx, "SELECT "+certColumns+" FROM certificates WHERE id = ?", id))
		if err != nil {
			return dbErr(err, "certificate")
		}
		res, err := tx.ExecContext(ctx, "UPDATE certificates SET status = 'REVOKED', revoked_at = ?, revoke_reason = ?, revoke_code = ? WHERE id = ? AND status = 'ISSUED'",
			now(), truncate(r.Note, 200), string(r.Public), id)
		if err != nil {
			return dbErr(err, "certificate")
		}
		if ok, err := affectedOne(res); err != nil || !ok {
			if err != nil {
				return dbErr(err, "certificate")
			}
			return &appraisal.Error{Kind: appraisal.KindConflict, Code: "certificate.not_issued",
				Message: "only an issued certificate can be revoked", Details: map[string]any{"current_status": before.Status}}
		}
		out, err = scanCert(tx.QueryRowContext(ctx, "SELECT "+certColumns+" FROM certificates WHERE id = ?", id))
		if err != nil {
			return dbErr(err, "certificate")
		}
		// The order goes back to COMPLETED (an event of its own), so a corrected certificate can
		// be issued for the same opinion; the revoked one stays on record.
		var version int64
		var round int
		err = tx.QueryRowContext(ctx, "SELECT version, round FROM orders WHERE id = ? AND status = ?", out.OrderID, string(appraisal.StatusCertIssued)).Scan(&version, &round)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return dbErr(err, "order")
		default:
			t := now()
			if _, err := tx.ExecContext(ctx, "UPDATE orders SET status = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
				string(appraisal.StatusCompleted), t, out.OrderID, version); err != nil {
				return dbErr(err, "order")
			}
			// Both statuses count as completed, on the same day: only the status count moves.
			if err := rollup(ctx, tx, orderState{status: appraisal.StatusCertIssued}, orderState{status: appraisal.StatusCompleted}); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO order_events (order_id, round, action, from_status, to_status, version, actor_user_id, note, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, out.OrderID, round, string(appraisal.ActionRevokeCert), string(appraisal.StatusCertIssued),
				string(appraisal.StatusCompleted), version+1, nullID(a.Actor.UserID), truncate(r.Note, 500), t); err != nil {
				return dbErr(err, "order event")
			}
		}
		a.TargetID = formatID(id)
		a.Before = map[string]any{"cert_no": before.CertNo, "status": before.Status}
		a.After = map[string]any{"cert_no": out.CertNo, "status": out.Status, "reason": r.Note, "public_reason": string(r.Public)}
		return insertAudit(ctx, tx, a)
	})
	return out, err
}
