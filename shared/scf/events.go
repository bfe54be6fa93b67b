package scf

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// HTTPRequest is the event of an API Gateway trigger and of a Function URL. A Function URL sends a
// subset of the same shape (no requestContext, no *Parameters, no isBase64Encoded), so one type
// serves both (docs/tencent-cloud-facts.md §2.1, §2.3).
type HTTPRequest struct {
	RequestContext        *RequestContext   `json:"requestContext,omitempty"`
	HTTPMethod            string            `json:"httpMethod"`
	Path                  string            `json:"path"`
	Headers               Values            `json:"headers"`
	QueryString           Values            `json:"queryString"`
	QueryStringParameters Values            `json:"queryStringParameters,omitempty"`
	PathParameters        map[string]string `json:"pathParameters,omitempty"`
	HeaderParameters      Values            `json:"headerParameters,omitempty"`
	StageVariables        map[string]string `json:"stageVariables,omitempty"`
	Body                  string            `json:"body"`
	IsBase64Encoded       Bool              `json:"isBase64Encoded"`
}

// RequestContext is API Gateway's description of the call. Tencent says it may only grow.
type RequestContext struct {
	ServiceID  string `json:"serviceId"`
	Path       string `json:"path"`
	HTTPMethod string `json:"httpMethod"`
	RequestID  string `json:"requestId"`
	SourceIP   string `json:"sourceIp"`
	Stage      string `json:"stage"`
}

// HTTPResponse is the integration response. A header value is a string, or an array of strings for
// a repeated header such as Set-Cookie.
type HTTPResponse struct {
	StatusCode      int            `json:"statusCode"`
	Headers         map[string]any `json:"headers"`
	Body            string         `json:"body"`
	IsBase64Encoded bool           `json:"isBase64Encoded"`
}

// Values decodes the gateway's polymorphic maps: a value is a string, an array for a repeated key,
// or the boolean true for a bare key (?flag). Numbers and false are taken as their text, null as
// nothing; anything else is an error, never a panic.
type Values map[string][]string

// UnmarshalJSON implements the tolerant decoding described on Values.
func (v *Values) UnmarshalJSON(data []byte) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		*v = nil
		return nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	out := make(Values, len(raw))
	for k, r := range raw {
		vals, err := scalarList(r)
		if err != nil {
			return fmt.Errorf("value of %q: %w", k, err)
		}
		out[k] = vals
	}
	*v = out
	return nil
}

func scalarList(r json.RawMessage) ([]string, error) {
	r = bytes.TrimSpace(r)
	if len(r) > 0 && r[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(r, &items); err != nil {
			return nil, err
		}
		out := make([]string, 0, len(items))
		for _, it := range items {
			s, ok, err := scalar(it)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, s)
			}
		}
		return out, nil
	}
	s, ok, err := scalar(r)
	if err != nil || !ok {
		return nil, err
	}
	return []string{s}, nil
}

func scalar(r json.RawMessage) (string, bool, error) {
	var x any
	if err := json.Unmarshal(r, &x); err != nil {
		return "", false, err
	}
	switch t := x.(type) {
	case nil:
		return "", false, nil
	case string:
		return t, true, nil
	case bool:
		if t {
			return "", true, nil // a bare key: ?flag
		}
		return "false", true, nil
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), true, nil
	default:
		return "", false, fmt.Errorf("unexpected %T", x)
	}
}

// Bool accepts true/false and the strings "true"/"false".
type Bool bool

// UnmarshalJSON implements the tolerant decoding described on Bool.
func (b *Bool) UnmarshalJSON(data []byte) error {
	switch strings.Trim(strings.ToLower(string(bytes.TrimSpace(data))), `"`) {
	case "true", "1":
		*b = true
	case "false", "0", "", "null":
		*b = false
	default:
		return fmt.Errorf("not a boolean: %s", data)
	}
	return nil
}

// COSEvent is the event of a COS trigger. One event may carry several records.
type COSEvent struct {
	Records []COSRecord `json:"Records"`
}

// COSRecord is one object notification.
type COSRecord struct {
	COS   COSEntity `json:"cos"`
	Event COSMeta   `json:"event"`
}

// COSEntity names the bucket and the object.
type COSEntity struct {
	SchemaVersion  string    `json:"cosSchemaVersion"`
	NotificationID string    `json:"cosNotificationId"`
	Bucket         COSBucket `json:"cosBucket"`
	Object         COSObject `json:"cosObject"`
}

// COSBucket is the bucket; Name is the short name without -appid, Region a legacy short code.
type COSBucket struct {
	Name   string `json:"name"`
	AppID  string `json:"appid"`
	Region string `json:"region"`
}

// COSObject is the object. Key is "/<appid>/<bucket>/<url-encoded key>": use ObjectKey.
type COSObject struct {
	Key  string            `json:"key"`
	Size int64             `json:"size"`
	URL  string            `json:"url"`
	VID  string            `json:"vid"`
	Meta map[string]string `json:"meta"`
}

// COSMeta describes what happened.
type COSMeta struct {
	Name      string    `json:"eventName"`
	Version   string    `json:"eventVersion"`
	Source    string    `json:"eventSource"`
	Time      EventTime `json:"eventTime"`
	Queue     string    `json:"eventQueue"`
	RequestID FlexInt   `json:"reqid"`
}

// FullBucket is the bucket name as the API wants it: name-appid.
func (r COSRecord) FullBucket() string {
	if r.COS.Bucket.AppID == "" || strings.HasSuffix(r.COS.Bucket.Name, "-"+r.COS.Bucket.AppID) {
		return r.COS.Bucket.Name
	}
	return r.COS.Bucket.Name + "-" + r.COS.Bucket.AppID
}

// ObjectKey returns the object key: the /appid/bucket/ prefix stripped and the URL encoding
// removed. Tencent's own sample decodes form-style, so '+' is a space; a literal plus arrives
// as %2B.
func (r COSRecord) ObjectKey() (string, error) {
	k := r.COS.Object.Key
	prefix := "/" + r.COS.Bucket.AppID + "/" + r.COS.Bucket.Name + "/"
	switch {
	case r.COS.Bucket.AppID != "" && strings.HasPrefix(k, prefix):
		k = k[len(prefix):]
	case strings.HasPrefix(k, "/"):
		// Strip the first two segments whatever they are: the prefix is documented, the names in it
		// have been seen with and without -appid.
		parts := strings.SplitN(k, "/", 4)
		if len(parts) < 4 {
			return "", fmt.Errorf("scf: COS key %q has no /appid/bucket/ prefix", r.COS.Object.Key)
		}
		k = parts[3]
	}
	key, err := url.QueryUnescape(k)
	if err != nil {
		return "", fmt.Errorf("scf: COS key %q: %w", r.COS.Object.Key, err)
	}
	if key == "" {
		return "", fmt.Errorf("scf: COS key %q is empty", r.COS.Object.Key)
	}
	return key, nil
}

// EventTime decodes a time sent as Unix seconds (number or numeric string) or as RFC 3339 text;
// Tencent's docs have shown both.
type EventTime struct{ time.Time }

// UnmarshalJSON implements the tolerant decoding described on EventTime.
func (t *EventTime) UnmarshalJSON(data []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(data)), `"`)
	if s == "" || s == "null" {
		t.Time = time.Time{}
		return nil
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		if n < 0 || n > 1e11 {
			return fmt.Errorf("eventTime %s out of range", s)
		}
		sec := int64(n)
		t.Time = time.Unix(sec, int64((n-float64(sec))*1e9)).UTC()
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z", "2006-01-02 15:04:05"} {
		if p, err := time.Parse(layout, s); err == nil {
			t.Time = p.UTC()
			return nil
		}
	}
	return fmt.Errorf("eventTime %q is neither Unix seconds nor RFC 3339", s)
}

// FlexInt decodes an integer sent as a number or a numeric string.
type FlexInt int64

// UnmarshalJSON implements the tolerant decoding described on FlexInt.
func (n *FlexInt) UnmarshalJSON(data []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(data)), `"`)
	if s == "" || s == "null" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int64(f)) {
			return fmt.Errorf("not an integer: %s", data)
		}
		v = int64(f)
	}
	*n = FlexInt(v)
	return nil
}

// TimerEvent is the event of a timer trigger. Message is the trigger's custom argument.
type TimerEvent struct {
	Type        string    `json:"Type"`
	TriggerName string    `json:"TriggerName"`
	Time        EventTime `json:"Time"`
	Message     string    `json:"Message"`
}

// ObjectsResult is what a COS-triggered function answers: the keys it handled and the records it
// could not read.
type ObjectsResult struct {
	Processed []string `json:"processed"`
	Skipped   []string `json:"skipped,omitempty"`
}

// EachObject hands every record's object key to handle. A record whose key cannot be read is
// skipped (a retry would not read it either); a key whose handling fails makes the whole invoke
// fail, so the platform's asynchronous retries deliver the event again — handle must therefore be
// idempotent.
func EachObject(ctx context.Context, ev COSEvent, log *slog.Logger, handle func(ctx context.Context, key string) error) (ObjectsResult, error) {
	res := ObjectsResult{Processed: []string{}}
	var errs []error
	for _, rec := range ev.Records {
		key, err := rec.ObjectKey()
		if err != nil {
			log.ErrorContext(ctx, "unreadable COS record", "err", err)
			res.Skipped = append(res.Skipped, rec.COS.Object.Key)
			continue
		}
		if err := handle(ctx, key); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", key, err))
			continue
		}
		res.Processed = append(res.Processed, key)
	}
	return res, errors.Join(errs...)
}
