// Command syscalldriver runs COUNT gets of one project, IN_FLIGHT at a time, through the
// package or net/http, for bench/syscalls.py (which counts its system calls under strace).
//
// Usage: syscalldriver BASE_URL ID COUNT IN_FLIGHT ocus|net/http
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/ocus/ocus-go"
)

const key = "bench_key_0123456789"

func main() {
	if len(os.Args) != 6 {
		fmt.Fprintln(os.Stderr, "usage: syscalldriver BASE_URL ID COUNT IN_FLIGHT ocus|net/http")
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
