// The native library for windows/amd64 (x86_64-pc-windows-gnu, built with MinGW-w64), by full
// path; the flags are what `rustc --print native-static-libs` prints for its target, then
// winpthreads, which rustc leaves out (aws-lc, compiled by MinGW's gcc, takes its locks from
// it), linked statically so a program needs no MinGW DLL at run time.

package ffi

// #cgo LDFLAGS: ${SRCDIR}/lib/windows_amd64/libocus_ffi.a -lbcrypt -lkernel32 -lntdll -luserenv -lws2_32 -ldbghelp -Wl,-Bstatic -lpthread -Wl,-Bdynamic
import "C"
