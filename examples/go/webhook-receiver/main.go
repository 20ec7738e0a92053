// A webhook receiver (net/http) verifying ocus-signature over the raw body.
// Usage: OCUS_WEBHOOK_SECRET=... go run ./webhook-receiver [-once]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"

	"github.com/ocus/ocus-go"
	"github.com/ocus/ocus-go/webhooks"
)

func main() {
	once := flag.Bool("once", false, "exit after one delivery")
	flag.Parse()
	secret := os.Getenv("OCUS_WEBHOOK_SECRET")
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	done := make(chan struct{}, 1)
	server := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { done <- struct{}{} }()
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		event, err := webhooks.Verify(body, r.Header.Get(webhooks.SignatureHeader), secret)
		var e *ocus.Error
		if errors.Is(err, ocus.ErrInvalidSignature) && errors.As(err, &e) {
			fmt.Println("rejected webhook:", e.Code)
			http.Error(w, "bad signature", http.StatusBadRequest)
			return
		} else if err != nil {
			http.Error(w, "bad event", http.StatusBadRequest)
			return
		}
		fmt.Printf("verified %s for project %s (status %q, signed: %s)\n", event.ID, event.ProjectID, event.Status, event.SignedPart)
		w.WriteHeader(http.StatusNoContent)
	})}
	fmt.Printf("listening on http://%s/\n", listener.Addr())
	go server.Serve(listener)
	if *once {
		<-done
		server.Shutdown(context.Background())
		return
	}
	select {}
}
