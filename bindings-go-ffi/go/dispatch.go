package ocus

import (
	"os"
	"sync"
	"sync/atomic"

	"github.com/ocus/ocus-go/internal/ffi"
)

// dispatcher receives the results of started calls and hands each to the goroutine waiting
// for it; the library calls back into Go only for a Tracer. Where it can (Linux), the calls
// run on the dispatcher's own goroutine: it drives the library's runtime whenever that
// runtime's descriptor is readable in Go's netpoller, so a call's I/O and result stay on Go's
// threads (a Tracer's callbacks run there too).
// Elsewhere they run on the library's threads, and the dispatcher waits for their results on
// the completion queue's descriptor. Either way concurrent calls park goroutines, not OS
// threads.
type dispatcher struct {
	queue   *ffi.Queue
	next    atomic.Uint64
	mu      sync.Mutex
	waiting map[uint64]chan ffi.Completion
	// poke asks for a turn soon: calls started on an event-loop queue wait for the next one.
	poke func()
	// path is where started calls run: "event-loop" or "threads".
	path string
}

var (
	sharedDispatcher *dispatcher
	dispatcherOnce   sync.Once
)

// getDispatcher returns the process-wide dispatcher, or nil if it could not start (calls
// then block a thread each, which is slower but correct).
func getDispatcher() *dispatcher {
	dispatcherOnce.Do(func() {
		d := &dispatcher{waiting: map[uint64]chan ffi.Completion{}, poke: func() {}}
		// OCUS_GO_THREADED=1 keeps started calls on the library's threads (to compare, or
		// if driving them from the netpoller ever misbehaves somewhere).
		if os.Getenv("OCUS_GO_THREADED") != "1" {
			if queue := ffi.NewEventLoopQueue(); queue != nil {
				d.queue = queue
				if run, poke, err := eventLoop(d); err == nil {
					d.poke, d.path = poke, "event-loop"
					go run()
					sharedDispatcher = d
					return
				}
				queue.Free() // nothing was started on it
			}
		}
		queue := ffi.NewQueue()
		if queue == nil {
			return
		}
		ring, err := doorbell(queue)
		if err != nil {
			return
		}
		d.queue, d.path = queue, "threads"
		go d.run(ring)
		sharedDispatcher = d
	})
	return sharedDispatcher
}

// run waits for the doorbell (wait returns once results are queued) and hands the results
// over.
func (d *dispatcher) run(wait func() error) {
	for {
		if err := wait(); err != nil {
			return
		}
		d.hand(d.queue.Drain())
	}
}

// hand gives each result to the goroutine waiting for it.
func (d *dispatcher) hand(completions []ffi.Completion) {
	if len(completions) == 0 {
		return
	}
	channels := make([]chan ffi.Completion, len(completions))
	d.mu.Lock()
	for i, completion := range completions {
		channels[i] = d.waiting[completion.Ticket]
		delete(d.waiting, completion.Ticket)
	}
	d.mu.Unlock()
	for i, ch := range channels {
		if ch != nil {
			ch <- completions[i]
		}
	}
}

// register reserves a ticket and the channel its completion will arrive on.
func (d *dispatcher) register() (uint64, chan ffi.Completion) {
	ticket := d.next.Add(1)
	ch := make(chan ffi.Completion, 1)
	d.mu.Lock()
	d.waiting[ticket] = ch
	d.mu.Unlock()
	return ticket, ch
}

func (d *dispatcher) forget(ticket uint64) {
	d.mu.Lock()
	delete(d.waiting, ticket)
	d.mu.Unlock()
}
