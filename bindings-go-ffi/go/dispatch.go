package ocus

import (
	"sync"
	"sync/atomic"

	"github.com/ocus/ocus-go/internal/ffi"
)

// dispatcher receives the results of calls started on the library's threads. It waits on the
// completion queue's descriptor through Go's netpoller, so concurrent calls park goroutines,
// not OS threads; the library never calls back into Go.
type dispatcher struct {
	queue   *ffi.Queue
	next    atomic.Uint64
	mu      sync.Mutex
	waiting map[uint64]chan ffi.Completion
}

var (
	sharedDispatcher *dispatcher
	dispatcherOnce   sync.Once
)

// getDispatcher returns the process-wide dispatcher, or nil if it could not start (calls
// then block a thread each, which is slower but correct).
func getDispatcher() *dispatcher {
	dispatcherOnce.Do(func() {
		queue := ffi.NewQueue()
		if queue == nil {
			return
		}
		ring, err := doorbell(queue)
		if err != nil {
			return
		}
		d := &dispatcher{queue: queue, waiting: map[uint64]chan ffi.Completion{}}
		go d.run(ring)
		sharedDispatcher = d
	})
	return sharedDispatcher
}

// run waits for the doorbell (wait returns once results are queued) and hands each result to
// the goroutine waiting for it.
func (d *dispatcher) run(wait func() error) {
	for {
		if err := wait(); err != nil {
			return
		}
		for _, completion := range d.queue.Drain() {
			d.mu.Lock()
			ch := d.waiting[completion.Ticket]
			delete(d.waiting, completion.Ticket)
			d.mu.Unlock()
			if ch != nil {
				ch <- completion
			}
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
