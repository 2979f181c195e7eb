package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestSiteSendsHashes drives the customer site in Chromium. Against a production gateway that
// enforces the trusted documents, the customer logs in and the orders appear, and every request
// the page sends to /graphql carries a hash and no document text. Against a development gateway
// whose manifest lacks Orders, the page falls back to Orders' text.
func TestSiteSendsHashes(t *testing.T) {
	t.Run("production", func(t *testing.T) {
		// HTTPS, so that the Secure __Host- cookie is set as in production.
		g := startTestGateway(t, testSetup{overTLS: true})
		for i, body := range visitSite(t, g) {
			if body.Query != nil {
				t.Errorf("request %d sent document text: %s", i, *body.Query)
			}
			if len(body.Extensions.PersistedQuery.SHA256Hash) != 64 {
				t.Errorf("request %d has no SHA-256 hash", i)
			}
		}
	})

	t.Run("development-new-operation", func(t *testing.T) {
		var m map[string]map[string]json.RawMessage
		raw, _ := os.ReadFile("web-example/site/operations/manifest.json")
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		delete(m["operations"], "Orders")
		partial := filepath.Join(t.TempDir(), "manifest.json")
		raw, _ = json.Marshal(m)
		os.WriteFile(partial, raw, 0o600)
		g := startTestGateway(t, testSetup{dev: true, overTLS: true}, func(c *config) { c.trustedDocuments = partial })

		var texts []string
		for _, body := range visitSite(t, g) {
			if body.Query != nil {
				texts = append(texts, *body.Query)
			}
		}
		if len(texts) != 1 || !strings.Contains(texts[0], "query Orders(") {
			t.Errorf("document texts sent = %q, want Orders' only", texts)
		}
	})
}

// graphqlBody is the part of a GraphQL request body that TestSiteSendsHashes checks.
type graphqlBody struct {
	Query      *string
	Extensions struct {
		PersistedQuery struct{ SHA256Hash string }
	}
}

// visitSite logs in as ann on the site that g serves, waits for the orders, and returns the
// bodies of the page's requests to /graphql.
func visitSite(t *testing.T, g *testGateway) []graphqlBody {
	t.Helper()
	browserPath, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed: run `make test`, which installs it")
	}

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browserPath),
		chromedp.Flag("ignore-certificate-errors", true),
		chromedp.NoSandbox,
	)...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTimeout()

	var mu sync.Mutex
	var bodies []string
	err = chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok && strings.HasSuffix(e.Request.URL, "/graphql") {
			var body strings.Builder
			for _, entry := range e.Request.PostDataEntries {
				body.Write(entry.Bytes)
			}
			mu.Lock()
			bodies = append(bodies, body.String())
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}

	err = chromedp.Do(ctx,
		chromedp.Navigate(g.origin+"/"),
		chromedp.WaitVisible(`[data-testid="login-view"]`),
		chromedp.SendKeys(`[data-testid="login-email"]`, "ann@example.com"),
		chromedp.SendKeys(`[data-testid="login-password"]`, "demo-password"),
		chromedp.Click(`[data-testid="login-submit"]`),
		chromedp.WaitVisible(`[data-testid="account-view"]`),
		chromedp.WaitVisible(`[data-testid="orders-table"] tbody tr`),
	)
	if err != nil {
		t.Fatalf("driving the site: %v", err)
	}
	name, err := chromedp.Run(ctx, chromedp.Text(`[data-testid="customer-name"]`))
	if err != nil {
		t.Fatal(err)
	}
	summary, err := chromedp.Run(ctx, chromedp.Text(`[data-testid="orders-summary"]`))
	if err != nil {
		t.Fatal(err)
	}
	if name != "Ann Example" {
		t.Errorf("customer name = %q", name)
	}
	if !strings.Contains(summary, "34") {
		t.Errorf("orders summary = %q, want the 34 orders", summary)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(bodies) < 3 {
		t.Fatalf("saw %d GraphQL requests, want Me, Login and Orders at least", len(bodies))
	}
	var out []graphqlBody
	for i, body := range bodies {
		var b graphqlBody
		if err := json.Unmarshal([]byte(body), &b); err != nil {
			t.Errorf("request %d: body %q is not JSON", i, body)
			continue
		}
		out = append(out, b)
	}
	return out
}
