package telemetry

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"customer-gateway/upstream"
)

func TestOperationNamesLabel(t *testing.T) {
	capped := &OperationNames{Max: 2}
	tests := []struct {
		name  string
		names *OperationNames
		in    string
		want  string
	}{
		{"anonymous", capped, "", "anonymous"},
		{"first-name", capped, "Me", "Me"},
		{"second-name", capped, "Orders", "Orders"},
		{"over-cap", capped, "Third", "other"},
		{"seen-before-cap", capped, "Me", "Me"},
		{"invalid-name", capped, "no spaces", "other"},
		{"too-long", capped, strings.Repeat("a", 65), "other"},
		{"trusted", &OperationNames{Known: func(n string) bool { return n == "Me" }}, "Me", "Me"},
		{"untrusted", &OperationNames{Known: func(n string) bool { return n == "Me" }}, "Hack", "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.names.Label(tt.in); got != tt.want {
				t.Errorf("Label(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLoggerRedactsSecretKeys(t *testing.T) {
	var buf bytes.Buffer
	log := NewLogger(&buf, false, slog.LevelInfo, nil)
	log.Info("test", "password", "hunter2", "upstream_api_key", "k-123", "session_keys", "s-456",
		"Authorization", "Bearer t-789", "set_cookie", "c-000", "request_id", "kept-1", "monkey", "kept-2")
	out := buf.String()
	for _, secret := range []string{"hunter2", "k-123", "s-456", "t-789", "c-000"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q: %s", secret, out)
		}
	}
	for _, kept := range []string{"kept-1", "kept-2"} {
		if !strings.Contains(out, kept) {
			t.Errorf("log lacks %q: %s", kept, out)
		}
	}
}

// TestLoggerMasksEscapedKey runs the logger's last line of defence with the upstream client's
// Redactor, on a key that PHP's json_encode and an echoed request URI change.
func TestLoggerMasksEscapedKey(t *testing.T) {
	const key = "SECRET/KEY/fake+0123456789abcdef="
	redactor := upstream.NewRedactor(key, nil)
	tests := []struct {
		name  string
		value any
	}{
		{"raw", "echo SECRET/KEY/fake+0123456789abcdef= end"},
		{"json-escaped", `{"debug_key":"SECRET\/KEY\/fake+0123456789abcdef="}`},
		{"query-escaped", errors.New("uri key=SECRET%2FKEY%2Ffake%2B0123456789abcdef%3D&req=profile")},
		{"cut-off-at-end", `{"debug_key":"SECRET\/KEY\/fa`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := NewLogger(&buf, false, slog.LevelInfo, redactor.Redact)
			log.Info("test", "body_start", tc.value)
			out := buf.String()
			if !strings.Contains(out, Redacted) {
				t.Errorf("log lacks the mask: %s", out)
			}
			if strings.Contains(out, "SECRET") {
				t.Errorf("log contains the start of the key: %s", out)
			}
		})
	}
}

func TestTracingEnabled(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    bool
		wantErr string
	}{
		{"nothing-set", nil, false, ""},
		{"endpoint-set", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, true, ""},
		{"traces-endpoint-set", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, true, ""},
		{"exporter-otlp", map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, true, ""},
		{"exporter-none", map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, false, ""},
		{"sdk-disabled", map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, false, ""},
		{"exporter-unknown", map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, false, "OTEL_TRACES_EXPORTER"},
		{"protocol-grpc", map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, false, "OTEL_EXPORTER_OTLP_PROTOCOL"},
		{"protocol-http", map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := TracingEnabled(func(name string) string { return tt.env[name] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("enabled = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBreakerAndRateLimitMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg, &OperationNames{})
	m.SetCircuitState("order_api.php", CircuitOpen)
	m.RateLimited("login")
	m.RateLimited("login")
	RegisterActiveSessions(reg, func() (int, error) { return 3, nil })

	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`gateway_upstream_circuit_state{api="order_api.php"} 2`,
		`gateway_rate_limited_total{limit="login"} 2`,
		`gateway_active_sessions 3`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestActiveSessionsCountFailure(t *testing.T) {
	reg := prometheus.NewRegistry()
	RegisterActiveSessions(reg, func() (int, error) { return 0, fmt.Errorf("folder unreadable") })
	if _, err := reg.Gather(); err == nil || !strings.Contains(err.Error(), "folder unreadable") {
		t.Errorf("Gather = %v, want the count's error", err)
	}
}

func TestRecordOnNilIsSafe(t *testing.T) {
	var r *Request
	r.SetOperation("Me")
	r.SetErrorCode("NOT_FOUND")
	r.AddUpstreamCall()
	if r.Operation() != "" || r.ErrorCode() != "" || r.UpstreamCalls() != 0 || !r.FirstReport(fmt.Errorf("x")) {
		t.Error("a nil record returned values")
	}
}
