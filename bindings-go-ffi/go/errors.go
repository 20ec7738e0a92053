package ocus

import (
	"errors"
	"time"

	"github.com/ocus/ocus-go/internal/ffi"
)

// Sentinels, one per error kind (the same kinds in every ocus SDK). Use errors.Is:
//
//	if errors.Is(err, ocus.ErrForbidden) { /* the key was revoked or expired */ }
var (
	ErrUnauthorized       = errors.New("ocus: unauthorized")        // 401: key missing or invalid
	ErrForbidden          = errors.New("ocus: forbidden")           // 403: key revoked or expired
	ErrInvalidRequest     = errors.New("ocus: invalid request")     // 400
	ErrNotFound           = errors.New("ocus: not found")           // 404
	ErrMethodNotAllowed   = errors.New("ocus: method not allowed")  // 405
	ErrConflict           = errors.New("ocus: conflict")            // 409
	ErrRateLimited        = errors.New("ocus: rate limited")        // 429
	ErrServer             = errors.New("ocus: server error")        // 500 and other 5xx (503 too)
	ErrServiceUnavailable = errors.New("ocus: service unavailable") // 503
	ErrConnection         = errors.New("ocus: connection failed")   // DNS, refused, reset (timeouts too)
	ErrTimeout            = errors.New("ocus: timeout")             // connect or total timeout
	ErrDecode             = errors.New("ocus: unexpected response") // a 2xx body that is not what was expected
	ErrConfiguration      = errors.New("ocus: configuration")       // no key, bad key, insecure or bad URL, bad argument
	ErrInvalidSignature   = errors.New("ocus: invalid webhook signature")
	ErrClosed             = errors.New("ocus: client closed") // also matches ErrConfiguration
)

var sentinels = map[string][]error{
	"unauthorized":        {ErrUnauthorized},
	"forbidden":           {ErrForbidden},
	"invalid_request":     {ErrInvalidRequest},
	"not_found":           {ErrNotFound},
	"method_not_allowed":  {ErrMethodNotAllowed},
	"conflict":            {ErrConflict},
	"rate_limited":        {ErrRateLimited},
	"server_error":        {ErrServer},
	"service_unavailable": {ErrServiceUnavailable, ErrServer},
	"connection":          {ErrConnection},
	"timeout":             {ErrTimeout, ErrConnection},
	"decode":              {ErrDecode},
	"configuration":       {ErrConfiguration},
	"invalid_signature":   {ErrInvalidSignature},
}

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
	Body       string        // raw body (first 8 KiB)
	display    string
	extra      []error
}

// APIError is Error under the name other SDKs use for HTTP errors.
type APIError = Error

func (e *Error) Error() string { return "ocus: " + e.display }

// Unwrap makes errors.Is match the kind's sentinel(s).
func (e *Error) Unwrap() []error {
	return append(append([]error(nil), sentinels[e.Kind]...), e.extra...)
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
		display:    data.Display,
	}
}

// closedError is for calls after Close freed the native client (the core reports calls that
// reach it on a closed client itself, with code client_closed).
func closedError() *Error {
	return &Error{Kind: "configuration", Message: "the client is closed", Code: "client_closed",
		display: "configuration: the client is closed", extra: []error{ErrClosed}}
}

func configurationError(message string) *Error {
	return &Error{Kind: "configuration", Message: message, display: "configuration: " + message}
}

// ErrorFromNative converts a native error; for the SDK's own sub-packages.
func ErrorFromNative(data *ffi.ErrorData) error { return toError(data) }
