package edge

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestParseTrustedProxies(t *testing.T) {
	tests := []struct {
		name string
		list string
		want string
	}{
		{"unset", "", ""},
		{"blank-entries", " , ,", ""},
		{"ipv4-address", "127.0.0.1", "127.0.0.1/32"},
		{"ipv6-address", "2001:db8::1", "2001:db8::1/128"},
		{"host-bits-cleared", "10.1.2.3/8", "10.0.0.0/8"},
		{"mixed-with-spaces", " 10.0.0.0/24 , 2001:db8::/32,", "10.0.0.0/24,2001:db8::/32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseTrustedProxies(tt.list)
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if got := p.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseTrustedProxiesRejects(t *testing.T) {
	tests := []struct {
		name    string
		list    string
		wantErr string
	}{
		{"octet-too-large", "10.0.0.1,10.0.0.256", `"10.0.0.256" is not an IP address or CIDR prefix`},
		{"prefix-too-long", "10.0.0.0/33", `"10.0.0.0/33" is not an IP address or CIDR prefix`},
		{"prefix-empty", "10.0.0.0/", `"10.0.0.0/" is not an IP address or CIDR prefix`},
		{"host-name", "proxy.internal", `"proxy.internal" is not an IP address or CIDR prefix`},
		{"address-with-port", "10.0.0.1:8080", `"10.0.0.1:8080" is not an IP address or CIDR prefix`},
		{"ipv6-zone", "fe80::1%eth0", `"fe80::1%eth0" has an IPv6 zone`},
		{"ipv4-mapped-address", "::ffff:10.0.0.1", `"::ffff:10.0.0.1" is an IPv4-mapped IPv6 address: write it in IPv4 form, such as 10.0.0.1`},
		{"ipv4-mapped-prefix", "::ffff:0:0/96", `"::ffff:0:0/96" is an IPv4-mapped IPv6 address`},
		{"every-ipv4-address", "0.0.0.0/0", `"0.0.0.0/0" trusts every IPv4 address`},
		{"every-ipv6-address", "10.0.0.1, ::/0", `"::/0" trusts every IPv6 address`},
		{"every-address-host-bits", "10.0.0.1/0", `"10.0.0.1/0" trusts every IPv4 address`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTrustedProxies(tt.list)
			if err == nil {
				t.Fatal("err = nil, want an error")
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestClientAddr(t *testing.T) {
	tests := []struct {
		name    string
		proxies string
		peer    string   // RemoteAddr
		header  []string // X-Forwarded-For lines; nil sends none
		want    string
	}{
		// Without trusted proxies the header is never read.
		{"unset-ignores-header", "", "203.0.113.9:5000", []string{"198.51.100.1"}, "203.0.113.9"},
		{"unset-ipv6-peer", "", "[2001:db8::9]:5000", []string{"198.51.100.1"}, "2001:db8::9"},
		{"unset-peer-without-port", "", "203.0.113.9", nil, "203.0.113.9"},

		// A spoofed header from a peer that is not a trusted proxy is ignored.
		{"untrusted-peer-spoofs", "10.0.0.1", "203.0.113.9:5000", []string{"198.51.100.1"}, "203.0.113.9"},
		{"untrusted-peer-spoofs-proxy", "10.0.0.1", "203.0.113.9:5000", []string{"198.51.100.1, 10.0.0.1"}, "203.0.113.9"},
		{"untrusted-ipv6-peer", "2001:db8:1::/48", "[2001:db8:9::1]:443", []string{"2001:db8:2::7"}, "2001:db8:9::1"},

		// From a trusted proxy, the rightmost entry that is not a trusted proxy.
		{"one-proxy", "10.0.0.1", "10.0.0.1:40000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"client-prefix-ignored", "10.0.0.1", "10.0.0.1:40000", []string{"6.6.6.6, 198.51.100.1"}, "198.51.100.1"},
		{"chain-of-proxies", "10.0.0.0/24", "10.0.0.2:40000", []string{"6.6.6.6, 198.51.100.1, 10.0.0.3, 10.0.0.1"}, "198.51.100.1"},
		{"chain-across-lines", "10.0.0.0/24", "10.0.0.2:40000", []string{"6.6.6.6", "198.51.100.1, 10.0.0.3", "10.0.0.1"}, "198.51.100.1"},
		{"chain-of-listed-addresses", "10.0.0.1, 192.0.2.10", "10.0.0.1:40000", []string{"198.51.100.1,192.0.2.10"}, "198.51.100.1"},
		{"no-spaces-and-tabs", "10.0.0.1", "10.0.0.1:40000", []string{"6.6.6.6,\t198.51.100.1\t"}, "198.51.100.1"},
		{"entry-with-port", "10.0.0.1", "10.0.0.1:40000", []string{"198.51.100.1:5123"}, "198.51.100.1"},
		{"malformed-left-of-client", "10.0.0.1", "10.0.0.1:40000", []string{"unknown, , 198.51.100.1"}, "198.51.100.1"},

		// IPv6.
		{"ipv6-proxy-and-client", "2001:db8:1::/48", "[2001:db8:1::10]:443", []string{"2001:db8:2::7"}, "2001:db8:2::7"},
		{"ipv6-chain", "2001:db8:1::/48", "[2001:db8:1::10]:443", []string{"2001:db8:2::7, 2001:db8:1::11"}, "2001:db8:2::7"},
		{"ipv6-entry-with-port", "2001:db8:1::/48", "[2001:db8:1::10]:443", []string{"[2001:db8:2::7]:443"}, "2001:db8:2::7"},
		{"ipv6-entry-zone-dropped", "2001:db8:1::/48", "[2001:db8:1::10]:443", []string{"fe80::7%eth0"}, "fe80::7"},
		{"ipv6-entry-uncompressed", "2001:db8:1::/48", "[2001:db8:1::10]:443", []string{"2001:0db8:0002:0000:0000:0000:0000:0007"}, "2001:db8:2::7"},
		{"ipv6-client-behind-ipv4-proxy", "10.0.0.1", "10.0.0.1:40000", []string{"2001:db8:2::7"}, "2001:db8:2::7"},
		{"ipv4-client-behind-ipv6-proxy", "2001:db8:1::/48", "[2001:db8:1::10]:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"ipv4-mapped-client", "10.0.0.1", "10.0.0.1:40000", []string{"::ffff:198.51.100.1"}, "198.51.100.1"},
		{"ipv4-mapped-proxy-entry", "10.0.0.0/24", "10.0.0.2:40000", []string{"198.51.100.1, ::ffff:10.0.0.1"}, "198.51.100.1"},
		{"ipv4-mapped-peer", "10.0.0.1", "[::ffff:10.0.0.1]:40000", []string{"198.51.100.1"}, "198.51.100.1"},

		// A missing, empty or malformed entry where the client's address belongs gives the
		// peer, never a value further left that the client may have written.
		{"header-missing", "10.0.0.1", "10.0.0.1:40000", nil, "10.0.0.1"},
		{"header-empty", "10.0.0.1", "10.0.0.1:40000", []string{""}, "10.0.0.1"},
		{"last-entry-empty", "10.0.0.1", "10.0.0.1:40000", []string{"198.51.100.1, "}, "10.0.0.1"},
		{"last-line-empty", "10.0.0.1", "10.0.0.1:40000", []string{"198.51.100.1", ""}, "10.0.0.1"},
		{"last-entry-malformed", "10.0.0.1", "10.0.0.1:40000", []string{"198.51.100.1, unknown"}, "10.0.0.1"},
		{"last-entry-host-name", "10.0.0.1", "10.0.0.1:40000", []string{"198.51.100.1, client.example"}, "10.0.0.1"},
		{"last-entry-octet-too-large", "10.0.0.1", "10.0.0.1:40000", []string{"198.51.100.256"}, "10.0.0.1"},
		{"last-entry-unspecified", "10.0.0.1", "10.0.0.1:40000", []string{"198.51.100.1, 0.0.0.0"}, "10.0.0.1"},
		{"last-entry-ipv6-unspecified", "10.0.0.1", "10.0.0.1:40000", []string{"198.51.100.1, ::"}, "10.0.0.1"},
		{"last-entry-ipv4-zone", "10.0.0.1", "10.0.0.1:40000", []string{"198.51.100.1%eth0"}, "10.0.0.1"},
		{"malformed-behind-trusted", "10.0.0.0/24", "10.0.0.2:40000", []string{"198.51.100.1, garbage, 10.0.0.1"}, "10.0.0.2"},
		{"every-entry-trusted", "10.0.0.0/24", "10.0.0.2:40000", []string{"10.0.0.9, 10.0.0.1"}, "10.0.0.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseTrustedProxies(tt.proxies)
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest("POST", "/graphql", nil)
			r.RemoteAddr = tt.peer
			for _, line := range tt.header {
				r.Header.Add("X-Forwarded-For", line)
			}
			if got := p.ClientAddr(r); got != tt.want {
				t.Errorf("ClientAddr = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWrapStoresClientAddr(t *testing.T) {
	p, err := ParseTrustedProxies("10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	h := p.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, ClientAddrFrom(r.Context()))
	}))
	for _, peer := range []string{"10.0.0.1:40000", "203.0.113.9:5000"} {
		r := httptest.NewRequest("POST", "/graphql", nil)
		r.RemoteAddr = peer
		r.Header.Set("X-Forwarded-For", "198.51.100.1")
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	if len(got) != 2 || got[0] != "198.51.100.1" || got[1] != "203.0.113.9" {
		t.Errorf("client addresses = %q, want [198.51.100.1 203.0.113.9]", got)
	}
	if addr := ClientAddrFrom(httptest.NewRequest("GET", "/", nil).Context()); addr != "" {
		t.Errorf("outside Wrap: ClientAddrFrom = %q, want empty", addr)
	}
}

// The zero value costs one SplitHostPort, as before trusted proxies existed. A trusted peer adds
// the walk over the header's entries.
func BenchmarkClientAddr(b *testing.B) {
	cases := []struct {
		name    string
		proxies string
		peer    string
		header  string
	}{
		{"unset", "", "203.0.113.9:5000", "6.6.6.6, 198.51.100.1"},
		{"untrusted-peer", "10.0.0.0/24", "203.0.113.9:5000", "6.6.6.6, 198.51.100.1"},
		{"trusted-chain", "10.0.0.0/24", "10.0.0.2:40000", "6.6.6.6, 198.51.100.1, 10.0.0.1"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			p, err := ParseTrustedProxies(c.proxies)
			if err != nil {
				b.Fatal(err)
			}
			r := httptest.NewRequest("POST", "/graphql", nil)
			r.RemoteAddr = c.peer
			r.Header.Set("X-Forwarded-For", c.header)
			b.ReportAllocs()
			for b.Loop() {
				p.ClientAddr(r)
			}
		})
	}
}
