package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestServerTimeoutsExceedHandler(t *testing.T) {
	tests := []struct {
		name            string
		queueTimeout    time.Duration
		requestDeadline time.Duration
	}{
		{"defaults", 5 * time.Second, 10 * time.Second},
		{"no-queue", 0, 10 * time.Second},
		{"long-deadline", 5 * time.Second, 5 * time.Minute},
		{"longest-settings", time.Minute, 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := defaultConfig()
			c.queueTimeout, c.requestDeadline = tt.queueTimeout, tt.requestDeadline
			got := c.serverTimeouts()

			// The body is read, the request waits for a slot, and then its back-office
			// calls run. Writing the response needs time beyond all three.
			handler := got.Read + tt.queueTimeout + tt.requestDeadline
			if got.Write <= handler {
				t.Errorf("write timeout %s, want more than %s", got.Write, handler)
			}
			if got.Idle < got.Read {
				t.Errorf("idle timeout %s is shorter than the read timeout %s", got.Idle, got.Read)
			}
		})
	}
}

// slotResult is the part of a /graphql response the queue tests look at.
type slotResult struct {
	status     int
	retryAfter string
	body       gqlResponse
}

// sendAtOnce sends query n times at once with b's cookie and returns the responses in
// no particular order.
func sendAtOnce(t *testing.T, b *browser, query string, n int) []slotResult {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	results := make([]slotResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", b.g.public.URL+"/graphql", strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Origin", b.g.origin)
			req.AddCookie(b.cookie)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			results[i] = slotResult{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
			errs[i] = json.Unmarshal(raw, &results[i].body)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	return results
}

func TestQueueTimeoutRejectsWithStatus(t *testing.T) {
	g := newTestGateway(t, false, func(c *config) {
		c.maxInFlight = 1
		c.queueTimeout = 10 * time.Millisecond
	})
	b := g.browser()
	b.login("ann@example.com")
	// Each profile call takes 1.5s, a hundred times the queue timeout, so of two requests
	// sent at once the second gives up its wait while the first holds the only slot.
	setFaults(t, map[string]string{"account_api.php": "slow:1500"})

	results := sendAtOnce(t, b, `{ me { id } }`, 2)
	var ok, busy int
	for _, r := range results {
		switch r.status {
		case http.StatusOK:
			ok++
			if len(r.body.Errors) > 0 {
				t.Errorf("the request that got the slot failed: %+v", r.body.Errors)
			}
		case http.StatusServiceUnavailable:
			busy++
			if r.retryAfter != "1" {
				t.Errorf("Retry-After = %q, want 1", r.retryAfter)
			}
			if codes := r.body.codes(); len(codes) != 1 || codes[0] != "RATE_LIMITED" {
				t.Errorf("codes = %v, want [RATE_LIMITED]", codes)
			}
			if len(r.body.Errors) > 0 && r.body.Errors[0].Message != "The service is busy. Try again in a moment." {
				t.Errorf("message = %q", r.body.Errors[0].Message)
			}
		default:
			t.Errorf("status %d: %+v", r.status, r.body)
		}
	}
	if ok != 1 || busy != 1 {
		t.Fatalf("%d responses with 200 and %d with 503, want one each", ok, busy)
	}

	// The access log records the status each client got.
	statuses := map[float64]int{}
	for _, line := range strings.Split(g.logw.String(), "\n") {
		var entry map[string]any
		if json.Unmarshal([]byte(line), &entry) == nil && entry["msg"] == "request" && entry["path"] == "/graphql" {
			if status, _ := entry["status"].(float64); status != 0 {
				statuses[status]++
			}
		}
	}
	if statuses[503] != 1 {
		t.Errorf("access log statuses %v, want one 503", statuses)
	}
}

func TestLongDeadlineGetsStatus(t *testing.T) {
	g := newTestGateway(t, false, func(c *config) {
		c.upstreamTimeout = time.Minute
		c.requestDeadline = 5 * time.Minute
	})
	if deadline := g.cfg.requestDeadline; g.public.Config.WriteTimeout <= deadline {
		t.Fatalf("write timeout %s, want more than REQUEST_DEADLINE %s", g.public.Config.WriteTimeout, deadline)
	}
	b := g.browser()
	b.login("ann@example.com")
	setFaults(t, map[string]string{"account_api.php": "slow:1500"})

	// query fails the test on any status but 200, and on a connection closed without one.
	r := b.query(`{ me { id } }`, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	if string(r.Data) != `{"me":{"id":"1"}}` {
		t.Errorf("data = %s", r.Data)
	}
}

func TestCheckShowsDerivedWriteTimeout(t *testing.T) {
	c := defaultConfig()
	c.sessionDir = t.TempDir()
	c.queueTimeout, c.requestDeadline = 2*time.Second, time.Minute
	var out bytes.Buffer
	c.print(&out)
	if !strings.Contains(out.String(), "QUEUE_TIMEOUT=2s\n") {
		t.Errorf("the output lacks QUEUE_TIMEOUT:\n%s", out.String())
	}
	want := "write_timeout=" + c.serverTimeouts().Write.String()
	if !strings.Contains(out.String(), want) {
		t.Errorf("the output lacks %q:\n%s", want, out.String())
	}
}

// TestClientGoneMidOperation checks that a client that goes away while its operation waits
// for the back office is logged with 499 and counted apart from internal errors.
func TestClientGoneMidOperation(t *testing.T) {
	arrived := make(chan struct{}, 1)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.Form.Get("req") == "login" {
			fmt.Fprint(w, `{"status":"ok","data":{"customer_id":"7","name":"Ann","email":"ann@example.com"}}`)
			return
		}
		// The profile call stays open until the gateway cancels it.
		arrived <- struct{}{}
		<-r.Context().Done()
	}))
	defer backend.Close()
	g := startTestGateway(t, testSetup{backend: backend.URL + "/apis/"}, allowAnyDocument)
	b := g.browser()
	b.login("ann@example.com")

	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", g.public.URL+"/graphql", strings.NewReader(`{"query":"query Slow { me { id name } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", g.origin)
	req.AddCookie(b.cookie)
	go func() {
		<-arrived
		cancel()
	}()
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the request got status %d, want it cancelled", resp.StatusCode)
	}

	// The access line is written once the handler has returned, after the client left.
	var line map[string]any
	for range 100 {
		for _, l := range g.logLines("request") {
			if l["operation"] == "Slow" {
				line = l
			}
		}
		if line != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if line == nil {
		t.Fatalf("no access line for Slow:\n%s", g.logw.String())
	}
	if line["status"] != float64(499) {
		t.Errorf("status = %v, want 499", line["status"])
	}
	if line["error_code"] != "CLIENT_CLOSED_REQUEST" {
		t.Errorf("error_code = %v, want CLIENT_CLOSED_REQUEST", line["error_code"])
	}

	outcomes := map[string]float64{}
	for _, m := range g.metrics()["gateway_graphql_requests_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "outcome" {
				outcomes[l.GetValue()] += m.GetCounter().GetValue()
			}
		}
	}
	if outcomes["CLIENT_CLOSED_REQUEST"] != 1 {
		t.Errorf("CLIENT_CLOSED_REQUEST count = %v, want 1 (all outcomes: %v)", outcomes["CLIENT_CLOSED_REQUEST"], outcomes)
	}
	if outcomes["INTERNAL_SERVER_ERROR"] != 0 {
		t.Errorf("INTERNAL_SERVER_ERROR count = %v, want 0", outcomes["INTERNAL_SERVER_ERROR"])
	}
}
