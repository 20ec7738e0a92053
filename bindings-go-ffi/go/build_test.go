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
	cmd := exec.Command("go", "build", "./...")
	cmd.Dir = copied
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1", "GOFLAGS=-mod=mod", "GOPROXY=off")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatal("the module built without its library")
	}
	if !strings.Contains(string(out), "run `make go-lib` first") {
		t.Fatalf("the build failed without saying what to run:\n%s", out)
	}
	// The message is the first error, not buried under the preprocessor's.
	if strings.Contains(string(out), "No such file or directory") {
		t.Fatalf("the preprocessor's own error came too:\n%s", out)
	}
}
