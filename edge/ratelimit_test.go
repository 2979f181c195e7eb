package edge

import "testing"

func TestAddressKey(t *testing.T) {
	cases := []struct{ addr, want string }{
		{"192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2::ffff", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"::1", "::/64"},
		{"::ffff:192.0.2.7", "::ffff:192.0.2.7"},
		{"not an address", "not an address"},
		{"", ""},
	}
	for _, c := range cases {
		if got := AddressKey(c.addr); got != c.want {
			t.Errorf("AddressKey(%q) = %q, want %q", c.addr, got, c.want)
		}
	}
}
