package edge

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// TrustedProxies is the set of reverse proxies in front of the gateway whose X-Forwarded-For
// header it believes. The zero value trusts no proxy, so the client address is always the TCP
// peer. A TrustedProxies is safe for concurrent use.
//
// A client can put any text in X-Forwarded-For, so the header is read only on connections from
// a listed proxy, and only as far as the entries those proxies appended.
type TrustedProxies struct {
	prefixes []netip.Prefix
}

// ParseTrustedProxies parses a comma-separated list of IPv4 and IPv6 addresses and CIDR
// prefixes. A plain address trusts that address alone, and a prefix's host bits are cleared, so
// 10.1.2.3/8 means 10.0.0.0/8. Empty entries are skipped, and an empty list trusts no proxy.
//
// The error names the first entry that does not parse, carries an IPv6 zone, is written as an
// IPv4-mapped IPv6 address (connections from IPv4 peers never match that form), or is a prefix
// of length 0. A /0 prefix trusts every address of its family, so any client of that family
// could choose its own address.
func ParseTrustedProxies(list string) (TrustedProxies, error) {
	var p TrustedProxies
	for _, entry := range strings.Split(list, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		prefix, err := parseProxyEntry(entry)
		if err != nil {
			return TrustedProxies{}, err
		}
		p.prefixes = append(p.prefixes, prefix)
	}
	return p, nil
}

// parseProxyEntry parses one entry of a TrustedProxies list.
func parseProxyEntry(entry string) (netip.Prefix, error) {
	if strings.Contains(entry, "%") {
		return netip.Prefix{}, fmt.Errorf("entry %q has an IPv6 zone: list the address without %%zone", entry)
	}
	var prefix netip.Prefix
	if strings.Contains(entry, "/") {
		parsed, err := netip.ParsePrefix(entry)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("entry %q is not an IP address or CIDR prefix, such as 10.0.0.1 or 10.0.0.0/24", entry)
		}
		prefix = parsed.Masked()
	} else {
		addr, err := netip.ParseAddr(entry)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("entry %q is not an IP address or CIDR prefix, such as 10.0.0.1 or 10.0.0.0/24", entry)
		}
		prefix = netip.PrefixFrom(addr, addr.BitLen())
	}

	if prefix.Addr().Is4In6() {
		return netip.Prefix{}, fmt.Errorf("entry %q is an IPv4-mapped IPv6 address: write it in IPv4 form, such as %s", entry, prefix.Addr().Unmap())
	}
	if prefix.Bits() == 0 {
		family := "IPv4"
		if prefix.Addr().Is6() {
			family = "IPv6"
		}
		return netip.Prefix{}, fmt.Errorf("entry %q trusts every %s address, so any client could choose its own address: list only the proxies' addresses", entry, family)
	}
	return prefix, nil
}

// String returns the list in canonical form, such as "10.0.0.0/8,2001:db8::1/128", or "" when
// no proxy is trusted.
func (p TrustedProxies) String() string {
	parts := make([]string, len(p.prefixes))
	for i, prefix := range p.prefixes {
		parts[i] = prefix.String()
	}
	return strings.Join(parts, ",")
}

// trusts reports whether addr, which must have no zone and be unmapped, is a trusted proxy.
func (p TrustedProxies) trusts(addr netip.Addr) bool {
	for _, prefix := range p.prefixes {
		if prefix.Contains(addr) {
			return true
		}
	}
	return false
}

// ClientAddr returns the IP address of the client that sent r: the key of the per-address rate
// limits and the access log's client_addr.
//
// It is the TCP peer's address, as net.SplitHostPort splits it from r.RemoteAddr, unless the
// peer is a trusted proxy. Then it is the rightmost X-Forwarded-For entry, over all the header's
// lines in order, that is not a trusted proxy itself. Each trusted proxy appends the address it
// received the request from, so that entry was written by a trusted proxy, while entries to its
// left may come from the client. When the header is missing, the entry at that position is
// empty, malformed or unspecified (0.0.0.0, ::), or every entry is trusted, ClientAddr falls
// back to the peer's address. So the result is never a value the client chose. An entry may
// carry a port (192.0.2.7:5123, [2001:db8::7]:443). The port and any IPv6 zone are dropped, and
// IPv4-mapped IPv6 entries come back in IPv4 form.
func (p TrustedProxies) ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	if len(p.prefixes) == 0 {
		return host
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !p.trusts(peer.WithZone("").Unmap()) {
		return host
	}

	// Walk from the last line's end towards the first line's start, and stop at the first
	// entry that is not a trusted proxy, so a long header that a client started costs nothing
	// beyond the entries the proxies appended.
	lines := r.Header.Values("X-Forwarded-For")
	for i := len(lines) - 1; i >= 0; i-- {
		rest := lines[i]
		for more := true; more; {
			var entry string
			if comma := strings.LastIndexByte(rest, ','); comma >= 0 {
				rest, entry = rest[:comma], rest[comma+1:]
			} else {
				entry, more = rest, false
			}
			addr, ok := parseForwardedAddr(entry)
			if !ok {
				return host
			}
			if !p.trusts(addr) {
				return addr.String()
			}
		}
	}
	return host
}

// parseForwardedAddr parses one X-Forwarded-For entry: an IP address, optionally with a port,
// surrounded by optional whitespace. The address comes back without zone and unmapped, and ok
// is false for anything else and for an unspecified address.
func parseForwardedAddr(entry string) (addr netip.Addr, ok bool) {
	entry = strings.TrimSpace(entry)
	addr, err := netip.ParseAddr(entry)
	if err != nil {
		addrPort, err := netip.ParseAddrPort(entry)
		if err != nil {
			return netip.Addr{}, false
		}
		addr = addrPort.Addr()
	}
	addr = addr.WithZone("").Unmap()
	if addr.IsUnspecified() {
		return netip.Addr{}, false
	}
	return addr, true
}

type clientAddrKey struct{}

// Wrap returns next with each request's client address, from ClientAddr, in its context, where
// ClientAddrFrom finds it. The address is computed once per request, so the rate limits, the
// access log and every other reader behind Wrap see the same one.
func (p TrustedProxies) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), clientAddrKey{}, p.ClientAddr(r))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// ClientAddrFrom returns the client address of the request ctx belongs to, as
// TrustedProxies.Wrap found it, or "" outside a request that passed Wrap.
func ClientAddrFrom(ctx context.Context) string {
	addr, _ := ctx.Value(clientAddrKey{}).(string)
	return addr
}
