package main

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// Inputs a stranger can send that the gateway must turn away with a clear code, before any
// upstream call, without an error-level log line and without logging what was sent.

func TestMalformedBodiesAreBadRequests(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	bodies := map[string]string{
		"trailing-comma-with-password": `{"query":"mutation($p:String!){login(email:\"ann@example.com\",password:$p){customer{id}}}","variables":{"p":"Hunter2-secret"},}`,
		"truncated":                    `{"query":`,
		"json-string":                  `"{ me { id } }"`,
		"empty-string":                 `""`,
		"batch-array":                  `[{"query":"{ me { id } }"},{"query":"{ me { id } }"}]`,
		"query-not-string":             `{"query":5}`,
		"variables-string":             `{"query":"{ me { id } }","variables":"x"}`,
		"variables-array":              `{"query":"{ me { id } }","variables":[1]}`,
		"trailing-text":                `{"query":"{ me { id } }"} x`,
		"trailing-brace":               `{"query":"{ me { id } }"}}`,
		"two-objects":                  `{"query":"{ me { id } }"}{"query":"{ me { id } }"}`,
		"trailing-password":            `{"query":"{ me { id } }"} {"variables":{"p":"Hunter2-secret"}}`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			g.logs.Reset()
			before := g.upstreamCalls("")
			resp, raw := b.post(body, nil)
			var out gqlResponse
			json.Unmarshal(raw, &out)

			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status = %d, want 400", resp.StatusCode)
			}
			if got := out.codes(); len(got) != 1 || got[0] != "BAD_REQUEST" {
				t.Errorf("codes = %v, want [BAD_REQUEST]: %s", got, raw)
			}
			if after := g.upstreamCalls(""); after != before {
				t.Errorf("%v upstream calls were made", after-before)
			}
			logs := g.logs.String()
			if strings.Contains(logs, `"level":"ERROR"`) {
				t.Errorf("logged at error level: %s", logs)
			}
			if strings.Contains(logs, "Hunter2-secret") || strings.Contains(string(raw), "Hunter2-secret") {
				t.Error("the password reached the log or the response")
			}
		})
	}
}

// TestAPIHeadersOnEveryResponse checks that every /graphql response, refusals of the edge
// included, is kept out of caches and may not be read as HTML.
func TestAPIHeadersOnEveryResponse(t *testing.T) {
	g := newTestGateway(t, false)
	tests := []struct {
		name        string
		method      string
		contentType string
		body        string
		want        int
	}{
		{"operation", http.MethodPost, "application/json", `{"query":"{ me { id } }"}`, http.StatusOK},
		{"malformed body", http.MethodPost, "application/json", `{"query":`, http.StatusBadRequest},
		{"invalid document", http.MethodPost, "application/json", `{"query":"{ nosuchfield }"}`, http.StatusUnprocessableEntity},
		{"GET", http.MethodGet, "", "", http.StatusMethodNotAllowed},
		{"trailing white space", http.MethodPost, "application/json", "{\"query\":\"{ me { id } }\"} \r\n\t", http.StatusOK},
		{"text body", http.MethodPost, "text/plain", `{"query":"{ me { id } }"}`, http.StatusUnsupportedMediaType},
		{"UTF-8 charset", http.MethodPost, "application/json; charset=UTF-8", `{"query":"{ me { id } }"}`, http.StatusOK},
		{"UTF-16 charset", http.MethodPost, "application/json; charset=utf-16", `{"query":"{ me { id } }"}`, http.StatusUnsupportedMediaType},
		{"Latin-1 charset", http.MethodPost, "application/json;charset=iso-8859-1", `{"query":"{ me { id } }"}`, http.StatusUnsupportedMediaType},
		{"empty charset", http.MethodPost, "application/json; charset=", `{"query":"{ me { id } }"}`, http.StatusUnsupportedMediaType},
		{"body too large", http.MethodPost, "application/json", `{"query":"` + strings.Repeat("a", 3<<20) + `"}`, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, g.public.URL+"/graphql", strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			req.Header.Set("Origin", g.origin)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()

			if resp.StatusCode != tt.want {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.want)
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
			}
			if got := resp.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
		})
	}
}

func TestOperationNameSelectsNone(t *testing.T) {
	g := newTestGateway(t, false)
	tests := []struct {
		name string
		body string
		want string
	}{
		{"two operations, no name", `{"query":"query A { me { id } } query B { me { name } }"}`, "operationName must name"},
		{"unknown name", `{"query":"query A { me { id } }","operationName":"Z"}`, "no operation named by operationName"},
		{"fragments only", `{"query":"fragment F on Query { me { id } }"}`, "no operation to run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, raw := g.browser().post(tt.body, nil)
			var out gqlResponse
			json.Unmarshal(raw, &out)

			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("status = %d, want 422", resp.StatusCode)
			}
			if got := out.codes(); len(got) != 1 || got[0] != "GRAPHQL_VALIDATION_FAILED" {
				t.Fatalf("codes = %v, want [GRAPHQL_VALIDATION_FAILED]", got)
			}
			if !strings.Contains(out.Errors[0].Message, tt.want) {
				t.Errorf("message = %q, want it to contain %q", out.Errors[0].Message, tt.want)
			}
		})
	}
}

// TestUpgradeHeaderIgnored checks that a POST asking to switch protocols is served over
// HTTP/1.1 like any other, where gqlgen's POST transport turned it away without an error code.
func TestUpgradeHeaderIgnored(t *testing.T) {
	g := newTestGateway(t, false)
	for _, upgrade := range []string{"websocket", "h2c", "x"} {
		resp, raw := g.browser().post(`{"query":"{ me { id } }"}`, http.Header{"Upgrade": {upgrade}})
		var out gqlResponse
		json.Unmarshal(raw, &out)

		if resp.StatusCode != http.StatusOK {
			t.Errorf("Upgrade %s: status = %d, want 200", upgrade, resp.StatusCode)
		}
		if got := resp.Header.Get("Content-Type"); got != "application/json" {
			t.Errorf("Upgrade %s: Content-Type = %q, want application/json", upgrade, got)
		}
		if len(out.Errors) != 0 || string(out.Data) != `{"me":null}` {
			t.Errorf("Upgrade %s: body = %s, want data with me null", upgrade, raw)
		}
	}
}

func TestBodyWithoutOperation(t *testing.T) {
	g := newTestGateway(t, false)
	for _, body := range []string{`null`, `{}`, `{"query":""}`} {
		resp, raw := g.browser().post(body, nil)
		var out gqlResponse
		json.Unmarshal(raw, &out)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status = %d, want 422", body, resp.StatusCode)
		}
		if got := out.codes(); len(got) != 1 || got[0] != "GRAPHQL_VALIDATION_FAILED" {
			t.Errorf("%s: codes = %v, want [GRAPHQL_VALIDATION_FAILED]", body, got)
		}
	}
}

func TestIDArguments(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	b.login("ann@example.com")
	tests := []struct {
		name string
		id   string
		want string
	}{
		{"zero", "0", "NOT_FOUND"},
		{"leading-zeros", "004998", "NOT_FOUND"},
		{"nineteen-digits", "1234567890123456789", "NOT_FOUND"},
		{"twenty-one-digits", "123456789012345678901", "NOT_FOUND"},
		{"negative", "-1", "BAD_USER_INPUT"},
		{"letters", "12a", "BAD_USER_INPUT"},
		{"arabic-digits", "١٢", "BAD_USER_INPUT"},
		{"sql", "1 OR 1=1", "BAD_USER_INPUT"},
		{"empty", "", "BAD_USER_INPUT"},
	}
	for _, tt := range tests {
		for _, field := range []string{"order", "product"} {
			t.Run(field+"-"+tt.name, func(t *testing.T) {
				before := g.upstreamCalls("")
				r := b.query(`query($id: ID!) { x: `+field+`(id: $id) { id } }`, map[string]any{"id": tt.id})
				if got := r.codes(); len(got) != 1 || got[0] != tt.want {
					t.Errorf("codes = %v, want [%s]", got, tt.want)
				}
				if after := g.upstreamCalls(""); after != before {
					t.Errorf("%v upstream calls were made", after-before)
				}
			})
		}
	}

	t.Run("bad-id-beside-good-one", func(t *testing.T) {
		r := b.query(`{ a: product(id: "77") { sku } b: product(id: "0") { sku } c: order(id: "4998") { number } d: order(id: "0") { number } }`, nil)
		want := `{"a":{"sku":"SKU-00077"},"b":null,"c":{"number":"SO-2026-005998"},"d":null}`
		if string(r.Data) != want {
			t.Errorf("data = %s, want %s", r.Data, want)
		}
	})
}

func TestCursorBounds(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	b.login("ann@example.com")
	for _, raw := range []string{"offset:999999999", "offset:9223372036854775807", "offset:+5", "offset:-1", "offset: 5", "offset:5x", "offset:"} {
		t.Run(raw, func(t *testing.T) {
			cursor := base64.RawURLEncoding.EncodeToString([]byte(raw))
			before := g.upstreamCalls("")
			r := b.query(`query($a: String) { orders(first: 5, after: $a) { totalCount } }`, map[string]any{"a": cursor})
			if got := r.codes(); len(got) != 1 || got[0] != "BAD_USER_INPUT" {
				t.Errorf("codes = %v, want [BAD_USER_INPUT]", got)
			}
			if after := g.upstreamCalls(""); after != before {
				t.Errorf("%v upstream calls were made", after-before)
			}
		})
	}

	t.Run("past-the-end", func(t *testing.T) {
		cursor := base64.RawURLEncoding.EncodeToString([]byte("offset:500"))
		r := b.query(`query($a: String) { orders(first: 5, after: $a) { totalCount edges { cursor } pageInfo { hasNextPage endCursor } } }`, map[string]any{"a": cursor})
		want := `{"orders":{"totalCount":34,"edges":[],"pageInfo":{"hasNextPage":false,"endCursor":null}}}`
		if string(r.Data) != want || len(r.Errors) > 0 {
			t.Errorf("data = %s, errors %+v; want %s", r.Data, r.Errors, want)
		}
	})
}

func TestImplausibleCredentialsNeedNoUpstreamCall(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	tests := map[string][2]string{
		"blank-email":       {" ", "demo-password"},
		"blank-password":    {"ann@example.com", "   "},
		"nul-in-password":   {"ann@example.com", "demo-password\x00zzz"},
		"overlong-email":    {strings.Repeat("a", 250) + "@example.com", "demo-password"},
		"overlong-password": {"ann@example.com", strings.Repeat("p", 2000)},
	}
	for name, cred := range tests {
		t.Run(name, func(t *testing.T) {
			before := g.upstreamCalls("")
			r := b.query(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { customer { id } } }`,
				map[string]any{"e": cred[0], "p": cred[1]})
			if got := r.codes(); len(got) != 1 || got[0] != "BAD_USER_INPUT" {
				t.Errorf("codes = %v, want [BAD_USER_INPUT]", got)
			}
			if after := g.upstreamCalls(""); after != before {
				t.Errorf("%v upstream calls were made", after-before)
			}
			if b.cookie != nil {
				t.Error("a session cookie was set")
			}
		})
	}
}

func TestProductionSuggestsNoNames(t *testing.T) {
	g := newTestGateway(t, false)
	b := g.browser()
	for _, q := range []string{
		`{ product(i: "1") { id } }`,
		`{ orders(frist: 1) { totalCount } }`,
		`{ me { id @skip(iff: true) } }`,
		`query($f: Integer) { orders(first: $f) { totalCount } }`,
		`{ mee { id } }`,
		`{ me { nmae } }`,
		`{ me }`,
	} {
		r := b.queryAnyStatus(q)
		if len(r.Errors) == 0 {
			t.Errorf("%s: no error", q)
		}
		for _, e := range r.Errors {
			if strings.Contains(e.Message, "Did you mean") {
				t.Errorf("%s: message %q suggests a name", q, e.Message)
			}
		}
	}
}

func TestSiteFoldersAreNotListed(t *testing.T) {
	g := newTestGateway(t, false)
	for _, path := range []string{"/js/", "/css/", "/operations/", "/js"} {
		resp, err := http.Get(g.public.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMovedPermanently {
			t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
		}
	}
}
