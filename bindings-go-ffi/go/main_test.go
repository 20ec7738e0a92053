package ocus_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The emulator every test talks to, started once for the package on a port the OS picks.
var mock *emulator

type emulator struct {
	cmd      *exec.Cmd
	baseURL  string
	adminURL string
}

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func startEmulator() (*emulator, error) {
	bin := os.Getenv("OCUS_MOCK_BIN")
	if bin == "" {
		bin = filepath.Join(repoRoot(), "target", "debug", "ocus-mock")
	}
	cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--tls")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s (cargo build -p ocus-mock): %w", bin, err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return nil, err
	}
	base := strings.TrimSpace(line)
	return &emulator{cmd: cmd, baseURL: base, adminURL: strings.TrimSuffix(base, "/v3")}, nil
}

func (e *emulator) admin(t testing.TB, method, path string, body any) map[string]any {
	t.Helper()
	var reader *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		reader = bytes.NewReader(b)
	} else {
		reader = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, e.adminURL+path, reader)
	req.Header.Set("content-type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("admin %s: %v", path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("admin %s: %v", path, err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("admin %s: %d %v", path, resp.StatusCode, out)
	}
	return out
}

const (
	alpha = "sk_test_alpha"
	beta  = "sk_test_beta"
	id0   = "910a2dec-8902-4cc1-9758-35de1c9756ce"
)

var defaultKeys = []map[string]string{
	{"key": alpha, "state": "valid", "name": "alpha"},
	{"key": beta, "state": "valid", "name": "beta"},
	{"key": "sk_test_revoked", "state": "revoked", "name": "revoked"},
}

func (e *emulator) reset(t testing.TB) {
	e.admin(t, "POST", "/__admin/reset", map[string]any{"keys": defaultKeys})
}

func (e *emulator) faults(t testing.TB, faults ...map[string]any) {
	e.admin(t, "POST", "/__admin/faults", faults)
}

func (e *emulator) requests(t testing.TB) []map[string]any {
	var out []map[string]any
	for _, r := range e.admin(t, "GET", "/__admin/requests", nil)["requests"].([]any) {
		out = append(out, r.(map[string]any))
	}
	return out
}

func TestMain(m *testing.M) {
	for _, name := range []string{"OCUS_API_KEY", "OCUS_API_KEY_FILE", "OCUS_BASE_URL", "OCUS_CA_BUNDLE"} {
		os.Unsetenv(name)
	}
	var err error
	mock, err = startEmulator()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	code := m.Run()
	mock.cmd.Process.Kill()
	mock.cmd.Wait()
	os.Exit(code)
}
