package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeContractBreaker is a fake back office that logs customer 7 in. It responds to every other
// operation with the body set for its file and req, so that a test can break the contract in
// ways the example back office never does.
type fakeContractBreaker struct {
	mu     sync.Mutex
	bodies map[string]string // "file req" to response body
}

func (f *fakeContractBreaker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	file := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	if file == "account_api.php" && r.Form.Get("req") == "login" {
		fmt.Fprint(w, `{"status":"ok","data":{"customer_id":"7","name":"Ann","email":"ann@example.com"}}`)
		return
	}
	f.mu.Lock()
	body, ok := f.bodies[file+" "+r.Form.Get("req")]
	f.mu.Unlock()
	if !ok {
		body = `{"status":"fail","code":"invalid","msg":"no body set"}`
	}
	fmt.Fprint(w, body)
}

func (f *fakeContractBreaker) set(bodies map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bodies = bodies
}

// TestContractBreachesFakeBackOffice checks whole responses: a back office that breaks the
// contract makes the field fail with UPSTREAM_UNAVAILABLE and a safe message, instead of
// showing a wrong value as correct.
func TestContractBreachesFakeBackOffice(t *testing.T) {
	// unavailable is the error of the field at path, which starts at column of the query's line.
	unavailable := func(path string, column int) string {
		return `{"message":"The service is temporarily unavailable. Please try again in a moment.","path":` + path +
			`,"locations":[{"line":1,"column":` + fmt.Sprint(column) + `}],"extensions":{"code":"UPSTREAM_UNAVAILABLE","requestId":""}}`
	}
	order := func(id string) string {
		return `{"id":"` + id + `","number":"A-` + id + `","customer_id":"7","placed":"2024-03-01 10:00:00","status":"paid","total":"1.00","currency":"EUR","shipped":"0000-00-00 00:00:00"}`
	}
	profile := func(version, email string) string {
		return `{"status":"ok","data":{"id":"7","name":"Ann","email":"` + email + `","phone":"","street":"","postal_code":"","city":"","country":"","version":"` + version + `","created":"2024-01-01 10:00:00","last_login":"0"}}`
	}
	tests := []struct {
		name   string
		bodies map[string]string
		query  string
		want   string
		logged string // the fault in the log, "" when the response shows no fault
	}{
		{
			name:   "page-within-limit",
			bodies: map[string]string{"order_api.php list": `{"success":true,"result":{"total":"3","offset":"0","orders":[` + order("1") + `,` + order("2") + `]}}`},
			query:  `{ orders(first: 2) { totalCount edges { node { id } } } }`,
			want:   `{"data":{"orders":{"totalCount":3,"edges":[{"node":{"id":"1"}},{"node":{"id":"2"}}]}}}`,
		},
		{
			name:   "page-longer-than-first",
			bodies: map[string]string{"order_api.php list": `{"success":true,"result":{"total":"3","offset":"0","orders":[` + order("1") + `,` + order("2") + `,` + order("3") + `]}}`},
			query:  `{ orders(first: 2) { totalCount edges { node { id } } } }`,
			want:   `{"errors":[` + unavailable(`["orders"]`, 3) + `],"data":null}`,
			logged: "page of 3 orders for a limit of 2",
		},
		{
			name:   "total-count-beyond-int",
			bodies: map[string]string{"order_api.php list": `{"success":true,"result":{"total":"1099511627776","offset":"0","orders":[]}}`},
			query:  `{ orders(first: 2) { totalCount } }`,
			want:   `{"errors":[` + unavailable(`["orders"]`, 3) + `],"data":null}`,
			logged: "order list total count 1099511627776 is outside 0 to 2147483647",
		},
		{
			name:   "negative-total-count",
			bodies: map[string]string{"order_api.php list": `{"success":true,"result":{"total":"-1","offset":"0","orders":[]}}`},
			query:  `{ orders(first: 2) { totalCount } }`,
			want:   `{"errors":[` + unavailable(`["orders"]`, 3) + `],"data":null}`,
			logged: "order list total count -1 is outside 0 to 2147483647",
		},
		{
			name:   "product-filed-under-another-id",
			bodies: map[string]string{"product_api.php get": `{"status":"ok","data":{"5":{"id":"77","sku":"OTHER-77","name":"Other","price":"1.00","currency":"EUR","active":"1"}}}`},
			query:  `{ product(id: "5") { id name } }`,
			want:   `{"errors":[` + unavailable(`["product"]`, 3) + `],"data":{"product":null}}`,
			logged: `product_api.php get: upstream fault: \"row for 5 names id 77\"`,
		},
		{
			name: "invoice-of-another-order",
			bodies: map[string]string{
				"order_api.php get":         `{"success":true,"result":{"12":` + order("12") + `}}`,
				"invoice_api.php by_orders": `{"success":"1","data":{"12":{"id":"90","number":"INV-90","order_id":"13","issued":"2024-03-02 10:00:00","paid":"0","amount_due":"1.00","currency":"EUR"}}}`,
			},
			query:  `{ order(id: "12") { id invoice { number } } }`,
			want:   `{"errors":[` + unavailable(`["order","invoice"]`, 24) + `],"data":{"order":{"id":"12","invoice":null}}}`,
			logged: `row for 12 names order_id 13`,
		},
		{
			name: "paid-in-year-3170843",
			bodies: map[string]string{
				"order_api.php get":         `{"success":true,"result":{"14":` + order("14") + `}}`,
				"invoice_api.php by_orders": `{"success":"1","data":{"14":{"id":"91","number":"INV-91","order_id":"14","issued":"2024-03-02 10:00:00","paid":"99999999999999","amount_due":"1.00","currency":"EUR"}}}`,
			},
			query:  `{ order(id: "14") { id invoice { number paidAt } } }`,
			want:   `{"errors":[` + unavailable(`["order","invoice"]`, 24) + `],"data":{"order":{"id":"14","invoice":null}}}`,
			logged: `invoice 91 payment date @99999999999999 is outside the years 0000 to 9999`,
		},
		{
			name:   "version-beyond-int",
			bodies: map[string]string{"account_api.php profile": profile("9223372036854775807", "ann@example.com")},
			query:  `{ me { id profile { version } } }`,
			// Customer.profile is non-null, so the error nulls the customer.
			want:   `{"errors":[` + unavailable(`["me","profile"]`, 11) + `],"data":{"me":null}}`,
			logged: `profile 7 version 9223372036854775807 is outside 1 to 2147483647`,
		},
		{
			name:   "profile-without-email",
			bodies: map[string]string{"account_api.php profile": profile("3", "")},
			query:  `{ me { id name } }`,
			want:   `{"errors":[` + unavailable(`["me"]`, 3) + `],"data":{"me":null}}`,
			logged: `profile of 7 has no email`,
		},
	}

	fake := &fakeContractBreaker{}
	backend := httptest.NewServer(fake)
	defer backend.Close()
	g := startTestGateway(t, testSetup{backend: backend.URL + "/apis/"}, allowAnyDocument)
	b := g.browser()
	b.login("ann@example.com")

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake.set(tt.bodies)
			before := len(g.logs.String())
			b.query(tt.query, nil)
			if got := withoutRequestIDs([]byte(b.bodies[len(b.bodies)-1])); got != tt.want {
				t.Errorf("response\n got %s\nwant %s", got, tt.want)
			}

			logs := g.logw.String()[before:]
			if tt.logged == "" {
				return
			}
			if n := strings.Count(logs, tt.logged); n != 1 {
				t.Errorf("the log names the fault %d times, want once:\n%s", n, logs)
			}
			for _, content := range []string{"Other", "OTHER-77", "INV-90"} {
				if strings.Contains(logs, content) {
					t.Errorf("the log contains record contents %q:\n%s", content, logs)
				}
			}
		})
	}
}

// TestLoginAsAnotherAccountFakeBackOffice checks that a login whose response names another
// customer's account fails as an upstream fault and starts no session.
func TestLoginAsAnotherAccountFakeBackOffice(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"status":"ok","data":{"customer_id":"2","name":"Bob Example","email":"bob@example.com"}}`)
	}))
	defer backend.Close()
	g := startTestGateway(t, testSetup{backend: backend.URL + "/apis/"}, allowAnyDocument)
	b := g.browser()

	before := len(g.logw.String())
	b.query(`mutation { login(email: "ann@example.com", password: "demo-password") { customer { id } } }`, nil)
	want := `{"errors":[{"message":"The service is temporarily unavailable. Please try again in a moment.","path":["login"],` +
		`"locations":[{"line":1,"column":12}],"extensions":{"code":"UPSTREAM_UNAVAILABLE","requestId":""}}],"data":null}`
	if got := withoutRequestIDs([]byte(b.bodies[len(b.bodies)-1])); got != want {
		t.Errorf("response\n got %s\nwant %s", got, want)
	}
	if b.cookie != nil {
		t.Errorf("the failed login set the session cookie %q", b.cookie.Name)
	}

	logs := g.logw.String()[before:]
	if n := strings.Count(logs, "account 2 has another email than the one sent"); n != 1 {
		t.Errorf("the log names the fault %d times, want once:\n%s", n, logs)
	}
	for _, email := range []string{"ann@example.com", "bob@example.com"} {
		if strings.Contains(logs, email) {
			t.Errorf("the log contains the email %q:\n%s", email, logs)
		}
	}

	// me is null for a visitor without a session.
	r := b.query(`{ me { id } }`, nil)
	if got := string(r.Data); got != `{"me":null}` {
		t.Errorf("me after the failed login = %s, want null", got)
	}
}
