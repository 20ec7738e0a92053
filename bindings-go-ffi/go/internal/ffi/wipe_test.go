package ffi

import (
	"bytes"
	"testing"
)

// The options JSON may carry the API key: NewClient leaves none of it in the caller's bytes,
// whether the client is made or refused.
func TestNewClientWipesTheOptionsJSON(t *testing.T) {
	for _, text := range []string{
		`{"api_key": "sk_test_wipe_me", "base_url": "http://127.0.0.1:9/v3"}`,
		`{"api_key": "sk_test_wipe_me", "base_url": "ftp://refused"}`,
	} {
		options := []byte(text)
		client, err := NewClient(options)
		if client != nil {
			client.Close()
		}
		if bytes.Contains(options, []byte("sk_test_wipe_me")) || !bytes.Equal(options, make([]byte, len(text))) {
			t.Errorf("options left as %q (error %v)", options, err)
		}
	}
}
