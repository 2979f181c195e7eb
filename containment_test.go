package main

import (
	"net/url"
	"strings"
	"testing"
)

// keyModes are the example back office's fault modes that echo the key it received.
var keyModes = []string{
	"key_echo", "key_field:name", "key_truncated", "key_clip", "key_request",
	"key_prefix:name", "key_prefix_msg", "key_double_json:name", "key_uescape:name", "key_base64:name",
}

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
	for _, mode := range append([]string{"notice", "html502", "truncated"}, keyModes...) {
		setFaults(t, map[string]string{"*": mode})
		b.query(orderDetailQuery, map[string]any{"id": "327"})
		b.query(dashboardQuery, map[string]any{"first": 5})
		b.query(meQuery, nil)
	}
	setFaults(t, map[string]string{})
	b.query(`mutation { logout }`, nil)

	backOfficeURL, _ := url.Parse(backOffice.url)
	forbidden := append(keyTraces(frontKey), keyTraces(adminKey)...)
	forbidden = append(forbidden,
		backOfficeURL.Host,
		".php", "req=", "key=", "apis/",
		"customer_id", "order_ids", "ids[]", "order_id", "product_id", "unit_price", "amount_due", "debug_key",
	)
	for i, body := range b.bodies {
		for _, f := range forbidden {
			if strings.Contains(body, f) {
				t.Errorf("response %d contains %q:\n%s", i, f, body)
			}
		}
	}

	// The log may name the back office's files, but never any part of its key.
	for _, trace := range append(keyTraces(frontKey), keyTraces(adminKey)...) {
		if strings.Contains(g.logs.String(), trace) {
			t.Errorf("the log contains %q, the start of a key", trace)
		}
	}
}

// TestKeyEchoIsFault sends back-office responses that echo the key, whole or cut off, in fields
// the gateway passes on and in others. Each must reach the browser as UPSTREAM_UNAVAILABLE, and
// the log as one line that names the echo without the key.
func TestKeyEchoIsFault(t *testing.T) {
	for _, mode := range keyModes {
		t.Run(mode, func(t *testing.T) {
			// A gateway of its own, because the retried faults open the circuit breaker.
			g := newTestGateway(t, false)
			b := g.browser()
			b.login("ann@example.com")
			setFaults(t, map[string]string{"account_api.php": mode})
			logStart := len(g.logs.String())

			r := b.query(meQuery, nil)
			if got := string(r.Data); got != `{"me":null}` {
				t.Errorf("data = %s, want me null", got)
			}
			if codes := r.codes(); len(codes) != 1 || codes[0] != "UPSTREAM_UNAVAILABLE" {
				t.Errorf("error codes = %v, want [UPSTREAM_UNAVAILABLE]", codes)
			}

			logged := g.logs.String()[logStart:]
			if n := strings.Count(logged, `"msg":"upstream failed"`); n != 1 {
				t.Errorf("%d upstream failed lines, want 1:\n%s", n, logged)
			}
			if !strings.Contains(logged, "echoed the API key") {
				t.Errorf("the log does not name the echoed key:\n%s", logged)
			}
			for _, trace := range keyTraces(frontKey) {
				if strings.Contains(logged, trace) {
					t.Errorf("the log contains %q, the start of the key:\n%s", trace, logged)
				}
			}
		})
	}
}

// keyTraces returns the first 8 bytes of key in each form that may reach a response or the
// JSON log: as it is, JSON-escaped by PHP (/ as \/), that form once more escaped by the log's
// JSON, and URL-encoded.
func keyTraces(key string) []string {
	forms := []string{
		key,
		strings.ReplaceAll(key, "/", `\/`),
		strings.ReplaceAll(key, "/", `\\/`),
		url.QueryEscape(key),
	}
	traces := make([]string, len(forms))
	for i, form := range forms {
		traces[i] = form[:8]
	}
	return traces
}
