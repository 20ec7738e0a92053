// List every project, page after page (key from OCUS_API_KEY or OCUS_API_KEY_FILE).
package main

import (
	"context"
	"fmt"
	"log"
	"sort"

	"github.com/ocus/ocus-go"
)

func main() {
	ctx := context.Background()
	client, err := ocus.NewClient()
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	var response ocus.Response // filled by WithResponse: status, headers, request id
	first, err := client.Projects.ListPage(ctx, &ocus.ListParams{PageSize: 5}, ocus.WithResponse(&response))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("first page: %d of %v projects\n", len(first.Data), first.Meta["total"])
	fmt.Printf("  (HTTP %d, request %s)\n", response.StatusCode, response.RequestID)
	for _, p := range first.Data {
		fmt.Printf("  %s  %-20s  %v\n", p.ID, p.Status, p.Attributes["name"])
	}
	counts := map[ocus.ProjectStatus]int{}
	total := 0
	for p, err := range client.Projects.List(ctx, &ocus.ListParams{PageSize: 50}) {
		if err != nil {
			log.Fatal(err)
		}
		counts[p.Status]++
		total++
	}
	fmt.Printf("all pages: %d projects\n", total)
	statuses := make([]string, 0, len(counts))
	for s := range counts {
		statuses = append(statuses, string(s))
	}
	sort.Strings(statuses)
	for _, s := range statuses {
		fmt.Printf("  %-20s %d\n", s, counts[ocus.ProjectStatus(s)])
	}
}
