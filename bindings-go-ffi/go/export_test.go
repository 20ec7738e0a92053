package ocus

// SetAlwaysStart makes every call take the started path (the completion queue and the
// dispatcher) instead of the blocking one used when a client has one call in flight; it
// returns the previous setting.
func SetAlwaysStart(on bool) bool { return alwaysStart.Swap(on) }

// DispatcherReady reports whether started calls have a dispatcher (else they run blocking).
func DispatcherReady() bool { return getDispatcher() != nil }

// DispatcherPath is where started calls run: "event-loop" (on the dispatcher's goroutine) or
// "threads" (the library's), "" without a dispatcher.
func DispatcherPath() string {
	d := getDispatcher()
	if d == nil {
		return ""
	}
	return d.path
}
