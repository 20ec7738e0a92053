//go:build !cgo || !linux || !(amd64 || arm64)

// The module carries its native library for linux/amd64 and linux/arm64, and needs cgo
// (CGO_ENABLED=1 and a C compiler). Elsewhere the build stops here, on a name that says so.

package ffi

var _ = ocus_supports_only_linux_amd64_and_linux_arm64_with_cgo_enabled
