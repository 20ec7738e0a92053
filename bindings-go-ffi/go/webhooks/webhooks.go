// Package webhooks verifies OCUS webhooks: the ocus-signature header is the lowercase hex
// HMAC-SHA256 of the raw request body, checked in constant time by the core.
package webhooks

import (
	"encoding/json"

	"github.com/ocus/ocus-go"
	"github.com/ocus/ocus-go/internal/ffi"
)

// SignatureHeader is the header carrying the signature.
const SignatureHeader = "ocus-signature"

// Event is a verified webhook event.
type Event struct {
	ID             string         `json:"id"` // "project.updated", "project.status.updated", or another id as sent
	Type           string         `json:"type"`
	OrganizationID string         `json:"organization_id"`
	ProjectID      string         `json:"project_id"`
	Status         string         `json:"status"`
	Attributes     map[string]any `json:"attributes"`
}

// Verify checks signature (the header's value; "" if absent) over rawBody, the exact bytes
// received, and returns the event. Errors match ocus.ErrInvalidSignature (with Code
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

// Sign returns the signature OCUS sends for rawBody (to test your own receiver).
func Sign(rawBody []byte, secret string) string { return ffi.SignWebhook(rawBody, secret) }
