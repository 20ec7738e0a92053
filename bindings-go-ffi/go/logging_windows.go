package ocus

import "log/slog"

// logOption: the library's event pipe (log_fd) is Unix-only, so on Windows a client's events
// do not reach slog yet; calls, errors and responses are the same.
func logOption(options map[string]any, logger *slog.Logger) (done func(), err error) {
	return func() {}, nil
}
