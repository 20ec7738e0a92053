package ocusotel_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/ocus/ocus-go"
	"github.com/ocus/ocus-go/ocusotel"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

const (
	key = "sk_test_go_otel_key_77aa"
	id0 = "910a2dec-8902-4cc1-9758-35de1c9756ce"
)

// emulator starts ocus-mock (OCUS_MOCK_BIN, else the repository's debug build) with one key.
func emulator(t testing.TB) (base string, admin func(method, path string, body any) map[string]any) {
	t.Helper()
	bin := os.Getenv("OCUS_MOCK_BIN")
	if bin == "" {
		_, file, _, _ := runtime.Caller(0)
		bin = filepath.Join(filepath.Dir(file), "..", "..", "..", "target", "debug", "ocus-mock")
	}
	cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--api-key", key)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	base = strings.TrimSpace(line)
	admin = func(method, path string, body any) map[string]any {
		encoded, _ := json.Marshal(body)
		request, _ := http.NewRequest(method, strings.TrimSuffix(base, "/v3")+path, bytes.NewReader(encoded))
		response, err := http.DefaultClient.Do(request)
		if err != nil {
			t.Fatal(err)
		}
		defer response.Body.Close()
		var out map[string]any
		json.NewDecoder(response.Body).Decode(&out)
		return out
	}
	return base, admin
}

func attr(span tracetest.SpanStub, key string) attribute.Value {
	for _, kv := range span.Attributes {
		if string(kv.Key) == key {
			return kv.Value
		}
	}
	return attribute.Value{}
}

func TestCallsAreSpansUnderTheContextsSpan(t *testing.T) {
	base, admin := emulator(t)
	tracer := ocusotel.NewTracer()

	// Before any provider is set, calls are not traced.
	untraced, err := ocus.NewClient(ocus.WithAPIKey(key), ocus.WithBaseURL(base), ocus.WithTracer(tracer))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := untraced.Projects.Get(context.Background(), id0); err != nil {
		t.Fatal(err)
	}
	first := admin("GET", "/__admin/requests", nil)["requests"].([]any)[0].(map[string]any)
	if traceparent := first["headers"].(map[string]any)["traceparent"]; traceparent != nil {
		t.Fatalf("an untraced call sent traceparent %v", traceparent)
	}

	spans := tracetest.NewSpanRecorder()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)))
	reader := sdkmetric.NewManualReader()
	otel.SetMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)))
	otel.SetTextMapPropagator(propagation.TraceContext{})
	admin("POST", "/__admin/reset", map[string]any{"keys": []any{map[string]any{"key": key, "state": "valid", "name": "alpha"}}})

	for _, concurrent := range []bool{false, true} {
		spans.Reset()
		admin("DELETE", "/__admin/requests", nil)
		admin("POST", "/__admin/faults", map[string]any{"path": "/v3/projects/" + id0, "status": 503, "headers": map[string]string{"retry-after": "0"}, "times": 1})
		client, err := ocus.NewClient(ocus.WithAPIKey(key), ocus.WithBaseURL(base), ocus.WithTracer(tracer),
			ocus.WithHeader("X-Tenant", "t1"), ocus.WithCaptureRequestHeaders("x-tenant"),
			ocus.WithCaptureResponseHeaders("X-Request-Id", "retry-after"))
		if err != nil {
			t.Fatal(err)
		}
		ctx, handler := otel.Tracer("app").Start(context.Background(), "handler")
		if concurrent {
			// A second call in flight sends this one down the started path.
			done := make(chan error)
			go func() { _, err := client.Projects.ListPage(context.Background(), nil); done <- err }()
			_, err = client.Projects.Get(ctx, id0)
			if e := <-done; e != nil {
				t.Fatal(e)
			}
		} else {
			_, err = client.Projects.Get(ctx, id0)
		}
		handler.End()
		if err != nil {
			t.Fatal(err)
		}
		var operation tracetest.SpanStub
		var attempts []tracetest.SpanStub
		for _, span := range tracetest.SpanStubsFromReadOnlySpans(spans.Ended()) {
			switch span.Name {
			case "projects.get":
				operation = span
			case "GET /v3/projects/{id}":
				attempts = append(attempts, span)
			}
		}
		if operation.Parent.SpanID() != handler.SpanContext().SpanID() || operation.SpanKind != trace.SpanKindInternal {
			t.Fatalf("concurrent=%v: the operation is not the handler's child: %+v", concurrent, operation.Parent)
		}
		if len(attempts) != 2 {
			t.Fatalf("concurrent=%v: %d attempts", concurrent, len(attempts))
		}
		if attempts[0].StartTime.After(attempts[1].StartTime) {
			attempts[0], attempts[1] = attempts[1], attempts[0]
		}
		for _, attempt := range attempts {
			if attempt.Parent.SpanID() != operation.SpanContext.SpanID() || attempt.SpanKind != trace.SpanKindClient {
				t.Fatalf("an attempt is not the operation's CLIENT child")
			}
		}
		if attr(attempts[0], "error.type").AsString() != "503" || attempts[0].Status.Code != codes.Error {
			t.Fatalf("the failed attempt: %+v", attempts[0].Attributes)
		}
		if attr(attempts[1], "http.request.resend_count").AsInt64() != 1 || attr(attempts[1], "url.template").AsString() != "/v3/projects/{id}" {
			t.Fatalf("the retry: %+v", attempts[1].Attributes)
		}
		for _, attempt := range attempts {
			tenant := attr(attempt, "http.request.header.x-tenant").AsStringSlice()
			requestID := attr(attempt, "http.response.header.x-request-id").AsStringSlice()
			if len(tenant) != 1 || tenant[0] != "t1" || len(requestID) != 1 || !strings.HasPrefix(requestID[0], "req_") {
				t.Fatalf("concurrent=%v: the listed headers: %+v", concurrent, attempt.Attributes)
			}
		}
		if retryAfter := attr(attempts[0], "http.response.header.retry-after").AsStringSlice(); len(retryAfter) != 1 || retryAfter[0] != "0" {
			t.Fatalf("the failed attempt's retry-after: %+v", attempts[0].Attributes)
		}
		var sent []string
		for _, r := range admin("GET", "/__admin/requests", nil)["requests"].([]any) {
			request := r.(map[string]any)
			if request["path"] == "/v3/projects/"+id0 {
				sent = append(sent, fmt.Sprint(request["headers"].(map[string]any)["traceparent"]))
			}
		}
		for i, attempt := range attempts {
			want := fmt.Sprintf("00-%s-%s-01", attempt.SpanContext.TraceID(), attempt.SpanContext.SpanID())
			if sent[i] != want {
				t.Fatalf("concurrent=%v: the server saw %s, want %s", concurrent, sent[i], want)
			}
		}
	}

	var collected metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &collected); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, scope := range collected.ScopeMetrics {
		for _, m := range scope.Metrics {
			if scope.Scope.Name == "ocus" && m.Name == "http.client.request.duration" && m.Unit == "s" {
				found = len(m.Data.(metricdata.Histogram[float64]).DataPoints) >= 2
			}
		}
	}
	if !found {
		t.Fatalf("no http.client.request.duration histogram with 200 and 503 points: %+v", collected.ScopeMetrics)
	}
	everything := fmt.Sprintf("%+v %+v", tracetest.SpanStubsFromReadOnlySpans(spans.Ended()), collected)
	if strings.Contains(everything, key) {
		t.Fatal("the key is in an exported span or metric")
	}
}

func TestTheKeyHeaderCannotBeListed(t *testing.T) {
	for _, option := range []ocus.Option{ocus.WithCaptureRequestHeaders("X-API-KEY"), ocus.WithCaptureResponseHeaders("x-request-id", "x-api-key")} {
		_, err := ocus.NewClient(ocus.WithAPIKey(key), option)
		if !errors.Is(err, ocus.ErrConfiguration) || !strings.Contains(err.Error(), "x-api-key is never recorded") {
			t.Fatalf("listing x-api-key: %v", err)
		}
	}
}
