//go:build unix

package ocus

import (
	"errors"
	"os"
	"sync"
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
	// One turn at a time (the runtime is driven by one thread at a time): the dispatcher's,
	// or, when no turn is running, that of a goroutine that just started a call. With the
	// dispatcher alone, turns waited for its goroutine to be scheduled among all the callers'
	// (at 1,000 in flight, 20-25% fewer calls per second than the library's threads).
	var turning sync.Mutex
	// asked: a turn is due that no turn has begun since (set before trying the lock: a
	// holder about to leave sees it and turns again).
	var asked atomic.Bool
	// turnLocked takes turns while one is asked for, at most most; the deadline is the last
	// turn's (set under the lock, so the latest state wins). True if a turn is still due.
	turnLocked := func(most int) bool {
		for i := 0; i < most; i++ {
			asked.Store(false)
			completions, again := d.queue.Turn()
			d.hand(completions)
			if again == 0 {
				asked.Store(true)
				continue
			}
			deadline := time.Time{}
			if again > 0 {
				deadline = time.Now().Add(again)
			}
			watched.SetReadDeadline(deadline)
			if !asked.Load() {
				return false
			}
		}
		return true
	}
	poke = func() {
		asked.Store(true)
		for asked.Load() && turning.TryLock() {
			due := turnLocked(4)
			turning.Unlock()
			if due {
				watched.SetReadDeadline(longAgo) // the rest is the dispatcher's
				return
			}
		}
	}
	// The dispatcher's turn; true to go round again at once, false to wait for the
	// descriptor or the deadline.
	turn := func(uintptr) bool {
		if !turning.TryLock() {
			asked.Store(true) // the goroutine turning now turns again for this
			return false
		}
		due := turnLocked(64)
		turning.Unlock()
		return due
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
