package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"customer-gateway/upstream"
)

// dashboard is the part of a dashboardQuery response that the fault tests look at.
type dashboard struct {
	Me     *struct{ ID string }
	Orders *struct {
		TotalCount int
		Edges      []struct {
			Node struct {
				ID    string
				Items []struct {
					Product *struct{ ID string }
				}
				Invoice *struct{ ID string }
			}
		}
	}
}

// checkInvoicesFailed checks a dashboard whose invoice calls failed: the customer, the orders,
// their items and products are there, every invoice is null, and each invoice path carries
// UPSTREAM_UNAVAILABLE with the safe message.
func checkInvoicesFailed(t *testing.T, r *gqlResponse, first int) {
	t.Helper()
	var d dashboard
	if err := json.Unmarshal(r.Data, &d); err != nil {
		t.Fatalf("data: %v: %s", err, r.Data)
	}
	if d.Me == nil || d.Me.ID != "1" {
		t.Errorf("me = %+v, want ann", d.Me)
	}
	if d.Orders == nil || len(d.Orders.Edges) != first {
		t.Fatalf("orders = %s, want %d orders", r.Data, first)
	}
	for _, e := range d.Orders.Edges {
		if e.Node.Invoice != nil {
			t.Errorf("order %s has an invoice despite the failure", e.Node.ID)
		}
		if len(e.Node.Items) == 0 || e.Node.Items[0].Product == nil {
			t.Errorf("order %s lacks its items or products: %+v", e.Node.ID, e.Node.Items)
		}
	}
	checkUnavailableAt(t, r, "invoice", first)
}

// TestProductFailureKeepsLines checks a dashboard whose products call fails: the orders keep
// the lines and invoices of the same page without the fault, every product is null, and each
// has its own UPSTREAM_UNAVAILABLE error at its path, with the safe message.
func TestProductFailureKeepsLines(t *testing.T) {
	eachLoad(t, func(t *testing.T, g *testGateway) {
		b := g.browser()
		b.login("ann@example.com")
		healthy := b.query(dashboardQuery, map[string]any{"first": 3})
		setFaults(t, map[string]string{"product_api.php": "html502"})

		r := b.query(dashboardQuery, map[string]any{"first": 3})
		var d dashboard
		if err := json.Unmarshal(r.Data, &d); err != nil {
			t.Fatalf("data: %v: %s", err, r.Data)
		}
		if d.Orders == nil || len(d.Orders.Edges) != 3 {
			t.Fatalf("orders = %s, want 3 orders", r.Data)
		}
		for _, e := range d.Orders.Edges {
			if len(e.Node.Items) == 0 {
				t.Errorf("order %s lost its lines", e.Node.ID)
			}
			for _, it := range e.Node.Items {
				if it.Product != nil {
					t.Errorf("order %s has product %s despite the failure", e.Node.ID, it.Product.ID)
				}
			}
		}
		if got, want := countObjects(t, r.Data, "invoice"), countObjects(t, healthy.Data, "invoice"); got != want {
			t.Errorf("%d invoices, want the %d of the healthy page: they do not depend on the products", got, want)
		}
		if got, want := countObjects(t, r.Data, "unitPrice"), countObjects(t, healthy.Data, "unitPrice"); got != want {
			t.Errorf("%d lines, want the %d of the healthy page", got, want)
		}

		checkUnavailableAt(t, r, "product", countObjects(t, healthy.Data, "product"))
		for _, e := range r.Errors {
			if len(e.Locations) == 0 {
				t.Errorf("error at %v has no location", e.Path)
			}
		}
	})
}

// TestProductsLoadedBesideFailedOnes checks that a products call that fails costs only its
// own products: two pages of one order each make two products calls, and a call budget lets
// only one through. Every product is then either there or null with its own error.
func TestProductsLoadedBesideFailedOnes(t *testing.T) {
	// The budget: the login's call, two order lists, two calls for lines, one products call.
	eachLoad(t, func(t *testing.T, g *testGateway) {
		b := g.browser()
		b.login("ann@example.com")

		// The cursors of offsets 7 and 27: two orders that share a product.
		const page = `orders(first: 1, after: %q) { edges { node { id items { quantity product { id } } } } }`
		query := fmt.Sprintf("{ a: "+page+" b: "+page+" }", "b2Zmc2V0Ojc", "b2Zmc2V0OjI3")
		r := b.queryAnyStatus(query)

		var d map[string]struct {
			Edges []struct {
				Node struct {
					Items []struct {
						Product *struct{ ID string }
					}
				}
			}
		}
		if err := json.Unmarshal(r.Data, &d); err != nil {
			t.Fatalf("data: %v: %s", err, r.Data)
		}
		failed := map[string]bool{}
		for _, e := range r.Errors {
			if code := e.Extensions["code"]; code != "QUERY_TOO_COMPLEX" {
				t.Errorf("code = %v at %v, want QUERY_TOO_COMPLEX", code, e.Path)
			}
			failed[fmt.Sprint(e.Path)] = true
		}
		loaded := 0
		for alias, conn := range d {
			if len(conn.Edges) != 1 {
				t.Fatalf("%s has %d orders, want 1: %s", alias, len(conn.Edges), r.Data)
			}
			for i, it := range conn.Edges[0].Node.Items {
				path := fmt.Sprint([]any{alias, "edges", 0, "node", "items", i, "product"})
				switch {
				case it.Product != nil && failed[path]:
					t.Errorf("%s has a product and an error", path)
				case it.Product == nil && !failed[path]:
					t.Errorf("%s is null without an error", path)
				case it.Product != nil:
					loaded++
				}
			}
		}
		if loaded == 0 {
			t.Errorf("no product loaded: the call within the budget was lost: %s", r.Data)
		}
		if len(failed) == 0 {
			t.Errorf("no product failed: the budget of 5 calls let both products calls through")
		}
	}, func(c *config) { c.callBudget = 5 })
}

// checkUnavailableAt checks that r has n errors, each at a field named field, with the code
// UPSTREAM_UNAVAILABLE and the safe message.
func checkUnavailableAt(t *testing.T, r *gqlResponse, field string, n int) {
	t.Helper()
	if len(r.Errors) != n {
		t.Errorf("%d errors, want one per %s (%d): %+v", len(r.Errors), field, n, r.Errors)
	}
	for _, e := range r.Errors {
		if code := e.Extensions["code"]; code != "UPSTREAM_UNAVAILABLE" {
			t.Errorf("code = %v at %v, want UPSTREAM_UNAVAILABLE", code, e.Path)
		}
		if len(e.Path) == 0 || e.Path[len(e.Path)-1] != field {
			t.Errorf("error at %v, want it at a field %s", e.Path, field)
		}
		if e.Message != "The service is temporarily unavailable. Please try again in a moment." {
			t.Errorf("message = %q", e.Message)
		}
	}
}

func TestFaultModesGivePartialData(t *testing.T) {
	tests := []struct {
		mode        string
		wantFailure bool
		wantLogged  string // in the log line of the failure, when there is one
	}{
		{"notice", true, "Undefined array key"},
		{"html502", true, "502 Bad Gateway"},
		{"empty500", true, "status 500"},
		{"empty200", true, "empty body"},
		{"truncated", true, "invalid JSON"},
		{"slow:1500", true, "upstream timed out"},
		{"bom", false, ""},
		{"none", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			g := newTestGateway(t, false, func(c *config) {
				// Only the slow mode gets a short call timeout: php -S workers go on sleeping
				// after the gateway gives up, and the next case's login must outwait them.
				if strings.HasPrefix(tt.mode, "slow:") {
					c.upstreamTimeout = 300 * time.Millisecond
				}
			})
			b := g.browser()
			b.login("ann@example.com")
			setFaults(t, map[string]string{"invoice_api.php": tt.mode})

			r := b.query(dashboardQuery, map[string]any{"first": 3})
			if !tt.wantFailure {
				if len(r.Errors) > 0 {
					t.Fatalf("errors: %+v", r.Errors)
				}
				if ok := g.upstreamOutcomes("invoice_api.php")["ok"]; ok != 1 {
					t.Errorf("%v successful invoice calls, want 1", ok)
				}
				return
			}
			checkInvoicesFailed(t, r, 3)

			// The cause goes to the log once, with the request id; the response never has it.
			var failures []map[string]any
			for _, line := range strings.Split(g.logs.String(), "\n") {
				var entry map[string]any
				if json.Unmarshal([]byte(line), &entry) == nil && entry["msg"] == "upstream failed" {
					failures = append(failures, entry)
				}
			}
			if len(failures) != 1 {
				t.Fatalf("%d upstream failure lines, want 1:\n%s", len(failures), g.logs)
			}
			logged, _ := json.Marshal(failures[0])
			if !strings.Contains(string(logged), tt.wantLogged) || failures[0]["request_id"] == "" {
				t.Errorf("log line %s lacks %q or the request id", logged, tt.wantLogged)
			}
			body, _ := json.Marshal(r)
			for _, leak := range []string{"invoice_api", ".php", "nginx", "Warning", tt.wantLogged} {
				if strings.Contains(string(body), leak) {
					t.Errorf("response contains %q: %s", leak, body)
				}
			}
		})
	}
}

func TestNoticeLoggedWithBodyStart(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	b.login("ann@example.com")
	setFaults(t, map[string]string{"invoice_api.php": "notice"})
	b.query(dashboardQuery, map[string]any{"first": 1})

	for _, line := range strings.Split(g.logs.String(), "\n") {
		var entry map[string]any
		if json.Unmarshal([]byte(line), &entry) != nil || entry["msg"] != "upstream failed" {
			continue
		}
		start, _ := entry["body_start"].(string)
		if !strings.Contains(start, "<b>Warning</b>") || len(start) > 512 {
			t.Errorf("body_start = %q, want the PHP warning, at most 512 bytes", start)
		}
		return
	}
	t.Fatalf("no upstream failure was logged:\n%s", g.logs)
}

func TestBreakerOpensAndRecovers(t *testing.T) {
	var mu sync.Mutex
	var changes []string
	g := newTestGateway(t, false, func(c *config) {
		c.tuneUpstream = func(u *upstream.Config) {
			u.Retries = -1
			u.Breaker = upstream.BreakerConfig{Failures: 2, OpenFor: 200 * time.Millisecond, OnStateChange: func(api, from, to string) {
				mu.Lock()
				defer mu.Unlock()
				changes = append(changes, api+" "+from+"->"+to)
			}}
		}
	})
	b := g.browser()
	b.login("ann@example.com")
	setFaults(t, map[string]string{"invoice_api.php": "html502"})

	// Two failed calls open the invoices' breaker.
	for range 2 {
		checkInvoicesFailed(t, b.query(dashboardQuery, map[string]any{"first": 2}), 2)
	}
	if got := g.upstreamOutcomes("invoice_api.php")["fault"]; got != 2 {
		t.Fatalf("%v failed invoice calls, want 2", got)
	}

	// Open: the invoices fail fast without a call, and the rest of the page is still served.
	checkInvoicesFailed(t, b.query(dashboardQuery, map[string]any{"first": 2}), 2)
	invoices := g.upstreamOutcomes("invoice_api.php")
	if invoices["fault"] != 2 || invoices["circuit_open"] != 1 {
		t.Errorf("invoice outcomes = %v, want 2 faults and 1 circuit_open", invoices)
	}

	// The area heals; after the open period one probe closes the breaker again.
	setFaults(t, map[string]string{})
	time.Sleep(300 * time.Millisecond)
	r := b.query(dashboardQuery, map[string]any{"first": 2})
	if len(r.Errors) > 0 {
		t.Fatalf("after healing: %+v", r.Errors)
	}
	if ok := g.upstreamOutcomes("invoice_api.php")["ok"]; ok != 1 {
		t.Errorf("after healing %v successful invoice calls, want 1", ok)
	}

	mu.Lock()
	defer mu.Unlock()
	want := []string{
		"invoice_api.php closed->open",
		"invoice_api.php open->half-open",
		"invoice_api.php half-open->closed",
	}
	if !slices.Equal(changes, want) {
		t.Errorf("state changes = %q, want %q", changes, want)
	}
}

func TestCallBudgetExceeded(t *testing.T) {
	g := newTestGateway(t, false, func(c *config) { c.callBudget = 3 })
	b := g.browser()
	b.login("ann@example.com")

	before := g.upstreamCalls("")
	r := b.query(dashboardQuery, map[string]any{"first": 5})
	if !slices.Contains(r.codes(), "QUERY_TOO_COMPLEX") {
		t.Fatalf("codes = %v, want QUERY_TOO_COMPLEX among them", r.codes())
	}
	for _, e := range r.Errors {
		if e.Extensions["code"] == "QUERY_TOO_COMPLEX" && e.Message != "The operation asks for too much at once. Ask for fewer records." {
			t.Errorf("message = %q", e.Message)
		}
	}

	sent := 0.0
	for _, api := range []string{"account_api.php", "order_api.php", "product_api.php", "invoice_api.php"} {
		for outcome, n := range g.upstreamOutcomes(api) {
			if outcome != "budget_exceeded" {
				sent += n
			}
		}
	}
	// The login made one call before the operation.
	if sent-1 != 3 {
		t.Errorf("%v calls reached the back office, want the budget of 3 (%v observed in all)", sent-1, g.upstreamCalls("")-before)
	}

	// The budget is per operation: the next one starts afresh.
	if r := b.query(meQuery, nil); len(r.Errors) > 0 {
		t.Errorf("next operation: %+v", r.Errors)
	}
}

func TestSecretsNeverLogged(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	b.login("ann@example.com")
	if r := b.query(dashboardQuery, map[string]any{"first": 3}); len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	setFaults(t, map[string]string{"*": "html502"})
	b.query(dashboardQuery, map[string]any{"first": 3})
	g.browser().query(`mutation { login(email: "ann@example.com", password: "wrong") { customer { id } } }`, nil)

	rec := httptest.NewRecorder()
	g.admin.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	captured := g.logs.String() + rec.Body.String() + strings.Join(b.bodies, "\n")
	if !strings.Contains(g.logs.String(), "upstream failed") {
		t.Fatalf("the failing request was not logged:\n%s", g.logs)
	}
	secrets := []string{frontKey, adminKey, "demo-password"}
	for _, pair := range strings.Split(signingKeys, ",") {
		secrets = append(secrets, strings.SplitN(pair, ":", 2)[1])
	}
	for _, secret := range secrets {
		if strings.Contains(captured, secret) {
			t.Errorf("a secret appears in the log, the metrics or a response: %q", secret)
		}
	}
}

func TestClientGoneCancelsUpstreamCalls(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	b.login("ann@example.com")
	setFaults(t, map[string]string{"order_api.php": "slow:2000"})

	// The browser gives up long before the back office responds.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	body, _ := json.Marshal(map[string]any{"query": `{ orders(first: 3) { totalCount } }`})
	req, _ := http.NewRequestWithContext(ctx, "POST", g.public.URL+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", g.origin)
	req.AddCookie(b.cookie)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the request finished with status %d before the back office answered", resp.StatusCode)
	}

	// The gateway notices the closed connection and cancels the call in flight, without a retry.
	deadline := time.Now().Add(10 * time.Second)
	for g.upstreamOutcomes("order_api.php")["canceled"] == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no order call was cancelled: %v", g.upstreamOutcomes("order_api.php"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := g.upstreamOutcomes("order_api.php"); got["canceled"] != 1 || len(got) != 1 {
		t.Errorf("order call outcomes = %v, want exactly one cancelled call", got)
	}
	if strings.Contains(g.logs.String(), "upstream failed") {
		t.Errorf("a cancelled call was logged as a back-office failure:\n%s", g.logs)
	}
}
