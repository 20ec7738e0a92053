package ocus_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A copy of this module without the native library (as in a clone where `make go-lib` has
// not run, or after `cargo clean`) must fail to build saying what to run, not with a bare
// "cannot find" from the linker or the preprocessor.
func TestBuildWithoutTheLibrarySaysWhatToRun(t *testing.T) {
	// Neither the header nor the library (a fresh clone).
	out := buildCopy(t, false)
	if !strings.Contains(out, "include/ocus.h is missing") || !strings.Contains(out, "run `make go-lib` first") {
		t.Fatalf("the build failed without saying what to run:\n%s", out)
	}
	// The header but not the library (as after `cargo clean`, when the package's compile is
	// not in Go's cache).
	out = buildCopy(t, true)
	if !strings.Contains(out, "libocus_ffi.a is missing") || !strings.Contains(out, "run `make go-lib` first") {
		t.Fatalf("the build failed without saying what to run:\n%s", out)
	}
	// The message is the only error, not one buried under the compiler's or linker's own
	// (gcc's and clang's wordings for a missing file).
	for _, bare := range []string{"No such file or directory", "file not found", "cannot find"} {
		if strings.Contains(out, bare) {
			t.Fatalf("a bare %q came too:\n%s", bare, out)
		}
	}
}

// buildCopy runs `go build` on a copy of this module without the native library (with its
// header if withHeader) and returns the output of the build, which must fail.
func buildCopy(t *testing.T, withHeader bool) string {
	t.Helper()
	copied := t.TempDir()
	err := filepath.WalkDir(".", func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path == filepath.Join("internal", "ffi", "lib") || path == filepath.Join("internal", "ffi", "include") {
			return filepath.SkipDir // what `make go-lib` puts in place
		}
		if entry.IsDir() {
			return os.MkdirAll(filepath.Join(copied, path), 0o755)
		}
		if strings.HasSuffix(path, "_test.go") || !entry.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(copied, path), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if withHeader {
		header, err := os.ReadFile(filepath.Join("..", "include", "ocus.h"))
		if err != nil {
			t.Fatal(err)
		}
		include := filepath.Join(copied, "internal", "ffi", "include")
		if err := os.MkdirAll(include, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(include, "ocus.h"), header, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "build", "./...")
	cmd.Dir = copied
	// (No cached compile can skip the check: the copy's path, in the cgo flags, is new.)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1", "GOFLAGS=-mod=mod", "GOPROXY=off")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatal("the module built without its library")
	}
	return string(out)
}
