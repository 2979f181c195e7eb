package upstream

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	"customer-gateway/bench/backoffice"
)

// benchKey is the API key of the in-process benchmark upstream. It never leaves the test.
const benchKey = "bench-key"

// dashboardBodies returns the response bodies of the dashboard's five upstream calls for a
// page of 20 orders, exactly as the benchmark upstream (bench/backoffice) writes them from
// bench/testdata/fixtures.json. The handler is called in-process, without a listener.
func dashboardBodies(tb testing.TB) map[string][]byte {
	tb.Helper()
	fixtures, err := backoffice.LoadFixtures("../bench/testdata/fixtures.json")
	if err != nil {
		tb.Fatal(err)
	}
	server := backoffice.NewServer(fixtures, benchKey, 0)

	get := func(file string, params url.Values) []byte {
		params.Set("key", benchKey)
		req := httptest.NewRequest(http.MethodGet, "/apis/"+file+"?"+params.Encode(), nil)
		rec := httptest.NewRecorder()
		server.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			tb.Fatalf("%s: status %d", file, rec.Code)
		}
		return rec.Body.Bytes()
	}

	// The customer with the most orders, so that the page is full.
	const customer = "1"
	bodies := map[string][]byte{
		"profile": get("account_api.php", url.Values{"req": {"profile"}, "customer_id": {customer}}),
		"orders":  get("order_api.php", url.Values{"req": {"list"}, "customer_id": {customer}, "offset": {"0"}, "limit": {"20"}}),
	}
	var page OrderPage
	if err := DecodeResponse(http.StatusOK, bodies["orders"], &page); err != nil {
		tb.Fatal(err)
	}
	if len(page.Orders) != 20 {
		tb.Fatalf("orders page has %d orders, want 20", len(page.Orders))
	}

	orderIDs := url.Values{"req": {"items"}, "customer_id": {customer}}
	for _, o := range page.Orders {
		orderIDs.Add("order_ids[]", string(o.ID))
	}
	bodies["items"] = get("order_api.php", orderIDs)
	orderIDs.Set("req", "by_orders")
	bodies["invoices"] = get("invoice_api.php", orderIDs)

	var items Map[List[OrderItem]]
	if err := DecodeResponse(http.StatusOK, bodies["items"], &items); err != nil {
		tb.Fatal(err)
	}
	productIDs := url.Values{"req": {"get"}}
	for _, lines := range items {
		for _, line := range lines {
			if !slices.Contains(productIDs["ids[]"], string(line.ProductID)) {
				productIDs.Add("ids[]", string(line.ProductID))
			}
		}
	}
	bodies["products"] = get("product_api.php", productIDs)
	return bodies
}

// BenchmarkDecodeResponse decodes each body of a dashboard page into the payload type its
// Client method uses:
//
//	go test -run '^$' -bench DecodeResponse -benchmem ./upstream/
func BenchmarkDecodeResponse(b *testing.B) {
	bodies := dashboardBodies(b)
	cases := []struct {
		name   string
		decode func(body []byte) error
	}{
		{"profile", func(body []byte) error { var p Profile; return DecodeResponse(http.StatusOK, body, &p) }},
		{"orders", func(body []byte) error { var p OrderPage; return DecodeResponse(http.StatusOK, body, &p) }},
		{"items", func(body []byte) error { var p Map[List[OrderItem]]; return DecodeResponse(http.StatusOK, body, &p) }},
		{"invoices", func(body []byte) error { var p Map[Invoice]; return DecodeResponse(http.StatusOK, body, &p) }},
		{"products", func(body []byte) error { var p Map[Product]; return DecodeResponse(http.StatusOK, body, &p) }},
	}
	for _, tc := range cases {
		body := bodies[tc.name]
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if err := tc.decode(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSecretScan looks for the API key and one signing key, in every form, in each body
// of a dashboard page, as the Client does before it decodes a response:
//
//	go test -run '^$' -bench SecretScan -benchmem ./upstream/
func BenchmarkSecretScan(b *testing.B) {
	bodies := dashboardBodies(b)
	signing, err := NewSigningKey("bench", []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		b.Fatal(err)
	}
	// A base64 key with / and +, so that its escaped forms differ from it.
	redactor := NewRedactor("bench/key+with/slashes+0123456789==", []SigningKey{signing})
	for _, name := range []string{"profile", "orders", "items", "invoices", "products"} {
		body := bodies[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if redactor.Contains(body) {
					b.Fatal("the body contains a secret")
				}
			}
		})
	}
}
