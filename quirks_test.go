package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The example back office answers the way legacy PHP does: numbers as strings, lists with gaps
// as objects keyed by index, [] for empty objects, PDO's numeric duplicate keys, local dates with
// zero dates for "never". These tests read records that carry each quirk through GraphQL.

type orderDetail struct {
	Order struct {
		ID       string
		Number   string
		PlacedAt string
		Status   string
		Total    struct{ Amount, Currency string }
		Items    []struct {
			Quantity  int
			UnitPrice struct{ Amount, Currency string }
			Product   *struct{ ID, Name, Sku string }
		}
		Invoice *struct {
			Number    string
			IssuedAt  string
			PaidAt    *string
			AmountDue struct{ Amount, Currency string }
		}
	}
}

const orderDetailQuery = `query($id: ID!) { order(id: $id) {
	id number placedAt status total { amount currency }
	items { quantity unitPrice { amount currency } product { id name sku } }
	invoice { number issuedAt paidAt amountDue { amount currency } }
} }`

func loadOrder(t *testing.T, b *browser, id string) orderDetail {
	t.Helper()
	r := b.query(orderDetailQuery, map[string]any{"id": id})
	if len(r.Errors) > 0 {
		t.Fatalf("order %s: errors %+v", id, r.Errors)
	}
	var d orderDetail
	if err := json.Unmarshal(r.Data, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestQuirksDecode(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	b.login("ann@example.com")

	t.Run("items-with-gaps", func(t *testing.T) {
		// Order 1011 lost lines through array_filter, so its lines arrive as {"0":..,"2":..}.
		d := loadOrder(t, b, "1011")
		if len(d.Order.Items) == 0 {
			t.Fatal("no items")
		}
		for _, it := range d.Order.Items {
			if it.Quantity < 1 {
				t.Errorf("a removed line (quantity %d) came through", it.Quantity)
			}
			if it.Product == nil || it.Product.Sku == "" {
				t.Errorf("item without product: %+v", it)
			}
		}
	})

	t.Run("unpaid-invoice", func(t *testing.T) {
		// Order 327's invoice is unpaid: paid is 0000-00-00 00:00:00 in the back office.
		d := loadOrder(t, b, "327")
		inv := d.Order.Invoice
		if inv == nil {
			t.Fatal("no invoice")
		}
		if inv.PaidAt != nil {
			t.Errorf("paidAt = %q, want null", *inv.PaidAt)
		}
		if inv.AmountDue.Amount == "0.00" || !strings.Contains(inv.AmountDue.Amount, ".") {
			t.Errorf("amountDue = %q, want a non-zero decimal string", inv.AmountDue.Amount)
		}
	})

	t.Run("pending-order-without-invoice", func(t *testing.T) {
		d := loadOrder(t, b, "4998")
		if d.Order.Status != "PENDING" || d.Order.Invoice != nil {
			t.Errorf("status %s, invoice %+v; want PENDING without invoice", d.Order.Status, d.Order.Invoice)
		}
		if d.Order.Total.Amount != "873.48" || d.Order.Total.Currency != "EUR" {
			t.Errorf("total = %+v, want 873.48 EUR", d.Order.Total)
		}
	})

	t.Run("local-time-with-offset", func(t *testing.T) {
		// The back office wrote 2026-11-30 04:37:41 in Europe/Berlin, which is CET in November.
		d := loadOrder(t, b, "4998")
		if d.Order.PlacedAt != "2026-11-30T04:37:41+01:00" {
			t.Errorf("placedAt = %q, want 2026-11-30T04:37:41+01:00", d.Order.PlacedAt)
		}
		if _, err := time.Parse(time.RFC3339, d.Order.PlacedAt); err != nil {
			t.Errorf("placedAt is not RFC 3339: %v", err)
		}
	})

	t.Run("totals-match-lines", func(t *testing.T) {
		// Money stays decimal text end to end; summing in cents checks that no digit was lost.
		for _, id := range []string{"4998", "1011", "327"} {
			d := loadOrder(t, b, id)
			var sum int64
			for _, it := range d.Order.Items {
				sum += int64(it.Quantity) * cents(t, it.UnitPrice.Amount)
			}
			if got := cents(t, d.Order.Total.Amount); got != sum {
				t.Errorf("order %s: total %d cents, lines add up to %d", id, got, sum)
			}
		}
	})

	t.Run("product-missing-is-not-found", func(t *testing.T) {
		r := b.query(`{ product(id: "999999") { id } }`, nil)
		if got := r.codes(); len(got) != 1 || got[0] != "NOT_FOUND" {
			t.Errorf("codes = %v, want [NOT_FOUND]", got)
		}
	})
}

// cents parses a two-decimal money string without floating point.
func cents(t *testing.T, amount string) int64 {
	t.Helper()
	whole, frac, ok := strings.Cut(amount, ".")
	if !ok || len(frac) != 2 {
		t.Fatalf("amount %q is not a two-decimal string", amount)
	}
	var n int64
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			t.Fatalf("amount %q is not a decimal string", amount)
		}
		n = n*10 + int64(r-'0')
	}
	return n
}

func TestUpstreamFaultsAreMasked(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	b.login("ann@example.com")

	for _, mode := range []string{"notice", "html502", "empty500", "empty200", "truncated"} {
		t.Run(mode, func(t *testing.T) {
			setFaults(t, map[string]string{"invoice_api.php": mode})
			r := b.query(`{ orders(first: 3) { edges { node { number invoice { number } } } } }`, nil)

			// The orders still load; only the invoices fail, each on its own path.
			if !strings.Contains(string(r.Data), `"number":"SO-`) {
				t.Errorf("orders did not load: %s", r.Data)
			}
			if len(r.Errors) == 0 {
				t.Fatal("no error reported")
			}
			for _, e := range r.Errors {
				if e.Extensions["code"] != "UPSTREAM_UNAVAILABLE" {
					t.Errorf("code = %v, want UPSTREAM_UNAVAILABLE", e.Extensions["code"])
				}
				if len(e.Path) == 0 || e.Path[len(e.Path)-1] != "invoice" {
					t.Errorf("path = %v, want one ending in invoice", e.Path)
				}
			}
			body := strings.Join(b.bodies, "\n")
			for _, leak := range []string{"nginx", "Warning", ".php", "Bad Gateway", "unexpected"} {
				if strings.Contains(body, leak) {
					t.Errorf("the response contains %q", leak)
				}
			}
			// The cause reaches the log once, with the request id.
			if !strings.Contains(g.logs.String(), `"msg":"upstream failed"`) {
				t.Error("the fault was not logged")
			}
		})
	}
}

func TestEdgeRefusals(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	b.login("ann@example.com")
	valid := `{"query":"{ me { id } }"}`

	tests := []struct {
		name       string
		method     string
		body       string
		header     http.Header
		wantStatus int
		wantCode   string
	}{
		{"get", "GET", "", nil, http.StatusMethodNotAllowed, "BAD_REQUEST"},
		{"form-post", "POST", "query=%7Bme%7Bid%7D%7D", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, http.StatusUnsupportedMediaType, "BAD_REQUEST"},
		{"text-plain", "POST", valid, http.Header{"Content-Type": {"text/plain"}}, http.StatusUnsupportedMediaType, "BAD_REQUEST"},
		{"multipart", "POST", valid, http.Header{"Content-Type": {"multipart/form-data; boundary=x"}}, http.StatusUnsupportedMediaType, "BAD_REQUEST"},
		{"foreign-origin", "POST", valid, http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden, "FORBIDDEN"},
		{"null-origin", "POST", valid, http.Header{"Origin": {"null"}}, http.StatusForbidden, "FORBIDDEN"},
		{"cross-site-fetch", "POST", valid, http.Header{"Origin": nil, "Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden, "FORBIDDEN"},
		{"foreign-referer", "POST", valid, http.Header{"Origin": nil, "Referer": {"https://evil.example/page"}}, http.StatusForbidden, "FORBIDDEN"},
		{"no-origin-with-cookie", "POST", valid, http.Header{"Origin": nil}, http.StatusForbidden, "FORBIDDEN"},
		{"body-over-1mib", "POST", `{"query":"` + strings.Repeat(" ", 1<<20) + `{ me { id } }"}`, nil, http.StatusRequestEntityTooLarge, "BAD_REQUEST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := g.upstreamCalls("")
			req, _ := http.NewRequest(tt.method, g.public.URL+"/graphql", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Origin", g.origin)
			for k, v := range tt.header {
				if v == nil {
					req.Header.Del(k)
					continue
				}
				req.Header[k] = v
			}
			req.AddCookie(b.cookie)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out gqlResponse
			json.NewDecoder(resp.Body).Decode(&out)

			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if got := out.codes(); len(got) != 1 || got[0] != tt.wantCode {
				t.Errorf("codes = %v, want [%s]", got, tt.wantCode)
			}
			if out.Data != nil {
				t.Errorf("data = %s, want none", out.Data)
			}
			if after := g.upstreamCalls(""); after != before {
				t.Errorf("%v upstream calls were made", after-before)
			}
		})
	}
}

func TestAnonymousRequestWithoutOriginIsServed(t *testing.T) {
	// A client that is not a browser (curl, a monitor) sends no Origin; without a session
	// cookie it can reach nothing private, so it is served.
	g := newTestGateway(t, false)
	b := g.browser()
	resp, raw := b.post(`{"query":"{ me { id } }"}`, http.Header{"Origin": nil})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(raw), `"me":null`) {
		t.Errorf("status %d: %s", resp.StatusCode, raw)
	}
}

func TestProductionRefusesIntrospection(t *testing.T) {
	tests := []struct {
		name string
		dev  bool
		want string
	}{
		{"production", false, "GRAPHQL_VALIDATION_FAILED"},
		{"development", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newTestGateway(t, tt.dev)
			for _, q := range []string{
				`{ __schema { queryType { name } } }`,
				`{ __type(name: "Order") { name } }`,
				`query { ...F } fragment F on Query { __schema { types { name } } }`,
			} {
				r := g.browser().queryAnyStatus(q)
				codes := r.codes()
				if tt.want == "" && len(codes) > 0 {
					t.Errorf("%s: codes = %v, want none", q, codes)
				}
				if tt.want != "" && len(codes) == 0 {
					t.Errorf("%s: no error, want %s", q, tt.want)
				}
				for _, c := range codes {
					if c != tt.want {
						t.Errorf("%s: code = %q, want %q", q, c, tt.want)
					}
				}
			}
			misspelled := g.browser().queryAnyStatus(`{ mee { id } }`)
			if len(misspelled.Errors) != 1 {
				t.Fatalf("errors = %+v", misspelled.Errors)
			}
			hasSuggestion := strings.Contains(misspelled.Errors[0].Message, "Did you mean")
			if hasSuggestion != tt.dev {
				t.Errorf("message %q: suggestions shown = %v, want %v", misspelled.Errors[0].Message, hasSuggestion, tt.dev)
			}
		})
	}
}

func TestPlaygroundOnlyInDevelopment(t *testing.T) {
	for _, dev := range []bool{false, true} {
		g := newTestGateway(t, dev)
		resp, err := http.Get(g.public.URL + "/playground")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := http.StatusNotFound
		if dev {
			want = http.StatusOK
		}
		if resp.StatusCode != want {
			t.Errorf("development=%v: status %d, want %d", dev, resp.StatusCode, want)
		}
	}
}

func TestSiteHeaders(t *testing.T) {
	g := newTestGateway(t, false)
	resp, err := http.Get(g.public.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q", got)
	}
}
