package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/orders"
)

// OrderView is an order as clients see it. It is exported so that huma flattens it into the
// detail view that embeds it, as encoding/json does.
type OrderView struct {
	ID           string     `json:"id"`
	OrderNo      string     `json:"order_no" example:"JB20261125000042"`
	Status       string     `json:"status" example:"TRIAGE"`
	Round        int        `json:"round" doc:"1, or more after a dispute"`
	CustomerID   string     `json:"customer_id"`
	CustomerName string     `json:"customer_name"`
	ItemID       string     `json:"item_id"`
	ProductID    string     `json:"product_id"`
	CategoryID   string     `json:"category_id"`
	Title        string     `json:"title"`
	AssigneeID   string     `json:"assignee_expert_id" doc:"Empty while unassigned"`
	PriceFen     int64      `json:"price_fen"`
	SLADueAt     time.Time  `json:"sla_due_at"`
	SLAPaused    bool       `json:"sla_paused" doc:"The clock stops while waiting for the customer (NEED_MORE_INFO)"`
	SLABreached  bool       `json:"sla_breached"`
	Note         string     `json:"note"`
	Version      int64      `json:"version" doc:"Send it back (If-Match or body) with every transition"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	CompletedAt  *time.Time `json:"completed_at,omitempty"`
}

// viewOrder shows an order as of now. Whether its SLA is breached changes with the clock alone,
// so a view that says "not yet" tells the answer cache when that stops being true (holdsUntil).
func viewOrder(ctx context.Context, o *appraisal.Order) OrderView {
	now := time.Now()
	if o.SLARunning() && !now.After(o.SLADueAt) {
		holdsUntil(ctx, o.SLADueAt)
	}
	v := OrderView{ID: formatID(o.ID), OrderNo: o.OrderNo, Status: string(o.Status), Round: o.Round,
		CustomerID: formatID(o.CustomerID), CustomerName: o.CustomerName, ItemID: formatID(o.ItemID),
		ProductID: formatID(o.ProductID), CategoryID: formatID(o.CategoryID), Title: o.Title, AssigneeID: formatOptionalID(o.AssigneeID),
		PriceFen: o.PriceFen, SLADueAt: o.SLADueAt.UTC(), SLAPaused: o.SLAPausedAt != nil, SLABreached: o.SLABreached(now),
		Note: o.Note, Version: o.Version, CreatedAt: o.CreatedAt.UTC(), UpdatedAt: o.UpdatedAt.UTC()}
	if o.CompletedAt != nil {
		t := o.CompletedAt.UTC()
		v.CompletedAt = &t
	}
	return v
}

type eventView struct {
	Action    string    `json:"action"`
	From      string    `json:"from_status"`
	To        string    `json:"to_status"`
	Round     int       `json:"round"`
	Version   int64     `json:"version"`
	ActorID   string    `json:"actor_user_id" doc:"Empty for system steps"`
	ActorName string    `json:"actor_name" doc:"The actor's display name (username if none); empty for system steps"`
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"created_at"`
}

type opinionView struct {
	ID             string    `json:"id"`
	Round          int       `json:"round"`
	ExpertID       string    `json:"expert_id"`
	Verdict        string    `json:"verdict" enum:"GENUINE,FAKE,UNCERTAIN,NOT_APPRAISABLE"`
	Era            string    `json:"era"`
	Condition      string    `json:"condition"`
	ValueMinFen    int64     `json:"value_min_fen"`
	ValueMaxFen    int64     `json:"value_max_fen"`
	PublicComment  string    `json:"public_comment"`
	InternalNote   string    `json:"internal_note" doc:"The expert's note for the company: empty unless the caller holds opinions.internal_note.view or wrote it"`
	Status         string    `json:"status" enum:"ACTIVE,SENT_BACK,SUPERSEDED"`
	ReviewRequired bool      `json:"review_required"`
	ReviewReason   string    `json:"review_reason" doc:"verdict, high_value or sampled"`
	CreatedAt      time.Time `json:"created_at"`
}

func viewOpinion(o appraisal.Opinion) opinionView {
	return opinionView{ID: formatID(o.ID), Round: o.Round, ExpertID: formatID(o.ExpertID), Verdict: string(o.Verdict), Era: o.Era,
		Condition: o.Condition, ValueMinFen: o.ValueMinFen, ValueMaxFen: o.ValueMaxFen, PublicComment: o.PublicComment,
		InternalNote: o.InternalNote, Status: o.Status, ReviewRequired: o.ReviewRequired, ReviewReason: o.ReviewReason, CreatedAt: o.CreatedAt.UTC()}
}

type reviewView struct {
	ID         string    `json:"id"`
	OpinionID  string    `json:"opinion_id"`
	ReviewerID string    `json:"reviewer_user_id"`
	Decision   string    `json:"decision" enum:"AGREE,SEND_BACK"`
	Comment    string    `json:"comment"`
	CreatedAt  time.Time `json:"created_at"`
}

type CertificateView struct {
	ID           string     `json:"id"`
	CertNo       string     `json:"cert_no" example:"JBC20261125000001"`
	OrderID      string     `json:"order_id"`
	OpinionID    string     `json:"opinion_id"`
	Round        int        `json:"round"`
	Status       string     `json:"status" enum:"ISSUED,REVOKED,SUPERSEDED"`
	VerifyURL    string     `json:"verify_url" doc:"The certificate page the QR code opens (CERT_PAGE_URL + token): a page for people; GET /api/v1/public/certificates/{token} is the same as JSON"`
	IssuedAt     time.Time  `json:"issued_at"`
	RevokedAt    *time.Time `json:"revoked_at,omitempty"`
	RevokeReason string     `json:"revoke_reason" doc:"The staff's note on a revocation: internal"`
	PublicReason string     `json:"public_reason,omitempty" enum:"ERRATA,REAPPRAISED,HOLDER_REQUEST,MISUSE,OTHER" doc:"The reason the certificate's page publishes (words in /api/v1/labels revoke_reasons)"`
	SupersededAt *time.Time `json:"superseded_at,omitempty"`
}

// verifyURL is the page a certificate's QR code opens (config defaults CertPageURL).
func (d *Deps) verifyURL(token string) string { return d.CertPageURL + token }

// qrPNG is the QR code of a certificate's page.
func (d *Deps) qrPNG(token string) ([]byte, error) {
	return qrcode.Encode(d.verifyURL(token), qrcode.Medium, 320)
}

func (d *Deps) viewCertificate(c appraisal.Certificate) CertificateView {
	return CertificateView{ID: formatID(c.ID), CertNo: c.CertNo, OrderID: formatID(c.OrderID), OpinionID: formatID(c.OpinionID),
		Round: c.Round, Status: c.Status, VerifyURL: d.verifyURL(c.VerifyToken), IssuedAt: c.IssuedAt.UTC(),
		RevokedAt: utcPtr(c.RevokedAt), RevokeReason: c.RevokeReason, PublicReason: string(c.PublicReason), SupersededAt: utcPtr(c.SupersededAt)}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

type orderCustomerView struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone" doc:"Full, masked, or empty for experts, by the caller's role"`
}

type orderDetailView struct {
	OrderView
	AllowedActions []string          `json:"allowed_actions" doc:"The operations (by operationId, e.g. orders.assign, orders.review, certificates.issue) this caller may call on the order now: allowed by the flow, held by the caller's role, and passing the action's own checks (the assigned expert starts and gives the opinion, nobody reviews their own opinion, only a GENUINE or FAKE verdict is certified). Lists and transition answers leave it out: read the order again after a change."`
	Customer       orderCustomerView `json:"customer"`
	Events         []eventView       `json:"events" doc:"The timeline, oldest first"`
	Opinions       []opinionView     `json:"opinions"`
	Reviews        []reviewView      `json:"reviews"`
	Certificates   []CertificateView `json:"certificates"`
	Item           itemView          `json:"item" doc:"The item being appraised: title, description and attributes are the expert's material; its photos are GET /api/v1/media?owner_type=item"`
	Blind          bool              `json:"blind" doc:"True when earlier rounds' opinions, reviews and certificates are left out: the caller is the new round's expert and has not yet given their own opinion"`
}

type ordersInput struct {
	ListParams
	OrderFilterParams
}

// OrderFilterParams are the filters of the order list, shared by the list and its CSV export.
type OrderFilterParams struct {
	Status      string `query:"status" maxLength:"300" doc:"Comma-separated statuses" example:"TRIAGE,QUEUED"`
	ItemID      string `query:"item_id" maxLength:"20" doc:"The orders of one item"`
	CategoryID  string `query:"category_id" maxLength:"20"`
	ExpertID    string `query:"expert_id" maxLength:"20"`
	ProductID   string `query:"product_id" maxLength:"20"`
	CustomerID  string `query:"customer_id" maxLength:"20"`
	From        string `query:"from" doc:"Created at or after: RFC 3339 or YYYY-MM-DD (Asia/Shanghai)"`
	To          string `query:"to" doc:"Created before: RFC 3339 or YYYY-MM-DD (Asia/Shanghai)"`
	Q           string `query:"q" maxLength:"64" doc:"Substring of order_no, title or customer name"`
	Sort        string `query:"sort" enum:"created_at,-created_at,updated_at,-updated_at,sla_due_at,-sla_due_at,price_fen,-price_fen,order_no,-order_no," doc:"A field, '-' for descending; default -created_at"`
	SLABreached bool   `query:"sla_breached" doc:"Only open orders past their SLA"`
}

type ordersOutput struct {
	ETag string `header:"ETag" doc:"A digest of this answer, for If-None-Match"`
	Body listBody[OrderView]
}

type orderOutput struct {
	ETag string `header:"ETag" doc:"The order's version, for If-Match"`
	Body OrderView
}

type orderDetailOutput struct {
	ETag string `header:"ETag" doc:"The order's version, a dot and a digest of this answer (\"7.Qx3…\"): If-Match reads the version, If-None-Match the whole"`
	Body orderDetailView
}

type createOrderInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"64" doc:"Retrying with the same key returns the first result"`
	Body           struct {
		ItemID    string `json:"item_id" maxLength:"20"`
		ProductID string `json:"product_id" maxLength:"20"`
		Note      string `json:"note,omitempty" maxLength:"500"`
	}
}

type transitionInput = change[transitionBody]

type transitionBody struct {
	Versioned
	Note string `json:"note,omitempty" maxLength:"500"`
}

type assignInput = change[assignBody]

type assignBody struct {
	Versioned
	ExpertID string `json:"expert_id" maxLength:"20"`
	Note     string `json:"note,omitempty" maxLength:"500"`
}

type suggestOutput struct {
	Body expertView
}

type opinionInput = change[opinionBody]

type opinionBody struct {
	Versioned
	Verdict       string `json:"verdict" enum:"GENUINE,FAKE,UNCERTAIN,NOT_APPRAISABLE"`
	Era           string `json:"era,omitempty" maxLength:"64" example:"清乾隆"`
	Condition     string `json:"condition,omitempty" maxLength:"64" example:"口沿有冲"`
	ValueMinFen   int64  `json:"value_min_fen,omitempty" minimum:"0"`
	ValueMaxFen   int64  `json:"value_max_fen,omitempty" minimum:"0"`
	PublicComment string `json:"public_comment,omitempty" maxLength:"5000"`
	InternalNote  string `json:"internal_note,omitempty" maxLength:"5000"`
}

type opinionOutput struct {
	ETag string `header:"ETag"`
	Body struct {
		Order   OrderView   `json:"order"`
		Opinion opinionView `json:"opinion"`
	}
}

type reviewInput = change[reviewBody]

type reviewBody struct {
	Versioned
	Decision string `json:"decision" enum:"AGREE,SEND_BACK"`
	Comment  string `json:"comment,omitempty" maxLength:"1000"`
}

type certificateOutput struct {
	Body CertificateView
}

type issueOutput struct {
	ETag string `header:"ETag"`
	Body struct {
		Order       OrderView       `json:"order"`
		Certificate CertificateView `json:"certificate"`
	}
}

type revokeInput struct {
	ID   string `path:"id" maxLength:"20"`
	Body struct {
		Reason       string `json:"reason" minLength:"1" maxLength:"200" doc:"Why, in the staff's words: internal, kept in the audit log and the order's timeline, never published"`
		PublicReason string `json:"public_reason" enum:"ERRATA,REAPPRAISED,HOLDER_REQUEST,MISUSE,OTHER" doc:"The reason the certificate's page publishes"`
	}
}

type pngOutput struct {
	ContentType  string `header:"Content-Type"`
	CacheControl string `header:"Cache-Control"`
	Body         []byte
}

type verifyInput struct {
	Token string `path:"token" maxLength:"64"`
}

type verifyOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         verifyBody
}

// verifyBody is what the public may know of a certificate: the JSON answer and the page both.
type verifyBody struct {
	CertNo       string     `json:"cert_no"`
	Status       string     `json:"status" enum:"ISSUED,REVOKED,SUPERSEDED" doc:"Only ISSUED is a valid certificate"`
	Valid        bool       `json:"valid"`
	StatusText   string     `json:"status_text" doc:"What to tell the holder, in Chinese: 有效 / 已撤销 / 已被取代"`
	Title        string     `json:"title" doc:"The item"`
	CategoryName string     `json:"category_name" example:"青花瓷"`
	CoverURL     string     `json:"cover_url" doc:"A signed link to the item's first photo (medium size), valid for an hour; empty when there is none"`
	IssuedAt     time.Time  `json:"issued_at"`
	RevokedAt    *time.Time `json:"revoked_at,omitempty"`
	RevokeReason string     `json:"revoke_reason,omitempty" enum:"ERRATA,REAPPRAISED,HOLDER_REQUEST,MISUSE,OTHER" doc:"A revoked certificate's published reason"`
	RevokeText   string     `json:"revoke_reason_text,omitempty" doc:"Its words, in Chinese"`
	// Only while valid: a revoked or superseded certificate tells no verdict and shows no photo.
	Verdict       string `json:"verdict,omitempty" enum:"GENUINE,FAKE,UNCERTAIN,NOT_APPRAISABLE" doc:"Only while the certificate is valid"`
	Era           string `json:"era,omitempty"`
	Condition     string `json:"condition,omitempty"`
	PublicComment string `json:"public_comment,omitempty"`
	Issuer        string `json:"issuer" doc:"The issuing organisation" example:"鉴宝鉴定中心"`
}

var ordersTags = []string{"orders"}

// ordersRoutes is the orders group: one handler maker per operation.
func ordersRoutes(d *Deps) []route {
	rs := []route{ordersList(d), ordersExport(d), ordersCreate(d), ordersGet(d)}
	rs = append(rs, orderTransitions(d)...)
	return append(rs, ordersAssign(d), ordersSuggestExpert(d), ordersSubmitOpinion(d), ordersReview(d), certificatesIssue(d), certificatesList(d), certificatesGet(d), certificatesPrint(d), certificatesQr(d), certificatesRevoke(d), publicCertificatesVerify(d), publicCertificatesQr(d), publicCertificatePage(d))
}

func ordersList(d *Deps) route {
	return handle(answered(huma.Operation{
		OperationID: "orders.list", Method: http.MethodGet, Path: "/api/v1/orders", Tags: ordersTags,
		Summary: "List and search orders", Description: "Experts see only the orders assigned to them.",
		Errors: []int{http.StatusUnprocessableEntity},
	}), func(ctx context.Context, in *ordersInput) (*ordersOutput, error) {
		pg, after, err := in.orderPage()
		if err != nil {
			return nil, err
		}
		f, err := in.filter(pg)
		if err != nil {
			return nil, err
		}
		f.After = after
		l, err := d.Orders.List(ctx, principalFrom(ctx), f)
		if err != nil {
			return nil, err
		}
		return &ordersOutput{Body: newOrderList(mapSlice(l.Orders, func(o appraisal.Order) OrderView { return viewOrder(ctx, &o) }), l)}, nil
	})
}

// filter reads the list's filters.
func (in *OrderFilterParams) filter(pg appraisal.Page) (appraisal.OrderFilter, error) {
	f := appraisal.OrderFilter{Keyword: in.Q, Sort: in.Sort, SLABreached: in.SLABreached, Page: pg}
	var err error
	for _, s := range strings.Split(in.Status, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if !appraisal.Status(s).Valid() {
			return f, appraisal.Invalid(appraisal.FieldError{Field: "status", Code: "not_allowed", Message: "unknown status " + s})
		}
		f.Statuses = append(f.Statuses, appraisal.Status(s))
	}
	for _, x := range []struct {
		field, raw string
		dst        *int64
	}{{"category_id", in.CategoryID, &f.CategoryID}, {"expert_id", in.ExpertID, &f.ExpertID},
		{"product_id", in.ProductID, &f.ProductID}, {"customer_id", in.CustomerID, &f.CustomerID}, {"item_id", in.ItemID, &f.ItemID}} {
		if *x.dst, err = parseOptionalID(x.field, x.raw); err != nil {
			return f, err
		}
	}
	if f.From, err = parseTime("from", in.From); err != nil {
		return f, err
	}
	if f.To, err = parseTime("to", in.To); err != nil {
		return f, err
	}
	return f, nil
}

func ordersCreate(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "orders.create", Method: http.MethodPost, Path: "/api/v1/orders", Tags: ordersTags,
		Summary: "Open an appraisal order for an item", Description: "The SLA due time is the product's SLA hours from now.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *createOrderInput) (*orderOutput, error) {
		return idempotent(ctx, d, in.IdempotencyKey, "orders.create", in.Body, func() (*orderOutput, error) {
			item, err := parseOptionalID("item_id", in.Body.ItemID)
			if err != nil {
				return nil, err
			}
			product, err := parseOptionalID("product_id", in.Body.ProductID)
			if err != nil {
				return nil, err
			}
			o, err := d.Orders.Create(ctx, orders.CreateInput{ItemID: item, ProductID: product, Note: in.Body.Note}, principalFrom(ctx), actor(ctx))
			if err != nil {
				return nil, err
			}
			return &orderOutput{ETag: etag(o.Version), Body: viewOrder(ctx, o)}, nil
		})
	})
}

func ordersGet(d *Deps) route {
	return handle(answered(huma.Operation{
		OperationID: "orders.get", Method: http.MethodGet, Path: "/api/v1/orders/{id}", Tags: ordersTags,
		Summary: "An order with its timeline, opinions, reviews and certificates", Errors: []int{http.StatusNotFound},
	}), func(ctx context.Context, in *idInput) (*orderDetailOutput, error) {
		id, err := parseID(in.ID)
		if err != nil {
			return nil, err
		}
		det, err := d.Orders.Get(ctx, principalFrom(ctx), id)
		if err != nil {
			return nil, err
		}
		v := orderDetailView{OrderView: viewOrder(ctx, &det.Order), Events: []eventView{}, Opinions: []opinionView{},
			Reviews: []reviewView{}, Certificates: []CertificateView{}, Item: viewItem(det.Item), Blind: det.Blind, AllowedActions: det.Actions}
		v.Customer = orderCustomerView{ID: formatID(det.Order.CustomerID), Name: det.Order.CustomerName}
		if det.SeeAll {
			// Experts never see contact details; others see them masked or, if allowed, in full.
			c, err := d.Records.Show(ctx, principalFrom(ctx), &det.Customer, det.CustomerPhoneEnc)
			if err != nil {
				return nil, err
			}
			v.Customer.Phone = c.Phone
		}
		for _, e := range det.Events {
			v.Events = append(v.Events, eventView{Action: string(e.Action), From: string(e.From), To: string(e.To), Round: e.Round,
				Version: e.Version, ActorID: formatOptionalID(e.ActorID), ActorName: e.ActorName, Note: e.Note, CreatedAt: e.CreatedAt.UTC()})
		}
		v.Opinions = mapSlice(det.Opinions, viewOpinion)
		for _, r := range det.Reviews {
			v.Reviews = append(v.Reviews, reviewView{ID: formatID(r.ID), OpinionID: formatID(r.OpinionID), ReviewerID: formatID(r.ReviewerID),
				Decision: r.Decision, Comment: r.Comment, CreatedAt: r.CreatedAt.UTC()})
		}
		v.Certificates = mapSlice(det.Certificates, d.viewCertificate)
		return &orderDetailOutput{ETag: etag(det.Order.Version), Body: v}, nil
	})
}

func ordersAssign(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "orders.assign", Method: http.MethodPost, Path: "/api/v1/orders/{id}/assign", Tags: ordersTags,
		Summary:     "Assign an expert (QUEUED/ASSIGNED/DISPUTED → ASSIGNED)",
		Description: "The expert must be active, have the category as a specialty and capacity left. From DISPUTED this opens the next round, and the expert must differ from earlier rounds'.",
		Errors:      []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *assignInput) (*orderOutput, error) {
		id, version, err := in.target()
		if err != nil {
			return nil, err
		}
		expert, err := parseOptionalID("expert_id", in.body().ExpertID)
		if err != nil || expert == 0 {
			return nil, appraisal.Invalid(appraisal.FieldError{Field: "expert_id", Code: "required", Message: "which expert"})
		}
		o, err := d.Orders.Assign(ctx, principalFrom(ctx), id, version, expert, in.body().Note, actor(ctx))
		if err != nil {
			return nil, err
		}
		return &orderOutput{ETag: etag(o.Version), Body: viewOrder(ctx, o)}, nil
	})
}

func ordersSuggestExpert(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "orders.suggest_expert", Method: http.MethodGet, Path: "/api/v1/orders/{id}/suggested-expert", Tags: ordersTags,
		Summary: "The least-loaded eligible expert for an order", Errors: []int{http.StatusNotFound},
	}, byID(func(ctx context.Context, id int64) (*appraisal.Expert, error) {
		return d.Orders.SuggestExpert(ctx, principalFrom(ctx), id)
	},
		func(e *appraisal.Expert) *suggestOutput { return &suggestOutput{Body: viewExpert(*e)} }))
}

func ordersSubmitOpinion(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "orders.submit_opinion", Method: http.MethodPost, Path: "/api/v1/orders/{id}/opinions", Tags: ordersTags,
		Summary:     "The assigned expert's opinion (IN_APPRAISAL → OPINION_SUBMITTED → IN_REVIEW or COMPLETED)",
		Description: "Review is required for FAKE or UNCERTAIN, for an upper estimate over the configured threshold, or by the sampling rate.",
		Errors:      []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity}, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *opinionInput) (*opinionOutput, error) {
		id, version, err := in.target()
		if err != nil {
			return nil, err
		}
		o, op, err := d.Orders.SubmitOpinion(ctx, principalFrom(ctx), id, version, orders.OpinionInput{
			Verdict: appraisal.Verdict(in.body().Verdict), Era: in.body().Era, Condition: in.body().Condition,
			ValueMinFen: in.body().ValueMinFen, ValueMaxFen: in.body().ValueMaxFen, PublicComment: in.body().PublicComment, InternalNote: in.body().InternalNote}, actor(ctx))
		if err != nil {
			return nil, err
		}
		out := &opinionOutput{ETag: etag(o.Version)}
		out.Body.Order, out.Body.Opinion = viewOrder(ctx, o), viewOpinion(*op)
		return out, nil
	})
}

func ordersReview(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "orders.review", Method: http.MethodPost, Path: "/api/v1/orders/{id}/reviews", Tags: ordersTags,
		Summary: "A reviewer agrees (→ COMPLETED) or sends the opinion back (→ IN_APPRAISAL)",
		Errors:  []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *reviewInput) (*orderOutput, error) {
		id, version, err := in.target()
		if err != nil {
			return nil, err
		}
		o, err := d.Orders.ReviewOpinion(ctx, principalFrom(ctx), id, version, in.body().Decision, in.body().Comment, actor(ctx))
		if err != nil {
			return nil, err
		}
		return &orderOutput{ETag: etag(o.Version), Body: viewOrder(ctx, o)}, nil
	})
}

func certificatesIssue(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "certificates.issue", Method: http.MethodPost, Path: "/api/v1/orders/{id}/certificate", Tags: ordersTags,
		Summary: "Issue the certificate (COMPLETED → CERT_ISSUED)", Description: "Only for a GENUINE or FAKE verdict.",
		Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity}, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *transitionInput) (*issueOutput, error) {
		id, version, err := in.target()
		if err != nil {
			return nil, err
		}
		o, c, err := d.Orders.IssueCertificate(ctx, principalFrom(ctx), id, version, actor(ctx))
		if err != nil {
			return nil, err
		}
		out := &issueOutput{ETag: etag(o.Version)}
		out.Body.Order, out.Body.Certificate = viewOrder(ctx, o), d.viewCertificate(*c)
		return out, nil
	})
}

func certificatesGet(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "certificates.get", Method: http.MethodGet, Path: "/api/v1/certificates/{id}", Tags: ordersTags,
		Summary: "Get a certificate", Errors: []int{http.StatusNotFound},
	}, byID(func(ctx context.Context, id int64) (*appraisal.Certificate, error) {
		return d.Orders.Certificate(ctx, principalFrom(ctx), id)
	}, func(c *appraisal.Certificate) *certificateOutput {
		return &certificateOutput{Body: d.viewCertificate(*c)}
	}))
}

type certificatesInput struct {
	ListParams
	TimeSort
	Status  string `query:"status" enum:"ISSUED,REVOKED,SUPERSEDED," doc:"Only ISSUED certificates are valid"`
	CertNo  string `query:"cert_no" maxLength:"32" doc:"Exact certificate number"`
	OrderID string `query:"order_id" maxLength:"20"`
	From    string `query:"from" doc:"Issued at or after: RFC 3339 or YYYY-MM-DD (Asia/Shanghai)"`
	To      string `query:"to" doc:"Issued before: RFC 3339 or YYYY-MM-DD (Asia/Shanghai)"`
}

type certificateRowView struct {
	CertificateView
	OrderNo      string `json:"order_no"`
	Title        string `json:"title" doc:"The item's title"`
	CustomerName string `json:"customer_name"`
}

type certificatesOutput struct {
	Body listBody[certificateRowView]
}

func certificatesList(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "certificates.list", Method: http.MethodGet, Path: "/api/v1/certificates", Tags: ordersTags,
		Summary: "Certificates, newest first, with their order's number, item and customer",
		Errors:  []int{http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *certificatesInput) (*certificatesOutput, error) {
		pg, err := in.page()
		if err != nil {
			return nil, err
		}
		f := appraisal.CertificateFilter{Status: in.Status, CertNo: in.CertNo, Oldest: in.oldest(), Page: pg}
		if f.OrderID, err = parseOptionalID("order_id", in.OrderID); err != nil {
			return nil, err
		}
		if f.From, err = parseTime("from", in.From); err != nil {
			return nil, err
		}
		if f.To, err = parseTime("to", in.To); err != nil {
			return nil, err
		}
		rows, total, err := d.Orders.Certificates(ctx, principalFrom(ctx), f)
		if err != nil {
			return nil, err
		}
		return &certificatesOutput{Body: newList(mapSlice(rows, func(r appraisal.CertificateRow) certificateRowView {
			return certificateRowView{CertificateView: d.viewCertificate(r.Certificate), OrderNo: r.OrderNo, Title: r.Title, CustomerName: r.CustomerName}
		}), total, pg)}, nil
	})
}

func certificatesQr(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "certificates.qr", Method: http.MethodGet, Path: "/api/v1/certificates/{id}/qr.png", Tags: ordersTags,
		Summary: "The certificate's QR code (PNG) encoding its public verification link", Errors: []int{http.StatusNotFound},
		Responses: map[string]*huma.Response{"200": {Description: "A PNG image", Content: map[string]*huma.MediaType{"image/png": {}}}},
	}, func(ctx context.Context, in *idInput) (*pngOutput, error) {
		id, err := parseID(in.ID)
		if err != nil {
			return nil, err
		}
		c, err := d.Orders.Certificate(ctx, principalFrom(ctx), id)
		if err != nil {
			return nil, err
		}
		png, err := d.qrPNG(c.VerifyToken)
		if err != nil {
			return nil, err
		}
		return &pngOutput{ContentType: "image/png", CacheControl: "private, max-age=300", Body: png}, nil
	})
}

func certificatesRevoke(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "certificates.revoke", Method: http.MethodPost, Path: "/api/v1/certificates/{id}/revoke", Tags: ordersTags,
		Summary: "Revoke a certificate: a published reason from the list, and the staff's note", Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *revokeInput) (*certificateOutput, error) {
		id, err := parseID(in.ID)
		if err != nil {
			return nil, err
		}
		c, err := d.Orders.RevokeCertificate(ctx, principalFrom(ctx), id,
			appraisal.Revocation{Public: appraisal.RevokeReason(in.Body.PublicReason), Note: in.Body.Reason}, actor(ctx))
		if err != nil {
			return nil, err
		}
		return &certificateOutput{Body: d.viewCertificate(*c)}, nil
	})
}

func publicCertificatesVerify(d *Deps) route {
	return handle(public(huma.Operation{
		OperationID: "public.certificates.verify", Method: http.MethodGet, Path: "/api/v1/public/certificates/{token}", Tags: []string{"public"},
		Summary:     "Verify a certificate (no login)",
		Description: "What the QR code opens. Returns only public fields. Rate-limited per address (429 with Retry-After).",
		Errors:      []int{http.StatusNotFound, http.StatusTooManyRequests},
	}), func(ctx context.Context, in *verifyInput) (*verifyOutput, error) {
		if err := d.limitPublic(ctx); err != nil {
			return nil, err
		}
		b, err := d.verification(ctx, in.Token)
		if err != nil {
			return nil, err
		}
		return &verifyOutput{CacheControl: "no-store", Body: *b}, nil
	})
}

// verification assembles what the public may know of the certificate with token.
func (d *Deps) verification(ctx context.Context, token string) (*verifyBody, error) {
	v, err := d.Orders.Verify(ctx, token)
	if err != nil {
		return nil, err
	}
	b := &verifyBody{Issuer: d.CertIssuer, CertNo: v.CertNo, Status: v.Status, Valid: v.Valid, Title: v.Title, CategoryName: v.CategoryName,
		IssuedAt: v.IssuedAt.UTC(), RevokedAt: utcPtr(v.RevokedAt), StatusText: certStatusLabels[v.Status].ZH,
		Verdict: string(v.Verdict), Era: v.Era, Condition: v.Condition, PublicComment: v.PublicComment}
	if v.PublicReason != "" {
		b.RevokeReason, b.RevokeText = string(v.PublicReason), revokeReasonLabels[v.PublicReason].ZH
	}
	if v.CoverOf == 0 {
		return b, nil
	}
	if cover, err := d.Gallery.Cover(ctx, v.CoverOf); err == nil && cover != nil {
		for _, r := range cover.Renditions {
			if r.Name == "medium" && r.Format == "jpeg" {
				b.CoverURL, _ = d.Blobs.PresignGet(ctx, r.Key, time.Hour)
			}
		}
	}
	return b, nil
}

func publicCertificatesQr(d *Deps) route {
	return handle(public(huma.Operation{
		OperationID: "public.certificates.qr", Method: http.MethodGet, Path: "/api/v1/public/certificates/{token}/qr.png", Tags: []string{"public"},
		Summary:     "The certificate's QR code (PNG), by its public token (no login)",
		Description: "For an <img> tag on the certificate page and the print view. Rate-limited per address.",
		Errors:      []int{http.StatusNotFound, http.StatusTooManyRequests},
		Responses:   map[string]*huma.Response{"200": {Description: "A PNG image", Content: map[string]*huma.MediaType{"image/png": {}}}},
	}), func(ctx context.Context, in *verifyInput) (*pngOutput, error) {
		if err := d.limitPublic(ctx); err != nil {
			return nil, err
		}
		// The token compares byte for byte, so the one asked for is the certificate's.
		if _, err := d.Orders.Verify(ctx, in.Token); err != nil {
			return nil, err
		}
		png, err := d.qrPNG(in.Token)
		if err != nil {
			return nil, err
		}
		return &pngOutput{ContentType: "image/png", CacheControl: "public, max-age=86400", Body: png}, nil
	})
}

// orderTransitions are the actions that need nothing but the version and a note.
func orderTransitions(d *Deps) []route {
	simple := []struct {
		action  appraisal.Action
		path    string
		summary string
	}{
		{appraisal.ActionTriage, "triage", "Start triage (SUBMITTED → TRIAGE)"},
		{appraisal.ActionRequestInfo, "request-info", "Ask the customer for more (TRIAGE → NEED_MORE_INFO); the SLA clock pauses"},
		{appraisal.ActionProvideInfo, "provide-info", "The customer answered (NEED_MORE_INFO → TRIAGE); the SLA clock resumes"},
		{appraisal.ActionAccept, "accept", "Accept for appraisal (TRIAGE → QUEUED)"},
		{appraisal.ActionReject, "reject", "Reject the order (TRIAGE → REJECTED)"},
		{appraisal.ActionCancel, "cancel", "Cancel before assignment"},
		{appraisal.ActionStart, "start", "The assigned expert starts (ASSIGNED → IN_APPRAISAL)"},
		{appraisal.ActionDispute, "dispute", "The customer disputes the result (→ DISPUTED); the opinion and certificate are superseded, and assigning opens a new round with a different expert"},
	}
	var rs []route
	for _, s := range simple {
		rs = append(rs, handle(huma.Operation{
			OperationID: "orders." + string(s.action), Method: http.MethodPost, Path: "/api/v1/orders/{id}/" + s.path, Tags: ordersTags,
			Summary:     s.summary,
			Description: "Send the version you read. A stale version gets 409 with the current status and version; an action the flow does not allow gets 409 naming the allowed ones.",
			Errors:      []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
		}, func(ctx context.Context, in *transitionInput) (*orderOutput, error) {
			id, version, err := in.target()
			if err != nil {
				return nil, err
			}
			o, err := d.Orders.Transition(ctx, principalFrom(ctx), id, version, s.action, in.body().Note, actor(ctx))
			if err != nil {
				return nil, err
			}
			return &orderOutput{ETag: etag(o.Version), Body: viewOrder(ctx, o)}, nil
		}))
	}
	return rs
}

// PublicLimit is how many verifications one address may make a minute.
const PublicLimit = 60

// limitPublic throttles the unauthenticated endpoints per client address.
func (d *Deps) limitPublic(ctx context.Context) error {
	if d.Limiter == nil {
		return nil
	}
	key := "public:" + clientFrom(ctx).IP
	n, err := d.Limiter.Hit(ctx, key, time.Minute)
	if err != nil {
		d.Log.ErrorContext(ctx, "public rate limiter unavailable", "err", err)
		return nil
	}
	if n > PublicLimit {
		wait, _ := d.Limiter.Blocked(ctx, key, PublicLimit)
		return &appraisal.Error{Kind: appraisal.KindRateLimited, Code: "rate_limited", Message: "too many requests", RetryAfter: max(wait, time.Second)}
	}
	return nil
}
