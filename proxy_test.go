package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"customer-gateway/internal/redistest"
)

// TestLoginLimitPerClientBehindProxy sends logins of two customers through one reverse proxy:
// the test client connects from 127.0.0.1 and sets X-Forwarded-For the way nginx's
// $proxy_add_x_forwarded_for does, appending the address the proxy saw to whatever the client
// sent. With the proxy trusted, each customer has a login bucket of their own. Otherwise they
// share the proxy's bucket, so one customer's guessing locks the other out.
func TestLoginLimitPerClientBehindProxy(t *testing.T) {
	login := `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { customer { id } } }`
	// Client A forges an address in front of the one its proxy appends, and changes the forgery
	// on its second attempt to try to escape its bucket. Client B comes over IPv6.
	requests := []struct {
		email, password, forwardedFor string
	}{
		{"ann@example.com", "guess-1", "198.51.100.66, 203.0.113.7"},
		{"ann@example.com", "guess-2", "198.51.100.67, 203.0.113.7"},
		{"bob@example.com", "demo-password", "2001:db8::9"},
	}
	tests := []struct {
		name    string
		proxies string
		redis   bool // count in a real redis-server, as several instances do
		// wantB is the error code of client B's correct login; "" means it succeeds.
		wantB     string
		wantAddrs []string
	}{
		{"proxy-trusted", "127.0.0.1", false, "", []string{"203.0.113.7", "203.0.113.7", "2001:db8::9"}},
		{"proxy-in-trusted-range", "192.0.2.1, 127.0.0.0/8", false, "", []string{"203.0.113.7", "203.0.113.7", "2001:db8::9"}},
		{"proxy-trusted-redis", "127.0.0.1", true, "", []string{"203.0.113.7", "203.0.113.7", "2001:db8::9"}},
		{"no-proxy-trusted", "", false, "RATE_LIMITED", []string{"127.0.0.1", "127.0.0.1", "127.0.0.1"}},
		{"no-proxy-trusted-redis", "", true, "RATE_LIMITED", []string{"127.0.0.1", "127.0.0.1", "127.0.0.1"}},
		{"peer-not-trusted", "192.0.2.1, ::1", false, "RATE_LIMITED", []string{"127.0.0.1", "127.0.0.1", "127.0.0.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			redisURL := ""
			if tt.redis {
				redisURL = redistest.Start(t).URL()
			}
			// One login attempt a minute per client address; the emails' own limits are not
			// reached.
			g := newTestGateway(t, false, func(c *config) {
				c.addressLogins = 1
				c.trustedProxies = tt.proxies
				c.redisURL = redisURL
			})
			b := g.browser()
			var got []refusal
			for _, req := range requests {
				header := http.Header{"X-Forwarded-For": {req.forwardedFor}}
				got = append(got, b.send(map[string]any{"query": login, "variables": map[string]any{"e": req.email, "p": req.password}}, header))
			}

			if codes := got[0].body.codes(); got[0].status != http.StatusOK || len(codes) != 1 || codes[0] != "BAD_USER_INPUT" {
				t.Errorf("A's first guess: status %d, codes %v, want 200 and [BAD_USER_INPUT]", got[0].status, codes)
			}
			if codes := got[1].body.codes(); got[1].status != http.StatusTooManyRequests || len(codes) != 1 || codes[0] != "RATE_LIMITED" {
				t.Errorf("A's second guess: status %d, codes %v, want 429 and [RATE_LIMITED]", got[1].status, codes)
			}
			codes := got[2].body.codes()
			switch {
			case tt.wantB == "" && (got[2].status != http.StatusOK || len(codes) != 0):
				t.Errorf("B's login: status %d, codes %v, want 200 and no error", got[2].status, codes)
			case tt.wantB != "" && (len(codes) != 1 || codes[0] != tt.wantB):
				t.Errorf("B's login: status %d, codes %v, want [%s]", got[2].status, codes, tt.wantB)
			}

			lines := g.logLines("request")
			if len(lines) != len(requests) {
				t.Fatalf("%d access lines for %d requests", len(lines), len(requests))
			}
			for i, line := range lines {
				if line["client_addr"] != tt.wantAddrs[i] {
					t.Errorf("request %d: client_addr = %v, want %s", i+1, line["client_addr"], tt.wantAddrs[i])
				}
			}
			if lines[1]["error_code"] != "RATE_LIMITED" {
				t.Errorf("A's second guess: error_code = %v, want RATE_LIMITED beside its client_addr", lines[1]["error_code"])
			}
		})
	}
}

func TestTrustedProxiesSetting(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		args    []string
		wantErr string // "" when the value is valid
		want    string // the canonical list that -check and the start line show
	}{
		{name: "unset", want: ""},
		{name: "canonical-form", value: "127.0.0.1, 10.1.2.3/8,2001:db8::/32", want: "127.0.0.1/32,10.0.0.0/8,2001:db8::/32"},
		{name: "flag-overrides-variable", value: "10.0.0.1", args: []string{"-trusted-proxies", "::1"}, want: "::1/128"},
		{name: "invalid-entry", value: "127.0.0.1,10.0.0.300", wantErr: `TRUSTED_PROXIES is invalid: entry "10.0.0.300" is not an IP address or CIDR prefix`},
		{name: "every-ipv4-address", value: "0.0.0.0/0", wantErr: `TRUSTED_PROXIES is invalid: entry "0.0.0.0/0" trusts every IPv4 address`},
		{name: "every-ipv6-address", value: "::/0", wantErr: `TRUSTED_PROXIES is invalid: entry "::/0" trusts every IPv6 address`},
	}
	// A /0 prefix is rejected in development too: no deployment needs it.
	for _, env := range []string{"production", "development"} {
		for _, tt := range tests {
			t.Run(env+"-"+tt.name, func(t *testing.T) {
				setGatewayEnv(t, "127.0.0.1:18080", "127.0.0.1:19090")
				t.Setenv("GATEWAY_ENV", env)
				t.Setenv("TRUSTED_PROXIES", tt.value)
				var stdout, stderr bytes.Buffer
				err := run(context.Background(), append([]string{"-check"}, tt.args...), &stdout, &stderr)
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
						t.Errorf("run -check = %v, want an error containing %q", err, tt.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatalf("run -check = %v", err)
				}
				if want := "\nTRUSTED_PROXIES=" + tt.want + "\n"; !strings.Contains(stdout.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, stdout.String())
				}

				// The start line logs the configuration through its LogValue.
				cfg, err := loadConfig(tt.args, io.Discard)
				if err != nil {
					t.Fatal(err)
				}
				var line bytes.Buffer
				slog.New(slog.NewJSONHandler(&line, nil)).Info("gateway started", "config", cfg)
				var logged struct {
					Config map[string]any `json:"config"`
				}
				if err := json.Unmarshal(line.Bytes(), &logged); err != nil {
					t.Fatal(err)
				}
				if logged.Config["trusted_proxies"] != tt.want {
					t.Errorf("start line: trusted_proxies = %v, want %q", logged.Config["trusted_proxies"], tt.want)
				}
			})
		}
	}
}

// TestLoginLimitPerIPv6Network sends logins from two addresses of one IPv6 /64 through a
// trusted proxy: they share one per-address bucket, so a client that owns the /64 cannot take
// a fresh bucket with every address. An address of another /64 has its own.
func TestLoginLimitPerIPv6Network(t *testing.T) {
	login := `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { customer { id } } }`
	for _, useRedis := range []bool{false, true} {
		name := "memory"
		if useRedis {
			name = "redis"
		}
		t.Run(name, func(t *testing.T) {
			redisURL := ""
			if useRedis {
				redisURL = redistest.Start(t).URL()
			}
			g := newTestGateway(t, false, func(c *config) {
				c.addressLogins = 1
				c.trustedProxies = "127.0.0.1"
				c.redisURL = redisURL
			})
			b := g.browser()
			send := func(email, addr string) refusal {
				header := http.Header{"X-Forwarded-For": {addr}}
				return b.send(map[string]any{"query": login, "variables": map[string]any{"e": email, "p": "guess"}}, header)
			}

			if r := send("ann@example.com", "2001:db8:0:1::a"); r.status != http.StatusOK {
				t.Errorf("first address of the /64: status %d, want 200", r.status)
			}
			if r := send("bob@example.com", "2001:db8:0:1::b"); r.status != http.StatusTooManyRequests {
				t.Errorf("second address of the same /64: status %d, want 429", r.status)
			}
			if r := send("bob@example.com", "2001:db8:0:2::b"); r.status != http.StatusOK {
				t.Errorf("address of another /64: status %d, want 200", r.status)
			}
		})
	}
}
