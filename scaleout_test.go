package main

import (
	"context"
	"encoding/json"
	"github.com/redis/go-redis/v9"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"customer-gateway/internal/redistest"
)

// These tests run two gateways that share one real redis-server, as two instances behind a
// load balancer would.

// newRedisTestGateway starts a production gateway that keeps its sessions and catalog cache in
// the Redis at redisURL.
func newRedisTestGateway(t *testing.T, redisURL string) *testGateway {
	t.Helper()
	return newTestGateway(t, false, func(c *config) { c.redisURL = redisURL })
}

// ready returns the status and the body of the gateway's /readyz.
func (g *testGateway) ready() (int, map[string]any) {
	g.t.Helper()
	rec := httptest.NewRecorder()
	g.admin.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		g.t.Fatalf("readyz body is not JSON: %v: %s", err, rec.Body)
	}
	return rec.Code, body
}

// on returns a browser of g that carries b's session cookie, as a load balancer sending the
// same visitor to another instance would.
func (b *browser) on(g *testGateway) *browser {
	return &browser{g: g, cookie: b.cookie}
}

func TestSessionSharedAcrossInstances(t *testing.T) {
	rs := redistest.Start(t)
	a := newRedisTestGateway(t, rs.URL())
	b := newRedisTestGateway(t, rs.URL())

	// Log in through A, query through B.
	onA := a.browser()
	onA.login("ann@example.com")
	onB := onA.on(b)
	r := onB.query(meQuery, nil)
	if got := string(r.Data); got != `{"me":{"id":"1","name":"Ann Example","email":"ann@example.com"}}` {
		t.Fatalf("me through B: %s %+v", got, r.Errors)
	}

	// Log out through B; A refuses the same cookie on its next request.
	stolen := onA.cookie
	r = onB.query(`mutation { logout }`, nil)
	if got := string(r.Data); got != `{"logout":true}` {
		t.Fatalf("logout through B: %s %+v", got, r.Errors)
	}
	replay := a.browser()
	replay.cookie = stolen
	r = replay.query(`{ orders { totalCount } }`, nil)
	if got := r.codes(); len(got) != 1 || got[0] != "UNAUTHENTICATED" {
		t.Errorf("old cookie on A after logout on B: codes = %v, data %s", got, r.Data)
	}
	if got := string(replay.query(meQuery, nil).Data); got != `{"me":null}` {
		t.Errorf("old cookie on A, me: %s", got)
	}
}

func TestLoginThroughOneInstanceReplacesSessionOnOther(t *testing.T) {
	rs := redistest.Start(t)
	a := newRedisTestGateway(t, rs.URL())
	b := newRedisTestGateway(t, rs.URL())

	onA := a.browser()
	onA.login("ann@example.com")
	before := onA.cookie
	onB := onA.on(b)
	onB.login("bob@example.com")

	old := a.browser()
	old.cookie = before
	if got := string(old.query(meQuery, nil).Data); got != `{"me":null}` {
		t.Errorf("cookie from before the second login, on A: %s", got)
	}
	if got := string(onB.on(a).query(`{ me { email } }`, nil).Data); got != `{"me":{"email":"bob@example.com"}}` {
		t.Errorf("new cookie on A: %s", got)
	}
}

func TestRedisOutageAndRecovery(t *testing.T) {
	rs := redistest.Start(t)
	a := newRedisTestGateway(t, rs.URL())
	b := newRedisTestGateway(t, rs.URL())

	if code, body := a.ready(); code != http.StatusOK {
		t.Fatalf("readyz before the outage: %d %v", code, body)
	}
	customer := a.browser()
	customer.login("ann@example.com")

	rs.Stop()

	// The metrics stay available: the failing session count must not hide the others.
	rec := httptest.NewRecorder()
	a.admin.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "gateway_upstream_requests_total") {
		t.Errorf("metrics during the outage: status %d, %d bytes", rec.Code, rec.Body.Len())
	}

	// Readiness turns false on both instances, naming Redis.
	for name, g := range map[string]*testGateway{"a": a, "b": b} {
		code, body := g.ready()
		checks, _ := body["checks"].(map[string]any)
		if code != http.StatusServiceUnavailable || checks["redis"] != "failed" || checks["upstream"] != "ok" {
			t.Errorf("readyz on %s during the outage: %d %v", name, code, body)
		}
	}

	// A request with a session cookie is refused with 503, not served as anonymous.
	resp, raw := customer.on(b).post(`{"query":"{ me { id } }"}`, nil)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status with a cookie during the outage = %d, want 503: %s", resp.StatusCode, raw)
	}
	var refused gqlResponse
	if err := json.Unmarshal(raw, &refused); err != nil {
		t.Fatalf("refusal is not JSON: %s", raw)
	}
	if got := refused.codes(); len(got) != 1 || got[0] != "SESSION_STORE_UNAVAILABLE" {
		t.Errorf("codes with a cookie during the outage = %v", got)
	}
	if len(refused.Errors) == 1 && refused.Errors[0].Message != "Your session cannot be checked right now. Please try again in a moment." {
		t.Errorf("message = %q", refused.Errors[0].Message)
	}
	if strings.Contains(string(raw), rs.Addr()) || strings.Contains(string(raw), "redis") {
		t.Errorf("refusal names the store: %s", raw)
	}

	// Without a cookie, the rate limits kept in Redis cannot be checked, so a login or a catalog
	// read is refused too rather than let through unlimited.
	for name, query := range map[string]string{
		"login":   `{"query":"mutation { login(email: \"bob@example.com\", password: \"demo-password\") { customer { id } } }"}`,
		"product": `{"query":"{ product(id: \"1\") { id } }"}`,
	} {
		newcomer := a.browser()
		resp, raw := newcomer.post(query, nil)
		var r gqlResponse
		json.Unmarshal(raw, &r)
		if got := r.codes(); resp.StatusCode != http.StatusServiceUnavailable || len(got) != 1 || got[0] != "RATE_LIMIT_UNAVAILABLE" {
			t.Errorf("%s without a cookie during the outage: status %d, codes %v", name, resp.StatusCode, got)
		}
		if newcomer.cookie != nil {
			t.Errorf("%s during the outage set a cookie", name)
		}
	}

	// The outage is logged once per instance and concern, not once per request.
	if n := strings.Count(b.logw.String(), `"msg":"session store unavailable"`); n != 1 {
		t.Errorf("b logged the session store outage %d times, want once:\n%s", n, b.logw)
	}
	if n := strings.Count(a.logw.String(), `"msg":"rate limits unavailable"`); n != 1 {
		t.Errorf("a logged the rate limit outage %d times, want once:\n%s", n, a.logw)
	}

	rs.Start()

	// Both instances recover without a restart. The server started empty, so the old session
	// is gone and the customer is asked to log in again.
	for name, g := range map[string]*testGateway{"a": a, "b": b} {
		if code, body := g.ready(); code != http.StatusOK {
			t.Errorf("readyz on %s after the outage: %d %v", name, code, body)
		}
	}
	r := customer.on(b).query(`{ orders { totalCount } }`, nil)
	if got := r.codes(); len(got) != 1 || got[0] != "UNAUTHENTICATED" {
		t.Errorf("session lost with the server's data: codes = %v", got)
	}
	again := a.browser()
	again.login("ann@example.com")
	if got := string(again.on(b).query(`{ me { id } }`, nil).Data); got != `{"me":{"id":"1"}}` {
		t.Errorf("me through B after the outage: %s", got)
	}
	if !strings.Contains(a.logw.String(), `"msg":"rate limits reachable again"`) {
		t.Errorf("a did not log the recovery of the rate limits:\n%s", a.logw)
	}
	if !strings.Contains(b.logw.String(), `"msg":"session store reachable again"`) {
		t.Errorf("b did not log the recovery of the session store:\n%s", b.logw)
	}
}

func TestCatalogCacheSharedAcrossInstances(t *testing.T) {
	rs := redistest.Start(t)
	a := newRedisTestGateway(t, rs.URL())
	b := newRedisTestGateway(t, rs.URL())

	const query = `{ product(id: "1") { id name sku price { amount currency } } }`
	first := a.browser().query(query, nil)
	if len(first.Errors) > 0 {
		t.Fatalf("product through A: %+v", first.Errors)
	}

	// With the catalog API failing, B still serves the product A cached in Redis.
	setFaults(t, map[string]string{"product_api.php": "html502"})
	second := b.browser().query(query, nil)
	if len(second.Errors) > 0 || string(second.Data) != string(first.Data) {
		t.Errorf("product through B = %s %+v, want %s", second.Data, second.Errors, first.Data)
	}
	if calls := b.upstreamCalls("product_api.php"); calls != 0 {
		t.Errorf("B called the catalog API %v times, want 0", calls)
	}

	// A product not cached yet needs the back office, so its failure reaches the customer.
	r := b.browser().query(`{ product(id: "2") { id } }`, nil)
	if got := r.codes(); len(got) != 1 || got[0] != "UPSTREAM_UNAVAILABLE" {
		t.Errorf("uncached product with the catalog API failing: codes = %v", got)
	}
}

func TestCustomerDataNotCachedAcrossRequests(t *testing.T) {
	rs := redistest.Start(t)
	a := newRedisTestGateway(t, rs.URL())
	customer := a.browser()
	customer.login("ann@example.com")
	if r := customer.query(`{ orders(first: 1) { totalCount } }`, nil); len(r.Errors) > 0 {
		t.Fatalf("orders: %+v", r.Errors)
	}

	setFaults(t, map[string]string{"order_api.php": "html502"})
	r := customer.query(`{ orders(first: 1) { totalCount } }`, nil)
	if got := r.codes(); len(got) != 1 || got[0] != "UPSTREAM_UNAVAILABLE" {
		t.Errorf("orders with the order API failing: codes = %v, data %s; customer data was served from a cache", got, r.Data)
	}
}

func TestLoginRateLimitAcrossInstances(t *testing.T) {
	rs := redistest.Start(t)
	a := newRedisTestGateway(t, rs.URL())
	b := newRedisTestGateway(t, rs.URL())

	// The default allows 5 attempts a minute per email; spread them over both instances.
	const login = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { customer { id } } }`
	vars := map[string]any{"e": "ann@example.com", "p": "wrong"}
	for i := range 5 {
		g := a
		if i%2 == 1 {
			g = b
		}
		r := g.browser().query(login, vars)
		if got := r.codes(); len(got) != 1 || got[0] != "BAD_USER_INPUT" {
			t.Fatalf("attempt %d: codes = %v, want BAD_USER_INPUT", i+1, got)
		}
	}

	for name, g := range map[string]*testGateway{"a": a, "b": b} {
		body, _ := json.Marshal(map[string]any{"query": login, "variables": map[string]any{"e": "ann@example.com", "p": "demo-password"}})
		resp, raw := g.browser().post(string(body), nil)
		var r gqlResponse
		json.Unmarshal(raw, &r)
		if got := r.codes(); resp.StatusCode != http.StatusTooManyRequests || len(got) != 1 || got[0] != "RATE_LIMITED" {
			t.Errorf("sixth attempt on %s: status %d, codes %v; want 429 RATE_LIMITED", name, resp.StatusCode, got)
		}
		if resp.Header.Get("Retry-After") == "" {
			t.Errorf("sixth attempt on %s: no Retry-After header", name)
		}
	}

	// Another email from the same address still gets through.
	if r := a.browser().query(login, map[string]any{"e": "bob@example.com", "p": "demo-password"}); len(r.Errors) > 0 {
		t.Errorf("another email: %+v", r.Errors)
	}

	// The counters' keys name no email: they are hashes of a fixed size.
	rdb := redis.NewClient(&redis.Options{Addr: rs.Addr()})
	defer rdb.Close()
	keys, err := rdb.Keys(context.Background(), "*login*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("login counter keys: %v, %v", keys, err)
	}
	for _, k := range keys {
		if strings.Contains(k, "@") || len(k) > 100 {
			t.Errorf("counter key %q names an email or grows with it", k)
		}
	}
}
