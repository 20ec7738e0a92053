package ocus_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/ocus/ocus-go"
	"github.com/ocus/ocus-go/internal/ffi"
)

// Benchmarks against the emulator (run with OCUS_MOCK_BIN=target/release/ocus-mock, see
// `make bench-go`): the same GET /v3/projects/{id} with the key header and a JSON decode, by
// this package and by a plain net/http client with keep-alive; and the floor, a raw-socket
// client (one write, read until Content-Length, nothing parsed), so each client's cost above
// what the machine charges everyone (waking an idle CPU, the emulator's own time) shows.

// rawSocketClient is the floor: kept-alive connections, one request at a time on each.
func rawSocketClient(b *testing.B) func() error {
	base, err := url.Parse(mock.baseURL)
	if err != nil {
		b.Fatal(err)
	}
	request := []byte(fmt.Sprintf("GET %s/projects/%s HTTP/1.1\r\nHost: %s\r\nX-API-KEY: %s\r\n\r\n", base.Path, id0, base.Host, alpha))
	var idle sync.Pool
	var open []net.Conn
	var openLock sync.Mutex
	b.Cleanup(func() {
		for _, conn := range open {
			conn.Close()
		}
	})
	return func() error {
		conn, _ := idle.Get().(net.Conn)
		if conn == nil {
			var err error
			if conn, err = net.Dial("tcp", base.Host); err != nil {
				return err
			}
			openLock.Lock()
			open = append(open, conn)
			openLock.Unlock()
		}
		if _, err := conn.Write(request); err != nil {
			return err
		}
		buffer := make([]byte, 0, 4096)
		needed := -1
		for needed < 0 || len(buffer) < needed {
			if len(buffer) == cap(buffer) {
				buffer = append(buffer, 0)[:len(buffer)]
			}
			n, err := conn.Read(buffer[len(buffer):cap(buffer)])
			if err != nil {
				return err
			}
			buffer = buffer[:len(buffer)+n]
			if needed < 0 {
				needed = responseLength(buffer)
			}
		}
		idle.Put(conn)
		return nil
	}
}

// responseLength is the whole response's size once head holds its header block, else -1.
func responseLength(head []byte) int {
	end := bytes.Index(head, []byte("\r\n\r\n"))
	if end < 0 {
		return -1
	}
	for _, line := range bytes.Split(head[:end], []byte("\r\n")) {
		name, value, found := bytes.Cut(line, []byte(":"))
		if found && bytes.EqualFold(bytes.TrimSpace(name), []byte("content-length")) {
			length, _ := strconv.Atoi(string(bytes.TrimSpace(value)))
			return end + 4 + length
		}
	}
	return -1
}

func benchClients(b *testing.B) (*ocus.Client, func() error) {
	mock.reset(b)
	c, err := ocus.NewClient(ocus.WithAPIKey(alpha), ocus.WithBaseURL(mock.baseURL))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	url := mock.baseURL + "/projects/" + id0
	transport := &http.Transport{MaxIdleConnsPerHost: 64}
	httpClient := &http.Client{Transport: transport}
	b.Cleanup(transport.CloseIdleConnections)
	plain := func() error {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("X-API-KEY", alpha)
		resp, err := httpClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var out struct {
			Data struct {
				ID         string         `json:"id"`
				Type       string         `json:"type"`
				Attributes map[string]any `json:"attributes"`
			} `json:"data"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	return c, plain
}

func BenchmarkGet(b *testing.B) {
	c, plain := benchClients(b)
	ctx := context.Background()
	b.Run("client=ocus", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := c.Projects.Get(ctx, id0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("client=net-http", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if err := plain(); err != nil {
				b.Fatal(err)
			}
		}
	})
	floor := rawSocketClient(b)
	b.Run("client=floor", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if err := floor(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkGetParallel50(b *testing.B) {
	c, plain := benchClients(b)
	ctx := context.Background()
	b.Run("client=ocus", func(b *testing.B) {
		b.SetParallelism(25) // × GOMAXPROCS (2 here) = 50 goroutines
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := c.Projects.Get(ctx, id0); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("client=net-http", func(b *testing.B) {
		b.SetParallelism(25)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := plain(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	floor := rawSocketClient(b)
	b.Run("client=floor", func(b *testing.B) {
		b.SetParallelism(25)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := floor(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// The cgo crossing alone: a call into the library that does no work.
func BenchmarkCgoCall(b *testing.B) {
	for i := 0; i < b.N; i++ {
		_ = ffi.Version()
	}
}

// The whole FFI path of a call without the network: strings in, structured result out,
// everything freed (webhook verification of a small body; the HMAC itself is ~1 µs).
func BenchmarkFFIRoundTrip(b *testing.B) {
	body := []byte(`{"type":"event","id":"project.updated","attributes":{"project_id":"p1"}}`)
	signature, _ := ffi.SignWebhook(body, "s", "body")
	for i := 0; i < b.N; i++ {
		if _, e := ffi.VerifyWebhook(body, signature, "s"); e != nil {
			b.Fatal(e.Display)
		}
	}
}
