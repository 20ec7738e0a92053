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

//export ocusGoTraceEvent
func ocusGoTraceEvent(context C.size_t, event *C.char, length C.size_t) {
	handler := cgo.Handle(context).Value().(TraceHandler)
	handler.Event(C.GoBytes(unsafe.Pointer(event), C.int(length)))
}

//export ocusGoTraceAttempt
func ocusGoTraceAttempt(context C.size_t, event *C.char, length C.size_t, out *C.char, capacity C.size_t) C.size_t {
	handler := cgo.Handle(context).Value().(TraceHandler)
	headers := handler.AttemptStarted(C.GoBytes(unsafe.Pointer(event), C.int(length)))
	if len(headers) <= int(capacity) {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(out)), int(capacity)), headers)
	}
	return C.size_t(len(headers))
}

//export ocusGoTraceRelease
func ocusGoTraceRelease(context C.size_t) {
	cgo.Handle(context).Delete()
}
