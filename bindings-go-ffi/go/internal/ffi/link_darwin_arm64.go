// The native library for darwin/arm64, by full path; the other flags are what
// `rustc --print native-static-libs` prints for its target (`make dist` fails if they change).
// It is built on macOS by .github/workflows/release.yml, which also links and runs it there.

package ffi

// #cgo LDFLAGS: ${SRCDIR}/lib/darwin_arm64/libocus_ffi.a -framework Security -framework CoreFoundation -liconv -lSystem -lc -lm
import "C"
