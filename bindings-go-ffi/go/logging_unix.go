//go:build unix

package ocus

import (
	"bufio"
	"log/slog"
	"os"
)

// logOption makes the pipe the library writes a client's events to and the goroutine that
// hands them to logger, and sets the client's log_fd to its write end. The library keeps its
// own copy of that end, so the goroutine ends when the native client is freed; done closes
// ours once the client is built.
func logOption(options map[string]any, logger *slog.Logger) (done func(), err error) {
	// os.Pipe makes both ends close-on-exec (a child started meanwhile must not inherit the
	// write end, which would keep the reader alive) and non-blocking (the library never waits
	// on a full pipe; the read end is watched by the netpoller), on Linux and macOS alike
	// (macOS has no pipe2).
	events, writeEnd, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	// Through Control, not Fd(): Fd() would put the write end back into blocking mode.
	raw, err := writeEnd.SyscallConn()
	if err == nil {
		err = raw.Control(func(fd uintptr) { options["log_fd"] = int(fd) })
	}
	if err != nil {
		events.Close()
		writeEnd.Close()
		return nil, err
	}
	go func() {
		defer events.Close()
		lines := bufio.NewScanner(events)
		for lines.Scan() {
			handleEvent(logger, lines.Bytes())
		}
	}()
	return func() { writeEnd.Close() }, nil
}
