package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
)

// AnswerCache keeps the encoded responses of the hottest reads (readcache.Store is one). A hit
// writes the kept bytes: no handler, no query, no JSON encoding. It is only consulted after the
// request is authorized, and keyed by the caller, so what one account may see is never another's.
type AnswerCache interface {
	// Answer returns the response kept under key, if it is still current.
	Answer(ctx context.Context, key string) (etag, contentType string, body []byte, ok bool)
	// KeepAnswer keeps a response until a write makes it stale or until (zero: no clock bound).
	KeepAnswer(ctx context.Context, key, etag, contentType string, body []byte, until time.Time)
}

// answeredKey marks an operation whose 200 answers carry an ETag of their bytes (If-None-Match is
// answered 304) and are kept in Deps.Answers. Such an answer may depend only on the caller, the
// URL and what the read cache's epochs cover (orders and their children, accounts and
// permissions), and on the clock only through holdsUntil.
const answeredKey = "answered"

// answered marks op (answeredKey) and documents its conditional requests.
func answered(op huma.Operation) huma.Operation {
	if op.Metadata == nil {
		op.Metadata = map[string]any{}
	}
	op.Metadata[answeredKey] = true
	op.Parameters = append(op.Parameters, &huma.Param{Name: "If-None-Match", In: "header", Schema: &huma.Schema{Type: "string"},
		Description: "The ETag of the answer you hold: 304 without a body while it is still the answer"})
	if op.Responses == nil {
		op.Responses = map[string]*huma.Response{}
	}
	op.Responses["304"] = &huma.Response{Description: "Not Modified: the answer named by If-None-Match is still current",
		Headers: map[string]*huma.Param{"ETag": {Schema: &huma.Schema{Type: "string"}}}}
	return op
}

// validity is how long the answer being made stays true without a write: views that read the
// clock say so with holdsUntil.
type validity struct {
	mu    sync.Mutex
	until time.Time
}

type validityKey struct{}

// holdsUntil says that the answer being made changes at t without any write (an SLA falls due).
func holdsUntil(ctx context.Context, t time.Time) {
	if v, _ := ctx.Value(validityKey{}).(*validity); v != nil {
		v.mu.Lock()
		if v.until.IsZero() || t.Before(v.until) {
			v.until = t
		}
		v.mu.Unlock()
	}
}

// answers serves answered operations: from d.Answers when it holds the answer, else by running
// the handler into a buffer. Either way the answer carries an ETag of its bytes (prefixed with the
// resource's version where the handler sets one, which If-Match still reads), and a request
// whose If-None-Match names it gets 304 without a body.
func answers(d *Deps) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		if ok, _ := ctx.Operation().Metadata[answeredKey].(bool); !ok || ctx.Method() != http.MethodGet {
			next(ctx)
			return
		}
		key := answerKey(ctx)
		if d.Answers != nil {
			if etag, ct, body, ok := d.Answers.Answer(ctx.Context(), key); ok {
				writeAnswer(ctx, etag, ct, body)
				return
			}
		}
		v := &validity{}
		c := &capture{humaContext: huma.WithValue(ctx, validityKey{}, v)}
		next(c)
		if c.status == 0 {
			c.status = http.StatusOK // as net/http, for a handler that only wrote a body
		}
		if c.status != http.StatusOK {
			// Errors and anything unusual pass through as the handler made them.
			for name, v := range map[string]string{"ETag": c.etag, "Content-Type": c.contentType} {
				if v != "" {
					ctx.SetHeader(name, v)
				}
			}
			ctx.SetStatus(c.status)
			ctx.BodyWriter().Write(c.buf.Bytes())
			return
		}
		etag := answerETag(c.etag, c.buf.Bytes())
		if d.Answers != nil {
			d.Answers.KeepAnswer(ctx.Context(), key, etag, c.contentType, c.buf.Bytes(), v.until)
		}
		writeAnswer(ctx, etag, c.contentType, c.buf.Bytes())
	}
}

// answerKey is who asks for what: the account (its role and expert profile follow from it, and a
// change to them moves the auth epoch), the URL, and the negotiated representation.
func answerKey(ctx huma.Context) string {
	p := principalFrom(ctx.Context())
	u := ctx.URL()
	return ctx.Operation().OperationID + "\x00" + strconv.FormatInt(p.UserID, 10) + "\x00" + strconv.Itoa(int(p.Role)) +
		"\x00" + u.Path + "?" + u.RawQuery + "\x00" + ctx.Header("Accept") + "\x00" + strconv.Itoa(int(langOf(ctx.Header("Accept-Language"))))
}

// answerETag is a strong validator of body: a digest of its bytes, after the version the handler
// gave (`"7"` becomes `"7.<digest>"`), so If-Match still finds the version (versionOf).
func answerETag(handlerETag string, body []byte) string {
	sum := sha256.Sum256(body)
	digest := base64.RawURLEncoding.EncodeToString(sum[:12])
	if v := strings.Trim(handlerETag, `"`); v != "" {
		return `"` + v + "." + digest + `"`
	}
	return `"` + digest + `"`
}

func writeAnswer(ctx huma.Context, etag, contentType string, body []byte) {
	ctx.SetHeader("ETag", etag)
	if notModified(ctx.Header("If-None-Match"), etag) {
		ctx.SetStatus(http.StatusNotModified)
		return
	}
	if contentType != "" {
		ctx.SetHeader("Content-Type", contentType)
	}
	ctx.SetHeader("Content-Length", strconv.Itoa(len(body)))
	ctx.SetStatus(http.StatusOK)
	ctx.BodyWriter().Write(body)
}

// notModified reports whether an If-None-Match header names etag (weak comparison, RFC 9110
// §13.1.2) or is "*".
func notModified(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// humaContext names the embedded context of capture (its Context method is the request's).
type humaContext = huma.Context

// capture is the handler's view of the response while an answer is made: status, ETag, content
// type and body are held back, so that the answer is written once, with its own ETag.
type capture struct {
	humaContext
	status      int
	etag        string
	contentType string
	buf         bytes.Buffer
}

func (c *capture) SetStatus(code int) { c.status = code }
func (c *capture) Status() int        { return c.status }
func (c *capture) BodyWriter() io.Writer {
	return &c.buf
}

func (c *capture) SetHeader(name, value string) {
	switch http.CanonicalHeaderKey(name) {
	case "Etag":
		c.etag = value
	case "Content-Type":
		c.contentType = value
	default:
		c.humaContext.SetHeader(name, value)
	}
}
