//go:build unix

package ocus

import (
	"os"
	"syscall"

	"github.com/ocus/ocus-go/internal/ffi"
)

// doorbell waits on the completion queue's descriptor through Go's netpoller, so concurrent
// calls park goroutines, not OS threads.
func doorbell(queue *ffi.Queue) (wait func() error, err error) {
	fd, err := syscall.Dup(queue.FD())
	if err != nil {
		return nil, err
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	ring := os.NewFile(uintptr(fd), "ocus-completions")
	buf := make([]byte, 256)
	return func() error {
		_, err := ring.Read(buf)
		return err
	}, nil
}
