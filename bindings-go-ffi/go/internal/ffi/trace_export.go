package ffi

/*
#include <stddef.h>
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

// The library's trace callbacks (trace.go passes them to ocus_trace_new); context is the
// cgo.Handle of a TraceHandler.

//export ocusGoTraceEvents
func ocusGoTraceEvents(context C.size_t, events *C.char, length C.size_t) {
	handler := cgo.Handle(context).Value().(TraceHandler)
	handler.Events(C.GoBytes(unsafe.Pointer(events), C.int(length)))
}

//export ocusGoTraceAttempt
func ocusGoTraceAttempt(context C.size_t, events *C.char, length C.size_t, out *C.char, capacity C.size_t) C.size_t {
	handler := cgo.Handle(context).Value().(TraceHandler)
	headers := handler.AttemptStarted(C.GoBytes(unsafe.Pointer(events), C.int(length)))
	if len(headers) <= int(capacity) {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(out)), int(capacity)), headers)
	}
	return C.size_t(len(headers))
}

//export ocusGoTraceRelease
func ocusGoTraceRelease(context C.size_t) {
	cgo.Handle(context).Delete()
}
