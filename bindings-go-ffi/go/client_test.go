package ocus_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ocus/ocus-go"
	"github.com/ocus/ocus-go/internal/ffi"
	"github.com/ocus/ocus-go/webhooks"
)

func newClient(t testing.TB, opts ...ocus.Option) *ocus.Client {
	t.Helper()
	c, err := ocus.NewClient(append([]ocus.Option{ocus.WithAPIKey(alpha), ocus.WithBaseURL(mock.baseURL), ocus.WithMaxRetries(0)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestErrorsMatchSentinelsAndCarryFields(t *testing.T) {
	mock.reset(t)
	ctx := context.Background()
	revoked := newClient(t, ocus.WithAPIKey("sk_test_revoked"))
	_, err := revoked.Projects.ListPage(ctx, nil)
	if !errors.Is(err, ocus.ErrForbidden) {
		t.Fatalf("want ErrForbidden, got %v", err)
	}
	var apiErr *ocus.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 403 || apiErr.Kind != "forbidden" ||
		apiErr.Message != "Forbidden. This API key has been revoked or expired." || !strings.HasPrefix(apiErr.RequestID, "req_") {
		t.Fatalf("fields: %+v", apiErr)
	}
	_, err = newClient(t, ocus.WithAPIKey("sk_nope")).Projects.Get(ctx, id0)
	if !errors.Is(err, ocus.ErrUnauthorized) {
		t.Fatalf("want ErrUnauthorized, got %v", err)
	}
	mock.faults(t, map[string]any{"status": 503}, map[string]any{"status": 429, "headers": map[string]string{"Retry-After": "90"}})
	c := newClient(t)
	_, err = c.Projects.Get(ctx, id0)
	if !errors.Is(err, ocus.ErrServiceUnavailable) || !errors.Is(err, ocus.ErrServer) {
		t.Fatalf("503: %v", err)
	}
	_, err = c.Projects.Get(ctx, id0)
	if !errors.As(err, &apiErr) || !errors.Is(err, ocus.ErrRateLimited) || apiErr.RetryAfter != 90*time.Second {
		t.Fatalf("429: %v", err)
	}
	_, err = ocus.NewClient(ocus.WithAPIKey("two words"))
	if !errors.Is(err, ocus.ErrConfiguration) {
		t.Fatalf("bad key: %v", err)
	}
	// An Error built in Go with only its Kind (a test double) matches as the core's would.
	double := &ocus.Error{Kind: "service_unavailable", Status: 503}
	if !errors.Is(double, ocus.ErrServiceUnavailable) || !errors.Is(double, ocus.ErrServer) || !errors.As(double, &apiErr) {
		t.Fatalf("a test double of a 503: %v", double)
	}
	// Only errors the API answered are APIErrors (the alias matched every error before).
	if errors.As(err, &apiErr) {
		t.Fatalf("a configuration error is not an APIError: %+v", apiErr)
	}
	_, err = newClient(t, ocus.WithBaseURL("http://127.0.0.1:1")).Projects.Get(ctx, id0)
	if !errors.Is(err, ocus.ErrConnection) || errors.As(err, &apiErr) {
		t.Fatalf("a connection error is a connection error and not an APIError: %v", err)
	}
	if _, err := ocus.NewClient(ocus.WithAPIKey(alpha), ocus.WithBaseURL("http://api.ocus.io/v3")); !errors.Is(err, ocus.ErrConfiguration) {
		t.Fatalf("insecure URL: %v", err)
	}
	if _, err := ocus.NewClient(ocus.WithAPIKey(alpha), ocus.WithTimeout(-time.Second)); !errors.Is(err, ocus.ErrConfiguration) {
		t.Fatalf("negative timeout: %v", err)
	}
	t.Setenv("OCUS_API_KEY", alpha)
	if _, err := ocus.NewClient(ocus.WithAPIKey("")); !errors.Is(err, ocus.ErrConfiguration) {
		t.Fatalf("an explicitly empty key must not fall back to the environment: %v", err)
	}
	if _, err := ocus.NewClient(ocus.WithAPIKey(alpha + "\x00tail")); !errors.Is(err, ocus.ErrConfiguration) {
		t.Fatalf("a key with a NUL byte: %v", err)
	}
	// Text crosses as pointer and length: the id is not cut short at the NUL (which would
	// fetch id0); the core sends every byte, percent-encoded, and the server has no such id.
	if _, err := c.Projects.Get(ctx, id0+"\x00"); !errors.Is(err, ocus.ErrNotFound) {
		t.Fatalf("an id with a NUL byte: %v", err)
	}
}

func TestTheKeyIsNeverPrinted(t *testing.T) {
	mock.reset(t)
	secret := "sk_test_revoked"
	c := newClient(t, ocus.WithAPIKey(secret))
	_, err := c.Projects.Get(context.Background(), id0)
	_, keyErr := ocus.NewClient(ocus.WithAPIKey(secret + "\r\n"))
	for _, text := range []string{
		fmt.Sprintf("%v %+v %#v %s", c, c, c, c),
		fmt.Sprintf("%v %+v %#v", err, err, err),
		fmt.Sprintf("%v %+v %#v", keyErr, keyErr, keyErr),
	} {
		if strings.Contains(text, secret) {
			t.Fatalf("key printed: %s", text)
		}
	}
	if got := fmt.Sprintf("%+v", c); got != fmt.Sprintf("ocus.Client{BaseURL: %q}", mock.baseURL) {
		t.Fatalf("unexpected format %s", got)
	}
}

func TestAProjectPrintsAsText(t *testing.T) {
	mock.reset(t)
	project, err := newClient(t).Projects.Get(context.Background(), id0)
	if err != nil {
		t.Fatal(err)
	}
	printed := fmt.Sprintf("%+v", *project)
	if !strings.Contains(printed, `Raw:{"type":"project"`) && !strings.Contains(printed, `Raw:{"id":`) {
		t.Fatalf("the raw resource should print as JSON text: %s", printed)
	}
	if strings.Contains(printed, "[123 ") {
		t.Fatalf("printed as bytes: %s", printed)
	}
	again, err := json.Marshal(project)
	if err != nil || !strings.Contains(string(again), `"Raw":{`) {
		t.Fatalf("marshalled Raw should be the object itself: %s %v", again, err)
	}
}

func TestEnvironmentIsTheDefault(t *testing.T) {
	mock.reset(t)
	t.Setenv("OCUS_API_KEY", beta)
	t.Setenv("OCUS_BASE_URL", mock.baseURL)
	c, err := ocus.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Projects.ListPage(context.Background(), &ocus.ListParams{PageSize: 1}); err != nil {
		t.Fatal(err)
	}
	if got := mock.requests(t)[0]["key"]; got != "beta" {
		t.Fatalf("sent key %v", got)
	}
}

func TestThousandGoroutinesShareOneClient(t *testing.T) {
	mock.reset(t)
	c := newClient(t)
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for i := 0; i < 1000; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := c.Projects.Get(context.Background(), id0)
			if err == nil && p.ID != id0 {
				err = fmt.Errorf("wrong project %s", p.ID)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// On Linux, calls that overlap run on the dispatcher's goroutine, which drives the library's
// runtime from Go's netpoller: the library starts no thread of its own for them.
func TestOverlappingCallsRunOnGoThreads(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the event-loop queue is Linux's; elsewhere the library's threads run started calls")
	}
	mock.reset(t)
	defer ocus.SetAlwaysStart(ocus.SetAlwaysStart(true))
	c := newClient(t)
	var wg sync.WaitGroup
	errs := make(chan error, 500)
	for i := 0; i < 500; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Projects.Get(context.Background(), id0); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if path := ocus.DispatcherPath(); path != "event-loop" {
		t.Fatalf("started calls run on %q, want the event loop", path)
	}
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		name, _ := os.ReadFile("/proc/self/task/" + task.Name() + "/comm")
		if strings.HasPrefix(string(name), "ocus-runtime") {
			t.Fatalf("thread %s is named %q: the library's runtime threads started", task.Name(), strings.TrimSpace(string(name)))
		}
	}
}

func TestContextCancelAndDeadlineStopTheRequest(t *testing.T) {
	mock.reset(t)
	c := newClient(t, ocus.WithTimeout(30*time.Second))
	mock.faults(t, map[string]any{"action": "hang"})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	started := time.Now()
	if _, err := c.Projects.Get(ctx, id0); !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if time.Since(started) > time.Second {
		t.Fatalf("cancel took %v", time.Since(started))
	}
	mock.faults(t, map[string]any{"action": "hang"})
	ctx, stop := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer stop()
	if _, err := c.Projects.ListPage(ctx, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want DeadlineExceeded, got %v", err)
	}
	if _, err := c.Projects.Get(context.Background(), id0); err != nil {
		t.Fatalf("client unusable after cancel: %v", err)
	}
}

func TestConcurrentCallsAreCancelledByTheirContext(t *testing.T) {
	mock.reset(t)
	c := newClient(t, ocus.WithTimeout(30*time.Second))
	mock.faults(t, map[string]any{"action": "hang", "times": 10})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	errs := make([]error, 10)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Projects.Get(ctx, id0)
		}()
	}
	time.Sleep(200 * time.Millisecond)
	started := time.Now()
	cancel()
	wg.Wait()
	if time.Since(started) > time.Second {
		t.Fatalf("cancelling took %v", time.Since(started))
	}
	for _, err := range errs {
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("want context.Canceled, got %v", err)
		}
	}
	if _, err := c.Projects.Get(context.Background(), id0); err != nil {
		t.Fatalf("client unusable after cancel: %v", err)
	}
}

func TestCloseWhileRequestsRun(t *testing.T) {
	mock.reset(t)
	c, _ := ocus.NewClient(ocus.WithAPIKey(alpha), ocus.WithBaseURL(mock.baseURL), ocus.WithTimeout(30*time.Second))
	mock.faults(t, map[string]any{"action": "hang", "times": 5})
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Projects.Get(context.Background(), id0)
		}()
	}
	time.Sleep(200 * time.Millisecond)
	started := time.Now()
	c.Close()
	wg.Wait()
	if time.Since(started) > 2*time.Second {
		t.Fatalf("Close took %v", time.Since(started))
	}
	for _, err := range errs {
		if !errors.Is(err, ocus.ErrClosed) || !errors.Is(err, ocus.ErrConfiguration) {
			t.Fatalf("want ErrClosed, got %v", err)
		}
	}
	if _, err := c.Projects.Get(context.Background(), id0); !errors.Is(err, ocus.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestIterationRequestsAndRotation(t *testing.T) {
	mock.reset(t)
	ctx := context.Background()
	c := newClient(t)
	seen := map[string]bool{}
	for p, err := range c.Projects.List(ctx, &ocus.ListParams{PageSize: 40}) {
		if err != nil {
			t.Fatal(err)
		}
		seen[p.ID] = true
	}
	if len(seen) != 135 {
		t.Fatalf("%d projects", len(seen))
	}
	count := 0
	for range c.Projects.List(ctx, nil) { // stopping early frees the cursor
		if count++; count == 3 {
			break
		}
	}
	raw, err := c.Request(ctx, "GET", "/projects", &ocus.RequestOptions{Query: map[string]any{"page[size]": 2}})
	if err != nil || !strings.Contains(string(raw), `"page_size":2`) {
		t.Fatalf("request: %v %s", err, raw)
	}
	if _, err := c.Request(ctx, "POST", "/projects", &ocus.RequestOptions{JSON: map[string]string{"name": "x"}}); !errors.Is(err, ocus.ErrMethodNotAllowed) {
		t.Fatalf("POST: %v", err)
	}
	if err := c.RotateAPIKey(beta); err != nil {
		t.Fatal(err)
	}
	if err := c.RotateAPIKey("bad key"); !errors.Is(err, ocus.ErrConfiguration) {
		t.Fatalf("bad rotation: %v", err)
	}
	// Concurrent calls (started on the library's threads) use the rotated key too.
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Projects.Get(ctx, id0); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, r := range mock.requests(t)[len(mock.requests(t))-20:] {
		if r["key"] != "beta" {
			t.Fatalf("a concurrent call used key %v after rotation", r["key"])
		}
	}
	p, err := c.Projects.Get(ctx, id0)
	if err != nil || p.Attributes["name"] != "Shoot #001 in Paris" || !p.IsKnownStatus || p.Status != ocus.StatusNotAssigned {
		t.Fatalf("get: %v %+v", err, p)
	}
	log := mock.requests(t)
	if log[len(log)-1]["key"] != "beta" {
		t.Fatalf("rotation not used: %v", log[len(log)-1]["key"])
	}
}

func TestWebhooksFromTheEmulatorVerify(t *testing.T) {
	mock.reset(t)
	var mu sync.Mutex
	var got []string
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		event, err := webhooks.Verify(body, r.Header.Get(webhooks.SignatureHeader), "whsec_go")
		mu.Lock()
		defer mu.Unlock()
		var e *ocus.Error
		switch {
		case err == nil:
			got = append(got, event.ID+" "+event.Status+" "+string(event.SignedPart))
			w.WriteHeader(204)
		case errors.Is(err, ocus.ErrInvalidSignature) && errors.As(err, &e):
			got = append(got, e.Code)
			w.WriteHeader(400)
		default:
			t.Errorf("unexpected %v", err)
		}
	}))
	defer server.Close()
	var statuses []string
	for _, extra := range []map[string]any{{}, {"tamper": true}, {"omit_signature": true}, {"signed_part": "data"}, {"signed_part": "data", "tamper": true}} {
		body := map[string]any{"url": server.URL + "/hooks", "secret": "whsec_go", "event": "project.status.updated", "status": "completed"}
		for k, v := range extra {
			body[k] = v
		}
		sent := mock.admin(t, "POST", "/__admin/webhooks", body)
		statuses = append(statuses, strconv.Itoa(int(sent["receiver_status"].(float64))))
	}
	if strings.Join(statuses, ",") != "204,400,400,204,400" {
		t.Fatalf("statuses %v", statuses)
	}
	if strings.Join(got, ",") != "project.status.updated completed body,signature_mismatch,missing_signature,project.status.updated completed data,signature_mismatch" {
		t.Fatalf("received %v", got)
	}
}

// A client dropped without Close is freed by its finalizer.
func TestUnreachableClientsAreFreed(t *testing.T) {
	mock.reset(t)
	// Earlier tests' clients may still await their finalizer: let them go first.
	settle := func() int64 {
		for last := int64(-1); ; {
			runtime.GC()
			time.Sleep(20 * time.Millisecond)
			if n := ffi.LiveClients(); n == last {
				return n
			} else {
				last = n
			}
		}
	}
	before := settle()
	// In a function of its own: no stack slot of this frame can keep the last client alive.
	func() {
		for i := 0; i < 200; i++ {
			c, err := ocus.NewClient(ocus.WithAPIKey(alpha), ocus.WithBaseURL(mock.baseURL))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Projects.Get(context.Background(), id0); err != nil {
				t.Fatal(err)
			}
		}
	}()
	if live := ffi.LiveClients() - before; live != 200 {
		t.Fatalf("%d clients live, expected 200", live)
	}
	deadline := time.Now().Add(10 * time.Second)
	for ffi.LiveClients() > before && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if live := ffi.LiveClients() - before; live != 0 {
		t.Fatalf("%d of 200 unreachable clients were not freed (before %d, now %d)", live, before, ffi.LiveClients())
	}
}

// The signature crosses as bytes (no C string to cut short at a NUL): the core judges it.
func TestWebhookSignatureBytesReachTheCore(t *testing.T) {
	body := []byte(`{"id":"project.updated","type":"event","attributes":{}}`)
	good := webhooks.Sign(body, "whsec")
	if _, err := webhooks.Verify(body, good, "whsec"); err != nil {
		t.Fatal(err)
	}
	var e *ocus.Error
	for _, bad := range []string{good + "\x00", good[:10] + "\x00" + good[11:], "\xff\xfe"} {
		_, err := webhooks.Verify(body, bad, "whsec")
		if !errors.Is(err, ocus.ErrInvalidSignature) || !errors.As(err, &e) || e.Code != "malformed_signature" {
			t.Fatalf("signature %q: %v", bad, err)
		}
	}
}

func TestWithResponseFillsStatusHeadersAndRequestID(t *testing.T) {
	mock.reset(t)
	ctx := context.Background()
	c := newClient(t, ocus.WithMaxRetries(1))
	var r ocus.Response
	p, err := c.Projects.Get(ctx, id0, ocus.WithResponse(&r))
	if err != nil || p.ID != id0 {
		t.Fatal(p, err)
	}
	if r.StatusCode != 200 || !strings.HasPrefix(r.RequestID, "req_") || r.Header.Get("X-Request-Id") != r.RequestID ||
		r.Header.Get("Content-Type") != "application/json" || !strings.HasSuffix(r.URL, "/v3/projects/"+id0) || r.Attempts != 1 {
		t.Fatalf("get: %+v", r)
	}
	mock.faults(t, map[string]any{"status": 503, "headers": map[string]string{"Retry-After": "0"}, "times": 1})
	var listed ocus.Response
	page, err := c.Projects.ListPage(ctx, &ocus.ListParams{PageSize: 2}, ocus.WithResponse(&listed))
	if err != nil || len(page.Data) != 2 || listed.Attempts != 2 || listed.RequestID == r.RequestID {
		t.Fatalf("list: %v %+v", err, listed)
	}
	var raw ocus.Response
	body, err := c.Request(ctx, "GET", "/projects", &ocus.RequestOptions{Query: map[string]any{"page[size]": 1}}, ocus.WithResponse(&raw))
	if err != nil || !strings.Contains(string(body), `"page_size":1`) || raw.StatusCode != 200 || !strings.HasSuffix(raw.URL, "?page%5Bsize%5D=1") {
		t.Fatalf("request: %v %s %+v", err, body, raw)
	}
	// A failed call leaves the Response as it was.
	var untouched ocus.Response
	if _, err := c.Projects.Get(ctx, "missing", ocus.WithResponse(&untouched)); !errors.Is(err, ocus.ErrNotFound) || untouched.StatusCode != 0 {
		t.Fatalf("failed call: %v %+v", err, untouched)
	}
	// Without the option the body is still returned as is.
	if body, err := c.Request(ctx, "GET", "/projects/"+id0, nil); err != nil || !strings.HasPrefix(string(body), `{"data":{`) {
		t.Fatalf("plain request: %v %s", err, body)
	}
}

// syncBuffer is a bytes.Buffer safe for the log goroutine and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls until cond holds on the log text (events arrive from another goroutine).
func waitFor(t *testing.T, logs *syncBuffer, cond func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond(logs.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("logs never matched:\n%s", logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	return logs.String()
}

func TestLogsGoToSlogWithoutTheKey(t *testing.T) {
	mock.reset(t)
	ctx := context.Background()
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: ocus.LevelTrace}))
	keyFile := filepath.Join(t.TempDir(), "key")
	os.WriteFile(keyFile, []byte("sk_test_revoked"), 0o600)
	c, err := ocus.NewClient(ocus.WithAPIKeyFile(keyFile), ocus.WithBaseURL(mock.baseURL), ocus.WithMaxRetries(1),
		ocus.WithLogger(logger), ocus.WithLogLevel(ocus.LevelTrace))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	os.WriteFile(keyFile, []byte(alpha), 0o600) // rotated on disk: the 403 re-reads it
	if _, err := c.Request(ctx, "GET", "/projects", &ocus.RequestOptions{Query: map[string]any{"page[size]": 1}}); err != nil {
		t.Fatal(err)
	}
	mock.faults(t, map[string]any{"status": 503, "headers": map[string]string{"Retry-After": "0"}, "times": 1})
	if _, err := c.Projects.Get(ctx, id0); err != nil {
		t.Fatal(err)
	}
	c.Projects.Get(ctx, "missing")
	text := waitFor(t, &logs, func(s string) bool { return strings.Count(s, "\n") >= 7 })
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		var record map[string]any
		if err := json.Unmarshal([]byte(line), &record); err != nil {
			t.Fatal(err, line)
		}
		entry := fmt.Sprint(record["level"], " ", record["msg"])
		if status, ok := record["status"]; ok {
			entry += fmt.Sprint(" ", status)
		}
		got = append(got, entry)
		if record["msg"] == "ocus: request failed" && record["status"] == 404.0 {
			if record["path"] != "/v3/projects/missing" || record["kind"] != "not_found" || record["attempt"] != 1.0 ||
				!strings.HasPrefix(record["request_id"].(string), "req_") || record["method"] != "GET" {
				t.Fatalf("fields: %v", record)
			}
		}
	}
	want := []string{"DEBUG ocus: request failed 403", "INFO ocus: API key file changed; retrying with the new key",
		"DEBUG ocus: request succeeded 200", "DEBUG ocus: request failed 503", "DEBUG ocus: retrying",
		"DEBUG ocus: request succeeded 200", "DEBUG ocus: request failed 404"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, secret := range []string{alpha, "sk_test_revoked", "page"} {
		if strings.Contains(text, secret) {
			t.Fatalf("%q logged:\n%s", secret, text)
		}
	}

	// The default level (warn) and LevelOff: the same calls log nothing; the logger's own level
	// filters too.
	for _, opts := range [][]ocus.Option{{}, {ocus.WithLogLevel(ocus.LevelOff)}, {ocus.WithLogLevel(slog.LevelDebug)}} {
		var quiet syncBuffer
		info := slog.New(slog.NewTextHandler(&quiet, &slog.HandlerOptions{Level: slog.LevelInfo}))
		q := newClient(t, append(opts, ocus.WithLogger(info))...)
		q.Projects.Get(ctx, id0)
		q.Projects.Get(ctx, "missing")
		time.Sleep(50 * time.Millisecond)
		if quiet.String() != "" {
			t.Fatalf("%d options: logged %q", len(opts), quiet.String())
		}
	}
	if _, err := ocus.NewClient(ocus.WithAPIKey(alpha), ocus.WithBaseURL(mock.baseURL), func(o map[string]any) { o["log_level"] = "loud" }); err == nil ||
		!strings.Contains(err.Error(), `log_level must be one of off, error, warn, info, debug, trace, not "loud"`) {
		t.Fatalf("bad level: %v", err)
	}
}

func TestOCUS_LOGSwitchesLogsOnForTheDefaultLogger(t *testing.T) {
	mock.reset(t)
	t.Setenv("OCUS_LOG", "debug")
	var logs syncBuffer
	previous := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil))) // Info, as a program's default often is
	defer slog.SetDefault(previous)
	c := newClient(t)
	if _, err := c.Projects.Get(context.Background(), id0); err != nil {
		t.Fatal(err)
	}
	text := waitFor(t, &logs, func(s string) bool { return strings.Contains(s, "request succeeded") })
	if !strings.Contains(text, "level=DEBUG") || !strings.Contains(text, "status=200") || strings.Contains(text, alpha) {
		t.Fatalf("logs: %s", text)
	}
	t.Setenv("OCUS_LOG", "loud")
	if _, err := ocus.NewClient(ocus.WithAPIKey(alpha), ocus.WithBaseURL(mock.baseURL)); err == nil || !strings.Contains(err.Error(), "OCUS_LOG must be one of") {
		t.Fatalf("bad OCUS_LOG: %v", err)
	}
}

func descriptorsAndThreads() (int, int) {
	fds, _ := os.ReadDir("/proc/self/fd")
	tasks, _ := os.ReadDir("/proc/self/task")
	return len(fds), len(tasks)
}

// settleFinalizers runs the GC until unreachable clients are freed (their finalizers close
// the native client, its log pipe, and its pool's sockets).
func settleFinalizers() {
	for last := int64(-1); ; {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
		if n := ffi.LiveClients(); n == last {
			return
		} else {
			last = n
		}
	}
}

func TestAThousandClientsUsedOnceLeaveDescriptorsAndThreads(t *testing.T) {
	mock.reset(t)
	usedOnce := func() {
		c, err := ocus.NewClient(ocus.WithAPIKey(alpha), ocus.WithBaseURL(mock.baseURL))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Projects.Get(context.Background(), id0); err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	usedOnce() // what starts once per process is there before counting
	settleFinalizers()
	fds, threads := descriptorsAndThreads()
	for i := 0; i < 1000; i++ {
		usedOnce()
	}
	settleFinalizers()
	time.Sleep(100 * time.Millisecond) // the log goroutines see their pipe's end
	fdsAfter, threadsAfter := descriptorsAndThreads()
	// A client the GC has not collected yet keeps its connection and log pipe (about 3
	// descriptors) until it does (seen: at most 1 left over).
	if fdsAfter > fds+8 || threadsAfter > threads+2 {
		entries, _ := os.ReadDir("/proc/self/fd")
		kinds := map[string]int{}
		for _, e := range entries {
			target, _ := os.Readlink("/proc/self/fd/" + e.Name())
			kind, _, _ := strings.Cut(target, ":")
			kinds[kind]++
		}
		t.Fatalf("descriptors %d -> %d %v, threads %d -> %d (%d clients not collected)", fds, fdsAfter, kinds, threads, threadsAfter, ffi.LiveClients())
	}
}

func TestAThousandGoroutinesCancelMidFlight(t *testing.T) {
	mock.reset(t)
	// Longer than the wait below, so that no attempt times out before it is cancelled.
	c := newClient(t, ocus.WithTimeout(120*time.Second))
	mock.faults(t, map[string]any{"path": "/v3/projects/", "action": "hang", "probability": 1})
	defer mock.faults(t) // (reset by the next test)
	const calls = 1000
	var wg sync.WaitGroup
	var returnedEarly atomic.Int32
	errs := make([]error, calls)
	cancels := make([]context.CancelFunc, calls)
	cancelled := make(chan struct{})
	// On a failure below, no call is left hanging into the next tests.
	defer func() {
		for _, cancel := range cancels {
			if cancel != nil {
				cancel()
			}
		}
		wg.Wait()
	}()
	for i := range errs {
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i] = cancel
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Projects.Get(ctx, id0)
			select {
			case <-cancelled:
			default:
				returnedEarly.Add(1)
			}
		}()
	}
	// Cancel only once every call is held by the server, so each one is cancelled mid-flight
	// whatever the machine's speed (a fixed deadline made this depend on how fast 1,000
	// connections open under -race on a loaded machine).
	waitUntil := time.Now().Add(60 * time.Second)
	for len(mock.requests(t)) < calls {
		if time.Now().After(waitUntil) {
			t.Fatalf("only %d of %d calls reached the server in 60 s", len(mock.requests(t)), calls)
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(cancelled)
	started := time.Now()
	for _, cancel := range cancels {
		cancel()
	}
	wg.Wait()
	if elapsed := time.Since(started); elapsed > 5*time.Second {
		t.Fatalf("1,000 calls took %v to end after their cancellation", elapsed)
	}
	if n := returnedEarly.Load(); n != 0 {
		t.Fatalf("%d calls returned while the server held them", n)
	}
	for i, err := range errs {
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("call %d: %v", i, err)
		}
	}
}
