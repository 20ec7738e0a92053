package ocus

import (
	"context"
	"encoding/json"
	"iter"

	"github.com/ocus/ocus-go/internal/ffi"
)

// ProjectStatus is a project's status. The set is open: values this version does not
// know are kept as they were sent (see Project.IsKnownStatus).
type ProjectStatus string

// The documented statuses (StatusNotAssigned...) are generated from the core into
// statuses_gen.go.

// Project is a project as the JSON:API resource object the server sent; nothing is dropped.
type Project struct {
	ID            string
	Type          string
	Status        ProjectStatus
	IsKnownStatus bool
	Attributes    map[string]any
	Raw           RawJSON // the resource object as sent
}

// RawJSON is JSON text as the API sent it: bytes that print as text (%v, %+v) and marshal as
// themselves, where a json.RawMessage would print as a list of numbers.
type RawJSON []byte

// String returns the JSON text.
func (r RawJSON) String() string { return string(r) }

// MarshalJSON returns the JSON text as is (null when empty).
func (r RawJSON) MarshalJSON() ([]byte, error) {
	if len(r) == 0 {
		return []byte("null"), nil
	}
	return r, nil
}

// Page is one page of a list.
type Page struct {
	Data    []Project
	Links   map[string]any
	Meta    map[string]any
	HasNext bool
	NextURL string
	// Response is the HTTP response the page came in, from ListPage and Pages alike (its
	// RequestID is what OCUS support asks for).
	Response *Response
}

// ProjectsService is Client.Projects.
type ProjectsService struct{ client *Client }

type projectJSON struct {
	Resource    json.RawMessage `json:"resource"`
	Status      *string         `json:"status"`
	KnownStatus bool            `json:"known_status"`
}

type pageJSON struct {
	Data    []projectJSON  `json:"data"`
	Links   map[string]any `json:"links"`
	Meta    map[string]any `json:"meta"`
	HasNext bool           `json:"has_next"`
	NextURL *string        `json:"next_url"`
}

// decodeOutcome reads what every call answers, `{"value": ..., "response": ...}`: the value,
// and the response into response when asked for (nil: its headers are not decoded).
func decodeOutcome[T any](text string, response *Response) (T, error) {
	var outcome struct {
		Value    T               `json:"value"`
		Response json.RawMessage `json:"response"`
	}
	var none T
	if err := json.Unmarshal([]byte(text), &outcome); err != nil {
		return none, decodeError(err)
	}
	if err := fillResponse(response, outcome.Response); err != nil {
		return none, err
	}
	return outcome.Value, nil
}

func decodeProject(p projectJSON) (Project, error) {
	var resource struct {
		ID         string         `json:"id"`
		Type       string         `json:"type"`
		Attributes map[string]any `json:"attributes"`
	}
	if err := json.Unmarshal(p.Resource, &resource); err != nil {
		return Project{}, decodeError(err)
	}
	project := Project{ID: resource.ID, Type: resource.Type, IsKnownStatus: p.KnownStatus, Attributes: resource.Attributes, Raw: RawJSON(p.Resource)}
	if p.Status != nil {
		project.Status = ProjectStatus(*p.Status)
	}
	return project, nil
}

// decodePage reads a page's outcome (nil after a cursor's last page); response, if not nil,
// receives the page's response too.
func decodePage(text string, response *Response) (*Page, error) {
	var own Response
	raw, err := decodeOutcome[*pageJSON](text, &own)
	if raw == nil || err != nil {
		return nil, err
	}
	if response != nil {
		*response = own
	}
	page := &Page{Links: raw.Links, Meta: raw.Meta, HasNext: raw.HasNext, Data: make([]Project, 0, len(raw.Data)), Response: &own}
	if raw.NextURL != nil {
		page.NextURL = *raw.NextURL
	}
	for _, p := range raw.Data {
		project, err := decodeProject(p)
		if err != nil {
			return nil, err
		}
		page.Data = append(page.Data, project)
	}
	return page, nil
}

// listOptions is the options of a list; zero values are left out, the library validates the
// rest.
func listOptions(params *ListParams) map[string]any {
	if params == nil {
		return nil
	}
	options := callOptions(map[string]any{}, params.Timeout, params.MaxRetries)
	for name, value := range map[string]int{"page_size": params.PageSize, "page_number": params.PageNumber} {
		if value != 0 {
			options[name] = value
		}
	}
	if params.Status != "" {
		options["status"] = params.Status
	}
	if len(params.Params) > 0 {
		options["params"] = params.Params
	}
	if len(params.Headers) > 0 {
		options["headers"] = params.Headers
	}
	return options
}

// ListPage returns one page (the first, or params.PageNumber) with its links and meta. Call
// options apply on top of params (WithResponse fills in the page's response).
func (s *ProjectsService) ListPage(ctx context.Context, params *ListParams, opts ...CallOption) (*Page, error) {
	config := applyCallOptions(opts, listOptions(params))
	traced, traceMade := s.client.trace(ctx, config.options)
	defer traceMade()
	text, err := encodeOptions(traced)
	if err != nil {
		return nil, err
	}
	out, err := s.client.call(ctx, ffi.ListProjects(text))
	if err != nil {
		return nil, err
	}
	return decodePage(out, config.response)
}

// Pages iterates every page, following links.next, one request per page.
func (s *ProjectsService) Pages(ctx context.Context, params *ListParams) iter.Seq2[*Page, error] {
	return func(yield func(*Page, error) bool) {
		traced, traceMade := s.client.trace(ctx, listOptions(params))
		defer traceMade() // the cursor keeps the trace for its pages
		options, err := encodeOptions(traced)
		if err != nil {
			yield(nil, err)
			return
		}
		var cursor *ffi.Cursor
		_, err = run(ctx, func(*ffi.Cancel) (string, *ffi.ErrorData) {
			c, e := s.client.native.NewCursor(options)
			cursor = c
			return "", e
		})
		if err != nil {
			yield(nil, err)
			return
		}
		defer cursor.Free()
		for {
			out, err := s.client.call(ctx, ffi.NextPage(cursor))
			if err != nil {
				yield(nil, err)
				return
			}
			page, err := decodePage(out, nil)
			if page == nil && err == nil {
				return // after the last page
			}
			if !yield(page, err) || err != nil {
				return
			}
		}
	}
}

// List iterates every project of every page, as list does in every ocus SDK (ListPage gets
// one page, Pages iterates pages):
//
//	for p, err := range c.Projects.List(ctx, nil) { if err != nil { ... }; fmt.Println(p.ID) }
func (s *ProjectsService) List(ctx context.Context, params *ListParams) iter.Seq2[Project, error] {
	return func(yield func(Project, error) bool) {
		for page, err := range s.Pages(ctx, params) {
			if err != nil {
				yield(Project{}, err)
				return
			}
			for _, p := range page.Data {
				if !yield(p, nil) {
					return
				}
			}
		}
	}
}

// Get returns one project by id.
func (s *ProjectsService) Get(ctx context.Context, id string, opts ...CallOption) (*Project, error) {
	config := applyCallOptions(opts, nil) // no map for the common call without options
	traced, traceMade := s.client.trace(ctx, config.options)
	defer traceMade()
	text, err := encodeOptions(traced)
	if err != nil {
		return nil, err
	}
	out, err := s.client.call(ctx, ffi.GetProject(id, text))
	if err != nil {
		return nil, err
	}
	raw, err := decodeOutcome[projectJSON](out, config.response)
	if err != nil {
		return nil, err
	}
	project, err := decodeProject(raw)
	if err != nil {
		return nil, err
	}
	return &project, nil
}
