// Command syscalldriver runs COUNT gets of one project, IN_FLIGHT at a time, through the
// package or net/http, for bench/syscalls.py (which counts its system calls under strace) and
// bench/many_in_flight.py (with "report": a warm-up of IN_FLIGHT calls, then COUNT timed ones,
// and one JSON line of throughput, latency percentiles and resources).
//
// Usage: syscalldriver BASE_URL ID COUNT IN_FLIGHT ocus|net/http [report]
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ocus/ocus-go"
)

const key = "bench_key_0123456789"

func main() {
	if len(os.Args) != 6 && (len(os.Args) != 7 || os.Args[6] != "report") {
		fmt.Fprintln(os.Stderr, "usage: syscalldriver BASE_URL ID COUNT IN_FLIGHT ocus|net/http [report]")
		os.Exit(2)
	}
	base, id, which := os.Args[1], os.Args[2], os.Args[5]
	count, _ := strconv.Atoi(os.Args[3])
	inFlight, _ := strconv.Atoi(os.Args[4])
	ctx := context.Background()
	var call func() error
	switch which {
	case "ocus":
		client, err := ocus.NewClient(ocus.WithAPIKey(key), ocus.WithBaseURL(base))
		if err != nil {
			panic(err)
		}
		defer client.Close()
		call = func() error {
			_, err := client.Projects.Get(ctx, id)
			return err
		}
	case "net/http":
		transport := &http.Transport{MaxIdleConnsPerHost: inFlight}
		httpClient := &http.Client{Transport: transport}
		url := base + "/projects/" + id
		call = func() error {
			request, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			request.Header.Set("X-API-KEY", key)
			response, err := httpClient.Do(request)
			if err != nil {
				return err
			}
			defer response.Body.Close()
			body, err := io.ReadAll(response.Body)
			if err != nil {
				return err
			}
			var project map[string]any
			return json.Unmarshal(body, &project)
		}
	default:
		panic("unknown client " + which)
	}
	if len(os.Args) == 7 {
		report(call, count, inFlight)
		return
	}
	var next atomic.Int64
	var wait sync.WaitGroup
	for range inFlight {
		wait.Add(1)
		go func() {
			defer wait.Done()
			for next.Add(1) <= int64(count) {
				if err := call(); err != nil {
					panic(err)
				}
			}
		}()
	}
	wait.Wait()
}

// report runs IN_FLIGHT calls to open every connection, then COUNT timed ones, and prints what
// bench/many_in_flight.py tabulates for every language (the same keys as bench/node_bench.js).
func report(call func() error, count, inFlight int) {
	run := func(calls int) ([]time.Duration, int64) {
		latencies := make([][]time.Duration, inFlight)
		var next, errors atomic.Int64
		var wait sync.WaitGroup
		for worker := range inFlight {
			wait.Add(1)
			go func() {
				defer wait.Done()
				for next.Add(1) <= int64(calls) {
					start := time.Now()
					if call() != nil {
						errors.Add(1)
					}
					latencies[worker] = append(latencies[worker], time.Since(start))
				}
			}()
		}
		wait.Wait()
		return slices.Concat(latencies...), errors.Load()
	}
	run(inFlight)
	start := time.Now()
	latencies, errors := run(count)
	seconds := time.Since(start).Seconds()
	slices.Sort(latencies)
	milliseconds := func(q float64) float64 { return latencies[int(float64(len(latencies))*q)].Seconds() * 1000 }
	descriptors, _ := os.ReadDir("/proc/self/fd")
	threads, _ := os.ReadDir("/proc/self/task")
	out, _ := json.Marshal(map[string]any{
		"perSecond": float64(count) / seconds, "p50": milliseconds(0.5), "p99": milliseconds(0.99),
		"rssMiB": residentMiB(), "fds": len(descriptors), "threads": len(threads), "errors": errors,
	})
	fmt.Println(string(out))
}

// residentMiB is VmRSS from /proc/self/status: the process's memory, Go heap and Rust alike.
func residentMiB() float64 {
	status, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(status), "\n") {
		if fields := strings.Fields(line); len(fields) >= 2 && fields[0] == "VmRSS:" {
			kib, _ := strconv.ParseFloat(fields[1], 64)
			return kib / 1024
		}
	}
	return 0
}
