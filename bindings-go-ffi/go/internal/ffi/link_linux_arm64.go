// The native library for linux/arm64, by full path; the other flags are what
// `rustc --print native-static-libs` prints for its target (`make dist` fails if they change).

package ffi

// #cgo LDFLAGS: ${SRCDIR}/lib/linux_arm64/libocus_ffi.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
import "C"
