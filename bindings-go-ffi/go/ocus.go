// Package ocus is the client for the OCUS API v3 (on-demand photo and video shoots).
//
// It wraps the ocus Rust core through a C ABI: authentication, key handling, retries,
// timeouts, redirects, error mapping, pagination and webhook verification are done once,
// there. Build the static library first: `cargo build --release -p ocus-ffi` (see README).
//
//	c, err := ocus.NewClient() // OCUS_API_KEY / OCUS_API_KEY_FILE, OCUS_BASE_URL
//	if err != nil { ... }
//	defer c.Close()
//	for p, err := range c.Projects.List(ctx, nil) { ... }
package ocus

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
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

// The options themselves (WithAPIKey, WithTimeout...) are generated from the core's option
// table into options_gen.go.

func addHeader(options map[string]any, key, name, value string) {
	headers, _ := options[key].(map[string]string)
	if headers == nil {
		headers = map[string]string{}
		options[key] = headers
	}
	headers[name] = value
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Client is safe for concurrent use by many goroutines.
type Client struct {
	// Projects is the projects resource.
	Projects *ProjectsService

	native   *ffi.Client // freed by its finalizer once unreachable
	baseURL  string
	inFlight atomic.Int32
	tracer   Tracer
}

// NewClient builds a client. Nothing is sent.
func NewClient(opts ...Option) (*Client, error) {
	options := map[string]any{"sdk": "ocus-go/" + ffi.Version()}
	for _, opt := range opts {
		opt(options)
	}
	logger, _ := options[loggerKey].(*slog.Logger)
	delete(options, loggerKey)
	tracer, _ := options[tracerKey].(Tracer)
	delete(options, tracerKey)
	logsMade, err := logOption(options, logger)
	if err != nil {
		return nil, configurationError("cannot make the log pipe: " + err.Error())
	}
	defer logsMade() // the library has its own copy
	text, err := encodeOptions(options)
	if err != nil {
		return nil, err
	}
	native, e := ffi.NewClient(text)
	if e != nil {
		return nil, toError(e)
	}
	c := &Client{native: native, baseURL: native.BaseURL(), tracer: tracer}
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

// alwaysStart sends every call down the started path (tests: the scenarios play both paths).
var alwaysStart atomic.Bool

// call runs one native call with ctx's cancellation wired to a native cancel handle. A call
// made while no other is in flight blocks its thread on the library's caller-driven runtime
// (the thread does its own I/O: the lowest latency); concurrent calls are started through
// the dispatcher, which runs them on its goroutine (Linux) or the library's threads, parking
// goroutines instead of blocking an OS thread each.
func (c *Client) call(ctx context.Context, op ffi.Op) (string, error) {
	concurrent := c.inFlight.Add(1) > 1 || alwaysStart.Load()
	defer c.inFlight.Add(-1)
	d := getDispatcher()
	if !concurrent || d == nil {
		return run(ctx, func(cancel *ffi.Cancel) (string, *ffi.ErrorData) { return c.native.Call(op, cancel) })
	}
	return run(ctx, func(cancel *ffi.Cancel) (string, *ffi.ErrorData) {
		ticket, ch := d.register()
		if e := c.native.Start(op, cancel, d.queue, ticket); e != nil {
			d.forget(ticket)
			return "", e
		}
		d.poke()
		completion := <-ch // once cancelled, the library answers promptly
		return completion.JSON, completion.Err
	})
}

// run calls fn with a native cancel handle that fires when ctx is done, and maps the outcome:
// a cancellation caused by ctx is ctx's error.
func run(ctx context.Context, fn func(*ffi.Cancel) (string, *ffi.ErrorData)) (string, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	var cancel *ffi.Cancel
	if ctx.Done() != nil {
		cancel = ffi.NewCancel()
		fired := make(chan struct{})
		stop := context.AfterFunc(ctx, func() { cancel.Cancel(); close(fired) })
		defer func() {
			if !stop() {
				<-fired // Cancel has started: it must finish before Free
			}
			cancel.Free()
		}()
	}
	out, e := fn(cancel)
	switch {
	case e == nil:
		return out, nil
	case e.Kind == "cancelled" && ctx.Err() != nil:
		return "", ctx.Err()
	default:
		return "", toError(e)
	}
}

// encodeOptions is the JSON object of options the library parses and validates.
func encodeOptions(options map[string]any) ([]byte, error) {
	if len(options) == 0 {
		return nil, nil
	}
	text, err := json.Marshal(options)
	if err != nil {
		return nil, configurationError("the options cannot be encoded: " + err.Error())
	}
	return text, nil
}

// callOptions adds one call's timeout and retries to options (zero values: the client's).
func callOptions(options map[string]any, timeout time.Duration, maxRetries *int) map[string]any {
	if timeout != 0 {
		options["timeout_ms"] = millis(timeout)
	}
	if maxRetries != nil {
		options["max_retries"] = *maxRetries
	}
	return options
}

// RequestOptions and ListParams are generated from the core's option table (options_gen.go).

// Request sends any v3 request with the same auth, retries and errors, and returns the JSON
// body (null for an empty one). Call options apply on top of opts (WithResponse fills in the
// response).
func (c *Client) Request(ctx context.Context, method, path string, opts *RequestOptions, callOpts ...CallOption) (json.RawMessage, error) {
	if opts == nil {
		opts = &RequestOptions{}
	}
	options := callOptions(map[string]any{}, opts.Timeout, opts.MaxRetries)
	if len(opts.Query) > 0 {
		options["query"] = opts.Query
	}
	if opts.JSON != nil {
		options["json"] = opts.JSON
	}
	if opts.RetryNonIdempotent {
		options["retry_non_idempotent"] = true
	}
	if len(opts.Headers) > 0 {
		options["headers"] = opts.Headers
	}
	config := applyCallOptions(callOpts, options)
	traced, traceMade := c.trace(ctx, config.options)
	defer traceMade()
	text, err := encodeOptions(traced)
	if err != nil {
		return nil, err
	}
	out, err := c.call(ctx, ffi.Request(method, path, text))
	if err != nil {
		return nil, err
	}
	return decodeOutcome[json.RawMessage](out, config.response)
}
