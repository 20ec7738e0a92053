// What an unknown, revoked or expired key looks like, handled with errors.Is and errors.As.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/ocus/ocus-go"
)

func describe(ctx context.Context, key string) string {
	client, err := ocus.NewClient(ocus.WithAPIKey(key), ocus.WithMaxRetries(1))
	if err != nil {
		return "rejected before sending: " + err.Error()
	}
	defer client.Close()
	page, err := client.Projects.ListPage(ctx, &ocus.ListParams{PageSize: 1})
	var apiErr *ocus.APIError
	switch {
	case err == nil:
		return fmt.Sprintf("ok: %v projects", page.Meta["total"])
	case errors.Is(err, ocus.ErrUnauthorized) && errors.As(err, &apiErr):
		return fmt.Sprintf("401 %s: %s (request %s)", apiErr.Kind, apiErr.Message, apiErr.RequestID)
	case errors.Is(err, ocus.ErrForbidden) && errors.As(err, &apiErr):
		return fmt.Sprintf("403 %s: %s (request %s)", apiErr.Kind, apiErr.Message, apiErr.RequestID)
	case errors.Is(err, ocus.ErrRateLimited) && errors.As(err, &apiErr):
		return fmt.Sprintf("429: retry after %v", apiErr.RetryAfter)
	case errors.Is(err, ocus.ErrConnection):
		return "cannot reach OCUS: " + err.Error()
	default:
		return "error: " + err.Error()
	}
}

func main() {
	keys := os.Args[1:]
	if len(keys) == 0 {
		keys = []string{os.Getenv("OCUS_API_KEY")}
	}
	for _, key := range keys {
		fmt.Println(describe(context.Background(), key))
	}
	fmt.Println(describe(context.Background(), "two words"))
}
