package ocusotel_test

import (
	"context"
	"testing"

	"github.com/ocus/ocus-go"
)

// A Tracer that does nothing: BenchmarkPlumbing measures what tracing costs before any
// OpenTelemetry work (the library's events, the crossings into Go, the decoding).
type noopTracer struct{}
type noopTrace struct{}

func (noopTracer) Begin(context.Context) ocus.CallTrace      { return noopTrace{} }
func (noopTrace) Event(ocus.TraceEvent)                      {}
func (noopTrace) AttemptStarted(ocus.TraceEvent) [][2]string { return nil }

func BenchmarkPlumbing(b *testing.B) {
	base, _ := emulator(b)
	for _, tracer := range []ocus.Tracer{nil, noopTracer{}} {
		name := "untraced"
		opts := []ocus.Option{ocus.WithAPIKey(key), ocus.WithBaseURL(base)}
		if tracer != nil {
			name = "noop-trace"
			opts = append(opts, ocus.WithTracer(tracer))
		}
		b.Run(name, func(b *testing.B) {
			client, _ := ocus.NewClient(opts...)
			for b.Loop() {
				if _, err := client.Projects.Get(context.Background(), id0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
