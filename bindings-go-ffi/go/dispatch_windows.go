package ocus

import (
	"errors"

	"github.com/ocus/ocus-go/internal/ffi"
)

// doorbell waits on the completion queue's socket in the dispatcher's goroutine, which holds
// one OS thread while it waits (Go's netpoller takes no foreign socket on Windows); the
// calls themselves still park goroutines, not threads.
func doorbell(queue *ffi.Queue) (wait func() error, err error) {
	return queue.WaitDoorbell, nil
}

// eventLoop is Linux's (the library makes no event-loop queue on Windows).
func eventLoop(*dispatcher) (run func(), poke func(), err error) {
	return nil, nil, errors.New("no event loop on Windows")
}
