package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	base := func() *config {
		c := defaultConfig()
		c.upstreamURL = "http://127.0.0.1:8081/apis/"
		c.upstreamKey = "k"
		c.sessionKeys = "c2Vzc2lvbi1rZXktZm9yLXRlc3RzLW9ubHktMzItYnl0ZXMhIQ=="
		c.sessionDir = t.TempDir()
		c.untrustedDocuments = true
		return c
	}
	tests := []struct {
		name    string
		change  func(*config)
		wantErr string
	}{
		{"valid", func(*config) {}, ""},
		{"unknown-env", func(c *config) { c.env = "staging" }, "GATEWAY_ENV"},
		{"admin-on-public-address", func(c *config) { c.adminAddr = c.listenAddr }, "ADMIN_ADDR and LISTEN_ADDR"},
		{"missing-upstream", func(c *config) { c.upstreamURL = "" }, "UPSTREAM_URL is missing"},
		{"relative-upstream", func(c *config) { c.upstreamURL = "/apis/" }, "UPSTREAM_URL is invalid"},
		{"missing-key", func(c *config) { c.upstreamKey = "" }, "UPSTREAM_API_KEY is missing"},
		{"unknown-zone", func(c *config) { c.upstreamZone = "Mars/Base" }, "UPSTREAM_TIMEZONE"},
		{"short-session-key", func(c *config) { c.sessionKeys = "c2hvcnQ=" }, "SESSION_KEYS is invalid"},
		{"listen-without-host", func(c *config) { c.listenAddr = ":8080" }, "ALLOWED_ORIGINS is missing"},
		{"listen-without-host-but-origins", func(c *config) { c.listenAddr = ":8080"; c.allowedOrigins = "https://shop.example.com" }, ""},
		{"origin-with-path", func(c *config) { c.allowedOrigins = "https://shop.example.com/app" }, "ALLOWED_ORIGINS entry"},
		{"session-dir-unwritable", func(c *config) { c.sessionDir = "/proc/customer-gateway" }, "SESSION_DIR"},
		{"site-dir-missing", func(c *config) { c.siteDir = "/nonexistent" }, "SITE_DIR"},
		{"max-inflight-zero", func(c *config) { c.maxInFlight = 0 }, "MAX_INFLIGHT"},
		{"queue-timeout-zero", func(c *config) { c.queueTimeout = 0 }, ""},
		{"queue-timeout-minute", func(c *config) { c.queueTimeout = time.Minute }, ""},
		{"queue-timeout-negative", func(c *config) { c.queueTimeout = -time.Second }, "QUEUE_TIMEOUT"},
		{"queue-timeout-above-minute", func(c *config) { c.queueTimeout = time.Minute + time.Second }, "QUEUE_TIMEOUT"},
		{"redis-url-valid", func(c *config) { c.redisURL = "redis://127.0.0.1:6379/0" }, ""},
		{"redis-url-wrong-scheme", func(c *config) { c.redisURL = "tcp://127.0.0.1:6379" }, "REDIS_URL"},
		{"redis-url-redacted-in-error", func(c *config) { c.redisURL = "redis://u:hunter2@127.0.0.1:6379?colour=blue" }, "u:xxxxx@"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			tt.change(c)
			err := c.validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func TestDefaultOriginsIncludeLocalhost(t *testing.T) {
	c := &config{listenAddr: "127.0.0.1:8080"}
	got := strings.Join(c.origins(), ",")
	if got != "http://127.0.0.1:8080,http://localhost:8080" {
		t.Errorf("origins = %s", got)
	}
}

func TestCheckRedactsSecrets(t *testing.T) {
	c := &config{
		env: "production", listenAddr: "127.0.0.1:8080", upstreamURL: "http://user:url-password@127.0.0.1:8081/apis/?key=key-in-query",
		upstreamKey: "the-api-key", upstreamZone: "UTC", sessionKeys: "the-session-key", sessionDir: t.TempDir(),
	}
	var out bytes.Buffer
	c.print(&out)
	for _, secret := range []string{"url-password", "key-in-query", "the-api-key", "the-session-key"} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("the output shows %q:\n%s", secret, out.String())
		}
	}
	if !strings.Contains(out.String(), "UPSTREAM_API_KEY=[redacted]") {
		t.Errorf("the key is not shown as redacted:\n%s", out.String())
	}
}

func TestProductionRejectsWeakSigningKey(t *testing.T) {
	c := defaultConfig()
	c.upstreamURL = "http://127.0.0.1:8081/apis/"
	c.upstreamKey = frontKey
	c.sessionKeys = testSessionKey
	c.allowedOrigins = "http://127.0.0.1:8080"
	c.signingKeys = "zeros:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	err := c.validateProduction()
	if err == nil || !strings.Contains(err.Error(), `UPSTREAM_SIGNING_KEYS key "zeros" is weak`) {
		t.Errorf("err = %v, want the weak signing key named", err)
	}
	if strings.Contains(fmt.Sprint(err), "AAAA") {
		t.Error("the error shows the key")
	}
}
