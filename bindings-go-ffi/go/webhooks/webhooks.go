// Package webhooks verifies OCUS webhooks: the ocus-signature header is the lowercase hex
// HMAC-SHA256 of what OCUS signs, checked in constant time by the core. OCUS documents two
// forms, both accepted: the raw request body, or the body's "data" member as JavaScript's
// JSON.stringify writes it. OCUS sends no timestamp: de-duplicate events yourself.
package webhooks

import (
	"encoding/json"

	"github.com/ocus/ocus-go"
	"github.com/ocus/ocus-go/internal/ffi"
)

// Event is a verified webhook event.
type Event struct {
	ID             string         `json:"id"` // "project.updated", "project.status.updated", or another id as sent
	Type           string         `json:"type"`
	OrganizationID string         `json:"organization_id"`
	ProjectID      string         `json:"project_id"`
	Status         string         `json:"status"`
	Attributes     map[string]any `json:"attributes"`
	// SignedPart is what the signature covered (the event is inside it).
	SignedPart SignedPart `json:"signed_part"`
}

// SignedPart is the part of a webhook body a signature covers.
type SignedPart string

const (
	// Body is the raw request body, byte for byte.
	Body SignedPart = "body"
	// Data is the body's "data" member as JavaScript's JSON.stringify writes it.
	Data SignedPart = "data"
)

// Verify checks signature (the header's value; "" if absent) against rawBody, the exact bytes
// received, and against its "data" member, and returns the event (the body, or its "data"
// object: only what the signature covers). Errors match ocus.ErrInvalidSignature (with Code
// "missing_signature", "malformed_signature" or "signature_mismatch"), ocus.ErrDecode or
// ocus.ErrConfiguration (empty secret); use errors.As with *ocus.Error for details.
func Verify(rawBody []byte, signature, secret string) (*Event, error) {
	out, e := ffi.VerifyWebhook(rawBody, signature, secret)
	if e != nil {
		return nil, ocus.ErrorFromNative(e)
	}
	var event Event
	if err := json.Unmarshal([]byte(out), &event); err != nil {
		return nil, ocus.ErrorFromDecode(err)
	}
	return &event, nil
}

// Sign returns the signature OCUS sends for rawBody, signed as raw bytes (to test your own
// receiver).
func Sign(rawBody []byte, secret string) string {
	signature, _ := SignPart(rawBody, secret, Body) // signing raw bytes cannot fail
	return signature
}

// SignPart returns the signature of part of rawBody: Body signs the raw bytes; Data signs the
// body's "data" member as JSON.stringify writes it (an *ocus.Error of kind decode if the body
// has none).
func SignPart(rawBody []byte, secret string, part SignedPart) (string, error) {
	signature, e := ffi.SignWebhook(rawBody, secret, string(part))
	if e != nil {
		return "", ocus.ErrorFromNative(e)
	}
	return signature, nil
}
