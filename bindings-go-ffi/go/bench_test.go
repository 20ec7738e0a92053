package ocus_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/ocus/ocus-go"
	"github.com/ocus/ocus-go/internal/ffi"
)

// Benchmarks against the emulator (run with OCUS_MOCK_BIN=target/release/ocus-mock, see
// `make bench-go`): the same GET /v3/projects/{id} with the key header and a JSON decode, by
// this package and by a plain net/http client with keep-alive.

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
