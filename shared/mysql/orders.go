package mysql

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

var _ appraisal.OrderStore = (*Store)(nil)

const orderColumns = `id, order_no, customer_id, item_id, product_id, category_id, title, customer_name, status, round,
  assignee_expert_id, price_fen, sla_due_at, sla_paused_at, note, version, created_by, created_at, updated_at, completed_at`

func scanOrder(r interface{ Scan(...any) error }) (*appraisal.Order, error) {
	var o appraisal.Order
	var status string
	var assignee sql.NullInt64
	var paused, completed sql.NullTime
	if err := r.Scan(&o.ID, &o.OrderNo, &o.CustomerID, &o.ItemID, &o.ProductID, &o.CategoryID, &o.Title, &o.CustomerName,
		&status, &o.Round, &assignee, &o.PriceFen, &o.SLADueAt, &paused, &o.Note, &o.Version, &o.CreatedBy,
		&o.CreatedAt, &o.UpdatedAt, &completed); err != nil {
		return nil, err
	}
	o.Status = appraisal.Status(status)
	o.AssigneeID = assignee.Int64
	if paused.Valid {
		o.SLAPausedAt = &paused.Time
	}
	if completed.Valid {
		o.CompletedAt = &completed.Time
	}
	return &o, nil
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
		if err := moveStatus(ctx, tx, "", appraisal.StatusSubmitted); err != nil {
			return err
		}
		if err := insertTerms(ctx, tx, termSource{id, o.OrderNo, o.Title, o.CustomerName}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO order_events (order_id, round, action, from_status, to_status, version, actor_user_id, note, created_at)
  VALUES (?, 1, ?, '', ?, 1, ?, '', ?)`, id, string(appraisal.ActionCreate), string(appraisal.StatusSubmitted), nullID(a.Actor.UserID), t); err != nil {
			return dbErr(err, "order event")
		}
		a.TargetID, a.After = formatID(id), orderSnapshot(o)
		return insertAudit(ctx, tx, a)
	})
}

// Order implements appraisal.OrderStore.
func (s *Store) Order(ctx context.Context, id int64) (*appraisal.Order, error) {
	o, err := scanOrder(s.db.QueryRowContext(ctx, "SELECT "+orderColumns+" FROM orders WHERE id = ?", id))
	return o, dbErr(err, "order")
}

// OrderDetail implements appraisal.OrderStore.
func (s *Store) OrderDetail(ctx context.Context, id int64) (*appraisal.OrderDetail, error) {
	o, err := s.Order(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &appraisal.OrderDetail{Order: *o, Events: []appraisal.OrderEvent{}, Opinions: []appraisal.Opinion{},
		Reviews: []appraisal.Review{}, Certificates: []appraisal.Certificate{}}
	// The actor's name is joined here, not copied into the event, so a renamed account reads
	// under its new name; whoever may read the order may read who worked on it.
	err = s.each(ctx, `SELECT e.id, e.order_id, e.round, e.action, e.from_status, e.to_status, e.version, e.actor_user_id,
  u.display_name, u.username, e.note, e.created_at
  FROM order_events e LEFT JOIN admin_users u ON u.id = e.actor_user_id WHERE e.order_id = ? ORDER BY e.version`, []any{id},
		func(r interface{ Scan(...any) error }) error {
			var e appraisal.OrderEvent
			var action, from, to string
			var actor sql.NullInt64
			var display, username sql.NullString
			if err := r.Scan(&e.ID, &e.OrderID, &e.Round, &action, &from, &to, &e.Version, &actor, &display, &username, &e.Note, &e.CreatedAt); err != nil {
				return err
			}
			e.Action, e.From, e.To, e.ActorID = appraisal.Action(action), appraisal.Status(from), appraisal.Status(to), actor.Int64
			e.ActorName = display.String
			if e.ActorName == "" {
				e.ActorName = username.String
			}
			d.Events = append(d.Events, e)
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = s.each(ctx, "SELECT "+opinionColumns+" FROM opinions WHERE order_id = ? ORDER BY id", []any{id}, func(r interface{ Scan(...any) error }) error {
		op, err := scanOpinion(r)
		if err == nil {
			d.Opinions = append(d.Opinions, *op)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	err = s.each(ctx, "SELECT id, order_id, opinion_id, reviewer_user_id, decision, comment, created_at FROM reviews WHERE order_id = ? ORDER BY id", []any{id},
		func(r interface{ Scan(...any) error }) error {
			var rv appraisal.Review
			if err := r.Scan(&rv.ID, &rv.OrderID, &rv.OpinionID, &rv.ReviewerID, &rv.Decision, &rv.Comment, &rv.CreatedAt); err != nil {
				return err
			}
			d.Reviews = append(d.Reviews, rv)
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = s.each(ctx, "SELECT "+certColumns+" FROM certificates WHERE order_id = ? ORDER BY id", []any{id}, func(r interface{ Scan(...any) error }) error {
		c, err := scanCert(r)
		if err == nil {
			d.Certificates = append(d.Certificates, *c)
		}
		return err
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
	candidates := false
	if f.Keyword != "" {
		if terms := bigrams(f.Keyword); len(terms) > 0 {
			ids, ok, err := s.termCandidates(ctx, terms)
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
			}
		}
		kw := like(f.Keyword)
		filter("(order_no LIKE ? OR title LIKE ? OR customer_name LIKE ?)", kw, kw, kw)
	}
	if f.SLABreached {
		filter("status IN ("+placeholders(len(openStatuses))+") AND sla_paused_at IS NULL AND sla_due_at < ?", append(append([]any{}, openStatuses...), now())...)
	}

	var err error
	switch {
	case statusOnly:
		out.Total, err = s.countByStatus(ctx, statuses)
		out.TotalExact = true
	case candidates:
		out.Total, err = s.count(ctx, "orders", w)
		out.TotalExact = true
	default:
		out.Total, out.TotalExact, err = s.countBounded(ctx, "orders", w)
	}
	if err != nil {
		return out, err
	}

	p := f.Page
	if f.After != "" {
		clause, args, err := afterKey(f.Sort, sort.col, sort.desc, f.After)
		if err != nil {
			return out, err
		}
		w.add(clause, args...)
		p.Offset = 0
	}
	order := sort.col
	if sort.col != "order_no" {
		order += ", id"
	}
	if sort.desc {
		order = strings.ReplaceAll(order, ",", " DESC,") + " DESC"
	}
	// One row more than the page tells whether there is a next page.
	limit, offset := limits(p)
	err = s.each(ctx, "SELECT "+orderColumns+" FROM orders"+w.String()+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(append([]any(nil), w.args...), limit+1, offset), func(r interface{ Scan(...any) error }) error {
			o, err := scanOrder(r)
			if err == nil {
				out.Orders = append(out.Orders, *o)
			}
			return err
		})
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

// moveStatus keeps order_counts in step with one order leaving from (none: "") for to. Every
// statement that sets orders.status goes through it, in the same transaction.
func moveStatus(ctx context.Context, tx execer, from, to appraisal.Status) error {
	if from == to {
		return nil
	}
	shard := rand.IntN(16) // which of the status's rows: see 0013_scale.sql
	q, args := "INSERT INTO order_counts (status, shard, n) VALUES (?, ?, 1)", []any{string(to), shard}
	if from != "" {
		q, args = q+", (?, ?, -1)", append(args, string(from), shard)
	}
	_, err := tx.ExecContext(ctx, q+" ON DUPLICATE KEY UPDATE n = n + VALUES(n)", args...)
	return dbErr(err, "order counts")
}

// ApplyOrderChange implements appraisal.OrderStore. The order row is updated only if it still has
// the version (and status) the change was computed from; the event row takes the new version,
// unique per order, so even a lost race cannot leave two events for one version.
func (s *Store) ApplyOrderChange(ctx context.Context, ch appraisal.OrderChange) (*appraisal.Order, error) {
	o := *ch.Order
	from := ch.Event.From
	t := now()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
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
		if err := moveStatus(ctx, tx, from, o.Status); err != nil {
			return err
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
		return insertAudit(ctx, tx, a)
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

const certColumns = "id, cert_no, verify_token, order_id, opinion_id, round, status, issued_by, issued_at, revoked_at, revoke_reason, superseded_at"

func scanCert(r interface{ Scan(...any) error }) (*appraisal.Certificate, error) {
	var c appraisal.Certificate
	var revoked, superseded sql.NullTime
	if err := r.Scan(&c.ID, &c.CertNo, &c.VerifyToken, &c.OrderID, &c.OpinionID, &c.Round, &c.Status, &c.IssuedBy, &c.IssuedAt,
		&revoked, &c.RevokeReason, &superseded); err != nil {
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
func (s *Store) RevokeCertificate(ctx context.Context, id int64, reason string, a appraisal.AuditEntry) (*appraisal.Certificate, error) {
	var out *appraisal.Certificate
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		before, err := scanCert(tx.QueryRowContext(ctx, "SELECT "+certColumns+" FROM certificates WHERE id = ?", id))
		if err != nil {
			return dbErr(err, "certificate")
		}
		res, err := tx.ExecContext(ctx, "UPDATE certificates SET status = 'REVOKED', revoked_at = ?, revoke_reason = ? WHERE id = ? AND status = 'ISSUED'",
			now(), truncate(reason, 200), id)
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
			if err := moveStatus(ctx, tx, appraisal.StatusCertIssued, appraisal.StatusCompleted); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO order_events (order_id, round, action, from_status, to_status, version, actor_user_id, note, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, out.OrderID, round, string(appraisal.ActionRevokeCert), string(appraisal.StatusCertIssued),
				string(appraisal.StatusCompleted), version+1, nullID(a.Actor.UserID), truncate(reason, 500), t); err != nil {
				return dbErr(err, "order event")
			}
		}
		a.TargetID = formatID(id)
		a.Before = map[string]any{"cert_no": before.CertNo, "status": before.Status}
		a.After = map[string]any{"cert_no": out.CertNo, "status": out.Status, "reason": reason}
		return insertAudit(ctx, tx, a)
	})
	return out, err
}
