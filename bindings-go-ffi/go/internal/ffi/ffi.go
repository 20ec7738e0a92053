// Package ffi is the cgo plumbing over the C ABI (include/ocus.h). It converts Go values to C
// and back and frees everything it allocates; it decides nothing.
//
// The module carries the header (include/) and one static library per platform
// (lib/<goos>_<goarch>/libocus_ffi.a), linked by full path from link_<goos>_<goarch>.go: with
// -L/-l the linker would prefer a .so and the program would fail at run time. In this
// repository `make go-lib` builds the library and puts both in place; a published module
// carries them (`make dist`).
package ffi

/*
#cgo CFLAGS: -I${SRCDIR}/include -I${SRCDIR}
// Said here, at compile time, instead of a bare "cannot find" from the linker or the
// preprocessor when the repository's library was not built. (After `cargo clean` Go may
// reuse its cached compile of this package, and then the linker's error is what comes.)
#if (defined(__linux__) || defined(__APPLE__)) && !__has_include("ocus.h")
#error "ocus: internal/ffi/include/ocus.h is missing. In the ocus repository, run `make go-lib` first: it builds target/release/libocus_ffi.a with cargo and links the header and the library here. A published module carries both."
#endif
#if defined(__linux__) && defined(__x86_64__) && !__has_include("lib/linux_amd64/libocus_ffi.a")
#error "ocus: internal/ffi/lib/linux_amd64/libocus_ffi.a is missing. In the ocus repository, run `make go-lib` first (it builds the library with cargo and links it here)."
#endif
#if defined(__linux__) && defined(__aarch64__) && !__has_include("lib/linux_arm64/libocus_ffi.a")
#error "ocus: internal/ffi/lib/linux_arm64/libocus_ffi.a is missing. In the ocus repository, run `make go-lib` first (it builds the library with cargo and links it here)."
#endif
#if defined(__APPLE__) && defined(__aarch64__) && !__has_include("lib/darwin_arm64/libocus_ffi.a")
#error "ocus: internal/ffi/lib/darwin_arm64/libocus_ffi.a is missing. In the ocus repository, run `make go-lib` first (it builds the library with cargo and links it here)."
#endif
#if defined(__APPLE__) && defined(__x86_64__) && !__has_include("lib/darwin_amd64/libocus_ffi.a")
#error "ocus: internal/ffi/lib/darwin_amd64/libocus_ffi.a is missing. In the ocus repository, run `make go-lib` first (it builds the library with cargo and links it here)."
#endif
#if defined(_WIN32) && defined(__x86_64__) && !__has_include("lib/windows_amd64/libocus_ffi.a")
#error "ocus: internal/ffi/lib/windows_amd64/libocus_ffi.a is missing. A release's module carries it; in the ocus repository, `make dist-all` builds it (with MinGW-w64)."
#endif
#include <stdlib.h>
#include "ocus.h"
*/
import "C"

import (
	"encoding/json"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"
)

// ErrorData is a core error: the core's view of it (OcusError.view_json), decoded as is.
type ErrorData struct {
	Code       int      `json:"-"`
	Kind       string   `json:"kind"`
	Kinds      []string `json:"kinds"` // the kind, then the kinds it refines
	Message    string   `json:"message"`
	Display    string   `json:"display"`
	Status     int      `json:"status"`
	ErrorCode  string   `json:"code"`
	RequestID  string   `json:"request_id"`
	RetryAfter *float64 `json:"retry_after"` // seconds
	Body       string   `json:"body"`
	Causes     []string `json:"causes"` // outermost first
}

// takeError reads and frees a C error.
func takeError(code C.int32_t, e *C.OcusError) *ErrorData {
	if code == C.OCUS_OK {
		return nil
	}
	if e == nil {
		return &ErrorData{Code: int(code), Kind: "internal", Kinds: []string{"internal"}, Message: "no error details", Display: "internal: no error details"}
	}
	defer C.ocus_error_free(e)
	data := &ErrorData{}
	if err := json.Unmarshal([]byte(C.GoString(e.view_json)), data); err != nil {
		data = &ErrorData{Kind: "internal", Kinds: []string{"internal"}, Message: "unreadable error view: " + err.Error(), Display: "internal: unreadable error view"}
	}
	data.Code = int(e.code)
	return data
}

// NewError is an error of kind made by the library from message (a failure of the Go side
// itself), so its display, kinds and code are the core's.
func NewError(kind, message string) *ErrorData {
	// Valid UTF-8, or the library would refuse it and the kind and message be lost.
	k, m := C.CString(kind), C.CString(strings.ToValidUTF8(message, "\uFFFD"))
	defer C.free(unsafe.Pointer(k))
	defer C.free(unsafe.Pointer(m))
	e := C.ocus_error_new(k, m)
	if e == nil {
		return takeError(C.OCUS_ERR_INTERNAL, nil)
	}
	return takeError(e.code, e)
}

// takeString copies and frees a C string.
func takeString(s *C.char) string {
	defer C.ocus_string_free(s) // NULL is fine, and C.GoString(nil) is ""
	return C.GoString(s)
}

// text passes s to C as pointer and length, without a copy (the library copies what it
// keeps): every byte reaches the core, a NUL too.
func text(s string) (*C.char, C.size_t) {
	return (*C.char)(unsafe.Pointer(unsafe.StringData(s))), C.size_t(len(s))
}

// options passes JSON options as the C string the library reads (nil: none), in Go memory
// for the duration of the call.
func options(json []byte) *C.char {
	if len(json) == 0 {
		return nil
	}
	json = append(json[:len(json):len(json)], 0)
	return (*C.char)(unsafe.Pointer(&json[0]))
}

// Client owns an OcusClient handle.
type Client struct{ ptr *C.OcusClient }

// Cursor owns an OcusCursor handle.
type Cursor struct{ ptr *C.OcusCursor }

// Cancel owns an OcusCancel handle.
type Cancel struct{ ptr *C.OcusCancel }

func (c *Cancel) raw() *C.OcusCancel {
	if c == nil {
		return nil
	}
	return c.ptr
}

// NewClient builds a client from options as a JSON object (the core parses and validates).
func NewClient(optionsJSON []byte) (*Client, *ErrorData) {
	var out *C.OcusClient
	var e *C.OcusError
	text := options(optionsJSON)
	code := C.ocus_client_new(text, &out, &e)
	// The options may hold the API key: once the library has parsed them (it keeps the key
	// in memory it wipes), neither the caller's bytes nor the NUL-terminated copy keeps it.
	clear(optionsJSON)
	if text != nil {
		clear(unsafe.Slice((*byte)(unsafe.Pointer(text)), len(optionsJSON)+1))
	}
	if data := takeError(code, e); data != nil {
		return nil, data
	}
	c := &Client{ptr: out}
	// Freed when unreachable: every method keeps c alive until its C call returns, so no call
	// can run on a freed handle, and the Go side needs no closed state or lock of its own.
	liveClients.Add(1)
	runtime.SetFinalizer(c, func(c *Client) {
		C.ocus_client_free(c.ptr)
		liveClients.Add(-1)
	})
	return c, nil
}

var liveClients atomic.Int64

// LiveClients is the number of native clients not yet freed (for the SDK's tests).
func LiveClients() int64 { return liveClients.Load() }

// Close makes calls in flight return and later calls fail (the core decides; idempotent).
func (c *Client) Close() {
	defer runtime.KeepAlive(c)
	C.ocus_client_close(c.ptr)
}

// BaseURL is the client's base URL.
func (c *Client) BaseURL() string {
	defer runtime.KeepAlive(c)
	return takeString(C.ocus_client_base_url(c.ptr))
}

// RotateAPIKey replaces the key.
func (c *Client) RotateAPIKey(key string) *ErrorData {
	defer runtime.KeepAlive(c)
	k, kl := text(key)
	var e *C.OcusError
	return takeError(C.ocus_client_rotate_api_key(c.ptr, k, kl, &e), e)
}

// Op is one API call: which operation, its target cursor, text arguments and JSON options.
// Every call answers `{"value": ..., "response": ...}`.
type Op struct {
	kind      int
	cursor    *Cursor
	arg, arg2 string
	options   []byte
}

const (
	getProject = iota
	listProjects
	request
	nextPage
)

// GetProject is projects.get (the project's JSON).
func GetProject(id string, optionsJSON []byte) Op {
	return Op{kind: getProject, arg: id, options: optionsJSON}
}

// ListProjects is projects.list (one page's JSON).
func ListProjects(optionsJSON []byte) Op { return Op{kind: listProjects, options: optionsJSON} }

// Request is any v3 request (the response JSON).
func Request(method, path string, optionsJSON []byte) Op {
	return Op{kind: request, arg: method, arg2: path, options: optionsJSON}
}

// NextPage is a cursor's next page (its value is null after the last).
func NextPage(cursor *Cursor) Op { return Op{kind: nextPage, cursor: cursor} }

// Call runs op on the calling thread and returns its JSON.
func (c *Client) Call(op Op, cancel *Cancel) (string, *ErrorData) {
	defer runtime.KeepAlive(c)
	defer runtime.KeepAlive(op.cursor)
	a, al := text(op.arg)
	b, bl := text(op.arg2)
	o := options(op.options)
	var out *C.char
	var e *C.OcusError
	var code C.int32_t
	switch op.kind {
	case getProject:
		code = C.ocus_projects_get(c.ptr, a, al, o, cancel.raw(), &out, &e)
	case listProjects:
		code = C.ocus_projects_list(c.ptr, o, cancel.raw(), &out, &e)
	case nextPage:
		code = C.ocus_cursor_next(op.cursor.ptr, cancel.raw(), &out, &e)
	default:
		code = C.ocus_request(c.ptr, a, al, b, bl, o, cancel.raw(), &out, &e)
	}
	if data := takeError(code, e); data != nil {
		return "", data
	}
	return takeString(out), nil
}

// Start starts op on the library's threads (for an event-loop queue: in its next Turn); the
// result arrives on q as ticket.
func (c *Client) Start(op Op, cancel *Cancel, q *Queue, ticket uint64) *ErrorData {
	defer runtime.KeepAlive(c)
	defer runtime.KeepAlive(op.cursor)
	a, al := text(op.arg)
	b, bl := text(op.arg2)
	o := options(op.options)
	t := C.uint64_t(ticket)
	var e *C.OcusError
	var code C.int32_t
	switch op.kind {
	case getProject:
		code = C.ocus_projects_get_start(c.ptr, a, al, o, cancel.raw(), q.ptr, t, &e)
	case listProjects:
		code = C.ocus_projects_list_start(c.ptr, o, cancel.raw(), q.ptr, t, &e)
	case nextPage:
		code = C.ocus_cursor_next_start(op.cursor.ptr, cancel.raw(), q.ptr, t, &e)
	default:
		code = C.ocus_request_start(c.ptr, a, al, b, bl, o, cancel.raw(), q.ptr, t, &e)
	}
	return takeError(code, e)
}

// NewCursor starts a cursor over every page.
func (c *Client) NewCursor(optionsJSON []byte) (*Cursor, *ErrorData) {
	defer runtime.KeepAlive(c)
	var out *C.OcusCursor
	var e *C.OcusError
	if data := takeError(C.ocus_cursor_new(c.ptr, options(optionsJSON), &out, &e), e); data != nil {
		return nil, data
	}
	return &Cursor{ptr: out}, nil
}

// Free releases the cursor.
func (c *Cursor) Free() {
	C.ocus_cursor_free(c.ptr)
	c.ptr = nil
}

// NewCancel creates a cancellation handle.
func NewCancel() *Cancel { return &Cancel{ptr: C.ocus_cancel_new()} }

// Cancel stops the calls waiting on the handle.
func (c *Cancel) Cancel() { C.ocus_cancel_cancel(c.ptr) }

// Free releases the handle; no call may be waiting on it.
func (c *Cancel) Free() {
	C.ocus_cancel_free(c.ptr)
	c.ptr = nil
}

func bytesArg(b []byte) (*C.uint8_t, C.size_t) {
	return (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(b))), C.size_t(len(b))
}

// VerifyWebhook checks a signature and returns the event JSON.
func VerifyWebhook(body []byte, signature, secret string) (string, *ErrorData) {
	b, bl := bytesArg(body)
	g, gl := text(signature) // no copy, NULs and all
	s, sl := text(secret)
	var out *C.char
	var e *C.OcusError
	code := C.ocus_webhook_verify(b, bl, g, gl, s, sl, &out, &e)
	if data := takeError(code, e); data != nil {
		return "", data
	}
	return takeString(out), nil
}

// SignWebhook returns the signature of part ("body" or "data") of body.
func SignWebhook(body []byte, secret, part string) (string, *ErrorData) {
	b, bl := bytesArg(body)
	s, sl := text(secret)
	p, pl := text(part)
	var out *C.char
	var e *C.OcusError
	if data := takeError(C.ocus_webhook_sign(b, bl, s, sl, p, pl, &out, &e), e); data != nil {
		return "", data
	}
	return takeString(out), nil
}

// Version is the native library's version.
func Version() string { return C.GoString(C.ocus_version()) }

// Queue owns an OcusQueue handle: started calls complete into it.
type Queue struct{ ptr *C.OcusQueue }

// Completion is a finished started call.
type Completion struct {
	Ticket uint64
	JSON   string
	Err    *ErrorData
}

// NewQueue creates a completion queue (nil if the system refuses one).
func NewQueue() *Queue {
	p := C.ocus_queue_new()
	if p == nil {
		return nil
	}
	return &Queue{ptr: p}
}

// NewEventLoopQueue creates a queue whose calls run in Turn, on the caller's thread, with no
// thread of the library's (nil where there is none: Linux only).
func NewEventLoopQueue() *Queue {
	p := C.ocus_queue_new_event_loop()
	if p == nil {
		return nil
	}
	return &Queue{ptr: p}
}

// Free frees a queue no call was started on.
func (q *Queue) Free() { C.ocus_queue_free(q.ptr) }

// FD is the descriptor that becomes readable when completions arrive (owned by the queue).
// For an event-loop queue: when its runtime has I/O ready.
func (q *Queue) FD() int { return int(C.ocus_queue_fd(q.ptr)) }

const drainBatch = 64

// Drain returns the completions waiting in the queue.
func (q *Queue) Drain() []Completion {
	var out []Completion
	var batch [drainBatch]C.OcusCompletion
	for {
		n := int(C.ocus_queue_drain(q.ptr, &batch[0], drainBatch))
		out = appendCompletions(out, batch[:n])
		if n < drainBatch {
			return out
		}
	}
}

// Turn runs an event-loop queue's calls on this thread (what is ready; it never waits) and
// returns up to a batch of completions, and when to turn again at the latest if FD does not
// become readable first: 0 at once, a duration, or -1 never.
func (q *Queue) Turn() ([]Completion, time.Duration) {
	var batch [drainBatch]C.OcusCompletion
	var againMs C.int32_t
	n := int(C.ocus_queue_turn(q.ptr, &batch[0], drainBatch, &againMs))
	again := time.Duration(againMs) * time.Millisecond
	if againMs < 0 {
		again = -1
	}
	return appendCompletions(nil, batch[:n]), again
}

func appendCompletions(out []Completion, batch []C.OcusCompletion) []Completion {
	for _, c := range batch {
		completion := Completion{Ticket: uint64(c.ticket)}
		if c.code == C.OCUS_OK {
			completion.JSON = takeString(c.json)
		} else {
			completion.Err = takeError(c.code, c.error)
		}
		out = append(out, completion)
	}
	return out
}
