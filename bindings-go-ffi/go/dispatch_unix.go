//go:build unix

package ocus

import (
	"errors"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ocus/ocus-go/internal/ffi"
)

// pollable duplicates the queue's descriptor for Go's netpoller: close-on-exec (a child
// process must not inherit it) and non-blocking, so os.NewFile registers it with the
// netpoller (epoll_wait ignores the flag).
func pollable(queue *ffi.Queue, name string) (*os.File, error) {
	// Held as os does, so no fork happens between the dup and the flag.
	syscall.ForkLock.RLock()
	fd, err := syscall.Dup(queue.FD())
	if err == nil {
		syscall.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, err
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), name), nil
}

// doorbell waits on the completion queue's descriptor through Go's netpoller, so concurrent
// calls park goroutines, not OS threads.
func doorbell(queue *ffi.Queue) (wait func() error, err error) {
	ring, err := pollable(queue, "ocus-completions")
	if err != nil {
		return nil, err
	}
	buf := make([]byte, 256)
	return func() error {
		_, err := ring.Read(buf)
		return err
	}, nil
}

// longAgo is a read deadline that has passed: setting it wakes the dispatcher at once.
var longAgo = time.Unix(1, 0)

// eventLoop makes the goroutine that drives an event-loop queue: run takes a turn whenever the
// queue's runtime has I/O ready (its descriptor, in Go's netpoller), when poke was called (a
// call was started), and on the deadline the last turn asked for (the runtime's timers fire
// only in a turn). Waking it is a read deadline moved into the past: no system call.
func eventLoop(d *dispatcher) (run func(), poke func(), err error) {
	watched, err := pollable(d.queue, "ocus-event-loop")
	if err != nil {
		return nil, nil, err
	}
	raw, err := watched.SyscallConn()
	if err == nil {
		// Fails unless the netpoller took the descriptor.
		err = watched.SetReadDeadline(time.Time{})
	}
	if err != nil {
		watched.Close()
		return nil, nil, err
	}
	var pokes atomic.Uint64
	poke = func() {
		pokes.Add(1)
		watched.SetReadDeadline(longAgo)
	}
	// One turn; true to go round again at once, false to wait for the descriptor or the
	// deadline.
	turn := func(uintptr) bool {
		seen := pokes.Load()
		completions, again := d.queue.Turn()
		d.hand(completions)
		if again == 0 {
			return true
		}
		deadline := time.Time{}
		if again > 0 {
			deadline = time.Now().Add(again)
		}
		watched.SetReadDeadline(deadline)
		// A poke meanwhile may have been overwritten by this deadline: turn again for it.
		return pokes.Load() != seen
	}
	run = func() {
		for {
			err := raw.Read(turn)
			if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
				return // the descriptor was closed: never, it lives as long as the process
			}
			// Past (a poke) or due: a read with it would fail before turning.
			watched.SetReadDeadline(time.Time{})
		}
	}
	return run, poke, nil
}
