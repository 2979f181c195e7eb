package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"customer-gateway/manifest"
	"customer-gateway/upstream"
)

// refusal is the outcome of one request the gateway must turn away.
type refusal struct {
	status int
	body   gqlResponse
	header http.Header
}

// send posts body to /graphql as b and decodes the response whatever its status.
func (b *browser) send(body any, header http.Header) refusal {
	b.g.t.Helper()
	raw, _ := json.Marshal(body)
	resp, out := b.post(string(raw), header)
	var r gqlResponse
	if err := json.Unmarshal(out, &r); err != nil {
		b.g.t.Fatalf("response is not JSON: %v: %s", err, out)
	}
	return refusal{status: resp.StatusCode, body: r, header: resp.Header}
}

// assertRefused checks a refusal before execution: the status, the one error code, no data
// (gqlgen returns data only once execution started, so no resolver ran), and no upstream call.
func assertRefused(t *testing.T, g *testGateway, before float64, r refusal, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status = %d, want %d", r.status, status)
	}
	if got := r.body.codes(); len(got) != 1 || got[0] != code {
		t.Errorf("codes = %v, want [%s]; errors %+v", got, code, r.body.Errors)
	}
	if len(r.body.Data) > 0 && string(r.body.Data) != "null" {
		t.Errorf("data = %.200s: the operation was executed", r.body.Data)
	}
	if after := g.upstreamCalls(""); after != before {
		t.Errorf("%v upstream calls were made", after-before)
	}
}

// repeat joins n copies of format, each given its index.
func repeat(n int, format string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, format, i)
	}
	return b.String()
}

func nested(levels int) string {
	return strings.Repeat("me { ", levels) + "id" + strings.Repeat(" }", levels)
}

func TestOperationLimits(t *testing.T) {
	// A cost budget large enough that the rate limit does not refuse the last cases first.
	g := newTestGatewayWith(t, false, func(c *config) {
		c.untrustedDocuments = true
		c.costBurst = 1 << 30
	})
	b := g.browser()
	b.login("ann@example.com")

	bigOrders := `orders(first: 100) { edges { node { id items { quantity product { id name price { amount currency } } }
		invoice { number amountDue { amount currency } } } } }`
	tests := []struct {
		name      string
		query     string
		variables map[string]any
		wantLimit string
	}{
		{"500-aliased-logins", "mutation {" + repeat(500, ` l%d: login(email: "ann@example.com", password: "x") { customer { id } }`) + "}", nil, "tokens"},
		{"1000-aliased-orders", "{" + repeat(1000, ` o%d: order(id: "4998") { id }`) + "}", nil, "tokens"},
		{"5000-duplicated-fields", "{ me {" + strings.Repeat(" id", 5000) + " } }", nil, "tokens"},
		{"30-levels", "{ " + nested(30) + " }", nil, "depth"},
		{"11-aliases", "{" + repeat(11, ` o%d: product(id: "1") { id }`) + "}", nil, "aliases"},
		{"two-logins-one-mutation", `mutation { a: login(email: "bob@example.com", password: "nope") { customer { id } } b: login(email: "bob@example.com", password: "demo-password") { customer { id } } }`, nil, "mutationFields"},
		{"two-writes-one-mutation", `mutation { a: logout b: logout }`, nil, "mutationFields"},
		{"6-root-fields", "{ me { id } a: me { id } b: me { id } c: me { id } d: me { id } e: me { id } }", nil, "rootFields"},
		{"four-pages-of-100", "{ a: " + bigOrders + " b: " + bigOrders + " c: " + bigOrders + " d: " + bigOrders + " }", nil, "complexity"},
		{"pages-by-variable", "query($n: Int) {" + repeat(5, " a%d: orders(first: $n) { edges { node { id number status placedAt total { amount currency } items { quantity } } } }") + " }",
			map[string]any{"n": 100}, "complexity"},
		{"negative-first-counts-as-100", "{" + repeat(4, " a%d: "+strings.Replace(bigOrders, "100", "-5", 1)) + " }", nil, "complexity"},
		{"huge-first-counts-as-100", "query($n: Int) {" + repeat(4, " a%d: "+strings.Replace(bigOrders, "100", "$n", 1)) + " }",
			map[string]any{"n": 1 << 30}, "complexity"},
		{"fragments-cost-like-inline", "{ a: orders(first: 100) { ...Page } b: orders(first: 100) { ... on OrderConnection { ...Page } } c: orders { ...Page } d: orders(first: 100) { ...Page } }" +
			` fragment Page on OrderConnection { edges { node { id items { quantity product { id name price { amount currency } } }
			invoice { number amountDue { amount currency } } } } }`, nil, "complexity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := g.upstreamCalls("")
			r := b.send(map[string]any{"query": tt.query, "variables": tt.variables}, nil)
			assertRefused(t, g, before, r, http.StatusUnprocessableEntity, "QUERY_TOO_COMPLEX")
			if len(r.body.Errors) == 1 {
				ext := r.body.Errors[0].Extensions
				if ext["limitName"] != tt.wantLimit {
					t.Errorf("limitName = %v, want %s", ext["limitName"], tt.wantLimit)
				}
				if _, ok := ext["limit"].(float64); !ok {
					t.Errorf("extensions %v lack the limit", ext)
				}
			}
		})
	}

	// The dashboard at its largest page is within the limits.
	if r := b.query(dashboardQuery, map[string]any{"first": 100}); len(r.Errors) > 0 {
		t.Errorf("dashboard: %+v", r.Errors)
	}
}

func TestJSONBatchRefused(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	b.login("ann@example.com")
	before := g.upstreamCalls("")
	r := b.send([]map[string]any{{"query": "{ me { id } }"}, {"query": "{ me { name } }"}}, nil)
	assertRefused(t, g, before, r, http.StatusBadRequest, "BAD_REQUEST")
}

func TestCrossSiteRequestsRefused(t *testing.T) {
	g := newTestGateway(t, false)
	victim := g.browser()
	victim.login("ann@example.com")

	tests := []struct {
		name       string
		method     string
		url        string
		body       string
		header     http.Header
		wantStatus int
	}{
		{"form-post-with-cookie", "POST", "/graphql", "query=mutation%7Blogout%7D",
			http.Header{"Origin": {"https://evil.example"}, "Content-Type": {"application/x-www-form-urlencoded"}}, http.StatusUnsupportedMediaType},
		{"mutation-over-get", "GET", "/graphql?query=mutation%7Blogout%7D", "", nil, http.StatusMethodNotAllowed},
		{"text-plain-from-foreign-page", "POST", "/graphql", `{"query":"mutation { logout }"}`,
			http.Header{"Origin": {"https://evil.example"}, "Content-Type": {"text/plain"}}, http.StatusUnsupportedMediaType},
		{"json-from-foreign-origin", "POST", "/graphql", `{"query":"mutation { logout }"}`,
			http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := g.upstreamCalls("")
			req, _ := http.NewRequest(tt.method, g.public.URL+tt.url, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Origin", g.origin)
			for k, v := range tt.header {
				req.Header[k] = v
			}
			req.AddCookie(victim.cookie)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out gqlResponse
			json.NewDecoder(resp.Body).Decode(&out)
			assertRefused(t, g, before, refusal{status: resp.StatusCode, body: out}, tt.wantStatus, map[int]string{
				http.StatusForbidden: "FORBIDDEN", http.StatusUnsupportedMediaType: "BAD_REQUEST", http.StatusMethodNotAllowed: "BAD_REQUEST",
			}[tt.wantStatus])
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" && got != g.origin {
				t.Errorf("Access-Control-Allow-Origin = %q for a foreign page", got)
			}
		})
	}

	// The session survived every attempt.
	if got := string(victim.query(meQuery, nil).Data); !strings.Contains(got, `"id":"1"`) {
		t.Errorf("after the attempts: %s", got)
	}
}

func TestCORSForListedOriginsOnly(t *testing.T) {
	g := newTestGateway(t, false)
	tests := []struct {
		name       string
		origin     string
		wantOrigin string
	}{
		{"listed", g.origin, g.origin},
		{"unlisted", "https://evil.example", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("OPTIONS", g.public.URL+"/graphql", nil)
			req.Header.Set("Origin", tt.origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "content-type")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tt.wantOrigin {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, tt.wantOrigin)
			}
			wantCredentials := ""
			if tt.wantOrigin != "" {
				wantCredentials = "true"
			}
			if got := resp.Header.Get("Access-Control-Allow-Credentials"); got != wantCredentials {
				t.Errorf("Access-Control-Allow-Credentials = %q, want %q", got, wantCredentials)
			}
		})
	}
}

// siteManifest loads the committed manifest of the customer site's operations.
func siteManifest(t *testing.T) *manifest.Manifest {
	t.Helper()
	m, err := manifest.Load("web-example/site/operations/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestManifestIsCurrent(t *testing.T) {
	fresh, err := manifest.Compile("web-example/site/operations")
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("web-example/site/operations/manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fresh, committed) {
		t.Error("web-example/site/operations/manifest.json is stale: run `make manifest` and commit the result")
	}
}

func persisted(hash string) map[string]any {
	return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
}

func TestTrustedDocumentsInProduction(t *testing.T) {
	g := newTestGatewayWith(t, false, nil)
	m := siteManifest(t)
	me := m.Operations["Me"]
	b := g.browser()

	// The site's operations run by hash and as text.
	r := b.send(map[string]any{"operationName": "Login", "variables": map[string]any{"email": "ann@example.com", "password": "demo-password"},
		"extensions": persisted(m.Operations["Login"].SHA256)}, nil)
	if r.status != http.StatusOK || len(r.body.Errors) > 0 {
		t.Fatalf("login by hash: %d %+v", r.status, r.body.Errors)
	}
	if r := b.send(map[string]any{"extensions": persisted(me.SHA256)}, nil); !strings.Contains(string(r.body.Data), `"Ann Example"`) {
		t.Errorf("Me by hash: %s %+v", r.body.Data, r.body.Errors)
	}
	if r := b.send(map[string]any{"query": me.Document}, nil); !strings.Contains(string(r.body.Data), `"Ann Example"`) {
		t.Errorf("Me as text: %s %+v", r.body.Data, r.body.Errors)
	}

	tests := []struct {
		name       string
		body       map[string]any
		wantStatus int
		wantCode   string
	}{
		{"unknown-hash", map[string]any{"extensions": persisted(manifest.Hash("{ me { email } }"))}, http.StatusOK, "PERSISTED_QUERY_NOT_FOUND"},
		{"unlisted-text", map[string]any{"query": "{ me { email } }"}, http.StatusForbidden, "OPERATION_NOT_ALLOWED"},
		{"unlisted-text-with-its-hash", map[string]any{"query": "{ me { email } }", "extensions": persisted(manifest.Hash("{ me { email } }"))}, http.StatusForbidden, "OPERATION_NOT_ALLOWED"},
		{"listed-hash-other-text", map[string]any{"query": "{ me { email } }", "extensions": persisted(me.SHA256)}, http.StatusBadRequest, "BAD_REQUEST"},
		{"listed-text-reformatted", map[string]any{"query": strings.ReplaceAll(me.Document, "\n", " ")}, http.StatusForbidden, "OPERATION_NOT_ALLOWED"},
		{"introspection", map[string]any{"query": "{ __schema { types { name } } }"}, http.StatusForbidden, "OPERATION_NOT_ALLOWED"},
		{"misspelled-field", map[string]any{"query": "{ mee { id } }"}, http.StatusForbidden, "OPERATION_NOT_ALLOWED"},
		{"30-levels", map[string]any{"query": "{ " + nested(30) + " }"}, http.StatusForbidden, "OPERATION_NOT_ALLOWED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := g.upstreamCalls("")
			r := b.send(tt.body, nil)
			assertRefused(t, g, before, r, tt.wantStatus, tt.wantCode)
			for _, e := range r.body.Errors {
				if strings.Contains(e.Message, "Did you mean") {
					t.Errorf("message %q suggests a field", e.Message)
				}
			}
		})
	}
}

func TestDevelopmentAcceptsAnyDocument(t *testing.T) {
	g := newTestGatewayWith(t, true, nil)
	m := siteManifest(t)
	b := g.browser()
	b.login("ann@example.com")
	if r := b.send(map[string]any{"query": "{ me { email } }"}, nil); !strings.Contains(string(r.body.Data), `"ann@example.com"`) {
		t.Errorf("any text: %d %s %+v", r.status, r.body.Data, r.body.Errors)
	}
	if r := b.send(map[string]any{"extensions": persisted(m.Operations["Me"].SHA256)}, nil); !strings.Contains(string(r.body.Data), `"Ann Example"`) {
		t.Errorf("site operation by hash: %s %+v", r.body.Data, r.body.Errors)
	}
	// An operation the manifest does not list yet: the site falls back to its text.
	before := g.upstreamCalls("")
	r := b.send(map[string]any{"extensions": persisted(manifest.Hash("{ me { email } }"))}, nil)
	assertRefused(t, g, before, r, http.StatusOK, "PERSISTED_QUERY_NOT_FOUND")
}

func TestLoginRateLimit(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	login := `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { customer { id } } }`

	previousWait := 0.0
	for i := range 20 {
		before := g.upstreamCalls("")
		r := b.send(map[string]any{"query": login, "variables": map[string]any{"e": "ann@example.com", "p": fmt.Sprintf("guess-%d", i)}}, nil)
		if i < 5 {
			if got := r.body.codes(); r.status != http.StatusOK || len(got) != 1 || got[0] != "BAD_USER_INPUT" {
				t.Fatalf("attempt %d: status %d, codes %v, want 200 and [BAD_USER_INPUT]", i+1, r.status, got)
			}
			continue
		}
		assertRefused(t, g, before, r, http.StatusTooManyRequests, "RATE_LIMITED")
		if len(r.body.Errors) == 1 {
			wait, _ := r.body.Errors[0].Extensions["retryAfter"].(float64)
			if wait < 1 {
				t.Errorf("attempt %d: retryAfter = %v, want at least 1", i+1, r.body.Errors[0].Extensions["retryAfter"])
			}
			// Backoff: each refused attempt pushes the next allowed one further out.
			if wait <= previousWait {
				t.Errorf("attempt %d: retryAfter = %v, want more than the previous %v", i+1, wait, previousWait)
			}
			previousWait = wait
		}
		if r.header.Get("Retry-After") == "" {
			t.Errorf("attempt %d: no Retry-After header", i+1)
		}
	}

	// The email is limited, not the other customers behind the same address.
	if r := b.send(map[string]any{"query": login, "variables": map[string]any{"e": "bob@example.com", "p": "demo-password"}}, nil); len(r.body.Errors) > 0 {
		t.Errorf("bob's login: %d %+v", r.status, r.body.Errors)
	}
}

func TestOperationCostRateLimit(t *testing.T) {
	g := newTestGatewayWith(t, false, func(c *config) {
		c.untrustedDocuments = true
		c.costPerSecond = 1
		c.costBurst = c.limits.Complexity
	})
	b := g.browser()
	b.login("ann@example.com")
	if r := b.query(dashboardQuery, map[string]any{"first": 100}); len(r.Errors) > 0 {
		t.Fatalf("first dashboard: %+v", r.Errors)
	}
	before := g.upstreamCalls("")
	body, _ := json.Marshal(map[string]any{"query": dashboardQuery, "variables": map[string]any{"first": 100}})
	resp, raw := b.post(string(body), nil)
	var out gqlResponse
	json.Unmarshal(raw, &out)
	assertRefused(t, g, before, refusal{status: resp.StatusCode, body: out}, http.StatusTooManyRequests, "RATE_LIMITED")
}

func TestSessionIdleTimeout(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	b.login("ann@example.com")
	files, _ := filepath.Glob(filepath.Join(g.cfg.sessionDir, "session_*"))
	if len(files) != 1 {
		t.Fatalf("session files = %v, want one", files)
	}

	// 29 minutes of silence: still logged in, and the request counts as activity.
	recent := time.Now().Add(-29 * time.Minute)
	os.Chtimes(files[0], recent, recent)
	if got := string(b.query(meQuery, nil).Data); !strings.Contains(got, `"id":"1"`) {
		t.Fatalf("after 29 idle minutes: %s", got)
	}
	if info, _ := os.Stat(files[0]); time.Since(info.ModTime()) > time.Minute {
		t.Errorf("the request did not record activity: last seen %s", info.ModTime())
	}

	// 31 minutes of silence: anonymous, and nothing reaches the back office.
	old := time.Now().Add(-31 * time.Minute)
	os.Chtimes(files[0], old, old)
	before := g.upstreamCalls("")
	r := b.query(`{ me { id } orders { totalCount } }`, nil)
	if got := r.codes(); len(got) != 1 || got[0] != "UNAUTHENTICATED" {
		t.Errorf("after 31 idle minutes: codes = %v, want [UNAUTHENTICATED]", got)
	}
	if after := g.upstreamCalls(""); after != before {
		t.Errorf("%v upstream calls were made", after-before)
	}
}

func TestCookieReplayedAfterLogoutRefused(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	b.login("ann@example.com")
	stolen := b.cookie
	b.query(`mutation { logout }`, nil)

	replay := g.browser()
	replay.cookie = stolen
	before := g.upstreamCalls("")
	r := replay.query(`{ orders { totalCount } }`, nil)
	if got := r.codes(); len(got) != 1 || got[0] != "UNAUTHENTICATED" {
		t.Errorf("codes = %v, want [UNAUTHENTICATED]", got)
	}
	if after := g.upstreamCalls(""); after != before {
		t.Errorf("%v upstream calls were made", after-before)
	}
}

func TestSessionKeyRotation(t *testing.T) {
	const oldKey = "c2Vzc2lvbi1rZXktZm9yLXRlc3RzLW9ubHktMzItYnl0ZXMhIQ=="
	const newKey = "YW5vdGhlci1zZXNzaW9uLWtleS1mb3ItdGVzdHMtMzJieXRlcw=="
	dir := t.TempDir()
	before := newTestGatewayWith(t, false, func(c *config) {
		c.untrustedDocuments = true
		c.sessionDir = dir
		c.sessionKeys = oldKey
	})
	b := before.browser()
	b.login("ann@example.com")

	tests := []struct {
		name   string
		keys   string
		wantMe string
	}{
		{"new-key-in-front", newKey + "," + oldKey, `{"me":{"id":"1"}}`},
		{"old-key-dropped", newKey, `{"me":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			after := newTestGatewayWith(t, false, func(c *config) {
				c.untrustedDocuments = true
				c.sessionDir = dir
				c.sessionKeys = upstream.Secret(tt.keys)
			})
			v := after.browser()
			v.cookie = b.cookie
			if got := string(v.query(`{ me { id } }`, nil).Data); got != tt.wantMe {
				t.Errorf("me = %s, want %s", got, tt.wantMe)
			}
		})
	}
}

// TestSiteOperationUpstreamCalls counts the back-office calls of each operation of the site, at
// the page sizes the site can ask for.
func TestSiteOperationUpstreamCalls(t *testing.T) {
	g := newTestGatewayWith(t, false, nil)
	m := siteManifest(t)
	b := g.browser()
	r := b.send(map[string]any{"extensions": persisted(m.Operations["Login"].SHA256),
		"variables": map[string]any{"email": "ann@example.com", "password": "demo-password"}}, nil)
	if len(r.body.Errors) > 0 {
		t.Fatalf("login: %+v", r.body.Errors)
	}

	tests := []struct {
		operation string
		variables map[string]any
		want      float64
	}{
		{"Me", nil, 1},
		{"Orders", map[string]any{"first": 1}, 1},
		{"Orders", map[string]any{"first": 20}, 1},
		{"Orders", map[string]any{"first": 100}, 1},
		// Order, its lines, its invoice, the products of its lines.
		{"OrderDetail", map[string]any{"id": "4998"}, 4},
		{"Logout", nil, 0},
	}
	for _, tt := range tests {
		before := g.upstreamCalls("")
		r := b.send(map[string]any{"extensions": persisted(m.Operations[tt.operation].SHA256), "variables": tt.variables}, nil)
		if len(r.body.Errors) > 0 {
			t.Fatalf("%s %v: %+v", tt.operation, tt.variables, r.body.Errors)
		}
		if calls := g.upstreamCalls("") - before; calls != tt.want {
			t.Errorf("%s %v: %v upstream calls, want %v", tt.operation, tt.variables, calls, tt.want)
		}
	}
}

func TestRefusedDocumentsLeaveMetricLabelsAlone(t *testing.T) {
	g := newTestGatewayWith(t, false, nil)
	m := siteManifest(t)
	b := g.browser()

	// More distinct names than the cap on labels of a gateway without trusted documents.
	for i := range 60 {
		name := "Evil" + strconv.Itoa(i)
		r := b.send(map[string]any{"operationName": name, "query": "query " + name + " { me { id } }"}, nil)
		if r.status != http.StatusForbidden {
			t.Fatalf("%s: status %d, want 403", name, r.status)
		}
	}
	r := b.send(map[string]any{"operationName": "Me", "extensions": persisted(m.Operations["Me"].SHA256)}, nil)
	if r.status != http.StatusOK {
		t.Fatalf("Me by hash: status %d", r.status)
	}

	families := g.metrics()
	if got := sample(families, "gateway_graphql_request_duration_seconds", map[string]string{"operation": "Me"}); got != 1 {
		t.Errorf("Me has %v samples under its own label, want 1", got)
	}
	if got := sample(families, "gateway_graphql_request_duration_seconds", map[string]string{"operation": "Evil0"}); got != -1 {
		t.Errorf("a refused document's name became a label with %v samples", got)
	}
}
