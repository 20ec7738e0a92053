//go:build unix

package ocus

import (
	"bufio"
	"log/slog"
	"os"
	"syscall"
)

// logOption makes the pipe the library writes a client's events to and the goroutine that
// hands them to logger, and sets the client's log_fd to its write end. The library keeps its
// own copy of that end, so the goroutine ends when the native client is freed; done closes
// ours once the client is built.
func logOption(options map[string]any, logger *slog.Logger) (done func(), err error) {
	var fds [2]int
	// Atomically close-on-exec (a child started meanwhile must not inherit the write end,
	// which would keep the reader alive) and non-blocking (the library never waits on a full
	// pipe; the read end is then watched by the netpoller).
	if err := syscall.Pipe2(fds[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err != nil {
		return nil, err
	}
	events := os.NewFile(uintptr(fds[0]), "ocus-log")
	go func() {
		defer events.Close()
		lines := bufio.NewScanner(events)
		for lines.Scan() {
			handleEvent(logger, lines.Bytes())
		}
	}()
	options["log_fd"] = fds[1]
	return func() { syscall.Close(fds[1]) }, nil
}
