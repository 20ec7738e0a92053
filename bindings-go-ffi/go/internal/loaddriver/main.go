// Command loaddriver is the Go driver of the load test (tests/load/run.py): LOAD_CALLS gets,
// LOAD_CONCURRENCY at a time, through the package; it prints what each returned and run.py
// does the checking.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ocus/ocus-go"
)

func envInt(name string) int {
	n, err := strconv.Atoi(os.Getenv(name))
	if err != nil {
		panic(name + ": " + err.Error())
	}
	return n
}

func resources() map[string]int {
	runtime.GC()
	status, _ := os.ReadFile("/proc/self/status")
	out := map[string]int{}
	for _, line := range strings.Split(string(status), "\n") {
		name, value, _ := strings.Cut(line, ":")
		fields := strings.Fields(value)
		if len(fields) == 0 {
			continue
		}
		switch name {
		case "VmRSS":
			out["rss_kb"], _ = strconv.Atoi(fields[0])
		case "Threads":
			out["threads"], _ = strconv.Atoi(fields[0])
		}
	}
	fds, _ := os.ReadDir("/proc/self/fd")
	out["fds"] = len(fds)
	return out
}

func faults(method, body string) {
	request, _ := http.NewRequest(method, os.Getenv("LOAD_ADMIN_URL")+"/__admin/faults", strings.NewReader(body))
	request.Header.Set("content-type", "application/json")
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		panic(err)
	}
	response.Body.Close()
	http.DefaultClient.CloseIdleConnections()
}

// pool runs fn(0..count-1), concurrency at a time.
func pool(count, concurrency int, fn func(int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(concurrency, count); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				index := int(next.Add(1) - 1)
				if index >= count {
					return
				}
				fn(index)
			}
		}()
	}
	wg.Wait()
}

// soak (tests/load/soak.py) calls until the deadline, keeping only counts (so the driver's own
// memory stays flat); the orchestrator sets the faults.
func soak(client *ocus.Client, ids []string, concurrency int, seconds int) {
	deadline := time.Now().Add(time.Duration(seconds) * time.Second)
	var mu sync.Mutex
	outcomes := map[string]int{}
	calls := 0
	var wg sync.WaitGroup
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for index := w; time.Now().Before(deadline); index += concurrency {
				kind := "ok"
				if _, err := client.Projects.Get(context.Background(), ids[index%len(ids)]); err != nil {
					var failure *ocus.Error
					if !errors.As(err, &failure) {
						panic(err)
					}
					kind = failure.Kind
				}
				mu.Lock()
				outcomes[kind]++
				calls++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	json.NewEncoder(os.Stdout).Encode(map[string]any{"calls": calls, "outcomes": outcomes})
}

func main() {
	concurrency := envInt("LOAD_CONCURRENCY")
	ids := strings.Split(os.Getenv("LOAD_IDS"), ",")
	options := []ocus.Option{ocus.WithTimeout(time.Duration(envInt("LOAD_TIMEOUT_MS")) * time.Millisecond),
		ocus.WithMaxRetries(envInt("LOAD_MAX_RETRIES"))}
	if os.Getenv("LOAD_IDLE_TIMEOUT_MS") != "" {
		options = append(options, ocus.WithIdleTimeout(time.Duration(envInt("LOAD_IDLE_TIMEOUT_MS"))*time.Millisecond))
	}
	client, err := ocus.NewClient(options...)
	if err != nil {
		panic(err)
	}
	if os.Getenv("LOAD_SECONDS") != "" {
		soak(client, ids, concurrency, envInt("LOAD_SECONDS"))
		return
	}
	calls := envInt("LOAD_CALLS")
	ctx := context.Background()
	pool(2*concurrency, concurrency, func(i int) { client.Projects.Get(ctx, ids[i%len(ids)]) })
	// Every connection the warm-up opened has closed (the idle timeout's rule): "before" and
	// "after" count no pooled connection, so anything left open after the run is a leak.
	settle := time.Duration(envInt("LOAD_SETTLE_MS")) * time.Millisecond
	time.Sleep(settle)
	before := resources()
	faults("DELETE", "")
	faults("POST", os.Getenv("LOAD_FAULTS"))
	results := make([][]any, calls)
	started := time.Now()
	pool(calls, concurrency, func(i int) {
		id := ids[i%len(ids)]
		begun := time.Now()
		project, err := client.Projects.Get(ctx, id, ocus.WithCallHeader("x-load-call", strconv.Itoa(i)))
		ms := float64(time.Since(begun).Microseconds()) / 1000
		var failure *ocus.Error
		switch {
		case err == nil:
			results[i] = []any{i, "ok", ms, project.ID == id}
		case errors.As(err, &failure):
			results[i] = []any{i, failure.Kind, ms, false}
		default:
			panic(err)
		}
	})
	elapsed := time.Since(started).Seconds()
	faults("DELETE", "")
	// Resources once the pool has let go of its connections: at most "before"'s descriptors,
	// or as they are after the settle time and 1 s more (then the check says how many).
	lastCall := time.Now()
	after := resources()
	for after["fds"] > before["fds"] && time.Since(lastCall) < settle+time.Second {
		time.Sleep(20 * time.Millisecond)
		after = resources()
	}
	json.NewEncoder(os.Stdout).Encode(map[string]any{"before": before, "after": after,
		"settle_ms": time.Since(lastCall).Milliseconds(), "elapsed_s": elapsed, "calls": results})
	client.Close()
}
