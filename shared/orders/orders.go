// Package orders is the appraisal workflow: creating orders, moving them through the one
// transition table in the domain, assigning experts, recording opinions and reviews, and issuing
// certificates. Every change is computed here and written by the store in one transaction guarded
// by the order's version.
package orders

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

// Service runs the workflow. Every method that takes the caller reads and changes orders within
// the caller's scope (appraisal.Scope): an order outside it is not found, whatever the route.
type Service struct {
	Orders  appraisal.OrderStore
	Catalog appraisal.CatalogStore
	// Permissions answers capability questions (auth.Service).
	Permissions Permissions
	Review      appraisal.ReviewPolicy // the environment's; Settings may override it at run time
	Settings    interface {
		Settings(ctx context.Context) (map[string]string, error)
	}
	// Sample draws the review sampling number in [0,1); crypto/rand when nil.
	Sample func() float64
	// Changed is called after every successful write (the dashboard cache listens).
	Changed func(ctx context.Context)
	Now     func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) changed(ctx context.Context) {
	if s.Changed != nil {
		s.Changed(ctx)
	}
}

func (s *Service) sample() float64 {
	if s.Sample != nil {
		return s.Sample()
	}
	n, _ := rand.Int(rand.Reader, big.NewInt(1<<53))
	return float64(n.Int64()) / (1 << 53)
}

// CreateInput is what a new order needs.
type CreateInput struct {
	ItemID    int64
	ProductID int64
	Note      string
}

// Create opens an order for an item. The SLA clock starts now, from the product's hours.
func (s *Service) Create(ctx context.Context, in CreateInput, p *appraisal.Principal, a appraisal.AuditEntry) (*appraisal.Order, error) {
	item, cust, product, err := s.Catalog.OrderSource(ctx, in.ItemID, in.ProductID)
	if appraisal.IsKind(err, appraisal.KindNotFound) {
		// One of them is missing: ask each, to say which.
		item, cust, product, err = s.orderSource(ctx, in)
	}
	if err != nil {
		return nil, err
	}
	if !product.Active {
		return nil, errNoProduct
	}
	if cust.Blocked {
		return nil, appraisal.E(appraisal.KindConflict, "customer.blocked", "the customer is blocked")
	}
	t := s.now()
	o := &appraisal.Order{CustomerID: cust.ID, ItemID: item.ID, ProductID: product.ID, CategoryID: item.CategoryID,
		Title: item.Title, CustomerName: cust.Name, PriceFen: product.PriceFen,
		SLADueAt: t.Add(time.Duration(product.SLAHours) * time.Hour), Note: in.Note, CreatedBy: p.UserID}
	if err := s.Orders.CreateOrder(ctx, o, a.For("orders.create", "order", "")); err != nil {
		return nil, err
	}
	s.changed(ctx)
	return o, nil
}

var errNoProduct = appraisal.Invalid(appraisal.FieldError{Field: "product_id", Code: "not_found", Message: "no such active product"})

// orderSource reads the item, the product and the customer one by one, naming the one missing.
func (s *Service) orderSource(ctx context.Context, in CreateInput) (*appraisal.Item, *appraisal.Customer, *appraisal.Product, error) {
	item, err := s.Catalog.Item(ctx, in.ItemID)
	if appraisal.IsKind(err, appraisal.KindNotFound) {
		return nil, nil, nil, appraisal.Invalid(appraisal.FieldError{Field: "item_id", Code: "not_found", Message: "no such item"})
	}
	if err != nil {
		return nil, nil, nil, err
	}
	product, err := s.Catalog.Product(ctx, in.ProductID)
	if appraisal.IsKind(err, appraisal.KindNotFound) {
		return nil, nil, nil, errNoProduct
	}
	if err != nil {
		return nil, nil, nil, err
	}
	cust, _, err := s.Catalog.Customer(ctx, item.CustomerID)
	if err != nil {
		return nil, nil, nil, err
	}
	return item, cust, product, nil
}

// Permissions answers whether a principal's role holds a capability now, and the scope it sees
// (auth.Service decides both).
type Permissions interface {
	Can(ctx context.Context, p *appraisal.Principal, capability string) (bool, error)
	Scope(ctx context.Context, p *appraisal.Principal) (appraisal.Scope, error)
}

// ErrNotFound is what a caller gets for an order that does not exist or is outside their scope.
var ErrNotFound = appraisal.E(appraisal.KindNotFound, "not_found", "order not found")

// Scope decides the caller's scope.
func (s *Service) Scope(ctx context.Context, p *appraisal.Principal) (appraisal.Scope, error) {
	return s.Permissions.Scope(ctx, p)
}

// visible reads an order within the caller's scope.
func (s *Service) visible(ctx context.Context, p *appraisal.Principal, id int64) (*appraisal.Order, appraisal.Scope, error) {
	sc, err := s.Scope(ctx, p)
	if err != nil {
		return nil, sc, err
	}
	o, err := s.Orders.Order(ctx, id)
	if appraisal.IsKind(err, appraisal.KindNotFound) || err == nil && !sc.SeesOrder(o) {
		return nil, sc, ErrNotFound
	}
	return o, sc, err
}

// List lists orders within the caller's scope; the scope is part of the query's filter.
func (s *Service) List(ctx context.Context, p *appraisal.Principal, f appraisal.OrderFilter) (appraisal.OrderList, error) {
	sc, err := s.Scope(ctx, p)
	if err != nil {
		return appraisal.OrderList{}, err
	}
	if !sc.All {
		if sc.ExpertID == 0 {
			return appraisal.OrderList{Orders: []appraisal.Order{}, TotalExact: true}, nil
		}
		f.ExpertID = sc.ExpertID
	}
	return s.Orders.ListOrders(ctx, f)
}

// Detail is what one caller may read of an order.
type Detail struct {
	// OrderDetail's Item is the item being appraised: its description and attributes are the
	// expert's material. Its Customer is for callers who see every order (SeeAll) only.
	appraisal.OrderDetail
	// SeeAll: the caller's role sees every order (and so every customer's contact, by its other
	// permissions); false for an expert.
	SeeAll bool
	// Blind: earlier rounds' opinions and reviews were left out, because the caller is the expert
	// of a new round who has not yet given their own opinion.
	Blind bool
	// Actions are the operations the caller may call on the order now (see actions).
	Actions []string
}

// Get reads an order with its timeline, opinions, reviews, certificates and item, within the
// caller's scope. Opinions' internal notes are read by those holding CapSeeInternalNotes and by
// each note's author; everyone else gets them empty. Re-appraisal is blind: the expert of a later round sees no earlier round's
// verdict, notes or reviews until they have submitted their own opinion in this round (second
// opinions in grading are independent); reviewers and admins see every round.
func (s *Service) Get(ctx context.Context, p *appraisal.Principal, id int64) (*Detail, error) {
	sc, err := s.Scope(ctx, p)
	if err != nil {
		return nil, err
	}
	// One read: the detail (cached) carries the order the scope is decided on.
	det, err := s.Orders.OrderDetail(ctx, id)
	if appraisal.IsKind(err, appraisal.KindNotFound) || err == nil && !sc.SeesOrder(&det.Order) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	out := &Detail{OrderDetail: *det, SeeAll: sc.All}
	if out.Actions, err = s.actions(ctx, p, det); err != nil {
		return nil, err
	}
	if !sc.All && det.Order.Round > 1 {
		answered := slices.ContainsFunc(det.Opinions, func(op appraisal.Opinion) bool {
			return op.Round == det.Order.Round && op.ExpertID == p.ExpertID
		})
		if !answered {
			out.Blind = true
			earlier := map[int64]bool{}
			out.Opinions = slices.DeleteFunc(slices.Clone(det.Opinions), func(op appraisal.Opinion) bool {
				earlier[op.ID] = op.Round < det.Order.Round
				return op.Round < det.Order.Round
			})
			out.Reviews = slices.DeleteFunc(slices.Clone(det.Reviews), func(r appraisal.Review) bool { return earlier[r.OpinionID] })
			out.Certificates = slices.DeleteFunc(slices.Clone(det.Certificates), func(c appraisal.Certificate) bool { return c.Round < det.Order.Round })
		}
	}
	notes, err := s.Permissions.Can(ctx, p, appraisal.CapSeeInternalNotes)
	if err != nil {
		return nil, err
	}
	if !notes {
		// A copy: the detail read may be the read cache's, shared with other callers.
		out.Opinions = slices.Clone(out.Opinions)
		for i := range out.Opinions {
			if op := &out.Opinions[i]; p.ExpertID == 0 || op.ExpertID != p.ExpertID {
				op.InternalNote = ""
			}
		}
	}
	return out, nil
}

// actions lists what p may do with the order now: the operations the flow allows from its status
// that p's role holds and whose own checks pass. The checks are the ones the actions make
// (mayStart, isAssignee, ownOpinion, a certifiable verdict), so a client offers no button that
// answers 403 or 409 to this caller.
func (s *Service) actions(ctx context.Context, p *appraisal.Principal, det *appraisal.OrderDetail) ([]string, error) {
	o, active := &det.Order, activeIn(det)
	out := []string{}
	for _, op := range appraisal.FlowOperations(o.Status) {
		switch op {
		case appraisal.ActionStart.Operation():
			if !mayStart(p, o) {
				continue
			}
		case appraisal.ActionSubmitOpinion.Operation():
			if !isAssignee(p, o) {
				continue
			}
		case appraisal.ActionReviewAgree.Operation():
			if active == nil || ownOpinion(p, active) {
				continue
			}
		case appraisal.ActionIssueCert.Operation():
			if active == nil || !active.Verdict.AllowsCertificate() {
				continue
			}
		}
		ok, err := s.Permissions.Can(ctx, p, op)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, op)
		}
	}
	return out, nil
}

// isAssignee: only the assigned expert gives the opinion.
func isAssignee(p *appraisal.Principal, o *appraisal.Order) bool {
	return p.ExpertID != 0 && p.ExpertID == o.AssigneeID
}

// mayStart: the assigned expert starts the appraisal; a super admin may on their behalf.
func mayStart(p *appraisal.Principal, o *appraisal.Order) bool {
	return p.Role == appraisal.RoleSuperAdmin || isAssignee(p, o)
}

// ownOpinion: nobody reviews their own opinion.
func ownOpinion(p *appraisal.Principal, op *appraisal.Opinion) bool {
	return p.ExpertID != 0 && p.ExpertID == op.ExpertID
}

// Certificate reads a certificate of an order within the caller's scope.
func (s *Service) Certificate(ctx context.Context, p *appraisal.Principal, id int64) (*appraisal.Certificate, error) {
	c, err := s.Orders.Certificate(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, _, err := s.visible(ctx, p, c.OrderID); err != nil {
		return nil, appraisal.E(appraisal.KindNotFound, "not_found", "certificate not found")
	}
	return c, nil
}

// reviewPolicy is the environment's policy with the administrators' settings over it, read when
// an opinion is submitted (a few times an hour), so a change applies to the next opinion.
func (s *Service) reviewPolicy(ctx context.Context) (appraisal.ReviewPolicy, error) {
	if s.Settings == nil {
		return s.Review, nil
	}
	v, err := s.Settings.Settings(ctx)
	if err != nil {
		return s.Review, err
	}
	return s.Review.WithSettings(v), nil
}

// Certificates lists the certificates of the orders the caller may see.
func (s *Service) Certificates(ctx context.Context, p *appraisal.Principal, f appraisal.CertificateFilter) ([]appraisal.CertificateRow, int, error) {
	switch f.Status {
	case "", "ISSUED", "REVOKED", "SUPERSEDED":
	default:
		return nil, 0, appraisal.Invalid(appraisal.FieldError{Field: "status", Code: "not_allowed", Message: "ISSUED, REVOKED or SUPERSEDED"})
	}
	sc, err := s.Scope(ctx, p)
	if err != nil {
		return nil, 0, err
	}
	return s.Orders.ListCertificates(ctx, sc, f)
}

// load reads an order within the caller's scope and checks the version the client acted on.
func (s *Service) load(ctx context.Context, p *appraisal.Principal, id, version int64) (*appraisal.Order, error) {
	o, _, err := s.visible(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if version != o.Version {
		return nil, &appraisal.Error{Kind: appraisal.KindConflict, Code: "order.version_conflict",
			Message: "the order was changed by someone else; reload and retry",
			Details: map[string]any{"current_status": o.Status, "current_version": o.Version, "allowed_actions": appraisal.FlowOperations(o.Status)}}
	}
	return o, nil
}

// change applies one transition of o by action and writes it with the extras set by fill.
func (s *Service) change(ctx context.Context, o *appraisal.Order, action appraisal.Action, p *appraisal.Principal, note string,
	a appraisal.AuditEntry, fill func(next *appraisal.Order, ch *appraisal.OrderChange) error) (*appraisal.Order, error) {
	to, err := appraisal.Next(o.Status, action)
	if err != nil {
		return nil, err
	}
	next := *o
	ch := appraisal.OrderChange{Order: &next, Prior: o,
		Event: appraisal.OrderEvent{Action: action, From: o.Status, To: to, ActorID: p.UserID, Note: note},
		Audit: a.For("orders."+string(action), "order", "")}
	if fill != nil {
		if err := fill(&next, &ch); err != nil {
			return nil, err
		}
	}
	out, err := s.Orders.ApplyOrderChange(ctx, ch)
	if err != nil {
		return nil, err
	}
	s.changed(ctx)
	return out, nil
}

// Transition runs one of the actions that need nothing but a note: triage, request_info,
// provide_info, accept, reject, cancel, start and dispute.
func (s *Service) Transition(ctx context.Context, p *appraisal.Principal, id, version int64, action appraisal.Action, note string, a appraisal.AuditEntry) (*appraisal.Order, error) {
	o, err := s.load(ctx, p, id, version)
	if err != nil {
		return nil, err
	}
	t := s.now()
	return s.change(ctx, o, action, p, note, a, func(next *appraisal.Order, ch *appraisal.OrderChange) error {
		switch action {
		case appraisal.ActionRequestInfo:
			next.PauseSLA(t)
		case appraisal.ActionProvideInfo:
			next.ResumeSLA(t)
		case appraisal.ActionStart:
			if !mayStart(p, o) {
				return appraisal.E(appraisal.KindForbidden, "order.not_assignee", "only the assigned expert can start the appraisal")
			}
		case appraisal.ActionDispute:
			if strings.TrimSpace(note) == "" {
				return appraisal.Invalid(appraisal.FieldError{Field: "note", Code: "required", Message: "say what the customer disputes"})
			}
			ch.Supersede = true
		case appraisal.ActionReject, appraisal.ActionCancel:
			next.CompletedAt = &t
		case appraisal.ActionTriage, appraisal.ActionAccept:
		default:
			return appraisal.E(appraisal.KindInvalid, "order.action_needs_input", "this action has its own endpoint")
		}
		return nil
	})
}

// matches reports whether an expert's specialties cover a category or its parent.
func matches(e *appraisal.Expert, categoryID int64, parents map[int64]int64) bool {
	for _, sp := range e.Specialties {
		if sp.CategoryID == categoryID || sp.CategoryID == parents[categoryID] {
			return true
		}
	}
	return false
}

// eligibilityFacts reads what eligible needs: each category's parent, and the experts who gave
// opinions on the order in earlier rounds.
func (s *Service) eligibilityFacts(ctx context.Context, o *appraisal.Order) (parents map[int64]int64, past []int64, err error) {
	cats, err := s.Catalog.Categories(ctx)
	if err != nil {
		return nil, nil, err
	}
	parents = make(map[int64]int64, len(cats))
	for _, c := range cats {
		parents[c.ID] = c.ParentID
	}
	past, err = s.Orders.PastExperts(ctx, o.ID)
	return parents, past, err
}

// eligible checks an expert for an order: active, with the specialty, under capacity, and, in a
// disputed order's new round, not one who already gave an opinion on it.
func (s *Service) eligible(ctx context.Context, o *appraisal.Order, e *appraisal.Expert, parents map[int64]int64, past []int64) error {
	switch {
	case !e.Active:
		return appraisal.Invalid(appraisal.FieldError{Field: "expert_id", Code: "inactive", Message: "the expert is inactive"})
	case !matches(e, o.CategoryID, parents):
		return appraisal.Invalid(appraisal.FieldError{Field: "expert_id", Code: "no_specialty", Message: "the expert has no specialty in this category"})
	case e.OpenOrders >= e.Capacity && e.ID != o.AssigneeID:
		return appraisal.Invalid(appraisal.FieldError{Field: "expert_id", Code: "at_capacity", Message: "the expert has no capacity left"})
	case o.Status == appraisal.StatusDisputed && slices.Contains(past, e.ID):
		return appraisal.Invalid(appraisal.FieldError{Field: "expert_id", Code: "same_expert", Message: "a disputed order needs a different expert"})
	}
	return nil
}

// Assign gives an order to an expert. From DISPUTED it opens the next round.
func (s *Service) Assign(ctx context.Context, p *appraisal.Principal, id, version, expertID int64, note string, a appraisal.AuditEntry) (*appraisal.Order, error) {
	o, err := s.load(ctx, p, id, version)
	if err != nil {
		return nil, err
	}
	e, err := s.Catalog.Expert(ctx, expertID)
	if appraisal.IsKind(err, appraisal.KindNotFound) {
		return nil, appraisal.Invalid(appraisal.FieldError{Field: "expert_id", Code: "not_found", Message: "no such expert"})
	}
	if err != nil {
		return nil, err
	}
	parents, past, err := s.eligibilityFacts(ctx, o)
	if err != nil {
		return nil, err
	}
	if err := s.eligible(ctx, o, e, parents, past); err != nil {
		return nil, err
	}
	return s.change(ctx, o, appraisal.ActionAssign, p, note, a, func(next *appraisal.Order, ch *appraisal.OrderChange) error {
		next.AssigneeID = e.ID
		if o.Status == appraisal.StatusDisputed {
			next.Round = o.Round + 1
			next.CompletedAt = nil
		}
		return nil
	})
}

// SuggestExpert picks the least-loaded eligible expert for an order.
func (s *Service) SuggestExpert(ctx context.Context, p *appraisal.Principal, id int64) (*appraisal.Expert, error) {
	o, _, err := s.visible(ctx, p, id)
	if err != nil {
		return nil, err
	}
	parents, past, err := s.eligibilityFacts(ctx, o)
	if err != nil {
		return nil, err
	}
	experts, err := s.Catalog.Experts(ctx, 0)
	if err != nil {
		return nil, err
	}
	var best *appraisal.Expert
	for i := range experts {
		e := &experts[i]
		if s.eligible(ctx, o, e, parents, past) != nil {
			continue
		}
		if best == nil || load(e) < load(best) {
			best = e
		}
	}
	if best == nil {
		return nil, appraisal.E(appraisal.KindNotFound, "order.no_eligible_expert", "no active expert with this specialty has capacity")
	}
	return best, nil
}

// load is the fraction of an expert's capacity in use.
func load(e *appraisal.Expert) float64 {
	if e.Capacity <= 0 {
		return 1
	}
	return float64(e.OpenOrders) / float64(e.Capacity)
}

// OpinionInput is an expert's verdict.
type OpinionInput struct {
	Verdict       appraisal.Verdict
	Era           string
	Condition     string
	ValueMinFen   int64
	ValueMaxFen   int64
	PublicComment string
	InternalNote  string
}

// SubmitOpinion records the assigned expert's opinion and, in the same transaction, routes the
// order to review or completes it, as the review policy decides.
func (s *Service) SubmitOpinion(ctx context.Context, p *appraisal.Principal, id, version int64, in OpinionInput, a appraisal.AuditEntry) (*appraisal.Order, *appraisal.Opinion, error) {
	switch in.Verdict {
	case appraisal.VerdictGenuine, appraisal.VerdictFake, appraisal.VerdictUncertain, appraisal.VerdictNotAppraisable:
	default:
		return nil, nil, appraisal.Invalid(appraisal.FieldError{Field: "verdict", Code: "not_allowed", Message: "unknown verdict"})
	}
	if in.ValueMinFen < 0 || in.ValueMaxFen < in.ValueMinFen {
		return nil, nil, appraisal.Invalid(appraisal.FieldError{Field: "value_max_fen", Code: "bad_range", Message: "the value range must satisfy 0 ≤ min ≤ max"})
	}
	o, err := s.load(ctx, p, id, version)
	if err != nil {
		return nil, nil, err
	}
	if !isAssignee(p, o) {
		return nil, nil, appraisal.E(appraisal.KindForbidden, "order.not_assignee", "only the assigned expert can submit an opinion")
	}
	op := &appraisal.Opinion{ExpertID: p.ExpertID, Verdict: in.Verdict, Era: in.Era, Condition: in.Condition,
		ValueMinFen: in.ValueMinFen, ValueMaxFen: in.ValueMaxFen, PublicComment: in.PublicComment, InternalNote: in.InternalNote}
	policy, err := s.reviewPolicy(ctx)
	if err != nil {
		return nil, nil, err
	}
	op.ReviewRequired, op.ReviewReason = policy.NeedsReview(op, s.sample())
	t := s.now()
	out, err := s.change(ctx, o, appraisal.ActionSubmitOpinion, p, "", a, func(next *appraisal.Order, ch *appraisal.OrderChange) error {
		ch.Opinion = op
		then := appraisal.OrderEvent{Action: appraisal.ActionAutoComplete, From: appraisal.StatusOpinionSubmitted, To: appraisal.StatusCompleted, Note: "no review needed"}
		if op.ReviewRequired {
			then = appraisal.OrderEvent{Action: appraisal.ActionRouteReview, From: appraisal.StatusOpinionSubmitted, To: appraisal.StatusInReview, Note: "review: " + op.ReviewReason}
		} else {
			next.CompletedAt = &t
		}
		ch.Then = &then
		return nil
	})
	return out, op, err
}

// Decisions of a review.
const (
	ReviewAgree    = "AGREE"
	ReviewSendBack = "SEND_BACK"
)

// ReviewOpinion records a reviewer's decision: agreeing completes the order, sending back returns
// it to the expert and marks the opinion.
func (s *Service) ReviewOpinion(ctx context.Context, p *appraisal.Principal, id, version int64, decision, comment string, a appraisal.AuditEntry) (*appraisal.Order, error) {
	action := appraisal.ActionReviewAgree
	switch decision {
	case ReviewAgree:
	case ReviewSendBack:
		action = appraisal.ActionReviewSendBk
		if strings.TrimSpace(comment) == "" {
			return nil, appraisal.Invalid(appraisal.FieldError{Field: "comment", Code: "required", Message: "say why the opinion goes back"})
		}
	default:
		return nil, appraisal.Invalid(appraisal.FieldError{Field: "decision", Code: "not_allowed", Message: "AGREE or SEND_BACK"})
	}
	o, err := s.load(ctx, p, id, version)
	if err != nil {
		return nil, err
	}
	op, err := s.activeOpinion(ctx, o)
	if err != nil {
		return nil, err
	}
	if ownOpinion(p, op) {
		return nil, appraisal.E(appraisal.KindForbidden, "order.own_opinion", "nobody reviews their own opinion")
	}
	t := s.now()
	return s.change(ctx, o, action, p, comment, a, func(next *appraisal.Order, ch *appraisal.OrderChange) error {
		ch.Review = &appraisal.Review{OpinionID: op.ID, ReviewerID: p.UserID, Decision: decision, Comment: comment}
		if action == appraisal.ActionReviewSendBk {
			ch.SendBackOpinionID = op.ID
		} else {
			next.CompletedAt = &t
		}
		return nil
	})
}

func (s *Service) activeOpinion(ctx context.Context, o *appraisal.Order) (*appraisal.Opinion, error) {
	d, err := s.Orders.OrderDetail(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	if op := activeIn(d); op != nil {
		return op, nil
	}
	return nil, appraisal.E(appraisal.KindConflict, "order.no_opinion", "the order has no active opinion")
}

// activeIn is the current round's active opinion in d, or nil.
func activeIn(d *appraisal.OrderDetail) *appraisal.Opinion {
	for i := len(d.Opinions) - 1; i >= 0; i-- {
		if op := d.Opinions[i]; op.Round == d.Order.Round && op.Status == "ACTIVE" {
			return &op
		}
	}
	return nil
}

// IssueCertificate certifies a completed order whose verdict allows a certificate.
func (s *Service) IssueCertificate(ctx context.Context, p *appraisal.Principal, id, version int64, a appraisal.AuditEntry) (*appraisal.Order, *appraisal.Certificate, error) {
	o, err := s.load(ctx, p, id, version)
	if err != nil {
		return nil, nil, err
	}
	var cert *appraisal.Certificate
	out, err := s.change(ctx, o, appraisal.ActionIssueCert, p, "", a, func(next *appraisal.Order, ch *appraisal.OrderChange) error {
		op, err := s.activeOpinion(ctx, o)
		if err != nil {
			return err
		}
		if !op.Verdict.AllowsCertificate() {
			return appraisal.E(appraisal.KindConflict, "certificate.verdict_not_certifiable", "only a GENUINE or FAKE verdict is certified")
		}
		cert = &appraisal.Certificate{OpinionID: op.ID, VerifyToken: NewVerifyToken(), IssuedBy: p.UserID}
		ch.Certificate = cert
		return nil
	})
	return out, cert, err
}

// NewVerifyToken is 256 random bits, base64url: unguessable, and 43 characters in a QR code.
func NewVerifyToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ValidVerifyToken checks a token's shape before it reaches the database.
func ValidVerifyToken(tok string) bool {
	if len(tok) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(tok)
	return err == nil
}

// RevokeCertificate withdraws a certificate: with the reason its page will publish, chosen from
// appraisal.RevokeReasons, and the staff's own note, which stays internal.
func (s *Service) RevokeCertificate(ctx context.Context, p *appraisal.Principal, certID int64, r appraisal.Revocation, a appraisal.AuditEntry) (*appraisal.Certificate, error) {
	if strings.TrimSpace(r.Note) == "" {
		return nil, appraisal.Invalid(appraisal.FieldError{Field: "reason", Code: "required", Message: "a revocation needs a reason"})
	}
	if !slices.Contains(appraisal.RevokeReasons, r.Public) {
		return nil, appraisal.Invalid(appraisal.FieldError{Field: "public_reason", Code: "not_allowed", Message: "choose the published reason from the list"})
	}
	if _, err := s.Certificate(ctx, p, certID); err != nil {
		return nil, err
	}
	c, err := s.Orders.RevokeCertificate(ctx, certID, r, a.For("certificates.revoke", "certificate", ""))
	if err == nil {
		s.changed(ctx)
	}
	return c, err
}

// Verification is everything anyone holding a certificate's link may learn, and nothing more:
// this is where that is decided. The verdict, its details and the item's photo are told only
// while the certificate is valid; a revoked or superseded one says so, when, and (revoked) the
// published reason from the closed list — never the staff's note, never the photo — so it cannot
// be misread as an authentication or leak what staff wrote for each other.
type Verification struct {
	CertNo       string
	Status       string
	Valid        bool
	Title        string
	CategoryName string
	IssuedAt     time.Time
	RevokedAt    *time.Time
	PublicReason appraisal.RevokeReason // revoked only
	// Only while Valid.
	Verdict                       appraisal.Verdict
	Era, Condition, PublicComment string
	CoverOf                       int64 // the item whose cover photo the page shows; 0 for none
}

// Verify looks a certificate up by its public token.
func (s *Service) Verify(ctx context.Context, tok string) (*Verification, error) {
	if !ValidVerifyToken(tok) {
		return nil, appraisal.E(appraisal.KindNotFound, "certificate.not_found", "no such certificate")
	}
	c, o, op, err := s.Orders.CertificateByToken(ctx, tok)
	if appraisal.IsKind(err, appraisal.KindNotFound) {
		return nil, appraisal.E(appraisal.KindNotFound, "certificate.not_found", "no such certificate")
	}
	if err != nil {
		return nil, err
	}
	v := &Verification{CertNo: c.CertNo, Status: c.Status, Valid: c.Status == "ISSUED", Title: o.Title,
		IssuedAt: c.IssuedAt, RevokedAt: c.RevokedAt}
	if c.Status == "REVOKED" {
		v.PublicReason = c.PublicReason
		if v.PublicReason == "" {
			v.PublicReason = appraisal.RevokeOther
		}
	}
	if v.Valid {
		v.Verdict, v.Era, v.Condition, v.PublicComment, v.CoverOf = op.Verdict, op.Era, op.Condition, op.PublicComment, o.ItemID
	}
	cats, err := s.Catalog.Categories(ctx)
	if err != nil {
		return nil, err
	}
	for _, cat := range cats {
		if cat.ID == o.CategoryID {
			v.CategoryName = cat.Name
		}
	}
	return v, nil
}
