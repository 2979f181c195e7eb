package main

import (
	"net/url"
	"strings"
	"testing"
)

// TestContainment runs a whole visit, failures included, and checks that nothing the gateway
// sent back names the back office: not its key, address, file names, operation selector or
// parameter and column names.
func TestContainment(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()

	b.query(`mutation { login(email: "ann@example.com", password: "wrong") { customer { id } } }`, nil)
	b.login("ann@example.com")
	b.query(dashboardQuery, map[string]any{"first": 20})
	b.query(orderDetailQuery, map[string]any{"id": "1011"})
	b.query(orderDetailQuery, map[string]any{"id": "1078"})
	b.query(`{ product(id: "999999") { id } }`, nil)
	b.queryAnyStatus(`{ orders(first: 1000) { totalCount } }`)
	b.queryAnyStatus(`{ nosuchfield }`)
	for _, mode := range []string{"key_echo", "notice", "html502", "truncated"} {
		setFaults(t, map[string]string{"*": mode})
		b.query(orderDetailQuery, map[string]any{"id": "327"})
		b.query(dashboardQuery, map[string]any{"first": 5})
		b.query(meQuery, nil)
	}
	setFaults(t, map[string]string{})
	b.query(`mutation { logout }`, nil)

	backOfficeURL, _ := url.Parse(backOffice.url)
	forbidden := []string{
		frontKey, adminKey,
		backOfficeURL.Host,
		".php", "req=", "key=", "apis/",
		"customer_id", "order_ids", "ids[]", "order_id", "product_id", "unit_price", "amount_due", "debug_key",
	}
	for i, body := range b.bodies {
		for _, f := range forbidden {
			if strings.Contains(body, f) {
				t.Errorf("response %d contains %q:\n%s", i, f, body)
			}
		}
	}

	// The log may name the back office's files, but never its key.
	for _, secret := range []string{frontKey, adminKey} {
		if strings.Contains(g.logs.String(), secret) {
			t.Errorf("the log contains a key")
		}
	}
}
