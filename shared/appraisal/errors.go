// Package appraisal is the domain of the 鉴宝 admin backend: its types, state machines, error
// kinds and the interfaces that adapters (mysql, redis, cos…) implement. It imports nothing outside
// the standard library, so every other package can depend on it without dragging in a driver.
package appraisal

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies an error by what the caller can do about it. The HTTP layer maps each kind to one
// status code in one table; nothing else decides statuses.
type Kind uint8

const (
	KindInternal     Kind = iota // a bug or an unexpected failure: 500, logged
	KindInvalid                  // the request is malformed or breaks a rule: 400/422
	KindNotFound                 // the target does not exist or is hidden from the caller: 404
	KindConflict                 // a version or uniqueness conflict, or an illegal transition: 409
	KindUnauthorized             // no or bad credentials: 401
	KindForbidden                // authenticated but not allowed: 403
	KindRateLimited              // throttled: 429 with Retry-After
	KindUnavailable              // a dependency is down; retrying later may work: 503
)

var kindNames = [...]string{"internal", "invalid", "not_found", "conflict", "unauthorized", "forbidden", "rate_limited", "unavailable"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Error is the domain error. Code is a stable, machine-readable identifier (for example
// "auth.invalid_credentials") that clients branch on and that the HTTP layer translates; Message is
// an English fallback for logs and for codes without a translation.
type Error struct {
	Kind       Kind
	Code       string
	Message    string
	Fields     []FieldError  // per-field validation problems, for KindInvalid
	RetryAfter time.Duration // for KindRateLimited and KindUnavailable
	// Details are machine-readable facts for the client, such as the current state on a conflict.
	Details map[string]any
	Err     error // the underlying cause; never shown to clients
}

// FieldError names one invalid field of a request.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
	// Limit is the bound broken, where there is one a person should be told (a file's most bytes).
	Limit int64 `json:"limit,omitempty"`
}

func (e *Error) Error() string {
	msg := e.Code
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an *Error of the given kind and code.
func E(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// Wrap returns an *Error of the given kind and code that keeps err as its cause.
func Wrap(err error, kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message, Err: err}
}

// Invalid returns a validation error listing the fields at fault.
func Invalid(fields ...FieldError) *Error {
	return &Error{Kind: KindInvalid, Code: "validation_failed", Message: "the request is not valid", Fields: fields}
}

// KindOf reports the kind of the first *Error in err's chain, and KindInternal for anything else:
// an error nobody classified is a bug until proven otherwise.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// IsKind reports whether err carries the given kind.
func IsKind(err error, k Kind) bool { return err != nil && KindOf(err) == k }

// CodeOf returns err's stable code, or "" when err is nil or carries none.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
