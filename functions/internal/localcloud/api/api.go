// Package api is the cloud side of Tencent Cloud API 3.0, as the SDKs and the Terraform provider
// speak it: one POST per action to <service>.<domain>, the action in X-TC-Action, a JSON body,
// a TC3-HMAC-SHA256 signature over both, and every answer wrapped in {"Response": …} with a
// RequestId — errors too, as {"Response": {"Error": {"Code", "Message"}, "RequestId"}}.
// (https://cloud.tencent.com/document/api/213/30654 signing; /document/api/213/30613 errors.)
//
// Products register their actions; an action the local cloud does not know answers the real
// API's InvalidAction error and is logged and remembered, so the next missing one is obvious.
package api

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Error is an API error: a code from the product's error list and a message.
type Error struct {
	Code    string `json:"Code"`
	Message string `json:"Message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf makes an API error.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Common error codes (https://cloud.tencent.com/document/api/213/30613).
const (
	CodeInvalidAction         = "InvalidAction"
	CodeUnknownParameter      = "UnknownParameter"
	CodeMissingParameter      = "MissingParameter"
	CodeInvalidParameter      = "InvalidParameter"
	CodeInvalidParameterValue = "InvalidParameterValue"
	CodeAuthFailure           = "AuthFailure.SignatureFailure"
	CodeSecretIDNotFound      = "AuthFailure.SecretIdNotFound"
	CodeSignatureExpire       = "AuthFailure.SignatureExpire"
	CodeResourceNotFound      = "ResourceNotFound"
	CodeResourceInUse         = "ResourceInUse"
	CodeInternalError         = "InternalError"
	CodeLimitExceeded         = "LimitExceeded"
	CodeFailedOperation       = "FailedOperation"
	CodeUnsupportedAction     = "UnsupportedOperation"
)

// Call is one request, as the action sees it.
type Call struct {
	Service, Action, Version, Region string
	// SecretID is the caller's key id; Token its session token (temporary credentials).
	SecretID, Token string
	Body            []byte
	Log             *slog.Logger
	// unknown collects the request fields the action's types do not declare.
	unknown *[]string
}

// Decode reads the request into v, field names exactly: a field v does not declare is the real
// API's UnknownParameter. v is the SDK's request model (with any newer fields declared beside it
// from the API reference); so a field the caller sends that our types lack fails loudly here, and
// the drift is seen at once.
func (c *Call) Decode(v any) error {
	dec := json.NewDecoder(bytes.NewReader(c.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return Errorf(CodeInvalidParameter, "the body is not JSON: %v", err)
		}
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			if c.unknown != nil {
				*c.unknown = append(*c.unknown, c.Service+"."+c.Action+"."+strings.Trim(f, `"`))
			}
			return Errorf(CodeUnknownParameter, "The parameter `%s` is not recognized (%s %s).", strings.Trim(f, `"`), c.Service, c.Action)
		}
		return Errorf(CodeInvalidParameter, "%v", err)
	}
	return nil
}

// Handler serves one action: it returns the inside of {"Response": …} (the SDK response model's
// Response field) or an error.
type Handler func(c *Call) (any, error)

// Keys resolves a caller's key id (and session token) to its secret key.
type Keys interface {
	SecretKey(secretID, token string) (key string, ok bool)
}

// Server answers the API 3.0 requests of every registered product.
type Server struct {
	Keys Keys
	Log  *slog.Logger
	// Now is the clock signatures are checked against.
	Now func() time.Time

	mu       sync.Mutex
	actions  map[string]Handler // "service.Action"
	unknown  []string           // actions asked for and not implemented
	fields   []string           // request fields not declared
	requests map[string]int     // "service.Action" → times served
}

// Handle registers an action of a service.
func (s *Server) Handle(service, action string, h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.actions == nil {
		s.actions = map[string]Handler{}
		s.requests = map[string]int{}
	}
	s.actions[service+"."+action] = h
}

// Unknown lists the actions and request fields callers used that the local cloud lacks.
func (s *Server) Unknown() (actions, fields []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.unknown), slices.Clone(s.fields)
}

// Served counts the requests served per "service.Action".
func (s *Server) Served() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for k, v := range s.requests {
		out[k] = v
	}
	return out
}

// ServeAPI serves one API request for service (the host's first label).
func (s *Server) ServeAPI(w http.ResponseWriter, r *http.Request, service string) {
	requestID := newRequestID()
	body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	if err != nil {
		writeError(w, requestID, Errorf(CodeInvalidParameter, "reading the body: %v", err))
		return
	}
	c := &Call{Service: service, Action: r.Header.Get("X-TC-Action"), Version: r.Header.Get("X-TC-Version"),
		Region: r.Header.Get("X-TC-Region"), Token: r.Header.Get("X-TC-Token"), Body: body, Log: s.Log}
	if c.Action == "" {
		writeError(w, requestID, Errorf(CodeMissingParameter, "X-TC-Action is missing"))
		return
	}
	if err := s.verify(r, c, body); err != nil {
		s.Log.Warn("signature refused", "service", service, "action", c.Action, "err", err)
		writeError(w, requestID, err.(*Error))
		return
	}
	s.mu.Lock()
	h := s.actions[service+"."+c.Action]
	if h == nil {
		s.unknown = append(s.unknown, service+"."+c.Action)
	} else {
		s.requests[service+"."+c.Action]++
	}
	s.mu.Unlock()
	if h == nil {
		s.Log.Error("unknown action: the local cloud does not implement it", "service", service, "action", c.Action, "version", c.Version, "body", truncate(body, 400))
		writeError(w, requestID, Errorf(CodeInvalidAction, "The action %s of %s is not found (the local cloud does not implement it).", c.Action, service))
		return
	}
	var fields []string
	c.unknown = &fields
	out, err := h(c)
	if len(fields) > 0 {
		s.mu.Lock()
		s.fields = append(s.fields, fields...)
		s.mu.Unlock()
		s.Log.Error("unknown request field: declare it beside the SDK model, from the API reference", "fields", fields, "body", truncate(body, 400))
	}
	if err != nil {
		var apiErr *Error
		if !errors.As(err, &apiErr) {
			s.Log.Error("action failed", "service", service, "action", c.Action, "err", err)
			apiErr = Errorf(CodeInternalError, "%v", err)
		} else {
			s.Log.Info("action refused", "service", service, "action", c.Action, "code", apiErr.Code, "message", apiErr.Message)
		}
		writeError(w, requestID, apiErr)
		return
	}
	s.Log.Debug("action", "service", service, "action", c.Action)
	writeResponse(w, requestID, out)
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// writeResponse writes {"Response": out + RequestId}. out is the SDK response model's inner
// struct (its RequestId left nil) or a map. Every field the model declares is sent, zero where
// the action left it unset, as the real API sends them: clients dereference them freely.
func writeResponse(w http.ResponseWriter, requestID string, out any) {
	m := map[string]any{}
	if out != nil {
		Complete(out)
		b, err := json.Marshal(out)
		if err == nil {
			err = json.Unmarshal(b, &m)
		}
		if err != nil {
			writeError(w, requestID, Errorf(CodeInternalError, "encoding the answer: %v", err))
			return
		}
	}
	m["RequestId"] = requestID
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"Response": m})
}

func writeError(w http.ResponseWriter, requestID string, e *Error) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"Response": map[string]any{"Error": e, "RequestId": requestID}})
}

func newRequestID() string {
	b := make([]byte, 16)
	rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// verify checks the TC3-HMAC-SHA256 signature: the canonical request (method, path, query, the
// signed headers lowercased, the payload's hash), the string to sign, and the key derived from
// the caller's secret key, the date and the service. The timestamp must be within five minutes.
func (s *Server) verify(r *http.Request, c *Call, body []byte) error {
	auth := r.Header.Get("Authorization")
	algo, rest, ok := strings.Cut(auth, " ")
	if !ok || algo != "TC3-HMAC-SHA256" {
		return Errorf("AuthFailure.InvalidAuthorization", "Authorization is not TC3-HMAC-SHA256")
	}
	parts := map[string]string{}
	for _, p := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		parts[k] = v
	}
	cred := strings.Split(parts["Credential"], "/")
	if len(cred) != 4 || cred[3] != "tc3_request" {
		return Errorf("AuthFailure.InvalidAuthorization", "Credential is not id/date/service/tc3_request")
	}
	c.SecretID = cred[0]
	date, service := cred[1], cred[2]
	if service != c.Service {
		return Errorf(CodeAuthFailure, "signed for %s, sent to %s", service, c.Service)
	}
	ts, err := strconv.ParseInt(r.Header.Get("X-TC-Timestamp"), 10, 64)
	now := s.now()
	if err != nil || now.Sub(time.Unix(ts, 0)).Abs() > 5*time.Minute {
		return Errorf(CodeSignatureExpire, "X-TC-Timestamp %q is not within five minutes of now", r.Header.Get("X-TC-Timestamp"))
	}
	if time.Unix(ts, 0).UTC().Format("2006-01-02") != date {
		return Errorf(CodeAuthFailure, "the credential's date %s is not the timestamp's", date)
	}
	key, ok := s.Keys.SecretKey(c.SecretID, c.Token)
	if !ok {
		return Errorf(CodeSecretIDNotFound, "the SecretId %s is not known (or its token has expired)", c.SecretID)
	}
	signed := strings.Split(parts["SignedHeaders"], ";")
	var canonHeaders strings.Builder
	for _, h := range signed {
		v := r.Header.Get(h)
		if h == "host" {
			v = r.Host
		}
		canonHeaders.WriteString(h + ":" + strings.ToLower(strings.TrimSpace(v)) + "\n")
	}
	payload := sha256.Sum256(body)
	canonical := strings.Join([]string{r.Method, "/", r.URL.RawQuery, canonHeaders.String(), parts["SignedHeaders"], hex.EncodeToString(payload[:])}, "\n")
	sum := sha256.Sum256([]byte(canonical))
	toSign := "TC3-HMAC-SHA256\n" + strconv.FormatInt(ts, 10) + "\n" + date + "/" + service + "/tc3_request\n" + hex.EncodeToString(sum[:])
	mac := func(k []byte, msg string) []byte {
		h := hmac.New(sha256.New, k)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	signing := mac(mac(mac([]byte("TC3"+key), date), service), "tc3_request")
	want := hex.EncodeToString(mac(signing, toSign))
	if !hmac.Equal([]byte(want), []byte(parts["Signature"])) {
		return Errorf(CodeAuthFailure, "The provided credentials could not be validated (signature mismatch)")
	}
	return nil
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// DecodeFields reads the request's top-level fields, raw, checking their names against model (an
// SDK request model) and the newer names in extra (declared by the caller from the API
// reference): for actions whose nested configuration is kept as written rather than read.
func (c *Call) DecodeFields(model any, extra ...string) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(c.Body, &m); err != nil {
		return nil, Errorf(CodeInvalidParameter, "the body is not a JSON object: %v", err)
	}
	known := jsonNames(model)
	for k := range m {
		if !known[k] && !slices.Contains(extra, k) {
			if c.unknown != nil {
				*c.unknown = append(*c.unknown, c.Service+"."+c.Action+"."+k)
			}
			return nil, Errorf(CodeUnknownParameter, "The parameter `%s` is not recognized (%s %s).", k, c.Service, c.Action)
		}
	}
	return m, nil
}
