package appraisal

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"
)

// Status is where an appraisal order stands.
type Status string

const (
	StatusSubmitted        Status = "SUBMITTED"
	StatusTriage           Status = "TRIAGE"
	StatusNeedMoreInfo     Status = "NEED_MORE_INFO"
	StatusRejected         Status = "REJECTED"
	StatusQueued           Status = "QUEUED"
	StatusAssigned         Status = "ASSIGNED"
	StatusInAppraisal      Status = "IN_APPRAISAL"
	StatusOpinionSubmitted Status = "OPINION_SUBMITTED"
	StatusInReview         Status = "IN_REVIEW"
	StatusCompleted        Status = "COMPLETED"
	StatusCertIssued       Status = "CERT_ISSUED"
	StatusDisputed         Status = "DISPUTED"
	StatusCancelled        Status = "CANCELLED"
)

// Statuses lists every status, in flow order.
var Statuses = []Status{StatusSubmitted, StatusTriage, StatusNeedMoreInfo, StatusRejected, StatusQueued,
	StatusAssigned, StatusInAppraisal, StatusOpinionSubmitted, StatusInReview, StatusCompleted,
	StatusCertIssued, StatusDisputed, StatusCancelled}

// Action moves an order from one status to another.
type Action string

const (
	ActionCreate        Action = "create"
	ActionTriage        Action = "triage"
	ActionRequestInfo   Action = "request_info"
	ActionProvideInfo   Action = "provide_info"
	ActionAccept        Action = "accept"
	ActionReject        Action = "reject"
	ActionCancel        Action = "cancel"
	ActionAssign        Action = "assign"
	ActionStart         Action = "start"
	ActionSubmitOpinion Action = "submit_opinion"
	ActionRouteReview   Action = "route_to_review" // by the system, right after an opinion needing review
	ActionAutoComplete  Action = "auto_complete"   // by the system, right after an opinion needing none
	ActionReviewAgree   Action = "review_agree"
	ActionReviewSendBk  Action = "review_send_back"
	ActionIssueCert     Action = "issue_certificate"
	ActionRevokeCert    Action = "revoke_certificate" // by the system, when the issued certificate is revoked: it may be issued anew
	ActionDispute       Action = "dispute"
)

// Actions lists every action, those the system takes by itself included: each is a timeline
// event some order may show.
var Actions = []Action{ActionCreate, ActionTriage, ActionRequestInfo, ActionProvideInfo, ActionAccept, ActionReject,
	ActionCancel, ActionAssign, ActionStart, ActionSubmitOpinion, ActionRouteReview, ActionAutoComplete, ActionReviewAgree,
	ActionReviewSendBk, ActionIssueCert, ActionRevokeCert, ActionDispute}

// transitions is the order flow, the one table every status change goes through:
//
//	SUBMITTED → TRIAGE → (NEED_MORE_INFO ↺ | REJECTED) → QUEUED → ASSIGNED → IN_APPRAISAL →
//	OPINION_SUBMITTED → (IN_REVIEW →) COMPLETED → CERT_ISSUED; DISPUTED opens a new round;
//	CANCELLED before assignment.
var transitions = map[Status]map[Action]Status{
	StatusSubmitted:        {ActionTriage: StatusTriage, ActionCancel: StatusCancelled},
	StatusTriage:           {ActionRequestInfo: StatusNeedMoreInfo, ActionReject: StatusRejected, ActionAccept: StatusQueued, ActionCancel: StatusCancelled},
	StatusNeedMoreInfo:     {ActionProvideInfo: StatusTriage, ActionCancel: StatusCancelled},
	StatusQueued:           {ActionAssign: StatusAssigned, ActionCancel: StatusCancelled},
	StatusAssigned:         {ActionAssign: StatusAssigned, ActionStart: StatusInAppraisal},
	StatusInAppraisal:      {ActionSubmitOpinion: StatusOpinionSubmitted},
	StatusOpinionSubmitted: {ActionRouteReview: StatusInReview, ActionAutoComplete: StatusCompleted},
	StatusInReview:         {ActionReviewAgree: StatusCompleted, ActionReviewSendBk: StatusInAppraisal},
	StatusCompleted:        {ActionIssueCert: StatusCertIssued, ActionDispute: StatusDisputed},
	StatusCertIssued:       {ActionDispute: StatusDisputed, ActionRevokeCert: StatusCompleted},
	StatusDisputed:         {ActionAssign: StatusAssigned},
}

// Next returns the status action leads to from s, or a conflict naming the allowed actions.
func Next(s Status, a Action) (Status, error) {
	if to, ok := transitions[s][a]; ok {
		return to, nil
	}
	return "", &Error{Kind: KindConflict, Code: "order.illegal_transition",
		Message: "action " + string(a) + " is not allowed in status " + string(s),
		Details: map[string]any{"status": s, "action": a, "allowed_actions": FlowOperations(s)}}
}

// AllowedActions lists the actions possible from s, sorted.
func AllowedActions(s Status) []Action {
	out := []Action{}
	for a := range transitions[s] {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Operation is the API operation a client calls to take action a — the name allowed_actions and
// conflicts use, so a client calls exactly what it is offered. Steps the system takes by itself
// have none.
func (a Action) Operation() string {
	switch a {
	case ActionReviewAgree, ActionReviewSendBk:
		return "orders.review"
	case ActionIssueCert:
		return "certificates.issue"
	case ActionCreate, ActionRouteReview, ActionAutoComplete, ActionRevokeCert:
		return ""
	}
	return "orders." + string(a)
}

// FlowOperations lists the operations the flow allows from s whoever calls, sorted.
func FlowOperations(s Status) []string {
	out := []string{}
	for _, a := range AllowedActions(s) {
		if op := a.Operation(); op != "" && !slices.Contains(out, op) {
			out = append(out, op)
		}
	}
	sort.Strings(out)
	return out
}

// Terminal reports whether nothing more can happen to an order in s.
func (s Status) Terminal() bool { return len(transitions[s]) == 0 }

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if s == x {
			return true
		}
	}
	return false
}

// Order is an appraisal order.
type Order struct {
	ID           int64
	OrderNo      string
	CustomerID   int64
	ItemID       int64
	ProductID    int64
	CategoryID   int64
	Title        string
	CustomerName string
	Status       Status
	Round        int
	AssigneeID   int64 // expert id, 0 when unassigned
	PriceFen     int64
	SLADueAt     time.Time
	SLAPausedAt  *time.Time
	Note         string
	Version      int64
	CreatedBy    int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	CompletedAt  *time.Time
}

// SLABreached reports whether the order is past due and still open at t.
func (o *Order) SLABreached(t time.Time) bool {
	return o.SLARunning() && t.After(o.SLADueAt)
}

// SLARunning reports whether the order's SLA clock runs: it is open and not waiting for the
// customer.
func (o *Order) SLARunning() bool {
	open := !o.Status.Terminal() && o.Status != StatusCompleted && o.Status != StatusCertIssued && o.Status != StatusRejected
	return open && o.SLAPausedAt == nil
}

// PauseSLA stops the clock (NEED_MORE_INFO): the time spent waiting for the customer is not ours.
func (o *Order) PauseSLA(t time.Time) {
	if o.SLAPausedAt == nil {
		o.SLAPausedAt = &t
	}
}

// ResumeSLA restarts the clock and moves the due time by the pause.
func (o *Order) ResumeSLA(t time.Time) {
	if o.SLAPausedAt != nil {
		if d := t.Sub(*o.SLAPausedAt); d > 0 {
			o.SLADueAt = o.SLADueAt.Add(d)
		}
		o.SLAPausedAt = nil
	}
}

// OrderEvent is one row of an order's timeline.
type OrderEvent struct {
	ID        int64
	OrderID   int64
	Round     int
	Action    Action
	From      Status
	To        Status
	Version   int64
	ActorID   int64
	ActorName string // the actor's display name (username if none) when read; empty for system steps
	Note      string
	CreatedAt time.Time
}

// Verdict is an expert's conclusion.
type Verdict string

const (
	VerdictGenuine        Verdict = "GENUINE"         // 真
	VerdictFake           Verdict = "FAKE"            // 假
	VerdictUncertain      Verdict = "UNCERTAIN"       // 存疑
	VerdictNotAppraisable Verdict = "NOT_APPRAISABLE" // 无法鉴定
)

// Verdicts lists every verdict.
var Verdicts = []Verdict{VerdictGenuine, VerdictFake, VerdictUncertain, VerdictNotAppraisable}

// AllowsCertificate reports whether a certificate may be issued for this verdict: only a definite
// conclusion, genuine or not, is certified.
func (v Verdict) AllowsCertificate() bool { return v == VerdictGenuine || v == VerdictFake }

// Opinion is an expert's verdict on one round of an order. It is never edited: a send-back or a
// dispute marks it and a new opinion follows.
type Opinion struct {
	ID             int64
	OrderID        int64
	Round          int
	ExpertID       int64
	Verdict        Verdict
	Era            string
	Condition      string
	ValueMinFen    int64
	ValueMaxFen    int64
	PublicComment  string
	InternalNote   string
	Status         string // ACTIVE | SENT_BACK | SUPERSEDED
	ReviewRequired bool
	ReviewReason   string
	CreatedAt      time.Time
}

// Why an opinion goes to review: a closed set, each worded for the console (the timeline shows it).
const (
	ReviewForVerdict = "verdict"    // a FAKE or UNCERTAIN verdict is always reviewed
	ReviewHighValue  = "high_value" // the upper estimate is over the threshold
	ReviewSampled    = "sampled"    // drawn by the sample rate
)

// ReviewReasons lists every reason an opinion is routed to review.
var ReviewReasons = []string{ReviewForVerdict, ReviewHighValue, ReviewSampled}

// ReviewPolicy decides which opinions a reviewer must see.
type ReviewPolicy struct {
	ValueThresholdFen int64   // review when the upper estimate exceeds this; 0 disables the rule
	SampleRate        float64 // review this fraction of the rest, 0–1
}

// NeedsReview applies the policy. sample is a uniform number in [0,1) drawn by the caller, so the
// rule itself stays deterministic and testable.
func (p ReviewPolicy) NeedsReview(o *Opinion, sample float64) (bool, string) {
	switch {
	case o.Verdict == VerdictFake || o.Verdict == VerdictUncertain:
		return true, ReviewForVerdict
	case p.ValueThresholdFen > 0 && o.ValueMaxFen > p.ValueThresholdFen:
		return true, ReviewHighValue
	case sample < p.SampleRate:
		return true, ReviewSampled
	}
	return false, ""
}

// Review is a reviewer's decision on an opinion.
type Review struct {
	ID         int64
	OrderID    int64
	OpinionID  int64
	ReviewerID int64
	Decision   string // AGREE | SEND_BACK
	Comment    string
	CreatedAt  time.Time
}

// Certificate states an order's verdict publicly, verifiable by its token.
type Certificate struct {
	ID           int64
	CertNo       string
	VerifyToken  string
	OrderID      int64
	OpinionID    int64
	Round        int
	Status       string // ISSUED | REVOKED | SUPERSEDED
	IssuedBy     int64
	IssuedAt     time.Time
	RevokedAt    *time.Time
	RevokeReason string       // the staff's own words: internal, never published
	PublicReason RevokeReason // what the certificate's page says of a revocation
	SupersededAt *time.Time
}

// RevokeReason is the published reason of a revocation: one of a closed list, so the public page
// never carries staff's free text (which has held a customer's phone number).
type RevokeReason string

const (
	RevokeErrata        RevokeReason = "ERRATA"         // the certificate's facts were wrong
	RevokeReappraised   RevokeReason = "REAPPRAISED"    // a later appraisal changed the result
	RevokeHolderRequest RevokeReason = "HOLDER_REQUEST" // the holder asked for it
	RevokeMisuse        RevokeReason = "MISUSE"         // the certificate was used for another item
	RevokeOther         RevokeReason = "OTHER"
)

// RevokeReasons lists every published reason.
var RevokeReasons = []RevokeReason{RevokeErrata, RevokeReappraised, RevokeHolderRequest, RevokeMisuse, RevokeOther}

// Revocation is why a certificate is withdrawn: the reason the public sees, and the staff's note.
type Revocation struct {
	Public RevokeReason
	Note   string
}

// OrderFilter selects orders. Sort is one of the allow-listed sort keys.
type OrderFilter struct {
	Statuses    []Status
	CategoryID  int64
	ExpertID    int64
	ProductID   int64
	CustomerID  int64
	ItemID      int64
	From, To    time.Time // created_at range
	Keyword     string    // order_no, title or customer name
	Sort        string    // created_at | -created_at | sla_due_at | -sla_due_at | updated_at | -updated_at | price_fen | -price_fen
	SLABreached bool
	// After is a previous page's OrderList.Next: the page starts after that order, in the same
	// sort, at a cost that does not grow with how deep it is. It takes precedence over Offset.
	After string
	Page
}

// OrderList is one page of an order list.
type OrderList struct {
	Orders []Order
	// Total is how many orders match. It is exact when TotalExact; otherwise counting stopped
	// at a bound (CountBound) and Total is that bound: at least this many match.
	Total      int
	TotalExact bool
	// Next is the key of the last order for OrderFilter.After (keyset paging); "" when the
	// page is the last.
	Next string
}

// CountBound is where a list's count stops when counting exactly would read an index range as
// long as the table: past it a list says "at least CountBound".
const CountBound = 1000

// OrderSorts are the sort keys a client may ask for.
var OrderSorts = []string{"created_at", "-created_at", "updated_at", "-updated_at", "sla_due_at", "-sla_due_at", "price_fen", "-price_fen", "order_no", "-order_no"}

// OrderChange is one transition, written atomically: the order's new state guarded by its
// version, the event row, and whatever rows the transition creates or marks.
type OrderChange struct {
	Order       *Order // the new state; Version is the version it was read at
	Prior       *Order // the state as read, before the change: the audit row's "before"
	Event       OrderEvent
	Opinion     *Opinion     // insert
	Review      *Review      // insert
	Certificate *Certificate // insert
	// SendBackOpinionID marks an opinion SENT_BACK.
	SendBackOpinionID int64
	// Supersede marks the round's active opinion and issued certificates SUPERSEDED.
	Supersede bool
	Audit     AuditEntry
	// Then, when set, is a system transition applied in the same transaction right after this one
	// (OPINION_SUBMITTED → IN_REVIEW or COMPLETED).
	Then *OrderEvent
}

// OrderDetail is an order with what hangs off it.
type OrderDetail struct {
	Order        Order
	Events       []OrderEvent
	Opinions     []Opinion
	Reviews      []Review
	Certificates []Certificate
	// Item and Customer are the order's item and customer as they are now, read with the order.
	Item     Item
	Customer Customer
	// CustomerPhoneEnc is the customer's sealed phone number, for a caller who may see it.
	CustomerPhoneEnc []byte
}

// OrderStore keeps orders and everything that hangs off them.
type OrderStore interface {
	CreateOrder(ctx context.Context, o *Order, a AuditEntry) error
	Order(ctx context.Context, id int64) (*Order, error)
	OrderDetail(ctx context.Context, id int64) (*OrderDetail, error)
	ListOrders(ctx context.Context, f OrderFilter) (OrderList, error)
	// ApplyOrderChange writes a transition. A stale version is KindConflict with code
	// "order.version_conflict".
	ApplyOrderChange(ctx context.Context, ch OrderChange) (*Order, error)
	// PastExperts lists the experts who gave opinions on the order in earlier rounds.
	PastExperts(ctx context.Context, orderID int64) ([]int64, error)
	CertificateByToken(ctx context.Context, token string) (*Certificate, *Order, *Opinion, error)
	Certificate(ctx context.Context, id int64) (*Certificate, error)
	RevokeCertificate(ctx context.Context, id int64, r Revocation, a AuditEntry) (*Certificate, error)
	// ListCertificates lists the certificates of the orders the scope includes, newest first.
	ListCertificates(ctx context.Context, s Scope, f CertificateFilter) ([]CertificateRow, int, error)
}

// CertificateFilter selects certificates.
type CertificateFilter struct {
	Status   string    // ISSUED | REVOKED | SUPERSEDED; empty: any
	CertNo   string    // exact certificate number
	OrderID  int64     // the certificates of one order
	From, To time.Time // issued_at range
	Oldest   bool      // oldest first; newest first otherwise
	Page
}

// CertificateRow is a certificate with what a list shows of its order.
type CertificateRow struct {
	Certificate
	OrderNo      string
	Title        string
	CustomerName string
}

// FormatOrderNo makes the human-readable order number: JB, the UTC+8 date, and the id.
func FormatOrderNo(created time.Time, id int64) string {
	return "JB" + created.In(Shanghai).Format("20060102") + fmt.Sprintf("%06d", id)
}

// FormatCertNo makes the human-readable certificate number.
func FormatCertNo(issued time.Time, id int64) string {
	return "JBC" + issued.In(Shanghai).Format("20060102") + fmt.Sprintf("%06d", id)
}

// Shanghai is the staff's time zone, UTC+8, built without the tz database, which minimal images
// and SCF may lack. China has no daylight saving time.
var Shanghai = time.FixedZone("Asia/Shanghai", 8*3600)
