package ocus

import (
	"encoding/json"
	"net/http"
	"time"
)

// Response is the HTTP response a successful call's result arrived in. Pass WithResponse(&r)
// to Get, List or Request to have it filled:
//
//	var r ocus.Response
//	p, err := c.Projects.Get(ctx, id, ocus.WithResponse(&r))
//	log.Print(r.StatusCode, r.RequestID)
type Response struct {
	StatusCode int
	// RequestID is X-Request-Id, the id OCUS support asks for ("" if none was sent).
	RequestID string
	// Header holds the response headers, one value per name (a repeated header's values
	// joined with ", ").
	Header http.Header
	// URL is the URL that answered (after same-origin redirects).
	URL string
	// Attempts made, the successful one included.
	Attempts int
}

// responseJSON is the library's view of a response.
type responseJSON struct {
	Status    int               `json:"status"`
	RequestID *string           `json:"request_id"`
	URL       string            `json:"url"`
	Attempts  int               `json:"attempts"`
	Headers   map[string]string `json:"headers"`
}

// fillResponse decodes the library's response view into dst (nil: nothing asked for).
func fillResponse(dst *Response, raw json.RawMessage) error {
	if dst == nil {
		return nil
	}
	var view responseJSON
	if err := json.Unmarshal(raw, &view); err != nil {
		return decodeError(err)
	}
	*dst = Response{StatusCode: view.Status, URL: view.URL, Attempts: view.Attempts, Header: make(http.Header, len(view.Headers))}
	if view.RequestID != nil {
		dst.RequestID = *view.RequestID
	}
	for name, value := range view.Headers {
		dst.Header.Set(name, value)
	}
	return nil
}

// CallOption adjusts one call (Get, List, Request).
type CallOption func(*callConfig)

type callConfig struct {
	options  map[string]any // nil until an option needs it
	response *Response
}

func (c *callConfig) set() map[string]any {
	if c.options == nil {
		c.options = map[string]any{}
	}
	return c.options
}

func applyCallOptions(opts []CallOption, options map[string]any) callConfig {
	config := callConfig{options: options}
	for _, opt := range opts {
		opt(&config)
	}
	return config
}

// WithResponse fills r with the status, headers and request id of the call's response when
// the call succeeds.
func WithResponse(r *Response) CallOption {
	return func(c *callConfig) { c.response = r }
}

// WithCallTimeout sets the per-attempt timeout of one call (0: the client's; negative: an
// error).
func WithCallTimeout(d time.Duration) CallOption {
	return func(c *callConfig) { callOptions(c.set(), d, nil) }
}

// WithCallHeader adds a header to one call (on top of the client's WithHeader ones).
func WithCallHeader(name, value string) CallOption {
	return func(c *callConfig) { addHeader(c.set(), "headers", name, value) }
}

// WithCallMaxRetries sets the retries of one call (0: none; negative: an error).
func WithCallMaxRetries(n int) CallOption {
	return func(c *callConfig) { callOptions(c.set(), 0, &n) }
}
