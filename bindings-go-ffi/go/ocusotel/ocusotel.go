// Package ocusotel reports every call of an ocus.Client to OpenTelemetry: a span per
// operation under the span in the call's context, one CLIENT span per HTTP attempt (a retry is
// a resend), the attempt's span context sent through the configured propagator, and the
// http.client.request.duration histogram. The library decides the span names, attributes and
// error types (the OpenTelemetry semantic conventions for HTTP clients); this package only
// hands them to the OpenTelemetry API.
//
//	client, err := ocus.NewClient(ocus.WithTracer(ocusotel.NewTracer()))
//
// Until the application sets a tracer or meter provider (otel.SetTracerProvider,
// otel.SetMeterProvider), calls are not traced.
package ocusotel

import (
	"context"
	"sync"

	"github.com/ocus/ocus-go"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// The global providers before the application sets its own: while both are these, nothing
// would record a call.
var (
	unsetTracerProvider = otel.GetTracerProvider()
	unsetMeterProvider  = otel.GetMeterProvider()
)

// Option sets what a Tracer uses instead of the global providers and propagator.
type Option func(*config)

type config struct {
	tracerProvider trace.TracerProvider
	meterProvider  metric.MeterProvider
	propagator     propagation.TextMapPropagator
}

// WithTracerProvider makes the spans with provider instead of the global one.
func WithTracerProvider(provider trace.TracerProvider) Option {
	return func(c *config) { c.tracerProvider = provider }
}

// WithMeterProvider records the duration histogram with provider instead of the global one.
func WithMeterProvider(provider metric.MeterProvider) Option {
	return func(c *config) { c.meterProvider = provider }
}

// WithPropagators sends each attempt's span context with propagator instead of the global one.
func WithPropagators(propagator propagation.TextMapPropagator) Option {
	return func(c *config) { c.propagator = propagator }
}

// NewTracer returns the ocus.Tracer for the global OpenTelemetry providers and propagator, or
// the ones the options give.
func NewTracer(opts ...Option) ocus.Tracer {
	var c config
	for _, opt := range opts {
		opt(&c)
	}
	tracerProvider, meterProvider := c.tracerProvider, c.meterProvider
	if tracerProvider == nil {
		tracerProvider = otel.GetTracerProvider() // the global one: a delegate until it is set
	}
	if meterProvider == nil {
		meterProvider = otel.GetMeterProvider()
	}
	histogram, _ := meterProvider.Meter(scope, metric.WithInstrumentationVersion(ocus.Version)).Float64Histogram(
		durationMetric,
		metric.WithUnit(durationUnit),
		metric.WithDescription(durationDescription),
		metric.WithExplicitBucketBoundaries(durationBuckets...),
	)
	return &tracer{
		tracer:     tracerProvider.Tracer(scope, trace.WithInstrumentationVersion(ocus.Version)),
		histogram:  histogram,
		propagator: c.propagator,
		explicit:   c.tracerProvider != nil || c.meterProvider != nil,
	}
}

type tracer struct {
	tracer     trace.Tracer
	histogram  metric.Float64Histogram
	propagator propagation.TextMapPropagator // nil: the global one, at each attempt
	explicit   bool                          // providers given: always traced
}

func (t *tracer) Begin(ctx context.Context) ocus.CallTrace {
	if !t.explicit && otel.GetTracerProvider() == unsetTracerProvider && otel.GetMeterProvider() == unsetMeterProvider {
		return nil
	}
	return &callSpans{tracer: t, parent: ctx, operationContext: ctx}
}

// callSpans is one call's spans (a Pages iteration's pages one after the other).
type callSpans struct {
	tracer           *tracer
	mu               sync.Mutex
	parent           context.Context
	operation        trace.Span
	operationContext context.Context
	attempt          trace.Span
}

func attributes(list []ocus.Attribute) []attribute.KeyValue {
	values := make([]attribute.KeyValue, 0, len(list))
	for _, a := range list {
		switch v := a.Value.(type) {
		case string:
			values = append(values, attribute.String(a.Key, v))
		case int64:
			values = append(values, attribute.Int64(a.Key, v))
		case []string:
			values = append(values, attribute.StringSlice(a.Key, v))
		}
	}
	return values
}

func (c *callSpans) Event(event ocus.TraceEvent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch event.Kind {
	case "operation_started":
		c.operationContext, c.operation = c.tracer.tracer.Start(c.parent, event.Name, trace.WithTimestamp(event.Time),
			trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attributes(event.Attributes)...))
	case "attempt_ended":
		if c.attempt != nil {
			c.attempt.SetAttributes(attributes(event.Attributes)...)
			if event.Error != "" {
				c.attempt.SetStatus(codes.Error, event.Error)
			}
			c.attempt.End(trace.WithTimestamp(event.Time))
			c.attempt = nil
		}
		if c.tracer.histogram != nil {
			c.tracer.histogram.Record(context.Background(), event.Duration.Seconds(),
				metric.WithAttributes(attributes(event.MetricAttributes)...))
		}
	case "operation_ended":
		if c.operation != nil {
			c.operation.SetAttributes(attributes(event.Attributes)...)
			if event.Error != "" {
				c.operation.SetStatus(codes.Error, event.Error)
			}
			c.operation.End(trace.WithTimestamp(event.Time))
			c.operation = nil
		}
		c.operationContext = c.parent
	}
}

func (c *callSpans) AttemptStarted(event ocus.TraceEvent) [][2]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	ctx, span := c.tracer.tracer.Start(c.operationContext, event.Name, trace.WithTimestamp(event.Time),
		trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attributes(event.Attributes)...))
	c.attempt = span
	carrier := propagation.MapCarrier{}
	propagator := c.tracer.propagator
	if propagator == nil {
		propagator = otel.GetTextMapPropagator()
	}
	propagator.Inject(ctx, carrier)
	headers := make([][2]string, 0, len(carrier))
	for name, value := range carrier {
		headers = append(headers, [2]string{name, value})
	}
	return headers
}
