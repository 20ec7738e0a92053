package ffi

/*
#include <stdint.h>
#include <stdlib.h>
// cgo compiles each file's preamble on its own, in no set order: without the header this one
// must fail with ffi.go's words, not the preprocessor's (build_test.go).
#if !__has_include("ocus.h")
#error "ocus: internal/ffi/include/ocus.h is missing. In the ocus repository, run `make go-lib` first: it builds target/release/libocus_ffi.a with cargo and links the header and the library here. A published module carries both."
#else
#include "ocus.h"

// Defined in trace_export.go (exported from Go).
extern void ocusGoTraceEvents(size_t context, char *events, size_t len);
extern size_t ocusGoTraceAttempt(size_t context, char *events, size_t len, char *out, size_t capacity);
extern void ocusGoTraceRelease(size_t context);

static uint64_t ocus_go_trace_new(size_t context) {
	OcusTraceCallbacks callbacks = {
		(void (*)(size_t, const char *, size_t))ocusGoTraceEvents,
		(size_t (*)(size_t, const char *, size_t, char *, size_t))ocusGoTraceAttempt,
		ocusGoTraceRelease,
	};
	return ocus_trace_new(&callbacks, context);
}
#endif
*/
import "C"

import "runtime/cgo"

// TraceHandler receives one traced call's events (a JSON array of the core's descriptions)
// from the library, on the thread the request runs on: the events before an attempt with it,
// the rest when the operation ends.
type TraceHandler interface {
	// Events ends with an operation_ended event.
	Events(events []byte)
	// AttemptStarted's events end with an attempt_started; it returns the propagation headers
	// of the attempt's span, as the JSON array of [name, value] pairs the library reads.
	AttemptStarted(events []byte) []byte
}

// NewTrace registers handler for calls that name the returned id in their options
// ("trace": id); 0 if the library refused it. The library releases handler once FreeTrace was
// called and no call holds it any more.
func NewTrace(handler TraceHandler) uint64 {
	handle := cgo.NewHandle(handler)
	id := uint64(C.ocus_go_trace_new(C.size_t(handle)))
	if id == 0 {
		handle.Delete()
	}
	return id
}

// FreeTrace forgets id (calls holding it go on reporting to it).
func FreeTrace(id uint64) { C.ocus_trace_free(C.uint64_t(id)) }
