package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"customer-gateway/bench/backoffice"
)

// The handler benchmarks drive the gateway's public handler in-process, against the benchmark
// upstream's fixture server (a fake back office in the same process, with no latency), so
// that they measure the gateway's own CPU and allocations per operation:
//
//	go test -run '^$' -bench . -benchmem -cpuprofile cpu.out .

// benchGateway is a production-mode gateway in front of a fake in-process upstream, with one
// logged-in session.
type benchGateway struct {
	handler http.Handler
	origin  string
	cookie  string
}

func newBenchGatewayFakeUpstream(b *testing.B) *benchGateway {
	b.Helper()
	fixtures, err := backoffice.LoadFixtures("bench/testdata/fixtures.json")
	if err != nil {
		b.Fatal(err)
	}
	fake := httptest.NewServer(backoffice.NewServer(fixtures, frontKey, 0))
	b.Cleanup(fake.Close)

	const listen = "127.0.0.1:8080"
	// Production defaults, except that any document runs and the rate limits are out of the
	// way: the benchmark measures execution, not refusals.
	cfg := defaultConfig()
	cfg.listenAddr = listen
	cfg.upstreamURL = fake.URL + "/apis/"
	cfg.upstreamKey = frontKey
	cfg.sessionKeys = testSessionKey
	cfg.sessionDir = b.TempDir()
	cfg.maxInFlight = 64
	cfg.loginsPerMinute, cfg.addressLogins = 1_000_000, 1_000_000
	cfg.costPerSecond, cfg.costBurst = 100_000_000, 100_000_000
	allowAnyDocument(cfg)
	if err := cfg.validate(); err != nil {
		b.Fatal(err)
	}
	gw, err := newGateway(cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	g := &benchGateway{handler: gw.public, origin: "http://" + listen}

	rec := g.post(b, `mutation { login(email: "ann@example.com", password: "demo-password") { customer { id } } }`, nil)
	cookies := rec.Result().Cookies()
	if len(cookies) == 0 {
		b.Fatalf("login set no cookie: %s", rec.Body)
	}
	g.cookie = cookies[0].Name + "=" + cookies[0].Value
	return g
}

func (g *benchGateway) post(b *testing.B, query string, variables map[string]any) *httptest.ResponseRecorder {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": variables})
	req := httptest.NewRequest(http.MethodPost, g.origin+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", g.origin)
	if g.cookie != "" {
		req.Header.Set("Cookie", g.cookie)
	}
	rec := httptest.NewRecorder()
	g.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `"errors"`) {
		b.Fatalf("status %d: %.300s", rec.Code, rec.Body)
	}
	return rec
}

func benchmarkOperation(b *testing.B, query string, variables map[string]any) {
	g := newBenchGatewayFakeUpstream(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		g.post(b, query, variables)
	}
}

func BenchmarkDashboardFakeUpstream(b *testing.B) {
	benchmarkOperation(b, dashboardQuery, map[string]any{"first": 20})
}

func BenchmarkOrderDetailFakeUpstream(b *testing.B) {
	query, err := os.ReadFile("web-example/site/operations/OrderDetail.graphql")
	if err != nil {
		b.Fatal(err)
	}
	benchmarkOperation(b, string(query), map[string]any{"id": "4998"})
}

// BenchmarkDashboardParallelFakeUpstream runs 50 dashboards at a time per CPU, as the load
// benchmark's connections do, so that contention and garbage collection show in the profile.
func BenchmarkDashboardParallelFakeUpstream(b *testing.B) {
	g := newBenchGatewayFakeUpstream(b)
	variables := map[string]any{"first": 20}
	b.ReportAllocs()
	b.SetParallelism(50)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			g.post(b, dashboardQuery, variables)
		}
	})
}
