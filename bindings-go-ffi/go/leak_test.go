//go:build !race

// Memory, without the race detector (whose shadow memory grows with every allocation and
// would blur the figure): `make test-go` runs these in a second, plain `go test`.
package ocus_test

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

const (
	leakWindows   = 8
	leakPerWindow = 10_000
	// Half the smallest leak this test must catch (100 bytes per request).
	maxBytesPerRequest = 50
)

// steadySlope is the growth in bytes per request between the median of the first four samples
// and that of the last four: allocator noise and a one-off step move one side only, a leak
// moves both apart.
func steadySlope(samples []float64, perWindow int) float64 {
	median := func(values []float64) float64 {
		v := slices.Clone(values)
		slices.Sort(v)
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	distance := float64((len(samples) - 4) * perWindow)
	return (median(samples[len(samples)-4:]) - median(samples[:4])) / distance
}

func TestSteadySlopeIgnoresAStepAndCatchesA100ByteLeak(t *testing.T) {
	const mib = 1 << 20
	step := []float64{80, 80.1, 80, 82.2, 82.3, 82.2, 82.3, 82.2, 82.3} // up to ~2.5 MiB
	noise := []float64{1, -1, 0.5, 1, -0.5, 0.2, -1, 1, -1}
	leaking := make([]float64, len(noise))
	for i := range step {
		step[i] *= mib
		leaking[i] = 80*mib + float64(i*leakPerWindow*100) + noise[i]*mib
	}
	if s := steadySlope(step, leakPerWindow); s >= maxBytesPerRequest {
		t.Fatalf("a one-off step reads as %.1f B/request", s)
	}
	if s := steadySlope(leaking, leakPerWindow); s < maxBytesPerRequest {
		t.Fatalf("a 100 B/request leak reads as %.1f B/request", s)
	}
}

func TestNoSteadyMemoryGrowth(t *testing.T) {
	mock.reset(t)
	c := newClient(t)
	window := func() float64 {
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < leakPerWindow/8; i++ {
					if _, err := c.Projects.Get(context.Background(), id0); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		debug.FreeOSMemory() // a GC that also hands freed Go heap back, so RSS shows what is kept
		return float64(rssKiB(t) * 1024)
	}
	window() // warm-up: pools, caches and the allocators settle
	samples := []float64{window()}
	for i := 0; i < leakWindows; i++ {
		samples = append(samples, window())
	}
	slope := steadySlope(samples, leakPerWindow)
	shown := make([]string, len(samples))
	for i, s := range samples {
		shown[i] = fmt.Sprintf("%.1f", s/(1<<20))
	}
	t.Logf("memory: %.1f B/request; RSS per window (MiB): %s", slope, strings.Join(shown, ", "))
	if slope >= maxBytesPerRequest {
		t.Fatalf("memory grows %.1f B/request", slope)
	}
}

func rssKiB(t testing.TB) int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			n, _ := strconv.Atoi(strings.Fields(line)[1])
			return n
		}
	}
	t.Fatal("no VmRSS")
	return 0
}
