package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const meQuery = `{ me { id name email } }`

func TestLogin(t *testing.T) {
	g := newTestGateway(t, false)
	tests := []struct {
		name     string
		email    string
		password string
		wantCode string
	}{
		{"ann", "ann@example.com", "demo-password", ""},
		{"email-case-ignored", "ANN@example.com", "demo-password", ""},
		{"wrong-password", "ann@example.com", "wrong", "BAD_USER_INPUT"},
		{"unknown-email", "nobody@example.com", "demo-password", "BAD_USER_INPUT"},
		{"empty-password", "ann@example.com", "", "BAD_USER_INPUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := g.browser()
			r := b.query(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { customer { name email } } }`,
				map[string]any{"e": tt.email, "p": tt.password})
			if tt.wantCode == "" {
				if len(r.Errors) > 0 {
					t.Fatalf("errors: %+v", r.Errors)
				}
				if got := string(r.Data); got != `{"login":{"customer":{"name":"Ann Example","email":"ann@example.com"}}}` {
					t.Errorf("data = %s", got)
				}
				if b.cookie == nil {
					t.Error("no session cookie was set")
				}
				return
			}
			if got := r.codes(); len(got) != 1 || got[0] != tt.wantCode {
				t.Fatalf("codes = %v, want [%s]", got, tt.wantCode)
			}
			if r.Errors[0].Message != "Wrong email or password." {
				t.Errorf("message = %q", r.Errors[0].Message)
			}
			if b.cookie != nil {
				t.Error("a failed login set a session cookie")
			}
		})
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	b.login("ann@example.com")
	c := b.cookie
	if c.Name != "__Host-session" {
		t.Errorf("name = %q, want __Host-session", c.Name)
	}
	if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Domain != "" {
		t.Errorf("cookie = %+v; want Secure, HttpOnly, SameSite=Strict, Path=/ and no Domain", c)
	}
}

func TestMeAcrossLoginAndLogout(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()

	if got := string(b.query(meQuery, nil).Data); got != `{"me":null}` {
		t.Errorf("before login: %s", got)
	}

	b.login("ann@example.com")
	r := b.query(meQuery, nil)
	if got := string(r.Data); got != `{"me":{"id":"1","name":"Ann Example","email":"ann@example.com"}}` {
		t.Errorf("after login: %s %+v", got, r.Errors)
	}

	stolen := b.cookie
	r = b.query(`mutation { logout }`, nil)
	if got := string(r.Data); got != `{"logout":true}` {
		t.Errorf("logout: %s %+v", got, r.Errors)
	}
	if b.cookie != nil {
		t.Error("logout did not expire the cookie")
	}
	if got := string(b.query(meQuery, nil).Data); got != `{"me":null}` {
		t.Errorf("after logout: %s", got)
	}

	// A copy of the cookie taken before the logout is dead too.
	replay := g.browser()
	replay.cookie = stolen
	if got := string(replay.query(meQuery, nil).Data); got != `{"me":null}` {
		t.Errorf("replayed cookie: %s", got)
	}
	r = replay.query(`{ orders { totalCount } }`, nil)
	if got := r.codes(); len(got) != 1 || got[0] != "UNAUTHENTICATED" {
		t.Errorf("replayed cookie, orders: codes = %v", got)
	}
}

func TestLoginReplacesSession(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	b.login("ann@example.com")
	before := b.cookie

	b.login("bob@example.com")
	if b.cookie.Value == before.Value {
		t.Fatal("login kept the old session cookie")
	}
	old := g.browser()
	old.cookie = before
	if got := string(old.query(meQuery, nil).Data); got != `{"me":null}` {
		t.Errorf("the session before the second login still works: %s", got)
	}
}

func TestFieldsNeedLoginWithoutUpstreamCall(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	queries := map[string]string{
		"orders":        `{ orders { totalCount } }`,
		"order":         `{ order(id: "1") { id } }`,
		"orders-and-me": `{ me { id } orders(first: 5) { totalCount } }`,
	}
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			before := g.upstreamCalls("")
			r := b.query(q, nil)
			if got := r.codes(); len(got) != 1 || got[0] != "UNAUTHENTICATED" {
				t.Errorf("codes = %v, want [UNAUTHENTICATED]", got)
			}
			if after := g.upstreamCalls(""); after != before {
				t.Errorf("%v upstream calls were made", after-before)
			}
		})
	}
}

func TestPagingThroughOrders(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	b.login("ann@example.com")

	type page struct {
		Orders struct {
			Edges []struct {
				Cursor string
				Node   struct{ ID, Number string }
			}
			PageInfo struct {
				HasNextPage bool
				EndCursor   *string
			}
			TotalCount int
		}
	}
	seen := map[string]bool{}
	var after any
	pages := 0
	for {
		r := b.query(`query($after: String) { orders(first: 7, after: $after) {
			edges { cursor node { id number } } pageInfo { hasNextPage endCursor } totalCount } }`,
			map[string]any{"after": after})
		if len(r.Errors) > 0 {
			t.Fatalf("errors: %+v", r.Errors)
		}
		var p page
		json.Unmarshal(r.Data, &p)
		pages++
		if p.Orders.TotalCount != 34 {
			t.Errorf("totalCount = %d, want 34", p.Orders.TotalCount)
		}
		for _, e := range p.Orders.Edges {
			if seen[e.Node.ID] {
				t.Errorf("order %s returned twice", e.Node.ID)
			}
			seen[e.Node.ID] = true
		}
		if !p.Orders.PageInfo.HasNextPage {
			break
		}
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		after = *p.Orders.PageInfo.EndCursor
	}
	if len(seen) != 34 || pages != 5 {
		t.Errorf("saw %d orders in %d pages, want 34 in 5", len(seen), pages)
	}
}

func TestPagingArguments(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	b.login("ann@example.com")
	tests := []struct {
		name  string
		first int
		after any
	}{
		{"first-zero", 0, nil},
		{"first-negative", -1, nil},
		{"first-too-large", 101, nil},
		{"cursor-not-base64", 5, "%%%"},
		{"cursor-not-ours", 5, "b2Zmc2V0Oi0x"},
		{"cursor-random", 5, "aGVsbG8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := g.upstreamCalls("")
			r := b.query(`query($f: Int, $a: String) { orders(first: $f, after: $a) { totalCount } }`,
				map[string]any{"f": tt.first, "a": tt.after})
			if got := r.codes(); len(got) != 1 || got[0] != "BAD_USER_INPUT" {
				t.Errorf("codes = %v, want [BAD_USER_INPUT]", got)
			}
			if after := g.upstreamCalls(""); after != before {
				t.Errorf("%v upstream calls were made", after-before)
			}
		})
	}
}

// withoutRequestIDs drops the request ids, which differ between two otherwise equal responses.
func withoutRequestIDs(body []byte) string {
	return regexp.MustCompile(`"requestId":"[^"]*"`).ReplaceAllString(string(body), `"requestId":""`)
}

func TestOtherCustomersOrderIsNotFound(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	b.login("ann@example.com")

	ask := func(id string) string {
		body, _ := json.Marshal(map[string]any{"query": `query($id: ID!) { order(id: $id) { id number } }`, "variables": map[string]any{"id": id}})
		resp, raw := b.post(string(body), nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		return withoutRequestIDs(raw)
	}
	// Order 1078 is one of bob's; 999999 does not exist.
	bobs, missing := ask("1078"), ask("999999")
	want := `{"errors":[{"message":"Not found.","path":["order"],"locations":[{"line":1,"column":19}],"extensions":{"code":"NOT_FOUND","requestId":""}}],"data":{"order":null}}`
	if bobs != want {
		t.Errorf("bob's order:\n got %s\nwant %s", bobs, want)
	}
	if bobs != missing {
		t.Errorf("bob's order and a missing order answer differently:\n%s\n%s", bobs, missing)
	}
	if own := ask("4998"); !strings.Contains(own, `"number":"SO-2026-005998"`) {
		t.Errorf("ann's own order: %s", own)
	}
	if malformed := ask("12a"); !strings.Contains(malformed, `"BAD_USER_INPUT"`) {
		t.Errorf("malformed id: %s", malformed)
	}
}

// dashboardQuery is the site's dashboard: the customer, a page of orders with their lines,
// products and invoices. The benchmark loads the same file.
var dashboardQuery = readOperation("bench/operations/Dashboard.graphql")

func readOperation(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestSiteOperationsUpstreamCalls counts the back-office calls of every operation of the site,
// so that a resolver that starts calling per row (N+1) fails the build. Each count is the
// minimum the contract allows: one call per record type and level.
func TestSiteOperationsUpstreamCalls(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	b.login("ann@example.com")

	files, _ := filepath.Glob("web-example/site/operations/*.graphql")
	files = append(files, "bench/operations/Dashboard.graphql")
	operations := map[string]string{}
	for _, f := range files {
		operations[strings.TrimSuffix(filepath.Base(f), ".graphql")] = readOperation(f)
	}

	// The writes need the profile's version and a ticket of ann's, read before counting.
	profile := readProfile(t, b)
	var opened struct{ OpenTicket struct{ Ticket ticketData } }
	r := b.query(openTicketMutation, map[string]any{"key": newKey(), "input": map[string]any{"subject": "Counting calls", "message": "Hello."}})
	json.Unmarshal(r.Data, &opened)
	if opened.OpenTicket.Ticket.ID == "" {
		t.Fatalf("no ticket to reply to: %+v", r.Errors)
	}

	// The cases run in this order, on one session: Logout and Login come last.
	tests := []struct {
		name      string
		operation string
		variables map[string]any
		want      float64 // profile, order list, order get, items, invoices, products, login
	}{
		{"me", "Me", nil, 1},
		{"orders-1", "Orders", map[string]any{"first": 1}, 1},
		{"orders-20", "Orders", map[string]any{"first": 20}, 1},
		{"orders-100", "Orders", map[string]any{"first": 100}, 1},
		{"dashboard-1", "Dashboard", map[string]any{"first": 1}, 5},
		{"dashboard-20", "Dashboard", map[string]any{"first": 20}, 5},
		{"dashboard-34", "Dashboard", map[string]any{"first": 34}, 5},
		{"dashboard-100", "Dashboard", map[string]any{"first": 100}, 5},
		{"order-detail-newest", "OrderDetail", map[string]any{"id": "4998"}, 4},
		{"order-detail-oldest", "OrderDetail", map[string]any{"id": "3"}, 4},
		{"profile", "Profile", nil, 1},
		{"update-profile", "UpdateProfile", map[string]any{"idempotencyKey": newKey(), "input": profileInput(profile, "+49 30 5550100")}, 1},
		{"tickets", "Tickets", nil, 1},
		{"open-ticket", "OpenTicket", map[string]any{"idempotencyKey": newKey(), "input": map[string]any{"subject": "Counted", "message": "Hello."}}, 1},
		{"reply-to-ticket", "ReplyToTicket", map[string]any{"idempotencyKey": newKey(), "input": map[string]any{"ticketId": opened.OpenTicket.Ticket.ID, "message": "Still there?"}}, 1},
		{"logout", "Logout", nil, 0},
		{"login", "Login", map[string]any{"email": "ann@example.com", "password": "demo-password"}, 1},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.operation] = true
	}
	for name := range operations {
		if !covered[name] {
			t.Errorf("operation %s has no expected upstream call count: add a case", name)
		}
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, ok := operations[tt.operation]
			if !ok {
				t.Fatalf("operation %s not found", tt.operation)
			}
			before := g.upstreamCalls("")
			r := b.query(text, tt.variables)
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %+v", r.Errors)
			}
			if calls := g.upstreamCalls("") - before; calls != tt.want {
				t.Errorf("%v upstream calls, want %v", calls, tt.want)
			}
		})
	}
}

// TestProductsOnlyWhenSelected checks that the lines' products cost their call only when the
// operation selects them, as a field, through a fragment, under an alias or a directive.
func TestProductsOnlyWhenSelected(t *testing.T) {
	eachLoad(t, func(t *testing.T, g *testGateway) {
		b := g.browser()
		b.login("ann@example.com")

		const lines = `query { orders(first: 3) { edges { node { %s } } } } %s`
		const optional = `query($p: Boolean!) { orders(first: 3) { edges { node {
			items { quantity product @include(if: $p) { id } } } } } }`
		tests := []struct {
			name      string
			query     string
			variables map[string]any
			key       string // the response key of the products, when they are selected
		}{
			{"lines only", fmt.Sprintf(lines, `items { quantity }`, ""), nil, ""},
			{"field", fmt.Sprintf(lines, `items { quantity product { id } }`, ""), nil, "product"},
			{"alias", fmt.Sprintf(lines, `lines: items { article: product { name } }`, ""), nil, "article"},
			{"fragment", fmt.Sprintf(lines, `items { ...Line }`, `fragment Line on OrderItem { product { sku } }`), nil, "product"},
			{"inline fragment", fmt.Sprintf(lines, `items { ... on OrderItem { product { id } } }`, ""), nil, "product"},
			{"included", optional, map[string]any{"p": true}, "product"},
			{"excluded", optional, map[string]any{"p": false}, ""},
			{"skipped", fmt.Sprintf(lines, `items { quantity product @skip(if: true) { id } }`, ""), nil, ""},
			{"second alias", fmt.Sprintf(lines, `items { quantity } more: items { product { id } }`, ""), nil, "product"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := g.upstreamCalls("product_api.php")
				r := b.query(tt.query, tt.variables)
				if len(r.Errors) > 0 {
					t.Fatalf("errors: %+v", r.Errors)
				}
				calls := g.upstreamCalls("product_api.php") - before
				products := countObjects(t, r.Data, tt.key)
				if tt.key == "" {
					if calls != 0 {
						t.Errorf("%v product calls, want none: the operation selects no product", calls)
					}
					return
				}
				if calls != 1 {
					t.Errorf("%v product calls, want 1", calls)
				}
				if products == 0 {
					t.Errorf("no %q object in %s", tt.key, r.Data)
				}
			})
		}
	})
}

// countObjects counts the JSON objects under the key name anywhere in data; it counts none
// for an empty name.
func countObjects(t *testing.T, data json.RawMessage, name string) int {
	t.Helper()
	var tree any
	if err := json.Unmarshal(data, &tree); err != nil {
		t.Fatalf("data: %v: %s", err, data)
	}
	var count func(v any) int
	count = func(v any) int {
		n := 0
		switch v := v.(type) {
		case map[string]any:
			for k, child := range v {
				if _, ok := child.(map[string]any); ok && k == name {
					n++
				}
				n += count(child)
			}
		case []any:
			for _, child := range v {
				n += count(child)
			}
		}
		return n
	}
	return count(tree)
}

func TestTamperedCookieIsAnonymous(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	b.login("ann@example.com")
	good := b.cookie.Value

	tests := map[string]string{
		// A character in the middle: near the end, base64's unused padding bits can make a
		// flipped character decode to the same bytes.
		"flipped-char": good[:len(good)/2] + flip(good[len(good)/2]) + good[len(good)/2+1:],
		"truncated":    good[:len(good)/2],
		"empty":        "",
		"garbage":      "not-a-session",
		"huge":         strings.Repeat("A", 4000),
	}
	for name, value := range tests {
		t.Run(name, func(t *testing.T) {
			v := g.browser()
			v.cookie = &http.Cookie{Name: b.cookie.Name, Value: value}
			if got := string(v.query(meQuery, nil).Data); got != `{"me":null}` {
				t.Errorf("me = %s", got)
			}
		})
	}
}

func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}
