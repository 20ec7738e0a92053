//go:build !cgo || !(((linux || darwin) && (amd64 || arm64)) || (windows && amd64))

// The module carries its native library for linux and darwin on amd64 and arm64, and for
// windows/amd64, and needs cgo (CGO_ENABLED=1 and a C compiler: on macOS, the Xcode command
// line tools; on Windows, MinGW-w64's gcc). Elsewhere the build stops here, on a name that
// says so.

package ffi

var _ = ocus_supports_only_linux_darwin_amd64_arm64_and_windows_amd64_with_cgo_enabled
