// Fetch every project concurrently from many goroutines sharing one client.
package main

import (
	"context"
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/ocus/ocus-go"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := ocus.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	var ids []string
	for p, err := range client.Projects.List(ctx, &ocus.ListParams{PageSize: 100}) {
		if err != nil {
			log.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	started := time.Now()
	var wg sync.WaitGroup
	results := make([]*ocus.Project, len(ids))
	errs := make([]error, len(ids))
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = client.Projects.Get(ctx, id)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("fetched %d projects from %d goroutines in %v\n", len(results), len(ids), time.Since(started).Round(time.Millisecond))
}
