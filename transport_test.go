package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// fakeExecutor returns a canned result for each query, so that the transports' handling of
// every kind of result can be compared without a schema.
type fakeExecutor struct{}

func (fakeExecutor) CreateOperationContext(_ context.Context, params *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	switch params.Query {
	case "invalid":
		err := gqlerror.Errorf("Cannot query field \"x\" on type \"Query\".")
		errcode.Set(err, errcode.ValidationFailed)
		return nil, gqlerror.List{err}
	case "limited":
		err := gqlerror.Errorf("Too many requests.")
		errcode.Set(err, "RATE_LIMITED")
		return nil, gqlerror.List{err}
	}
	return &graphql.OperationContext{RawQuery: params.Query}, nil
}

func (fakeExecutor) DispatchOperation(ctx context.Context, opCtx *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	return func(context.Context) *graphql.Response {
		switch opCtx.RawQuery {
		case "partial":
			err := gqlerror.Errorf("The service is temporarily unavailable.")
			errcode.Set(err, "UPSTREAM_UNAVAILABLE")
			return &graphql.Response{
				Errors:     gqlerror.List{err},
				Data:       json.RawMessage(`{"me":{"id":"1"},"orders":null}`),
				Extensions: map[string]any{"cost": 12},
			}
		case "html":
			return &graphql.Response{Data: json.RawMessage(`{"name":"Salt & Pepper <b>\u2028"}`)}
		case "null":
			return &graphql.Response{}
		}
		return &graphql.Response{Data: json.RawMessage(`{"me":{"id":"1","name":"Ann"}}`)}
	}, ctx
}

func (fakeExecutor) DispatchError(_ context.Context, list gqlerror.List) *graphql.Response {
	return &graphql.Response{Errors: list}
}

// TestPOSTTransportMatchesGqlgen checks that postTransport responds to every kind of request with
// the status, media type and body of gqlgen's transport.POST. The bodies are equal as JSON,
// and byte for byte where the data has no character that json.Marshal escapes.
func TestPOSTTransportMatchesGqlgen(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		accept string
		exact  bool
	}{
		{"data", `{"query":"me"}`, "", true},
		{"partial data", `{"query":"partial"}`, "application/json", true},
		{"html characters", `{"query":"html"}`, "", false},
		{"no data", `{"query":"null"}`, "", true},
		{"invalid JSON", `{"query":`, "", true},
		{"not an object", `[{"query":"me"}]`, "", true},
		{"validation, json", `{"query":"invalid"}`, "application/json", true},
		{"validation, graphql-response", `{"query":"invalid"}`, "application/graphql-response+json", true},
		{"validation, any type", `{"query":"invalid"}`, "*/*", true},
		{"validation, unknown type", `{"query":"invalid"}`, "text/html", true},
		{"validation, bad accept", `{"query":"invalid"}`, "a/b/c;;, application/graphql-response+json", true},
		{"user error", `{"query":"limited"}`, "application/graphql-response+json", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := serve(transport.POST{}, tt.body, tt.accept)
			got := serve(postTransport{log: slog.New(slog.NewTextHandler(io.Discard, nil))}, tt.body, tt.accept)

			if got.Code != want.Code {
				t.Errorf("status = %d, want %d", got.Code, want.Code)
			}
			if g, w := got.Header().Get("Content-Type"), want.Header().Get("Content-Type"); g != w {
				t.Errorf("Content-Type = %q, want %q", g, w)
			}
			if length := got.Header().Get("Content-Length"); length != strconv.Itoa(got.Body.Len()) {
				t.Errorf("Content-Length = %q, want %d", length, got.Body.Len())
			}
			if tt.exact && got.Body.String() != want.Body.String() {
				t.Errorf("body = %s\nwant %s", got.Body, want.Body)
			}
			var g, w any
			if err := json.Unmarshal(got.Body.Bytes(), &g); err != nil {
				t.Fatalf("body is not JSON: %v: %s", err, got.Body)
			}
			json.Unmarshal(want.Body.Bytes(), &w)
			if gj, wj := mustJSON(t, g), mustJSON(t, w); gj != wj {
				t.Errorf("body = %s\nwant %s", gj, wj)
			}
		})
	}
}

// TestPOSTTransportUnencodableResponse checks that a response json.Marshal cannot encode
// becomes a 500 with INTERNAL_SERVER_ERROR and a log line, where transport.POST panics.
func TestPOSTTransportUnencodableResponse(t *testing.T) {
	var logs bytes.Buffer
	tr := postTransport{log: slog.New(slog.NewTextHandler(&logs, nil))}
	rec := httptest.NewRecorder()
	tr.write(rec, httptest.NewRequest(http.MethodPost, "/graphql", nil),
		&graphql.Response{Data: json.RawMessage(`{}`), Extensions: map[string]any{"cost": math.NaN()}})

	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500", rec.Code)
	}
	if length := rec.Header().Get("Content-Length"); length != strconv.Itoa(rec.Body.Len()) {
		t.Errorf("Content-Length = %q, want %d", length, rec.Body.Len())
	}
	if !strings.Contains(rec.Body.String(), `"code":"INTERNAL_SERVER_ERROR"`) {
		t.Errorf("body = %s, want INTERNAL_SERVER_ERROR", rec.Body)
	}
	if !strings.Contains(logs.String(), "encoding GraphQL response failed") {
		t.Errorf("log = %q, want a line for the failure", logs.String())
	}
}

func serve(tr graphql.Transport, body, accept string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	tr.Do(rec, req, fakeExecutor{})
	return rec
}

// BenchmarkEncodeResponse compares encodeResponse with json.Marshal, gqlgen's writer, on 32 KB
// of dashboard data.
func BenchmarkEncodeResponse(b *testing.B) {
	line := `{"id":"4998","number":"SO-2026-005998","total":{"amount":"873.48","currency":"EUR"},` +
		`"items":[{"quantity":12,"unitPrice":{"amount":"72.79","currency":"EUR"},"product":{"id":"12","name":"Desk lamp","sku":"LMP-12"}}]}`
	resp := &graphql.Response{Data: json.RawMessage(`{"orders":[` + strings.Repeat(line+",", 150) + line + `]}`)}
	b.Run("gateway", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			encodeResponse(resp)
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			json.Marshal(resp)
		}
	})
}
