package ocus_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ocus/ocus-go"
	"github.com/ocus/ocus-go/webhooks"
)

// Plays every shared scenario (tests/scenarios/*.json) through the Go package.
func TestScenarios(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(repoRoot(), "tests", "scenarios", "*.json"))
	sort.Strings(files)
	if len(files) < 40 {
		t.Fatalf("only %d scenario files", len(files))
	}
	// Both paths a call can take: blocking on the calling goroutine's thread (one call in
	// flight), and started on the runtime with the result coming back through the completion
	// queue (calls overlapping).
	for _, path := range []struct {
		name    string
		started bool
	}{{"blocking", false}, {"started", true}} {
		t.Run(path.name, func(t *testing.T) {
			defer ocus.SetAlwaysStart(ocus.SetAlwaysStart(path.started))
			if path.started && !ocus.DispatcherReady() {
				t.Fatal("no dispatcher: the calls would run blocking")
			}
			for _, file := range files {
				name := strings.TrimSuffix(filepath.Base(file), ".json")
				t.Run(name, func(t *testing.T) { runScenario(t, file) })
			}
		})
	}
}

type step struct {
	Op      string           `json:"op"`
	Args    map[string]any   `json:"args"`
	Options map[string]any   `json:"options"`
	Env     map[string]any   `json:"env"`
	Faults  []map[string]any `json:"faults"`
	Keys    []map[string]any `json:"keys"`
	Expect  map[string]any   `json:"expect"`
}

func num(m map[string]any, key string) (int, bool) {
	v, ok := m[key].(float64)
	return int(v), ok
}

func runScenario(t *testing.T, file string) {
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var sc struct {
		Keys  []map[string]any `json:"keys"`
		Steps []step           `json:"steps"`
	}
	if err := json.Unmarshal(raw, &sc); err != nil {
		t.Fatal(err)
	}
	mock.admin(t, "POST", "/__admin/reset", map[string]any{"keys": sc.Keys})
	keyFile := filepath.Join(t.TempDir(), "api_key")
	var client *ocus.Client
	defer func() {
		if client != nil {
			client.Close()
		}
	}()
	for i, s := range sc.Steps {
		where := fmt.Sprintf("step %d (%s)", i, s.Op)
		switch s.Op {
		case "faults":
			mock.admin(t, "POST", "/__admin/faults", s.Faults)
		case "set_keys":
			mock.admin(t, "POST", "/__admin/keys", map[string]any{"keys": s.Keys})
		case "write_key_file":
			os.WriteFile(keyFile, []byte(s.Args["content"].(string)), 0o600)
		case "check_requests":
			if msg := match(s.Expect, normaliseRequests(mock.requests(t)), "requests"); msg != "" {
				t.Fatalf("%s: %s", where, msg)
			}
		case "new_client":
			opts := []ocus.Option{}
			places := map[string]string{"key_file": keyFile}
			for name, value := range mock.admin(t, "GET", "/__admin/info", nil)["tls"].(map[string]any) {
				places["tls_"+name] = value.(string)
			}
			substitute := func(value any) any {
				text, ok := value.(string)
				if !ok {
					return value
				}
				for name, with := range places {
					text = strings.ReplaceAll(text, "${"+name+"}", with)
				}
				return text
			}
			for name, variable := range map[string]string{"proxy_url": "OCUS_TEST_PROXY_URL", "proxy_bad_url": "OCUS_TEST_PROXY_BAD_URL"} {
				if value, ok := os.LookupEnv(variable); ok {
					places[name] = value
				}
			}
			for name, value := range s.Options {
				s.Options[name] = substitute(value)
				if text, ok := s.Options[name].(string); ok && strings.Contains(text, "${") {
					t.Fatalf("unknown placeholder in %q: the proxy ones need scripts/with-proxy (make test uses it)", text)
				}
			}
			if proxy, ok := s.Options["proxy"].(string); ok {
				opts = append(opts, ocus.WithProxy(proxy))
			}
			if agent, ok := s.Options["user_agent"].(string); ok {
				opts = append(opts, ocus.WithUserAgent(agent))
			}
			if _, ok := s.Options["default_headers"]; ok {
				for name, value := range headers(s.Options, "default_headers") {
					opts = append(opts, ocus.WithHeader(name, value))
				}
			}
			base := mock.baseURL
			if b, ok := s.Options["base_url"].(string); ok {
				base = b
			}
			if ca, ok := s.Options["ca_bundle"].(string); ok {
				opts = append(opts, ocus.WithCABundle(ca))
			}
			// env: set while the client is built (the TLS verifier reads SSL_CERT_FILE then).
			for name, value := range s.Env {
				if value == nil {
					t.Setenv(name, "") // restored when the case ends
					os.Unsetenv(name)
				} else {
					text := substitute(value).(string)
					if strings.Contains(text, "${") {
						t.Fatalf("unknown placeholder in env %s: %q", name, text)
					}
					t.Setenv(name, text)
				}
			}
			opts = append(opts, ocus.WithBaseURL(base))
			if k, ok := s.Options["api_key"].(string); ok {
				opts = append(opts, ocus.WithAPIKey(k))
			}
			if s.Options["api_key_file"] == true {
				opts = append(opts, ocus.WithAPIKeyFile(keyFile))
			}
			if ms, ok := num(s.Options, "timeout_ms"); ok {
				opts = append(opts, ocus.WithTimeout(time.Duration(ms)*time.Millisecond))
			}
			if n, ok := num(s.Options, "max_retries"); ok {
				opts = append(opts, ocus.WithMaxRetries(n))
			}
			if n, ok := num(s.Options, "retry_budget"); ok {
				opts = append(opts, ocus.WithRetryBudget(n))
			}
			c, err := ocus.NewClient(opts...)
			if msg := check(s.Expect, nil, err, 0); msg != "" {
				t.Fatalf("%s: %s", where, msg)
			}
			client = c
		default:
			started := time.Now()
			var response ocus.Response
			out, err := call(client, s, &response)
			if msg := check(s.Expect, out, err, time.Since(started)); msg != "" {
				t.Fatalf("%s: %s", where, msg)
			}
			if want, ok := s.Expect["response"]; ok {
				if response.StatusCode == 0 {
					t.Fatalf("%s: no response to check", where)
				}
				if msg := match(want, normaliseResponse(&response), "response"); msg != "" {
					t.Fatalf("%s: %s", where, msg)
				}
			}
		}
	}
}

func callOpts(s step) []ocus.CallOption {
	var opts []ocus.CallOption
	if ms, ok := num(s.Options, "timeout_ms"); ok {
		opts = append(opts, ocus.WithCallTimeout(time.Duration(ms)*time.Millisecond))
	}
	if n, ok := num(s.Options, "max_retries"); ok {
		opts = append(opts, ocus.WithCallMaxRetries(n))
	}
	for name, value := range headers(s.Options, "headers") {
		opts = append(opts, ocus.WithCallHeader(name, value))
	}
	return opts
}

func headers(options map[string]any, key string) map[string]string {
	out := map[string]string{}
	given, _ := options[key].(map[string]any)
	for name, value := range given {
		out[name] = value.(string)
	}
	return out
}

func listParams(s step) *ocus.ListParams {
	p := &ocus.ListParams{}
	p.PageSize, _ = num(s.Args, "page_size")
	p.PageNumber, _ = num(s.Args, "page_number")
	if st, ok := s.Args["status"].(string); ok {
		p.Status = ocus.ProjectStatus(st)
	}
	p.Params, _ = s.Args["params"].(map[string]any)
	if ms, ok := num(s.Options, "timeout_ms"); ok {
		p.Timeout = time.Duration(ms) * time.Millisecond
	}
	if n, ok := num(s.Options, "max_retries"); ok {
		p.MaxRetries = &n
	}
	p.Headers = headers(s.Options, "headers")
	return p
}

// normaliseResponse is the response as tests/scenarios/README.md describes it.
func normaliseResponse(r *ocus.Response) map[string]any {
	path := r.URL
	if u, err := url.Parse(r.URL); err == nil {
		path = u.RequestURI()
	}
	headers := map[string]any{}
	for name, values := range r.Header {
		headers[strings.ToLower(name)] = strings.Join(values, ", ")
	}
	return map[string]any{"status": float64(r.StatusCode), "request_id": r.RequestID != "", "path": path,
		"attempts": float64(r.Attempts), "headers": headers}
}

// call runs one step and returns its normalised result; r receives the call's response when
// it has one.
func call(client *ocus.Client, s step, r *ocus.Response) (any, error) {
	ctx := context.Background()
	if s.Op == "webhooks.verify" {
		event, err := webhooks.Verify([]byte(s.Args["body"].(string)), s.Args["signature"].(string), s.Args["secret"].(string))
		if err != nil {
			return nil, err
		}
		orNil := func(v string) any {
			if v == "" {
				return nil
			}
			return v
		}
		return map[string]any{"id": event.ID, "type": event.Type, "organization_id": orNil(event.OrganizationID),
			"project_id": orNil(event.ProjectID), "status": orNil(event.Status), "signed_part": string(event.SignedPart)}, nil
	}
	switch s.Op {
	case "projects.list":
		page, err := client.Projects.ListPage(ctx, listParams(s), ocus.WithResponse(r))
		if err != nil {
			return nil, err
		}
		out := map[string]any{"count": float64(len(page.Data)), "has_next": page.HasNext, "meta": page.Meta, "first_id": nil, "last_id": nil}
		if len(page.Data) > 0 {
			out["first_id"], out["last_id"] = page.Data[0].ID, page.Data[len(page.Data)-1].ID
		}
		return out, nil
	case "projects.list_all":
		var all []ocus.Project
		for p, err := range client.Projects.List(ctx, listParams(s)) {
			if err != nil {
				return nil, err
			}
			all = append(all, p)
		}
		ids := map[string]bool{}
		statuses := map[string]any{}
		for _, p := range all {
			ids[p.ID] = true
			n, _ := statuses[string(p.Status)].(float64)
			statuses[string(p.Status)] = n + 1
		}
		out := map[string]any{"count": float64(len(all)), "unique_ids": float64(len(ids)), "statuses": statuses, "first_id": nil, "last_id": nil}
		if len(all) > 0 {
			out["first_id"], out["last_id"] = all[0].ID, all[len(all)-1].ID
		}
		return out, nil
	case "projects.pages":
		count, responses := 0, []any{}
		for page, err := range client.Projects.Pages(ctx, listParams(s)) {
			if err != nil {
				return nil, err
			}
			count += len(page.Data)
			responses = append(responses, normaliseResponse(page.Response))
		}
		return map[string]any{"pages": float64(len(responses)), "count": float64(count), "responses": responses}, nil
	case "projects.get":
		p, err := client.Projects.Get(ctx, s.Args["id"].(string), append(callOpts(s), ocus.WithResponse(r))...)
		if err != nil {
			return nil, err
		}
		var status any
		if p.Status != "" {
			status = string(p.Status)
		}
		return map[string]any{"id": p.ID, "type": p.Type, "status": status, "known_status": p.IsKnownStatus, "attributes": p.Attributes}, nil
	case "request":
		opts := &ocus.RequestOptions{JSON: s.Args["json"], Headers: headers(s.Options, "headers")}
		opts.Query, _ = s.Args["query"].(map[string]any)
		if ms, ok := num(s.Options, "timeout_ms"); ok {
			opts.Timeout = time.Duration(ms) * time.Millisecond
		}
		if n, ok := num(s.Options, "max_retries"); ok {
			opts.MaxRetries = &n
		}
		raw, err := client.Request(ctx, s.Args["method"].(string), s.Args["path"].(string), opts, ocus.WithResponse(r))
		if err != nil {
			return nil, err
		}
		var out any
		json.Unmarshal(raw, &out)
		return out, nil
	case "close":
		return nil, client.Close()
	case "rotate_api_key":
		return nil, client.RotateAPIKey(s.Args["key"].(string))
	}
	return nil, fmt.Errorf("unknown op %s", s.Op)
}

func check(expect map[string]any, out any, err error, elapsed time.Duration) string {
	ms := float64(elapsed.Milliseconds())
	if min, ok := expect["min_elapsed_ms"].(float64); ok && ms < min {
		return fmt.Sprintf("took %v ms, expected at least %v", ms, min)
	}
	if max, ok := expect["max_elapsed_ms"].(float64); ok && ms > max {
		return fmt.Sprintf("took %v ms, expected at most %v", ms, max)
	}
	wanted, wantErr := expect["error"].(map[string]any)
	if !wantErr {
		if err != nil {
			return fmt.Sprintf("unexpected error %v", err)
		}
		if result, ok := expect["result"]; ok {
			return match(result, out, "result")
		}
		return ""
	}
	if err == nil {
		return fmt.Sprintf("expected an error, got %v", out)
	}
	var e *ocus.Error
	if !errors.As(err, &e) {
		return fmt.Sprintf("not an *ocus.Error: %v", err)
	}
	actual := map[string]any{"kind": e.Kind, "message": e.Message, "request_id": e.RequestID != "", "body": e.Body, "has_cause": hasCause(e)}
	actual["status"], actual["code"], actual["retry_after"] = nil, nil, nil
	if e.Status != 0 {
		actual["status"] = float64(e.Status)
	}
	if e.Code != "" {
		actual["code"] = e.Code
	}
	if e.RetryAfter != 0 {
		actual["retry_after"] = e.RetryAfter.Seconds()
	}
	if part, ok := wanted["message_contains"].(string); ok {
		if !strings.Contains(e.Message, part) {
			return fmt.Sprintf("message %q does not contain %q", e.Message, part)
		}
		actual["message_contains"] = part
	}
	if max, ok := wanted["body_max_len"].(float64); ok {
		if float64(len(e.Body)) > max {
			return fmt.Sprintf("body is %d bytes", len(e.Body))
		}
		actual["body_max_len"] = max
	}
	if msg := match(wanted, actual, "error"); msg != "" {
		return fmt.Sprintf("%s (error was %v)", msg, err)
	}
	return ""
}

func match(expected, actual any, where string) string {
	if want, ok := expected.(map[string]any); ok {
		if pattern, ok := want["$matches"].(string); ok {
			if have, ok := actual.(string); ok {
				if !regexp.MustCompile(pattern).MatchString(have) {
					return fmt.Sprintf("%s: got %q, expected a match of %q", where, have, pattern)
				}
				return ""
			}
		}
	}
	switch want := expected.(type) {
	case map[string]any:
		have, ok := actual.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: got %v, expected an object", where, actual)
		}
		for k, v := range want {
			got, present := have[k]
			if !present || got == nil {
				if v == nil {
					continue
				}
				if !present {
					return fmt.Sprintf("%s.%s: missing, expected %v", where, k, v)
				}
			}
			if msg := match(v, got, where+"."+k); msg != "" {
				return msg
			}
		}
		return ""
	case []any:
		have, ok := actual.([]any)
		if !ok || len(have) != len(want) {
			return fmt.Sprintf("%s: got %v, expected %v", where, actual, want)
		}
		for i := range want {
			if msg := match(want[i], have[i], fmt.Sprintf("%s[%d]", where, i)); msg != "" {
				return msg
			}
		}
		return ""
	case float64:
		switch have := actual.(type) {
		case float64:
			if have == want {
				return ""
			}
		case int:
			if float64(have) == want {
				return ""
			}
		}
		return fmt.Sprintf("%s: got %v, expected %v", where, actual, want)
	default:
		if reflect.DeepEqual(expected, actual) {
			return ""
		}
		return fmt.Sprintf("%s: got %#v, expected %#v", where, actual, expected)
	}
}

func normaliseRequests(log []map[string]any) map[string]any {
	var main []any
	foreign, foreignWithKey := 0, 0
	for _, r := range log {
		headers, _ := r["headers"].(map[string]any)
		_, hasKey := headers["x-api-key"]
		_, hasAuth := headers["authorization"]
		if r["origin"] != "main" {
			foreign++
			if hasKey {
				foreignWithKey++
			}
			continue
		}
		main = append(main, map[string]any{"method": r["method"], "path": r["path"], "query": r["query"], "key": r["key"],
			"auth": r["auth"], "has_x_api_key": hasKey, "has_authorization": hasAuth, "http_version": r["http_version"], "headers": r["headers"]})
	}
	if main == nil {
		main = []any{}
	}
	return map[string]any{"count": float64(len(main)), "requests": main, "foreign_count": float64(foreign), "foreign_with_key": float64(foreignWithKey)}
}

// hasCause reports whether the error leads, through Unwrap, to a cause other than the sentinels.
func hasCause(e *ocus.Error) bool {
	for _, wrapped := range e.Unwrap() {
		if len(e.Causes) > 0 && wrapped.Error() == e.Causes[0] {
			return true
		}
	}
	return false
}
