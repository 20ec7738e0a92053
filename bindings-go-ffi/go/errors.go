package ocus

import (
	"errors"
	"time"

	"github.com/ocus/ocus-go/internal/ffi"
)

// ErrClosed matches calls on a closed client (their kind is configuration, code
// client_closed). The per-kind sentinels (ErrForbidden...) are in errors_gen.go, generated
// from the core's table.
var ErrClosed = errors.New("ocus: client closed")

// Error is every error the SDK returns (other than the context's own). HTTP errors have a
// Status; find it with errors.As:
//
//	var apiErr *ocus.Error
//	if errors.As(err, &apiErr) { log.Println(apiErr.Status, apiErr.RequestID) }
type Error struct {
	Kind       string        // stable kind, e.g. "forbidden"
	Status     int           // HTTP status, or 0
	Message    string        // the server's message (or the SDK's)
	Code       string        // error code from the body, if any
	RequestID  string        // x-request-id of the response, if any
	RetryAfter time.Duration // Retry-After, if the server sent one
	Body       string        // raw body (its first MaxKeptBodyBytes bytes)
	Causes     []string      // what caused it, outermost first (also reached by errors.Unwrap)
	display    string
	extra      []error
}

// APIError is Error under the name other SDKs use for HTTP errors.
type APIError = Error

func (e *Error) Error() string { return "ocus: " + e.display }

// Unwrap makes errors.Is match the kind's sentinel(s), and leads to the cause chain.
func (e *Error) Unwrap() []error {
	unwrapped := append(append([]error(nil), sentinels[e.Kind]...), e.extra...)
	if len(e.Causes) > 0 {
		unwrapped = append(unwrapped, causeChain(e.Causes))
	}
	return unwrapped
}

// cause is one link of a core error's cause chain.
type cause struct {
	text string
	next error
}

func (c *cause) Error() string { return c.text }
func (c *cause) Unwrap() error { return c.next }

func causeChain(lines []string) error {
	var next error
	for i := len(lines) - 1; i >= 0; i-- {
		next = &cause{text: lines[i], next: next}
	}
	return next
}

func toError(data *ffi.ErrorData) *Error {
	var extra []error
	if data.ErrorCode == "client_closed" {
		extra = []error{ErrClosed}
	}
	return &Error{
		extra:      extra,
		Kind:       data.Kind,
		Status:     data.Status,
		Message:    data.Message,
		Code:       data.ErrorCode,
		RequestID:  data.RequestID,
		RetryAfter: data.RetryAfter,
		Body:       data.Body,
		Causes:     data.Causes,
		display:    data.Display,
	}
}

func configurationError(message string) *Error {
	return &Error{Kind: "configuration", Message: message, display: "configuration: " + message}
}

// ErrorFromDecode is a decode error for JSON the library returned that Go could not read; for
// the SDK's own sub-packages.
func ErrorFromDecode(err error) error { return decodeError(err) }

func decodeError(err error) *Error {
	return &Error{Kind: "decode", Message: err.Error(), display: "decode: " + err.Error(), extra: []error{err}}
}

// ErrorFromNative converts a native error; for the SDK's own sub-packages.
func ErrorFromNative(data *ffi.ErrorData) error { return toError(data) }
