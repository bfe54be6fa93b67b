package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/jianbao/admin/shared/appraisal"
)

// ListParams are the pagination parameters of every list. It is exported because huma only
// finds parameters in exported embedded structs.
type ListParams struct {
	Page     int    `query:"page" minimum:"1" default:"1" doc:"1-based page number"`
	PageSize int    `query:"page_size" minimum:"1" maximum:"100" default:"20" doc:"Items per page"`
	Cursor   string `query:"cursor" maxLength:"200" doc:"The next_cursor of the previous page; takes precedence over page"`
}

// ListSort is the sort of the customer, item and account lists (appraisal.ListSorts; a test
// keeps the enum equal to it).
type ListSort struct {
	Sort string `query:"sort" enum:"created_at,-created_at,updated_at,-updated_at,name,-name," doc:"A field, '-' for descending; name is the customer's name, the item's title or the username. Default: newest first"`
}

// TimeSort is the sort of the lists of events (audit, logins, certificates): by time, newest first
// unless asked otherwise.
type TimeSort struct {
	Sort string `query:"sort" enum:"-time,time," doc:"-time: newest first (the default); time: oldest first"`
}

func (t TimeSort) oldest() bool { return t.Sort == "time" }

// cursor is what next_cursor carries: an offset, or for the order list the last order's key
// (keyset paging: a deep page costs what the first does).
type cursor struct {
	Offset int    `json:"o,omitempty"`
	Key    string `json:"k,omitempty"`
}

var errBadCursor = appraisal.Invalid(appraisal.FieldError{Field: "cursor", Code: "bad_cursor", Message: "the cursor is not one this API issued"})

func (l ListParams) cursor() (c cursor, err error) {
	if l.Cursor == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(l.Cursor)
	if err != nil || json.Unmarshal(b, &c) != nil || c.Offset < 0 {
		return c, errBadCursor
	}
	return c, nil
}

func (l ListParams) size() int {
	if l.PageSize <= 0 {
		return 20
	}
	return l.PageSize
}

// numbered is the page the page number names.
func (l ListParams) numbered() appraisal.Page {
	size := l.size()
	return appraisal.Page{Limit: size, Offset: (max(l.Page, 1) - 1) * size}
}

func (l ListParams) page() (appraisal.Page, error) {
	c, err := l.cursor()
	switch {
	case err != nil:
		return appraisal.Page{}, err
	case c.Key != "":
		return appraisal.Page{}, errBadCursor
	case l.Cursor != "":
		return appraisal.Page{Limit: l.size(), Offset: c.Offset}, nil
	}
	return l.numbered(), nil
}

// MaxOrderOffset is how deep the order list goes by page number; deeper, next_cursor pages by
// key, which costs the same at any depth (an offset reads and drops every row before it).
const MaxOrderOffset = 10000

// orderPage reads the order list's paging: a page number (to MaxOrderOffset) or a cursor.
func (l ListParams) orderPage() (p appraisal.Page, after string, err error) {
	c, err := l.cursor()
	switch {
	case err != nil:
		return p, "", err
	case l.Cursor != "" && c.Key == "":
		return p, "", errBadCursor
	case l.Cursor != "":
		return appraisal.Page{Limit: l.size()}, c.Key, nil
	}
	if p = l.numbered(); p.Offset > MaxOrderOffset {
		err = appraisal.Invalid(appraisal.FieldError{Field: "page", Code: "too_deep",
			Message: fmt.Sprintf("pages past %d orders are reached through next_cursor", MaxOrderOffset)})
	}
	return p, "", err
}

// listBody is the shape of every list response.
type listBody[T any] struct {
	Items      []T    `json:"items"`
	Total      int    `json:"total" doc:"How many items match, over all pages; when total_exact is false, at least this many (counting stopped there)"`
	TotalExact bool   `json:"total_exact" doc:"Whether total is the exact count. The order list counts exactly when it filters by status alone (or not at all) or by a keyword; otherwise it stops at 1000"`
	NextCursor string `json:"next_cursor" doc:"Pass as cursor for the next page; empty on the last page"`
}

func newList[T any](items []T, total int, p appraisal.Page) listBody[T] {
	if items == nil {
		items = []T{}
	}
	out := listBody[T]{Items: items, Total: total, TotalExact: true}
	if next := p.Offset + len(items); next < total && len(items) > 0 {
		out.NextCursor = encodeCursor(cursor{Offset: next})
	}
	return out
}

// newOrderList is an order list's page: its cursor is the last order's key.
func newOrderList[T any](items []T, l appraisal.OrderList) listBody[T] {
	out := listBody[T]{Items: items, Total: l.Total, TotalExact: l.TotalExact}
	if l.Next != "" {
		out.NextCursor = encodeCursor(cursor{Key: l.Next})
	}
	return out
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

var errNotFound = appraisal.E(appraisal.KindNotFound, "not_found", "not found")

// parseID reads an opaque id from the path. Anything that is not one of our ids is simply not
// found.
func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

// parseOptionalID reads an id filter from the query; "" is no filter.
func parseOptionalID(field, s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, appraisal.Invalid(appraisal.FieldError{Field: field, Code: "bad_id", Message: "not an id"})
	}
	return id, nil
}

func formatOptionalID(id int64) string {
	if id == 0 {
		return ""
	}
	return formatID(id)
}

// Versioned is embedded in the body of every change to a versioned resource: the version the
// client read, when If-Match does not carry it.
type Versioned struct {
	Version *int64 `json:"version,omitempty" doc:"The version you read; required unless If-Match carries it"`
}

func (v Versioned) version() *int64 { return v.Version }

// change is the request of every change to a versioned resource: the id in the path, the version
// the client read (If-Match or the body), and the operation's own body B, which embeds Versioned.
// The body may be left out altogether when If-Match carries the version and the operation needs
// nothing else (a transition, a block).
type change[B interface{ version() *int64 }] struct {
	ID      string `path:"id" maxLength:"20"`
	IfMatch string `header:"If-Match" doc:"The version you read (\"3\" or W/\"3\"); or send version in the body"`
	Body    *B
}

// body is the request's body, or B's zero value when none was sent.
func (c *change[B]) body() B {
	if c.Body == nil {
		var zero B
		return zero
	}
	return *c.Body
}

// target reads the id and the version the client acted on.
func (c *change[B]) target() (id, version int64, err error) {
	return target(c.ID, c.IfMatch, c.body().version())
}

// target reads the path id of a mutable resource and the version the client acted on.
func target(rawID, ifMatch string, bodyVersion *int64) (id, version int64, err error) {
	if id, err = parseID(rawID); err != nil {
		return 0, 0, err
	}
	version, err = versionOf(ifMatch, bodyVersion)
	return id, version, err
}

// versionOf takes the version a client acted on from If-Match ("3" or W/"3", or the ETag of a
// read answer, "3.<digest>": answerETag) or from the body.
func versionOf(ifMatch string, body *int64) (int64, error) {
	if v := strings.Trim(strings.TrimPrefix(strings.TrimSpace(ifMatch), "W/"), `"`); v != "" {
		v, _, _ = strings.Cut(v, ".")
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return 0, appraisal.Invalid(appraisal.FieldError{Field: "If-Match", Code: "bad_version", Message: "If-Match must be the resource's version"})
		}
		return n, nil
	}
	if body != nil && *body > 0 {
		return *body, nil
	}
	return 0, appraisal.Invalid(appraisal.FieldError{Field: "version", Code: "version_required", Message: "send the version you read, in If-Match or the body"})
}

func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// parseTime reads an optional RFC 3339 or date (Asia/Shanghai) query parameter.
func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, appraisal.Shanghai); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, appraisal.Invalid(appraisal.FieldError{Field: field, Code: "bad_format", Message: "want RFC 3339 or YYYY-MM-DD"})
}

// idempotent runs fn once per Idempotency-Key: a retry with the same key and request gets the
// first response back.
func idempotent[O any](ctx context.Context, d *Deps, key, operation string, req any, fn func() (*O, error)) (*O, error) {
	if key == "" {
		return fn()
	}
	p := principalFrom(ctx)
	b, _ := json.Marshal(req)
	sum := sha256.Sum256(b)
	status, stored, err := d.Idempotency.BeginIdempotent(ctx, p.UserID, key, operation, hex.EncodeToString(sum[:]))
	if err != nil {
		return nil, err
	}
	if status > 0 {
		var out O
		if err := json.Unmarshal(stored, &out); err != nil {
			return nil, err
		}
		return &out, nil
	}
	out, err := fn()
	if err != nil {
		if aerr := d.Idempotency.AbandonIdempotent(context.WithoutCancel(ctx), p.UserID, key); aerr != nil {
			d.Log.ErrorContext(ctx, "idempotency key not released", "err", aerr)
		}
		return nil, err
	}
	body, _ := json.Marshal(out)
	if err := d.Idempotency.FinishIdempotent(context.WithoutCancel(ctx), p.UserID, key, 201, body); err != nil {
		d.Log.ErrorContext(ctx, "idempotent response not stored", "err", err)
	}
	return out, nil
}

func userAttr(id int64) slog.Attr { return slog.Int64("user_id", id) }

// byID makes the handler of a read by path id: parse the id, load, render. load is a closure
// rather than a method value so that routes can be registered (for the OpenAPI document) before
// the stores exist.
func byID[T, O any](load func(context.Context, int64) (T, error), render func(T) *O) func(context.Context, *idInput) (*O, error) {
	return func(ctx context.Context, in *idInput) (*O, error) {
		id, err := parseID(in.ID)
		if err != nil {
			return nil, err
		}
		v, err := load(ctx, id)
		if err != nil {
			return nil, err
		}
		return render(v), nil
	}
}
