package ocus_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ocus/ocus-go"
)

// recorder is a Tracer as an OpenTelemetry bridge would be: it records the events and gives
// each attempt a traceparent of its own, naming the parent it was begun with.
type recorder struct {
	mu     sync.Mutex
	events []ocus.TraceEvent
	sent   []string
	begun  []string
}

type parentKey struct{}

func (r *recorder) Begin(ctx context.Context) ocus.CallTrace {
	parent, _ := ctx.Value(parentKey{}).(string)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.begun = append(r.begun, parent)
	return r
}

func (r *recorder) Event(event ocus.TraceEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event)
}

func (r *recorder) AttemptStarted(event ocus.TraceEvent) [][2]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event)
	traceparent := fmt.Sprintf("00-4bf92f3577b34da6a3ce929d0e0e4736-%016x-01", 0xa0+len(r.sent))
	r.sent = append(r.sent, traceparent)
	return [][2]string{{"traceparent", traceparent}, {"x-api-key", "sk_smuggled"}}
}

func kinds(events []ocus.TraceEvent) string {
	names := make([]string, len(events))
	for i, e := range events {
		names[i] = e.Kind
	}
	return strings.Join(names, ",")
}

func attribute(event ocus.TraceEvent, key string) any {
	for _, a := range event.Attributes {
		if a.Key == key {
			return a.Value
		}
	}
	return nil
}

// Every call reports its operation and attempts, blocking and started alike; the server gets
// each attempt's traceparent, never a key from the tracer.
func TestATracerSeesEveryAttemptAndPropagates(t *testing.T) {
	for _, started := range []bool{false, true} {
		t.Run(fmt.Sprintf("started=%v", started), func(t *testing.T) {
			defer ocus.SetAlwaysStart(ocus.SetAlwaysStart(started))
			mock.reset(t)
			mock.faults(t, map[string]any{"path": "/v3/projects/" + id0, "status": 503, "headers": map[string]string{"retry-after": "0"}, "times": 1})
			tracer := &recorder{}
			c := newClient(t, ocus.WithTracer(tracer), ocus.WithMaxRetries(2))
			ctx := context.WithValue(context.Background(), parentKey{}, "handler")
			if _, err := c.Projects.Get(ctx, id0); err != nil {
				t.Fatal(err)
			}
			if got := kinds(tracer.events); got != "operation_started,attempt_started,attempt_ended,attempt_started,attempt_ended,operation_ended" {
				t.Fatalf("events: %s", got)
			}
			if tracer.begun[0] != "handler" {
				t.Fatalf("the trace was begun with another context: %q", tracer.begun)
			}
			e := tracer.events
			if e[0].Name != "projects.get" || e[1].Name != "GET /v3/projects/{id}" {
				t.Fatalf("names: %q, %q", e[0].Name, e[1].Name)
			}
			if attribute(e[1], "url.template") != "/v3/projects/{id}" || attribute(e[1], "server.address") != "127.0.0.1" {
				t.Fatalf("attributes: %+v", e[1].Attributes)
			}
			if e[2].Error != "503" || attribute(e[2], "http.response.status_code") != int64(503) || e[2].Duration <= 0 {
				t.Fatalf("the failed attempt: %+v", e[2])
			}
			if attribute(e[3], "http.request.resend_count") != int64(1) || e[4].Error != "" || e[5].Error != "" {
				t.Fatalf("the retry: %+v / %+v / %+v", e[3], e[4], e[5])
			}
			requests := mock.requests(t)
			for i, r := range requests {
				headers := r["headers"].(map[string]any)
				if headers["traceparent"] != tracer.sent[i] {
					t.Fatalf("request %d: traceparent %v, want %s", i, headers["traceparent"], tracer.sent[i])
				}
				if r["key"] != "alpha" {
					t.Fatalf("request %d was sent with another key: %v", i, r["key"])
				}
			}
		})
	}
}

func TestATracedListingAndAFailedCall(t *testing.T) {
	mock.reset(t)
	tracer := &recorder{}
	c := newClient(t, ocus.WithTracer(tracer))
	ctx := context.Background()
	count := 0
	for _, err := range c.Projects.List(ctx, &ocus.ListParams{PageSize: 100}) {
		if err != nil {
			t.Fatal(err)
		}
		count++
	}
	if count != 135 || kinds(tracer.events) != strings.Repeat("operation_started,attempt_started,attempt_ended,operation_ended,", 2)[:len(kinds(tracer.events))] {
		t.Fatalf("%d projects, events %s", count, kinds(tracer.events))
	}
	tracer.events = nil
	if _, err := c.Projects.Get(ctx, "no-such-project"); err == nil {
		t.Fatal("want an error")
	}
	last := tracer.events[len(tracer.events)-1]
	if last.Kind != "operation_ended" || last.Error != "404" {
		t.Fatalf("the failed call's end: %+v", last)
	}
}
