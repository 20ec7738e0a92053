// The spans of a listing, printed to the console: every ocus call is an INTERNAL span
// (projects.list, projects.get, request) under the span in its ctx, with one CLIENT span per
// HTTP attempt (a retry is a resend); each attempt's traceparent is sent to the API.
package main

import (
	"context"
	"fmt"
	"log"

	"github.com/ocus/ocus-go"
	"github.com/ocus/ocus-go/ocusotel"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// oneLine prints each span as it ends: name, kind, its id and its parent's, attributes.
type oneLine struct{}

func (oneLine) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (oneLine) OnEnd(span sdktrace.ReadOnlySpan) {
	fmt.Printf("%s [%s] span %s parent %s: %v\n", span.Name(), span.SpanKind(), span.SpanContext().SpanID(), span.Parent().SpanID(), span.Attributes())
}
func (oneLine) Shutdown(context.Context) error   { return nil }
func (oneLine) ForceFlush(context.Context) error { return nil }

func main() {
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(oneLine{})))
	otel.SetTextMapPropagator(propagation.TraceContext{})

	client, err := ocus.NewClient(ocus.WithTracer(ocusotel.NewTracer()))
	if err != nil {
		log.Fatal(err)
	}
	ctx, span := otel.Tracer("example").Start(context.Background(), "export-projects")
	count := 0
	for _, err := range client.Projects.List(ctx, &ocus.ListParams{PageSize: 100}) {
		if err != nil {
			log.Fatal(err)
		}
		count++
	}
	span.End()
	fmt.Printf("%d projects\n", count)
}
