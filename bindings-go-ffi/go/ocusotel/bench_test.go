package ocusotel_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/ocus/ocus-go"
	"github.com/ocus/ocus-go/ocusotel"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// dropped is a span exporter that keeps nothing: what is measured is making the spans.
type dropped struct{}

func (dropped) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (dropped) Shutdown(context.Context) error                             { return nil }

// BenchmarkOpenTelemetry: one sequential GET, with and without OpenTelemetry, beside net/http
// with and without otelhttp (the same SDK setup for both): `make bench-go` runs it.
func BenchmarkOpenTelemetry(b *testing.B) {
	base, _ := emulator(b)
	tracerProvider := sdktrace.NewTracerProvider(sdktrace.WithBatcher(dropped{}))
	meterProvider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	propagator := propagation.TraceContext{}
	traced := ocusotel.NewTracer(ocusotel.WithTracerProvider(tracerProvider), ocusotel.WithMeterProvider(meterProvider), ocusotel.WithPropagators(propagator))
	ctx := context.Background()
	ocusGet := func(b *testing.B, opts ...ocus.Option) {
		client, err := ocus.NewClient(append([]ocus.Option{ocus.WithAPIKey(key), ocus.WithBaseURL(base)}, opts...)...)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := client.Projects.Get(ctx, id0); err != nil {
				b.Fatal(err)
			}
		}
	}
	httpGet := func(b *testing.B, transport http.RoundTripper) {
		client := &http.Client{Transport: transport}
		b.ReportAllocs()
		for b.Loop() {
			request, _ := http.NewRequestWithContext(ctx, "GET", base+"/projects/"+id0, nil)
			request.Header.Set("X-API-KEY", key)
			response, err := client.Do(request)
			if err != nil {
				b.Fatal(err)
			}
			var body map[string]any
			json.NewDecoder(response.Body).Decode(&body)
			response.Body.Close()
		}
	}
	b.Run("client=ocus", func(b *testing.B) { ocusGet(b) })
	b.Run("client=ocus+ocusotel-no-provider", func(b *testing.B) { ocusGet(b, ocus.WithTracer(ocusotel.NewTracer())) })
	b.Run("client=ocus+ocusotel", func(b *testing.B) { ocusGet(b, ocus.WithTracer(traced)) })
	b.Run("client=net-http", func(b *testing.B) { httpGet(b, http.DefaultTransport.(*http.Transport).Clone()) })
	b.Run("client=net-http+otelhttp", func(b *testing.B) {
		httpGet(b, otelhttp.NewTransport(http.DefaultTransport.(*http.Transport).Clone(),
			otelhttp.WithTracerProvider(tracerProvider), otelhttp.WithMeterProvider(meterProvider), otelhttp.WithPropagators(propagator)))
	})
}
