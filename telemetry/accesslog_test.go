package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestAccessLogStatus(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		handler http.HandlerFunc
		want    float64
	}{
		{"written", context.Background(), func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }, 503},
		{"nothing-written", context.Background(), func(w http.ResponseWriter, r *http.Request) {}, 200},
		{"client-gone", canceled, func(w http.ResponseWriter, r *http.Request) {}, StatusClientClosed},
		{"client-gone-after-write", canceled, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("{}")) }, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			a := &AccessLog{
				Log:       slog.New(slog.NewJSONHandler(&out, nil)),
				RequestID: func(context.Context) string { return "r1" },
			}
			r := httptest.NewRequest("POST", "/graphql", nil).WithContext(tt.ctx)
			a.Wrap(tt.handler).ServeHTTP(httptest.NewRecorder(), r)

			var line map[string]any
			if err := json.Unmarshal(out.Bytes(), &line); err != nil {
				t.Fatalf("log line %q: %v", out.String(), err)
			}
			if line["status"] != tt.want {
				t.Errorf("status = %v, want %v", line["status"], tt.want)
			}
		})
	}
}
