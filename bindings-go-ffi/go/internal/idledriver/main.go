// Command idledriver measures what an idle client costs, for bench/idle_cpu.py: with "ocus" it
// opens a client and makes one call (so the pool, the runtime and the dispatcher exist), then
// does nothing for SECONDS and prints the process's CPU time over that window as one JSON line;
// with "none" it only waits (the Go runtime's own floor).
//
// Usage: idledriver BASE_URL ID SECONDS ocus|none
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/ocus/ocus-go"
)

func cpu() time.Duration {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		panic(err)
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: idledriver BASE_URL ID SECONDS ocus|none")
		os.Exit(2)
	}
	base, id, which := os.Args[1], os.Args[2], os.Args[4]
	seconds, _ := strconv.Atoi(os.Args[3])
	if which == "ocus" {
		client, err := ocus.NewClient(ocus.WithAPIKey(os.Getenv("KEY")), ocus.WithBaseURL(base))
		if err != nil {
			panic(err)
		}
		defer client.Close()
		ctx := context.Background()
		// Both paths: one call alone (blocking), two at once (started, so the dispatcher runs).
		if _, err := client.Projects.Get(ctx, id); err != nil {
			panic(err)
		}
		done := make(chan error, 2)
		for range 2 {
			go func() { _, err := client.Projects.Get(ctx, id); done <- err }()
		}
		for range 2 {
			if err := <-done; err != nil {
				panic(err)
			}
		}
	}
	time.Sleep(time.Second) // let start-up work (GC, timers) settle before the window
	before := cpu()
	time.Sleep(time.Duration(seconds) * time.Second)
	used := cpu() - before
	line, _ := json.Marshal(map[string]any{"cpu_ms": float64(used) / 1e6, "seconds": seconds})
	fmt.Println(string(line))
}
