package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// logLines returns the gateway's JSON log lines whose msg is msg.
func (g *testGateway) logLines(msg string) []map[string]any {
	g.t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(g.logw.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			g.t.Fatalf("log line is not JSON: %v: %s", err, sc.Text())
		}
		if line["msg"] == msg {
			out = append(out, line)
		}
	}
	return out
}

// metrics scrapes the admin listener's /metrics.
func (g *testGateway) metrics() map[string]*dto.MetricFamily {
	g.t.Helper()
	rec := httptest.NewRecorder()
	g.admin.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(rec.Body)
	if err != nil {
		g.t.Fatal(err)
	}
	return families
}

// sample returns the value of the metric in families with exactly the given labels: the
// counter or gauge value, or a histogram's sample count. It returns -1 when there is none.
func sample(families map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	f, ok := families[name]
	if !ok {
		return -1
	}
	for _, m := range f.GetMetric() {
		if len(m.GetLabel()) != len(labels) {
			continue
		}
		match := true
		for _, l := range m.GetLabel() {
			if labels[l.GetName()] != l.GetValue() {
				match = false
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue()
		case m.Gauge != nil:
			return m.GetGauge().GetValue()
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount())
		}
	}
	return -1
}

// step is one request of the scripted session and what its access line must contain.
type step struct {
	name          string
	operation     string
	query         string
	variables     map[string]any
	faults        map[string]string
	wantCode      string
	wantUpstream  float64
	wantSession   string // "none", "same" (as the login's) or "new"
	wantRequestID string // sent as X-Request-Id when set
}

func TestScriptedSessionLogsAndMetrics(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()

	steps := []step{
		{name: "login", operation: "Login", wantUpstream: 1, wantSession: "new", wantRequestID: "proxy-given-id-0001",
			query:     `mutation Login($e: String!, $p: String!) { login(email: $e, password: $p) { customer { id } } }`,
			variables: map[string]any{"e": "ann@example.com", "p": "demo-password"}},
		{name: "me", operation: "Me", wantUpstream: 1, wantSession: "same",
			query: `query Me { me { id name } }`},
		{name: "orders", operation: "Orders", wantUpstream: 1, wantSession: "same",
			query: `query Orders { orders(first: 5) { totalCount edges { node { id number } } } }`},
		{name: "order-detail", operation: "OrderDetail", wantUpstream: 4, wantSession: "same",
			query:     `query OrderDetail($id: ID!) { order(id: $id) { id items { quantity product { name } } invoice { number } } }`,
			variables: map[string]any{"id": "4998"}},
		// The failing read is tried three times: once and two retries.
		{name: "upstream-fault", operation: "Invoices", wantUpstream: 4, wantSession: "same", wantCode: "UPSTREAM_UNAVAILABLE",
			faults: map[string]string{"invoice_api.php": "html502"},
			query:  `query Invoices { orders(first: 3) { edges { node { id invoice { number } } } } }`},
		{name: "logout", operation: "Logout", wantUpstream: 0, wantSession: "same",
			query: `mutation Logout { logout }`},
	}

	var ids []string
	for _, s := range steps {
		if s.faults != nil {
			setFaults(t, s.faults)
		}
		body, _ := json.Marshal(map[string]any{"query": s.query, "variables": s.variables, "operationName": s.operation})
		header := http.Header{}
		if s.wantRequestID != "" {
			header.Set("X-Request-Id", s.wantRequestID)
		}
		resp, raw := b.post(string(body), header)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d: %s", s.name, resp.StatusCode, raw)
		}
		id := resp.Header.Get("X-Request-Id")
		if s.wantRequestID != "" && id != s.wantRequestID {
			t.Errorf("%s: X-Request-Id = %q, want the caller's %q", s.name, id, s.wantRequestID)
		}
		if !regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`).MatchString(id) {
			t.Errorf("%s: X-Request-Id = %q", s.name, id)
		}
		if s.wantCode != "" && !strings.Contains(string(raw), `"code":"`+s.wantCode+`","requestId":"`+id+`"`) {
			t.Errorf("%s: response lacks code %s with request id %s: %s", s.name, s.wantCode, id, raw)
		}
		if s.faults != nil {
			setFaults(t, map[string]string{})
		}
		if s.name == "login" {
			if got := sample(g.metrics(), "gateway_active_sessions", map[string]string{}); got != 1 {
				t.Errorf("gateway_active_sessions after login = %v, want 1", got)
			}
		}
		ids = append(ids, id)
	}

	// The access log: one line per request, in order, with every field.
	lines := g.logLines("request")
	if len(lines) != len(steps) {
		t.Fatalf("%d access lines for %d requests:\n%s", len(lines), len(steps), g.logw.String())
	}
	loginSession := ""
	for i, s := range steps {
		line := lines[i]
		if line["request_id"] != ids[i] {
			t.Errorf("%s: request_id = %v, want %s", s.name, line["request_id"], ids[i])
		}
		if line["operation"] != s.operation {
			t.Errorf("%s: operation = %v, want %s", s.name, line["operation"], s.operation)
		}
		if line["status"] != float64(200) {
			t.Errorf("%s: status = %v, want 200", s.name, line["status"])
		}
		if d, ok := line["duration_ms"].(float64); !ok || d < 0 {
			t.Errorf("%s: duration_ms = %v", s.name, line["duration_ms"])
		}
		if line["upstream_calls"] != s.wantUpstream {
			t.Errorf("%s: upstream_calls = %v, want %v", s.name, line["upstream_calls"], s.wantUpstream)
		}
		if line["error_code"] != s.wantCode {
			t.Errorf("%s: error_code = %v, want %q", s.name, line["error_code"], s.wantCode)
		}
		if line["client_addr"] != "127.0.0.1" {
			t.Errorf("%s: client_addr = %v, want the TCP peer 127.0.0.1", s.name, line["client_addr"])
		}
		session, _ := line["session"].(string)
		switch s.wantSession {
		case "new":
			if !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(session) {
				t.Errorf("%s: session = %q, want a 12-digit hash", s.name, session)
			}
			loginSession = session
		case "same":
			if session != loginSession {
				t.Errorf("%s: session = %q, want the login's %q", s.name, session, loginSession)
			}
		}
	}
	if strings.Contains(g.logw.String(), "demo-password") {
		t.Error("the log contains the password")
	}

	// The fault is logged once, at error level, with its cause and the request id.
	failures := g.logLines("upstream failed")
	if len(failures) != 1 {
		t.Fatalf("%d upstream failed lines, want 1: %v", len(failures), failures)
	}
	if failures[0]["request_id"] != ids[4] || failures[0]["level"] != "ERROR" ||
		!strings.Contains(failures[0]["error"].(string), "invoice_api.php") {
		t.Errorf("upstream failed line = %v", failures[0])
	}

	// The metrics.
	m := g.metrics()
	counters := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"gateway_graphql_requests_total", map[string]string{"operation": "Login", "outcome": "ok"}, 1},
		{"gateway_graphql_requests_total", map[string]string{"operation": "Me", "outcome": "ok"}, 1},
		{"gateway_graphql_requests_total", map[string]string{"operation": "Orders", "outcome": "ok"}, 1},
		{"gateway_graphql_requests_total", map[string]string{"operation": "OrderDetail", "outcome": "ok"}, 1},
		{"gateway_graphql_requests_total", map[string]string{"operation": "Invoices", "outcome": "UPSTREAM_UNAVAILABLE"}, 1},
		{"gateway_graphql_requests_total", map[string]string{"operation": "Logout", "outcome": "ok"}, 1},
		{"gateway_graphql_request_duration_seconds", map[string]string{"operation": "OrderDetail"}, 1},
		{"gateway_graphql_requests_in_flight", map[string]string{}, 0},
		{"gateway_upstream_requests_total", map[string]string{"api": "account_api.php", "operation": "login", "outcome": "ok"}, 1},
		{"gateway_upstream_requests_total", map[string]string{"api": "invoice_api.php", "operation": "by_orders", "outcome": "fault"}, 3},
		{"gateway_upstream_request_duration_seconds", map[string]string{"api": "invoice_api.php", "operation": "by_orders", "outcome": "fault"}, 3},
		{"gateway_upstream_request_duration_seconds", map[string]string{"api": "order_api.php", "operation": "list", "outcome": "ok"}, 2},
		{"gateway_dataloader_batch_size", map[string]string{"loader": "items"}, 1},
		{"gateway_dataloader_batch_size", map[string]string{"loader": "products"}, 1},
		{"gateway_dataloader_batch_size", map[string]string{"loader": "invoices"}, 2},
		{"gateway_active_sessions", map[string]string{}, 0},
	}
	for _, c := range counters {
		if got := sample(m, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes"} {
		if _, ok := m[name]; !ok {
			t.Errorf("runtime metric %s is missing", name)
		}
	}
}
