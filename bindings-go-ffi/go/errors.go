package ocus

import (
	"errors"
	"math"
	"time"

	"github.com/ocus/ocus-go/internal/ffi"
)

// ErrClosed matches calls on a closed client (their kind is configuration, code
// client_closed). The per-kind sentinels (ErrForbidden...) are in errors_gen.go, generated
// from the core's table.
var ErrClosed = errors.New("ocus: client closed")

// Error is every error the SDK returns (other than the context's own): the core's view of it.
// Match its kind with errors.Is and the sentinels (ErrForbidden...); an error the server
// answered is also an *APIError for errors.As:
//
//	var apiErr *ocus.APIError
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
	kinds      []string      // Kind, then the kinds it refines (the core's tree)
	display    string
	extra      []error
}

// APIError is an error the API answered (the kind api_error, or one that refines it: every
// HTTP status), the name other SDKs give it. errors.As finds it only in such errors, never in
// a connection, configuration or internal error.
type APIError Error

func (e *APIError) Error() string { return (*Error)(e).Error() }

// Unwrap is Error's: the same sentinels and causes.
func (e *APIError) Unwrap() []error { return (*Error)(e).Unwrap() }

func (e *Error) Error() string { return "ocus: " + e.display }

// kindChain is the kind, then the kinds it refines: the core's view's list, or, for an Error
// built in Go with only Kind set (a test double), the same list from the generated tree.
func (e *Error) kindChain() []string {
	if len(e.kinds) > 0 {
		return e.kinds
	}
	var chain []string
	for kind := e.Kind; kind != ""; kind = parentKind[kind] {
		chain = append(chain, kind)
	}
	return chain
}

// isA reports whether the error is of kind or of a kind that refines it.
func (e *Error) isA(kind string) bool {
	for _, k := range e.kindChain() {
		if k == kind {
			return true
		}
	}
	return false
}

// As lets errors.As fill an *APIError when the server answered.
func (e *Error) As(target any) bool {
	if apiErr, ok := target.(**APIError); ok && e.isA("api_error") {
		*apiErr = (*APIError)(e)
		return true
	}
	return false
}

// Unwrap makes errors.Is match the sentinels of the kind and of the kinds it refines, and
// leads to the cause chain.
func (e *Error) Unwrap() []error {
	unwrapped := append([]error(nil), e.extra...)
	for _, kind := range e.kindChain() {
		if s, ok := sentinel[kind]; ok {
			unwrapped = append(unwrapped, s)
		}
	}
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

// maxRetryAfter caps a Retry-After that a time.Duration cannot hold (292 years).
const maxRetryAfter = time.Duration(math.MaxInt64)

func toError(data *ffi.ErrorData) *Error {
	var extra []error
	if data.ErrorCode == "client_closed" {
		extra = []error{ErrClosed}
	}
	var retryAfter time.Duration
	if data.RetryAfter != nil {
		seconds := *data.RetryAfter * float64(time.Second)
		retryAfter = maxRetryAfter
		if seconds < float64(maxRetryAfter) {
			retryAfter = time.Duration(seconds)
		}
	}
	return &Error{
		extra:      extra,
		Kind:       data.Kind,
		Status:     data.Status,
		Message:    data.Message,
		Code:       data.ErrorCode,
		RequestID:  data.RequestID,
		RetryAfter: retryAfter,
		Body:       data.Body,
		Causes:     data.Causes,
		kinds:      data.Kinds,
		display:    data.Display,
	}
}

// configurationError is a failure of the Go side before the library saw the options, made by
// the library so it reads as the library's own.
func configurationError(message string) *Error {
	return toError(ffi.NewError("configuration", message))
}

// ErrorFromDecode is a decode error for JSON the library returned that Go could not read; for
// the SDK's own sub-packages.
func ErrorFromDecode(err error) error { return decodeError(err) }

func decodeError(err error) *Error {
	e := toError(ffi.NewError("decode", err.Error()))
	e.extra = append(e.extra, err)
	return e
}

// ErrorFromNative converts a native error; for the SDK's own sub-packages.
func ErrorFromNative(data *ffi.ErrorData) error { return toError(data) }
