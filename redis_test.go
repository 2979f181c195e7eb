package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestParseRedisURL(t *testing.T) {
	tests := []struct {
		name     string
		url      string
		wantType string
		wantErr  string
	}{
		{"single-node", "redis://127.0.0.1:6379/0", "*redis.Client", ""},
		{"tls-and-credentials", "rediss://gateway:secret@127.0.0.1:6380/2", "*redis.Client", ""},
		{"sentinel", "redis://127.0.0.1:26379?master_name=main&addr=127.0.0.1:26380&password=secret", "*redis.Client", ""},
		{"cluster", "redis://127.0.0.1:7000?cluster=true&addr=127.0.0.1:7001", "*redis.ClusterClient", ""},
		{"cluster-false", "redis://127.0.0.1:7000?cluster=false", "", "cluster="},
		{"unknown-parameter", "redis://127.0.0.1:6379?colour=blue", "", "colour"},
		{"http-scheme", "http://127.0.0.1:6379", "", "redis:// or rediss://"},
		{"no-host", "redis:///0", "", "with a host"},
		{"bad-database", "redis://127.0.0.1:6379/x", "", "invalid database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			open, err := parseRedisURL(tt.url)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one mentioning %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			client := open()
			defer client.Close()
			if got := fmt.Sprintf("%T", client); got != tt.wantType {
				t.Errorf("client type = %s, want %s", got, tt.wantType)
			}
		})
	}
}

func TestRedisURLOptions(t *testing.T) {
	open, err := parseRedisURL("rediss://gateway:secret@127.0.0.1:6380/2")
	if err != nil {
		t.Fatal(err)
	}
	client := open().(*redis.Client)
	defer client.Close()
	opts := client.Options()
	if opts.Username != "gateway" || opts.Password != "secret" || opts.DB != 2 || opts.TLSConfig == nil {
		t.Errorf("options = user %q, database %d, TLS %v; want gateway, 2 and TLS on", opts.Username, opts.DB, opts.TLSConfig != nil)
	}
	if opts.DialerRetries != defaultDialerRetries {
		t.Errorf("DialerRetries = %d, want %d", opts.DialerRetries, defaultDialerRetries)
	}
}

func TestRedisURLRedacted(t *testing.T) {
	c := &config{
		env: "production", listenAddr: "127.0.0.1:8080", upstreamURL: "http://127.0.0.1:8081/apis/",
		upstreamKey: "k", upstreamZone: "UTC", sessionKeys: "k", sessionDir: t.TempDir(),
		redisURL: "rediss://gateway:redis-password@redis.internal:6380/0?master_name=main&password=primary-password&sentinel_password=sentinel-secret&addr=seed:seed-secret@redis-2.internal:26379",
	}
	var out bytes.Buffer
	c.print(&out)
	var logged bytes.Buffer
	fmt.Fprint(&logged, c.LogValue())
	for _, text := range []string{out.String(), logged.String()} {
		for _, secret := range []string{"redis-password", "primary-password", "sentinel-secret", "seed-secret"} {
			if strings.Contains(text, secret) {
				t.Errorf("the output shows %q:\n%s", secret, text)
			}
		}
	}
	if !strings.Contains(out.String(), "REDIS_URL=rediss://gateway:xxxxx@redis.internal:6380/0?") {
		t.Errorf("REDIS_URL is not shown redacted:\n%s", out.String())
	}
}

func TestRedisURLPlainOutsideLoopbackRejected(t *testing.T) {
	tests := []struct {
		url      string
		wantFail bool
	}{
		{"redis://redis.internal:6379/0", true},
		{"rediss://redis.internal:6380/0", false},
		{"redis://127.0.0.1:6379/0", false},
		{"redis://127.0.0.1:26379/0?master_name=main&addr=redis-s2.internal:26379", true},
		{"redis://127.0.0.1:7000?cluster=true&addr=gw:pw@redis-c2.internal:7000", true},
		{"redis://127.0.0.1:7000?cluster=true&addr=127.0.0.1:7001", false},
		{"rediss://redis.internal:6380/0?skip_verify=true", true},
	}
	for _, tt := range tests {
		c := &config{redisURL: tt.url, upstreamURL: "https://back.example.com/apis/", upstreamKey: "a-random-key-0123456789", allowedOrigins: "https://shop.example.com"}
		failed := false
		for _, p := range c.insecure() {
			if strings.HasPrefix(p, "REDIS_URL") {
				failed = true
			}
		}
		if failed != tt.wantFail {
			t.Errorf("%s: rejected = %v, want %v", tt.url, failed, tt.wantFail)
		}
	}
}
