package ocus

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/ocus/ocus-go/internal/ffi"
)

// A Tracer sees every call a client makes, as the library describes it: the operation
// (projects.get, projects.list, request), each HTTP attempt with the span names and
// attributes of the OpenTelemetry semantic conventions for HTTP clients, and their outcomes.
// Package github.com/ocus/ocus-go/ocusotel is the Tracer for OpenTelemetry:
//
//	client, err := ocus.NewClient(ocus.WithTracer(ocusotel.NewTracer()))
type Tracer interface {
	// Begin returns the trace of a call made with ctx (whose span is the parent), or nil to
	// leave the call untraced.
	Begin(ctx context.Context) CallTrace
}

// A CallTrace receives one call's events in order (a Pages iteration's pages one after the
// other), from the goroutine or thread the request runs on. They may arrive after they
// happened (the library hands them over in two batches per attempt at most): each has its Time.
// On Linux, calls that overlap all run on one goroutine: its methods should return quickly
// (a slow one delays every such call) and must not wait for a call of this client.
type CallTrace interface {
	// Event is an operation starting, or an attempt or the operation ending.
	Event(event TraceEvent)
	// AttemptStarted is an attempt about to be sent; the headers returned (the attempt's
	// span context: traceparent, tracestate) are sent with it. A header the call or client
	// sets itself is sent as set, and X-API-KEY can never be set this way.
	AttemptStarted(event TraceEvent) (headers [][2]string)
}

// TraceEvent is the library's description of one step of a call.
type TraceEvent struct {
	// Kind is "operation_started", "attempt_started", "attempt_ended" or "operation_ended".
	Kind string
	// Name is the span name (started events): the operation's, or "{method} {url.template}".
	Name string
	// Attributes are the span's attributes to set (see Attribute), in order.
	Attributes []Attribute
	// Error is the conventions' error.type of a failed attempt or operation ("" when it
	// succeeded); the span's status is then an error.
	Error string
	// Duration is an ended attempt's, for the http.client.request.duration histogram.
	Duration time.Duration
	// MetricAttributes are the histogram's attributes of an ended attempt.
	MetricAttributes []Attribute
	// Time is when it happened.
	Time time.Time
}

// Attribute is one span or metric attribute: its Value is a string, an int64, or a []string (the
// values of a header listed by WithCaptureRequestHeaders or WithCaptureResponseHeaders).
type Attribute struct {
	Key   string
	Value any
}

// WithTracer reports every call to tracer (see Tracer).
func WithTracer(tracer Tracer) Option {
	return func(o map[string]any) { o[tracerKey] = tracer }
}

// tracerKey holds the Tracer among the options until NewClient takes it out.
const tracerKey = "\x00tracer"

// trace adds the trace tracer makes for ctx to options ("trace": its id), and returns what
// forgets the id once the call is in the library's hands (the library keeps the trace as
// long as the call needs it).
func (c *Client) trace(ctx context.Context, options map[string]any) (map[string]any, func()) {
	if c.tracer == nil {
		return options, func() {}
	}
	if ctx == nil {
		ctx = context.Background()
	}
	trace := c.tracer.Begin(ctx)
	if trace == nil {
		return options, func() {}
	}
	id := ffi.NewTrace(traceHandler{trace})
	if id == 0 {
		return options, func() {}
	}
	if options == nil {
		options = map[string]any{}
	}
	options["trace"] = id
	return options, func() { ffi.FreeTrace(id) }
}

// traceHandler decodes the library's events for a CallTrace.
type traceHandler struct{ trace CallTrace }

type eventJSON struct {
	Event            string         `json:"event"`
	Name             string         `json:"name"`
	Attributes       attributesJSON `json:"attributes"`
	Error            *string        `json:"error"`
	Duration         float64        `json:"duration"`
	MetricAttributes attributesJSON `json:"metric_attributes"`
	Time             int64          `json:"time"`
}

// attributesJSON is the library's [[name, value], ...].
type attributesJSON []Attribute

func (a *attributesJSON) UnmarshalJSON(text []byte) error {
	var pairs [][2]json.RawMessage
	if err := json.Unmarshal(text, &pairs); err != nil {
		return err
	}
	*a = make(attributesJSON, 0, len(pairs))
	for _, pair := range pairs {
		var key string
		if err := json.Unmarshal(pair[0], &key); err != nil {
			return err
		}
		value, err := attributeValue(bytes.TrimSpace(pair[1]))
		if err != nil {
			return err
		}
		*a = append(*a, Attribute{Key: key, Value: value})
	}
	return nil
}

// attributeValue decodes a value by its first byte: text, a header's values, or a number.
func attributeValue(raw json.RawMessage) (any, error) {
	switch {
	case len(raw) > 0 && raw[0] == '"':
		var text string
		err := json.Unmarshal(raw, &text)
		return text, err
	case len(raw) > 0 && raw[0] == '[':
		var values []string
		err := json.Unmarshal(raw, &values)
		return values, err
	default:
		var number int64
		err := json.Unmarshal(raw, &number)
		return number, err
	}
}

func decodeEvents(text []byte) []TraceEvent {
	var list []eventJSON
	if json.Unmarshal(text, &list) != nil {
		return nil
	}
	events := make([]TraceEvent, len(list))
	for i, e := range list {
		events[i] = toEvent(e)
	}
	return events
}

func toEvent(e eventJSON) TraceEvent {
	event := TraceEvent{
		Kind:             e.Event,
		Name:             e.Name,
		Attributes:       e.Attributes,
		Duration:         time.Duration(e.Duration * float64(time.Second)),
		MetricAttributes: e.MetricAttributes,
		Time:             time.Unix(0, e.Time),
	}
	if e.Error != nil {
		event.Error = *e.Error
	}
	return event
}

func (h traceHandler) Events(text []byte) {
	for _, event := range decodeEvents(text) {
		h.trace.Event(event)
	}
}

func (h traceHandler) AttemptStarted(text []byte) []byte {
	events := decodeEvents(text)
	if len(events) == 0 {
		return nil
	}
	for _, event := range events[:len(events)-1] {
		h.trace.Event(event)
	}
	headers := h.trace.AttemptStarted(events[len(events)-1])
	if len(headers) == 0 {
		return nil
	}
	encoded, err := json.Marshal(headers)
	if err != nil {
		return nil
	}
	return encoded
}
