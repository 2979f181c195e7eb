package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const testSessionKey = "c2Vzc2lvbi1rZXktZm9yLXRlc3RzLW9ubHktMzItYnl0ZXMhIQ=="

// setGatewayEnv sets every variable the gateway reads to a valid production value for the
// test back office, so that a test changes only what it is about.
func setGatewayEnv(t *testing.T, listenAddr, adminAddr string) {
	t.Helper()
	vars := map[string]string{
		"GATEWAY_ENV":       "production",
		"LISTEN_ADDR":       listenAddr,
		"ADMIN_ADDR":        adminAddr,
		"UPSTREAM_URL":      backOffice.url,
		"UPSTREAM_TIMEZONE": "Europe/Berlin",
		"SESSION_DIR":       t.TempDir(),
		"ALLOWED_ORIGINS":   "http://" + listenAddr,
		"TRUSTED_PROXIES":   "",
		"SITE_DIR":          "",
		"TRUSTED_DOCUMENTS": "web-example/site/operations/manifest.json",
		"BATCH_WAIT":        "",
		"SHUTDOWN_GRACE":    "",
	}
	for name, value := range vars {
		t.Setenv(name, value)
	}
	for _, name := range []string{"UPSTREAM_API_KEY", "SESSION_KEYS"} {
		t.Setenv(name+"_FILE", "")
	}
	t.Setenv("UPSTREAM_API_KEY", frontKey)
	t.Setenv("UPSTREAM_SIGNING_KEYS", signingKeys)
	t.Setenv("SESSION_KEYS", testSessionKey)
	for _, name := range otelVariables {
		t.Setenv(name, "")
	}
}

// runGateway starts run in the background; the returned channel receives its result.
func runGateway(t *testing.T, args []string, stderr io.Writer) <-chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- run(context.Background(), args, io.Discard, stderr) }()
	return done
}

// waitInFlight polls the admin listener until a GraphQL request is being served.
func waitInFlight(t *testing.T, adminAddr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + adminAddr + "/metrics")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), "\ngateway_graphql_requests_in_flight 1\n") {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no request came in flight")
}

// slowLogin sends a login through the public listener and returns its response on a channel.
func slowLogin(t *testing.T, listenAddr string) <-chan string {
	t.Helper()
	out := make(chan string, 1)
	// The site's own Login operation, because production executes trusted documents only.
	query, err := os.ReadFile("web-example/site/operations/Login.graphql")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{
		"query":     string(query),
		"variables": map[string]string{"email": "ann@example.com", "password": "demo-password"},
	})
	go func() {
		req, _ := http.NewRequest("POST", "http://"+listenAddr+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", "http://"+listenAddr)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			out <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		out <- string(raw)
	}()
	return out
}

func TestShutdownFinishesInFlightQuery(t *testing.T) {
	listenAddr, _ := freeAddr()
	adminAddr, _ := freeAddr()
	setGatewayEnv(t, listenAddr, adminAddr)
	setFaults(t, map[string]string{"account_api.php": "slow:1500"})
	logs := &lockedWriter{w: &bytes.Buffer{}}
	done := runGateway(t, []string{"-shutdown-grace", "10s"}, logs)
	if err := waitForListener(listenAddr); err != nil {
		t.Fatal(err)
	}

	answer := slowLogin(t, listenAddr)
	waitInFlight(t, adminAddr)
	// A real SIGTERM: run's signal.NotifyContext catches it, so the test binary lives on.
	syscall.Kill(os.Getpid(), syscall.SIGTERM)

	if got := <-answer; got != `{"data":{"login":{"customer":{"id":"1","name":"Ann Example"}}}}` {
		t.Errorf("in-flight login answered %s", got)
	}
	if err := <-done; err != nil {
		t.Errorf("run returned %v, want nil (exit 0)", err)
	}
	if _, err := http.Get("http://" + listenAddr + "/"); err == nil {
		t.Error("the public listener still accepts connections after shutdown")
	}
	out := logs.String()
	for _, want := range []string{`"msg":"gateway stopping"`, `"shutdown_grace":10000000000`, `"msg":"gateway stopped"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
}

func TestShutdownGraceEndsSlowQuery(t *testing.T) {
	listenAddr, _ := freeAddr()
	adminAddr, _ := freeAddr()
	setGatewayEnv(t, listenAddr, adminAddr)
	t.Setenv("SHUTDOWN_GRACE", "100ms")
	setFaults(t, map[string]string{"account_api.php": "slow:1500"})
	done := runGateway(t, nil, io.Discard)
	if err := waitForListener(listenAddr); err != nil {
		t.Fatal(err)
	}

	answer := slowLogin(t, listenAddr)
	waitInFlight(t, adminAddr)
	syscall.Kill(os.Getpid(), syscall.SIGTERM)

	if err := <-done; err == nil || !strings.Contains(err.Error(), "context deadline exceeded") {
		t.Errorf("run returned %v, want the grace period's deadline", err)
	}
	<-answer
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	os.WriteFile(keyFile, []byte(frontKey+"\n"), 0o600)
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string // "" when the configuration is valid
		wantOut []string
	}{
		{name: "valid-production", wantOut: []string{"GATEWAY_ENV=production", "UPSTREAM_API_KEY=[redacted]", "SESSION_KEYS=[redacted]", "SHUTDOWN_GRACE=15s"}},
		{name: "key-from-file", env: map[string]string{"UPSTREAM_API_KEY": "", "UPSTREAM_API_KEY_FILE": keyFile}, wantOut: []string{"UPSTREAM_API_KEY=[redacted]"}},
		{name: "key-file-unreadable", env: map[string]string{"UPSTREAM_API_KEY": "", "UPSTREAM_API_KEY_FILE": filepath.Join(dir, "missing")}, wantErr: "UPSTREAM_API_KEY_FILE cannot be read"},
		{name: "key-missing", env: map[string]string{"UPSTREAM_API_KEY": ""}, wantErr: "UPSTREAM_API_KEY is missing"},
		{name: "key-short", env: map[string]string{"UPSTREAM_API_KEY": "abc123"}, wantErr: "UPSTREAM_API_KEY is weak"},
		{name: "key-repetitive", env: map[string]string{"UPSTREAM_API_KEY": "aaaaaaaaaaaaaaaaaaaaaaaa"}, wantErr: "UPSTREAM_API_KEY is weak"},
		{name: "session-keys-missing", env: map[string]string{"SESSION_KEYS": ""}, wantErr: "SESSION_KEYS is missing"},
		{name: "session-key-short", env: map[string]string{"SESSION_KEYS": "c2hvcnQ="}, wantErr: "SESSION_KEYS is invalid"},
		{name: "session-key-weak", env: map[string]string{"SESSION_KEYS": "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="}, wantErr: "SESSION_KEYS key 1 is weak"},
		{name: "plain-http-remote-upstream", env: map[string]string{"UPSTREAM_URL": "http://backoffice.internal/apis/"}, wantErr: "UPSTREAM_URL \"http://backoffice.internal/apis/\" sends the API key over plain HTTP"},
		{name: "https-remote-upstream", env: map[string]string{"UPSTREAM_URL": "https://backoffice.internal/apis/"}, wantOut: []string{"UPSTREAM_URL=https://backoffice.internal/apis/"}},
		{name: "origins-missing", env: map[string]string{"ALLOWED_ORIGINS": ""}, wantErr: "ALLOWED_ORIGINS is missing"},
		{name: "origin-plain-http", env: map[string]string{"ALLOWED_ORIGINS": "http://shop.example.com"}, wantErr: "ALLOWED_ORIGINS entry \"http://shop.example.com\" is not https"},
		{name: "site-dir-missing", env: map[string]string{"SITE_DIR": filepath.Join(dir, "nothing")}, wantErr: "SITE_DIR"},
		{name: "session-dir-is-file", env: map[string]string{"SESSION_DIR": keyFile}, wantErr: "SESSION_DIR"},
		{name: "grace-invalid", env: map[string]string{"SHUTDOWN_GRACE": "soon"}, wantErr: "SHUTDOWN_GRACE \"soon\" is not a duration"},
		{name: "otel-headers-redacted", env: map[string]string{"OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer abc"}, wantOut: []string{"OTEL_EXPORTER_OTLP_HEADERS=[redacted]"}},
		{name: "development-accepts-weak-key", env: map[string]string{"GATEWAY_ENV": "development", "UPSTREAM_API_KEY": "abc123", "ALLOWED_ORIGINS": ""},
			wantOut: []string{"warning: UPSTREAM_API_KEY is weak", "warning: ALLOWED_ORIGINS is missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setGatewayEnv(t, "127.0.0.1:18080", "127.0.0.1:19090")
			for name, value := range tt.env {
				t.Setenv(name, value)
			}
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), []string{"-check"}, &stdout, &stderr)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("run -check = %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("run -check = %v, want an error containing %q", err, tt.wantErr)
			}
			for _, want := range tt.wantOut {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, stdout.String())
				}
			}
			for _, secret := range []string{frontKey, testSessionKey, "abc123", "Bearer abc"} {
				if strings.Contains(stdout.String()+stderr.String(), secret) {
					t.Errorf("output contains the secret %q", secret)
				}
			}
		})
	}
}

func TestProductionRejectsInsecureStart(t *testing.T) {
	listenAddr, _ := freeAddr()
	adminAddr, _ := freeAddr()
	setGatewayEnv(t, listenAddr, adminAddr)
	t.Setenv("UPSTREAM_URL", "http://backoffice.internal/apis/")
	err := run(context.Background(), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "UPSTREAM_URL") || !strings.Contains(err.Error(), "use https") {
		t.Fatalf("run = %v, want a rejection naming UPSTREAM_URL and the fix", err)
	}
	if _, err := http.Get("http://" + listenAddr + "/"); err == nil {
		t.Error("the gateway listens despite the insecure setting")
	}
}

func TestStartLineRedactsSecrets(t *testing.T) {
	listenAddr, _ := freeAddr()
	adminAddr, _ := freeAddr()
	setGatewayEnv(t, listenAddr, adminAddr)
	logs := &lockedWriter{w: &bytes.Buffer{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, io.Discard, logs) }()
	if err := waitForListener(adminAddr); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	var started map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		json.Unmarshal([]byte(line), &m)
		if m["msg"] == "gateway started" {
			started = m
		}
	}
	cfg, ok := started["config"].(map[string]any)
	if !ok {
		t.Fatalf("no start line with the configuration:\n%s", logs.String())
	}
	if cfg["upstream_api_key"] != "[redacted]" || cfg["session_keys"] != "[redacted]" || cfg["upstream_url"] != backOffice.url {
		t.Errorf("config = %v", cfg)
	}
	if strings.Contains(logs.String(), frontKey) || strings.Contains(logs.String(), testSessionKey) {
		t.Error("the log contains a secret")
	}
	if !strings.Contains(logs.String(), `"msg":"gateway stopped"`) {
		t.Error("no stop line")
	}
}

func TestHealthAndReadiness(t *testing.T) {
	g := newTestGateway(t, false)
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		g.admin.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Code, rec.Body.String()
	}
	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, body := get("/readyz"); code != 200 || body != `{"checks":{"upstream":"ok"},"ready":true}`+"\n" {
		t.Errorf("/readyz = %d %q", code, body)
	}

	setFaults(t, map[string]string{"product_api.php": "html502"})
	if code, body := get("/readyz"); code != 503 || body != `{"checks":{"upstream":"failed"},"ready":false}`+"\n" {
		t.Errorf("/readyz with the back office failing = %d %q", code, body)
	}
	if !strings.Contains(g.logw.String(), `"msg":"readiness check failed","check":"upstream"`) {
		t.Errorf("the failed check is not logged:\n%s", g.logw.String())
	}
}
