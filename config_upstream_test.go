package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"customer-gateway/upstream"
)

// validUpstreamConfig returns a configuration that passes validate.
func validUpstreamConfig() *config {
	c := defaultConfig()
	c.upstreamURL = "http://127.0.0.1:8081/apis/"
	c.upstreamKey = frontKey
	c.sessionKeys = "c2Vzc2lvbi1rZXktZm9yLXRlc3RzLW9ubHktMzItYnl0ZXMhIQ=="
	c.signingKeys = signingKeys
	c.untrustedDocuments = true
	return c
}

func TestConfigUpstreamSettings(t *testing.T) {
	tests := []struct {
		name    string
		change  func(c *config)
		wantErr string
	}{
		{"valid", func(c *config) {}, ""},
		{"signing-off", func(c *config) { c.signingKeys = "" }, ""},
		{"signing-key-short", func(c *config) { c.signingKeys = "k1:c2hvcnQ=" }, "UPSTREAM_SIGNING_KEYS is invalid"},
		{"signing-key-no-id", func(c *config) { c.signingKeys = "dGVzdC1zaWduaW5nLWtleS1uZXctMzItYnl0ZXMtb2sh" }, "UPSTREAM_SIGNING_KEYS is invalid"},
		{"timeout-too-short", func(c *config) { c.upstreamTimeout = time.Millisecond }, "UPSTREAM_TIMEOUT"},
		{"deadline-below-timeout", func(c *config) { c.requestDeadline = time.Second }, "REQUEST_DEADLINE"},
		{"budget-zero", func(c *config) { c.callBudget = 0 }, "UPSTREAM_CALL_BUDGET"},
		{"concurrency-one", func(c *config) { c.upstreamMaxConcurrency = 1 }, ""},
		{"concurrency-max", func(c *config) { c.upstreamMaxConcurrency = maxUpstreamConcurrency }, ""},
		{"concurrency-zero", func(c *config) { c.upstreamMaxConcurrency = 0 }, "UPSTREAM_MAX_CONCURRENCY 0 is invalid"},
		{"concurrency-negative", func(c *config) { c.upstreamMaxConcurrency = -8 }, "UPSTREAM_MAX_CONCURRENCY -8 is invalid"},
		{"concurrency-too-large", func(c *config) { c.upstreamMaxConcurrency = maxUpstreamConcurrency + 1 }, "UPSTREAM_MAX_CONCURRENCY 1001 is invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validUpstreamConfig()
			tt.change(c)
			err := c.validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("validate: %v, want an error naming %s", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "dGVzdC1zaWduaW5n") {
				t.Errorf("the error contains the key: %v", err)
			}
		})
	}
}

func TestConfigSigningKeysFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signing-keys")
	if err := os.WriteFile(path, []byte(signingKeys+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("UPSTREAM_URL", "http://127.0.0.1:8081/apis/")
	t.Setenv("UPSTREAM_API_KEY", frontKey)
	t.Setenv("SESSION_KEYS", "c2Vzc2lvbi1rZXktZm9yLXRlc3RzLW9ubHktMzItYnl0ZXMhIQ==")
	t.Setenv("UPSTREAM_SIGNING_KEYS_FILE", path)
	t.Setenv("ALLOWED_ORIGINS", "http://127.0.0.1:8080")
	t.Setenv("TRUSTED_DOCUMENTS", "web-example/site/operations/manifest.json")
	t.Setenv("SESSION_DIR", t.TempDir())
	t.Setenv("UPSTREAM_TIMEOUT", "2s")
	t.Setenv("REQUEST_DEADLINE", "4s")
	t.Setenv("UPSTREAM_CALL_BUDGET", "12")
	t.Setenv("UPSTREAM_MAX_CONCURRENCY", "24")

	var stderr strings.Builder
	c, err := loadConfig([]string{"-upstream-call-budget", "15"}, &stderr)
	if err != nil {
		t.Fatalf("loadConfig: %v", err)
	}
	if string(c.signingKeys) != signingKeys {
		t.Error("the signing keys were not read from UPSTREAM_SIGNING_KEYS_FILE")
	}
	if c.upstreamTimeout != 2*time.Second || c.requestDeadline != 4*time.Second {
		t.Errorf("timeout, deadline = %s, %s; want 2s, 4s", c.upstreamTimeout, c.requestDeadline)
	}
	if c.callBudget != 15 {
		t.Errorf("call budget = %d, want the flag's 15", c.callBudget)
	}
	if c.upstreamMaxConcurrency != 24 {
		t.Errorf("upstream max concurrency = %d, want 24 from UPSTREAM_MAX_CONCURRENCY", c.upstreamMaxConcurrency)
	}

	var printed strings.Builder
	c.print(&printed)
	if !strings.Contains(printed.String(), "UPSTREAM_SIGNING_KEYS=[redacted]") {
		t.Errorf("printed configuration:\n%s", printed.String())
	}
	if !strings.Contains(printed.String(), "UPSTREAM_MAX_CONCURRENCY=24\n") {
		t.Errorf("printed configuration lacks UPSTREAM_MAX_CONCURRENCY=24:\n%s", printed.String())
	}
	if strings.Contains(printed.String(), "dGVzdC1zaWduaW5n") {
		t.Errorf("the printed configuration contains a signing key:\n%s", printed.String())
	}
}

func TestConfigUpstreamMaxConcurrency(t *testing.T) {
	tests := []struct {
		name    string
		env     string
		args    []string
		want    int
		wantErr string
	}{
		{"default", "", nil, 8, ""},
		{"from-env", "16", nil, 16, ""},
		{"flag-overrides-env", "16", []string{"-upstream-max-concurrency", "32"}, 32, ""},
		{"not-a-number", "eight", nil, 0, `UPSTREAM_MAX_CONCURRENCY "eight" is not a whole number`},
		{"zero", "0", nil, 0, "UPSTREAM_MAX_CONCURRENCY 0 is invalid: it must be between 1 and 1000"},
		{"flag-too-large", "", []string{"-upstream-max-concurrency", "5000"}, 0, "UPSTREAM_MAX_CONCURRENCY 5000 is invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("UPSTREAM_URL", "http://127.0.0.1:8081/apis/")
			t.Setenv("UPSTREAM_API_KEY", frontKey)
			t.Setenv("SESSION_KEYS", "c2Vzc2lvbi1rZXktZm9yLXRlc3RzLW9ubHktMzItYnl0ZXMhIQ==")
			t.Setenv("ALLOWED_ORIGINS", "http://127.0.0.1:8080")
			t.Setenv("TRUSTED_DOCUMENTS", "web-example/site/operations/manifest.json")
			t.Setenv("SESSION_DIR", t.TempDir())
			t.Setenv("UPSTREAM_MAX_CONCURRENCY", tt.env)

			var stderr strings.Builder
			c, err := loadConfig(tt.args, &stderr)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("loadConfig: %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("loadConfig: %v", err)
			}
			if c.upstreamMaxConcurrency != tt.want {
				t.Errorf("upstream max concurrency = %d, want %d", c.upstreamMaxConcurrency, tt.want)
			}
		})
	}
}

func TestUpstreamMaxConcurrencyReachesClient(t *testing.T) {
	var got int
	newTestGateway(t, false, func(c *config) {
		c.upstreamMaxConcurrency = 3
		c.tuneUpstream = func(u *upstream.Config) { got = u.MaxConcurrent }
	})
	if got != 3 {
		t.Errorf("upstream.Config.MaxConcurrent = %d, want 3 from UPSTREAM_MAX_CONCURRENCY", got)
	}
}
