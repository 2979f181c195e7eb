package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// The handlers of TestAccessLogStatus: each may write a response and record the error code
// that the error presenter records for an operation cut short by the client.
var (
	writeNothing = func(w http.ResponseWriter, r *http.Request) {}
	writeBusy    = func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }
	writeFailure = func(w http.ResponseWriter, r *http.Request) {
		RequestFrom(r.Context()).SetErrorCode("INTERNAL_SERVER_ERROR")
		w.Write([]byte("{}"))
	}
)

func TestAccessLogStatus(t *testing.T) {
	tests := []struct {
		name    string
		leave   string // when the client goes away: "", "before" the handler runs or "after" it
		expired bool   // the context has an expired deadline instead
		handler http.HandlerFunc
		want    float64
		code    string
	}{
		{"written", "", false, writeBusy, 503, ""},
		{"nothing-written", "", false, writeNothing, 200, ""},
		{"client-gone", "before", false, writeNothing, StatusClientClosed, CodeClientClosed},
		{"client-gone-before-write", "before", false, writeFailure, StatusClientClosed, CodeClientClosed},
		{"client-gone-after-write", "after", false, writeFailure, 200, "INTERNAL_SERVER_ERROR"},
		{"deadline-before-write", "", true, writeFailure, 200, "INTERNAL_SERVER_ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.expired {
				ctx, cancel = context.WithDeadline(ctx, time.Unix(0, 0))
				defer cancel()
			}
			handler := tt.handler
			switch tt.leave {
			case "before":
				cancel()
			case "after":
				handler = func(w http.ResponseWriter, r *http.Request) {
					tt.handler(w, r)
					cancel()
				}
			}

			var out bytes.Buffer
			a := &AccessLog{
				Log:       slog.New(slog.NewJSONHandler(&out, nil)),
				RequestID: func(context.Context) string { return "r1" },
			}
			r := httptest.NewRequest("POST", "/graphql", nil).WithContext(ctx)
			a.Wrap(handler).ServeHTTP(httptest.NewRecorder(), r)

			var line map[string]any
			if err := json.Unmarshal(out.Bytes(), &line); err != nil {
				t.Fatalf("log line %q: %v", out.String(), err)
			}
			if line["status"] != tt.want {
				t.Errorf("status = %v, want %v", line["status"], tt.want)
			}
			if line["error_code"] != tt.code {
				t.Errorf("error_code = %q, want %q", line["error_code"], tt.code)
			}
		})
	}
}

func TestGraphQLOutcomeOfClientGone(t *testing.T) {
	tests := []struct {
		name  string
		leave string // when the client goes away: "before" the handler writes or "after" it
		want  string
	}{
		{"client-gone-before-write", "before", `gateway_graphql_requests_total{operation="anonymous",outcome="CLIENT_CLOSED_REQUEST"} 1`},
		{"client-gone-after-write", "after", `gateway_graphql_requests_total{operation="anonymous",outcome="INTERNAL_SERVER_ERROR"} 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			m := NewMetrics(reg, &OperationNames{})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			handler := func(w http.ResponseWriter, r *http.Request) {
				if tt.leave == "before" {
					cancel()
				}
				writeFailure(w, r)
				cancel()
			}
			a := &AccessLog{
				Log:       slog.New(slog.NewJSONHandler(io.Discard, nil)),
				RequestID: func(context.Context) string { return "r1" },
			}
			r := httptest.NewRequest("POST", "/graphql", nil).WithContext(ctx)
			a.Wrap(m.GraphQL(http.HandlerFunc(handler))).ServeHTTP(httptest.NewRecorder(), r)

			rec := httptest.NewRecorder()
			promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
			if body := rec.Body.String(); !strings.Contains(body, tt.want+"\n") {
				t.Errorf("metrics lack %s:\n%s", tt.want, grepLines(body, "gateway_graphql_requests_total"))
			}
		})
	}
}

// grepLines returns the lines of text that contain substr.
func grepLines(text, substr string) string {
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, substr) {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n")
}
