// Package ocus is the client for the OCUS API v3 (on-demand photo and video shoots).
//
// It wraps the ocus Rust core through a C ABI: authentication, key handling, retries,
// timeouts, redirects, error mapping, pagination and webhook verification are done once,
// there. Build the static library first: `cargo build --release -p ocus-ffi` (see README).
//
//	c, err := ocus.NewClient() // OCUS_API_KEY / OCUS_API_KEY_FILE, OCUS_BASE_URL
//	if err != nil { ... }
//	defer c.Close()
//	for p, err := range c.Projects.All(ctx, nil) { ... }
package ocus

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ocus/ocus-go/internal/ffi"
)

// Version of the SDK (the native library's).
var Version = ffi.Version()

// Option configures a Client. Values not set come from the environment (OCUS_API_KEY,
// OCUS_API_KEY_FILE, OCUS_BASE_URL), then the defaults. The library validates them when the
// client is built (NewClient returns the error).
type Option func(options map[string]any)

// WithAPIKey sets the key. It is validated before anything is sent and never printed.
func WithAPIKey(key string) Option { return func(o map[string]any) { o["api_key"] = key } }

// WithAPIKeyFile reads the key from a file, re-read once on 401/403 so keys rotate
// without a restart.
func WithAPIKeyFile(path string) Option {
	return func(o map[string]any) { o["api_key_file"] = path }
}

// WithBaseURL sets the API base URL (https://, or http:// to a loopback host).
func WithBaseURL(url string) Option { return func(o map[string]any) { o["base_url"] = url } }

// WithTimeout sets the time allowed for each attempt, body included (default 60s); it must
// be positive. The context's deadline, if any, bounds the whole call including retries.
func WithTimeout(d time.Duration) Option {
	return func(o map[string]any) { o["timeout_ms"] = millis(d) }
}

// WithConnectTimeout sets the time allowed to connect (default 10s); it must be positive.
func WithConnectTimeout(d time.Duration) Option {
	return func(o map[string]any) { o["connect_timeout_ms"] = millis(d) }
}

// WithMaxRetries sets the retries after the first attempt (default 2, at most 100).
func WithMaxRetries(n int) Option { return func(o map[string]any) { o["max_retries"] = n } }

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Client is safe for concurrent use by many goroutines.
type Client struct {
	// Projects is the projects resource.
	Projects *ProjectsService

	native   *ffi.Client // freed by its finalizer once unreachable
	baseURL  string
	inFlight atomic.Int32
}

// A call is one of these two; the client picks by load (see call).
type nativeCall struct {
	blocking func(*ffi.Cancel) (string, *ffi.ErrorData)
	start    func(*ffi.Cancel, *ffi.Queue, uint64) *ffi.ErrorData
}

// NewClient builds a client. Nothing is sent.
func NewClient(opts ...Option) (*Client, error) {
	options := map[string]any{"user_agent": "ocus-go/" + ffi.Version()}
	for _, opt := range opts {
		opt(options)
	}
	text, err := json.Marshal(options)
	if err != nil {
		return nil, configurationError("the options cannot be encoded: " + err.Error())
	}
	native, e := ffi.NewClient(string(text))
	if e != nil {
		return nil, toError(e)
	}
	c := &Client{native: native, baseURL: native.BaseURL()}
	c.Projects = &ProjectsService{client: c}
	return c, nil
}

// BaseURL is where requests go.
func (c *Client) BaseURL() string { return c.baseURL }

// Close stops the calls in flight (they return ErrClosed) and makes later calls fail the
// same way. Idempotent. The native client is freed once the Client is unreachable.
func (c *Client) Close() error {
	c.native.Close()
	return nil
}

// RotateAPIKey replaces the key; requests in flight finish with the old one.
func (c *Client) RotateAPIKey(key string) error {
	if err := noNUL(key); err != nil {
		return err
	}
	if e := c.native.RotateAPIKey(key); e != nil {
		return toError(e)
	}
	return nil
}

// String never shows the key.
func (c *Client) String() string { return fmt.Sprintf("ocus.Client{BaseURL: %q}", c.baseURL) }

// Format makes every verb (%v, %+v, %#v, %s) print String: the struct holds no key, but
// this keeps it so.
func (c *Client) Format(f fmt.State, _ rune) { fmt.Fprint(f, c.String()) }

// call runs one native call with ctx's cancellation wired to a native cancel handle. A call
// made while no other is in flight blocks its thread on the library's caller-driven runtime
// (the thread does its own I/O: the lowest latency); concurrent calls are started on the
// library's threads and delivered through the dispatcher, parking goroutines instead of
// blocking an OS thread each.
func (c *Client) call(ctx context.Context, op nativeCall) (string, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	concurrent := c.inFlight.Add(1) > 1
	defer c.inFlight.Add(-1)
	var out string
	var e *ffi.ErrorData
	if d := getDispatcher(); concurrent && op.start != nil && d != nil {
		var cancelled bool
		out, e, cancelled = c.viaDispatcher(ctx, d, op.start)
		if cancelled {
			return "", ctx.Err()
		}
	} else {
		out, e = c.blocking(ctx, op.blocking)
	}
	if e != nil {
		if e.Kind == "cancelled" && ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", toError(e)
	}
	return out, nil
}

func (c *Client) blocking(ctx context.Context, fn func(*ffi.Cancel) (string, *ffi.ErrorData)) (string, *ffi.ErrorData) {
	done := ctx.Done()
	if done == nil {
		return fn(nil)
	}
	cancel := ffi.NewCancel()
	defer cancel.Free()
	stop := make(chan struct{})
	var watcher sync.WaitGroup
	watcher.Add(1)
	go func() {
		defer watcher.Done()
		select {
		case <-done:
			cancel.Cancel()
		case <-stop:
		}
	}()
	defer func() {
		close(stop)
		watcher.Wait() // before cancel.Free
	}()
	return fn(cancel)
}

func (c *Client) viaDispatcher(ctx context.Context, d *dispatcher, start func(*ffi.Cancel, *ffi.Queue, uint64) *ffi.ErrorData) (string, *ffi.ErrorData, bool) {
	var cancel *ffi.Cancel
	if ctx.Done() != nil {
		cancel = ffi.NewCancel()
	}
	ticket, ch := d.register()
	if e := start(cancel, d.queue, ticket); e != nil {
		d.forget(ticket)
		if cancel != nil {
			cancel.Free()
		}
		return "", e, false
	}
	var completion ffi.Completion
	cancelled := false
	select {
	case completion = <-ch:
	case <-ctx.Done():
		cancel.Cancel()
		completion = <-ch // the library answers promptly once cancelled
		cancelled = completion.Err != nil && completion.Err.Kind == "cancelled"
	}
	if cancel != nil {
		cancel.Free()
	}
	return completion.JSON, completion.Err, cancelled
}

// RequestOptions are the optional parts of a generic request.
type RequestOptions struct {
	// Query parameters: string, number, bool or a slice of them (the name repeated), nil
	// left out; sent sorted by name.
	Query              map[string]any
	JSON               any           // marshalled with encoding/json
	Timeout            time.Duration // per attempt; 0: the client's, negative: an error
	MaxRetries         *int          // nil: the client's
	RetryNonIdempotent bool          // allow retrying POST/PATCH
}

// Request sends any v3 request with the same auth, retries and errors, and returns the JSON
// body (null for an empty one).
func (c *Client) Request(ctx context.Context, method, path string, opts *RequestOptions) (json.RawMessage, error) {
	if opts == nil {
		opts = &RequestOptions{}
	}
	if err := noNUL(method, path); err != nil {
		return nil, err
	}
	var query, body string
	if len(opts.Query) > 0 {
		b, err := json.Marshal(opts.Query)
		if err != nil {
			return nil, configurationError("the query cannot be encoded: " + err.Error())
		}
		query = string(b)
	}
	if opts.JSON != nil {
		b, err := json.Marshal(opts.JSON)
		if err != nil {
			return nil, configurationError("the JSON body cannot be encoded: " + err.Error())
		}
		body = string(b)
	}
	call := callOptions(opts.Timeout, opts.MaxRetries)
	out, err := c.call(ctx, nativeCall{
		blocking: func(cancel *ffi.Cancel) (string, *ffi.ErrorData) {
			return c.native.Request(method, path, query, body, call, opts.RetryNonIdempotent, cancel)
		},
		start: func(cancel *ffi.Cancel, q *ffi.Queue, ticket uint64) *ffi.ErrorData {
			return c.native.RequestStart(method, path, query, body, call, opts.RetryNonIdempotent, cancel, q, ticket)
		},
	})
	if err != nil {
		return nil, err
	}
	return json.RawMessage(out), nil
}

// noNUL rejects strings holding a NUL byte: C strings would silently end there (a key
// "abc\x00def" would be sent as "abc").
func noNUL(values ...string) error {
	for _, v := range values {
		if strings.IndexByte(v, 0) >= 0 {
			return configurationError("an argument contains a NUL byte")
		}
	}
	return nil
}

// callOptions translates; the library validates (a negative value is its error to give).
func callOptions(timeout time.Duration, maxRetries *int) ffi.CallOptions {
	o := ffi.CallOptions{TimeoutMs: timeout.Milliseconds()}
	if o.TimeoutMs == 0 && timeout != 0 {
		o.TimeoutMs = int64(timeout / timeout.Abs()) // under 1ms: keep the sign, round away
	}
	if maxRetries != nil {
		o.MaxRetries, o.HasMaxRetries = clamp32(*maxRetries), true
	}
	return o
}

// clamp32 keeps an out-of-range int out of range (and so an error) instead of wrapping.
func clamp32(n int) int32 {
	return int32(max(math.MinInt32, min(math.MaxInt32, n)))
}
