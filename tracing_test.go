package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// newSpanRecorder returns a tracer provider that keeps every ended span in memory, and the
// recorder to read them from. Nothing is exported anywhere.
func newSpanRecorder(t *testing.T) (*sdktrace.TracerProvider, *tracetest.SpanRecorder) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { tp.Shutdown(t.Context()) })
	return tp, rec
}

func TestTracingSpans(t *testing.T) {
	tp, rec := newSpanRecorder(t)
	g := startTestGateway(t, testSetup{tracer: tp}, allowAnyDocument)
	b := g.browser()
	b.login("ann@example.com")
	before := len(rec.Ended())

	body, _ := json.Marshal(map[string]any{
		"query":         `query OrderDetail($id: ID!) { order(id: $id) { id items { product { name } } invoice { number } } }`,
		"variables":     map[string]any{"id": "4998"},
		"operationName": "OrderDetail",
	})
	if resp, raw := b.post(string(body), nil); resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, raw)
	}

	spans := rec.Ended()[before:]
	byID := map[string]sdktrace.ReadOnlySpan{}
	var root sdktrace.ReadOnlySpan
	names := map[string]int{}
	for _, s := range spans {
		byID[s.SpanContext().SpanID().String()] = s
		names[s.Name()]++
		if s.Name() == "graphql query OrderDetail" {
			root = s
		}
	}
	if root == nil {
		t.Fatalf("no operation span among %v", names)
	}
	want := map[string]int{
		"graphql query OrderDetail":          1,
		"dataloader orders":                  1,
		"dataloader items":                   1,
		"dataloader invoices":                1,
		"dataloader products":                1,
		"upstream order_api.php get":         1,
		"upstream order_api.php items":       1,
		"upstream invoice_api.php by_orders": 1,
		"upstream product_api.php get":       1,
	}
	for name, n := range want {
		if names[name] != n {
			t.Errorf("%d spans named %q, want %d; all: %v", names[name], name, n, names)
		}
	}

	// Every span of the request descends from the operation's span.
	for _, s := range spans {
		if s.SpanContext().TraceID() != root.SpanContext().TraceID() {
			t.Errorf("span %q is in another trace", s.Name())
		}
		if s == root {
			continue
		}
		ancestor := s
		for ancestor != nil && ancestor != root {
			ancestor = byID[ancestor.Parent().SpanID().String()]
		}
		if ancestor == nil {
			t.Errorf("span %q does not descend from the operation's span", s.Name())
		}
	}
}

// fakeUpstreamRecordingHeaders is a test-only stand-in for the back office that records the
// headers of every request and responds to each with an empty success envelope.
type fakeUpstreamRecordingHeaders struct {
	mu      sync.Mutex
	headers []http.Header
}

func (f *fakeUpstreamRecordingHeaders) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.headers = append(f.headers, r.Header.Clone())
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"status":"ok","data":{}}`))
}

func (f *fakeUpstreamRecordingHeaders) recorded() []http.Header {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.headers
}

func TestTraceparentReachesFakeUpstream(t *testing.T) {
	fake := &fakeUpstreamRecordingHeaders{}
	upstream := httptest.NewServer(fake)
	defer upstream.Close()
	tp, rec := newSpanRecorder(t)
	g := startTestGateway(t, testSetup{backend: upstream.URL + "/apis/", tracer: tp}, allowAnyDocument)

	g.browser().queryAnyStatus(`mutation { login(email: "ann@example.com", password: "demo-password") { customer { id } } }`)

	headers := fake.recorded()
	if len(headers) != 1 {
		t.Fatalf("the fake upstream got %d requests, want 1", len(headers))
	}
	m := regexp.MustCompile(`^00-([0-9a-f]{32})-([0-9a-f]{16})-01$`).FindStringSubmatch(headers[0].Get("Traceparent"))
	if m == nil {
		t.Fatalf("traceparent = %q", headers[0].Get("Traceparent"))
	}
	var call sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.Name() == "upstream account_api.php login" {
			call = s
		}
	}
	if call == nil {
		t.Fatal("no span for the upstream call")
	}
	if m[1] != call.SpanContext().TraceID().String() || m[2] != call.SpanContext().SpanID().String() {
		t.Errorf("traceparent %s does not name the upstream call's span %s/%s",
			m[0], call.SpanContext().TraceID(), call.SpanContext().SpanID())
	}
}

func TestNoTraceparentWithoutTracing(t *testing.T) {
	fake := &fakeUpstreamRecordingHeaders{}
	upstream := httptest.NewServer(fake)
	defer upstream.Close()
	g := startTestGateway(t, testSetup{backend: upstream.URL + "/apis/"}, allowAnyDocument)

	g.browser().queryAnyStatus(`mutation { login(email: "ann@example.com", password: "demo-password") { customer { id } } }`)

	headers := fake.recorded()
	if len(headers) != 1 {
		t.Fatalf("the fake upstream got %d requests, want 1", len(headers))
	}
	if v := headers[0].Get("Traceparent"); v != "" {
		t.Errorf("traceparent %q sent with tracing off", v)
	}
}
