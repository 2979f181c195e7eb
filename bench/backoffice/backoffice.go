// Package backoffice is the benchmark upstream: it serves the back-office contract of
// docs/upstream-contract.md from fixtures exported from the example back office, after a fixed
// delay per call, so that a benchmark measures the gateway and its peers rather than PHP.
package backoffice

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

// Row is one record as PHP returns it: column names to string values.
type Row = map[string]string

// Fixtures are the records the benchmark upstream serves, as bench/export-fixtures.php writes
// them. Maps are keyed by the record's id, items and invoices by their order's id.
type Fixtures struct {
	Customers map[string]Row   `json:"customers"`
	Orders    []Row            `json:"orders"` // newest first
	Items     map[string][]Row `json:"items"`
	Invoices  map[string]Row   `json:"invoices"`
	Products  map[string]Row   `json:"products"`
}

// LoadFixtures reads the fixtures file at path.
func LoadFixtures(path string) (*Fixtures, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f Fixtures
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("fixtures %q: %w", path, err)
	}
	return &f, nil
}

// Password is the password of every fixture customer, as in the example back office's seed.
const Password = "demo-password"

// Server serves the four PHP API files under any path prefix, for example /apis/order_api.php.
// It is safe for concurrent use.
type Server struct {
	// Fixtures are the records served; they are only read.
	Fixtures *Fixtures
	// Key is the only API key accepted.
	Key string
	// Latency delays every answer, standing in for the back office's own time.
	Latency time.Duration

	calls   atomic.Int64
	byOwner map[string][]Row
}

// NewServer returns a Server for f.
func NewServer(f *Fixtures, key string, latency time.Duration) *Server {
	s := &Server{Fixtures: f, Key: key, Latency: latency, byOwner: map[string][]Row{}}
	for _, o := range f.Orders {
		s.byOwner[o["customer_id"]] = append(s.byOwner[o["customer_id"]], o)
	}
	return s
}

// Calls returns the number of API calls served so far, failed ones included.
func (s *Server) Calls() int64 { return s.calls.Load() }

// envelope is one PHP file's pair of answer shapes.
type envelope struct {
	ok   func(data any) any
	fail func(code, msg string) any
}

var envelopes = map[string]envelope{
	"account_api.php": {
		func(d any) any { return map[string]any{"status": "ok", "data": d} },
		func(c, m string) any { return map[string]any{"status": "fail", "code": c, "msg": m} },
	},
	"order_api.php": {
		func(d any) any { return map[string]any{"success": true, "result": d} },
		func(c, m string) any { return map[string]any{"success": false, "code": c, "error": m} },
	},
	"product_api.php": {
		func(d any) any { return map[string]any{"status": "ok", "data": d} },
		func(c, m string) any { return map[string]any{"status": "error", "code": c, "message": m} },
	},
	"invoice_api.php": {
		func(d any) any { return map[string]any{"success": "1", "data": d} },
		func(c, m string) any { return map[string]any{"success": "0", "code": c, "error": m} },
	},
}

// apiError is an application error, answered with the file's failure envelope and HTTP 200.
type apiError struct{ code, msg string }

// ServeHTTP responds to one call once the configured latency has passed since the request
// arrived. It builds the response first and sleeps for the rest of the latency, so a call
// takes its latency whatever the size of its response, give or take sleepUntil's precision.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	s.calls.Add(1)
	file := r.URL.Path[lastSlash(r.URL.Path)+1:]
	env, ok := envelopes[file]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}

	var answer any
	data, aerr := s.serve(file, r)
	if aerr != nil {
		answer = env.fail(aerr.code, aerr.msg)
	} else {
		answer = env.ok(data)
	}
	body, err := json.Marshal(answer)
	if err != nil {
		http.Error(w, "encoding the response failed", http.StatusInternalServerError)
		return
	}

	if s.Latency > 0 {
		sleepUntil(arrived.Add(s.Latency))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(append(body, '\n'))
}

func (s *Server) serve(file string, r *http.Request) (any, *apiError) {
	key := r.Form.Get("key")
	if key == "" {
		key = r.Header.Get("X-Api-Key")
	}
	if key != s.Key {
		return nil, &apiError{"auth", "Invalid API key"}
	}
	op := r.Form.Get("req")
	customer := r.Form.Get("customer_id")
	needsCustomer := !(file == "product_api.php" || (file == "account_api.php" && op == "login"))
	if needsCustomer && customer == "" {
		return nil, &apiError{"invalid", "Missing parameter: customer_id"}
	}
	f := s.Fixtures

	switch file + " " + op {
	case "account_api.php login":
		for _, c := range f.Customers {
			if c["email"] == r.Form.Get("email") && r.Form.Get("password") == Password {
				return Row{"customer_id": c["id"], "name": c["name"], "email": c["email"]}, nil
			}
		}
		return nil, &apiError{"login_failed", "Wrong email or password"}

	case "account_api.php profile":
		c, ok := f.Customers[customer]
		if !ok {
			return nil, &apiError{"not_found", "Customer not found"}
		}
		return c, nil

	case "order_api.php list":
		offset, err1 := formInt(r, "offset", 0)
		limit, err2 := formInt(r, "limit", 20)
		if err1 != nil || err2 != nil || limit < 1 || limit > 100 {
			return nil, &apiError{"invalid", "Malformed parameter"}
		}
		all := s.byOwner[customer]
		page := []Row{}
		if offset < len(all) {
			page = all[offset:min(offset+limit, len(all))]
		}
		return map[string]any{"total": strconv.Itoa(len(all)), "offset": offset, "orders": page}, nil

	case "order_api.php get":
		out := map[string]Row{}
		for _, id := range r.Form["ids[]"] {
			for _, o := range s.byOwner[customer] {
				if o["id"] == id {
					out[id] = o
				}
			}
		}
		return orEmpty(out), nil

	case "order_api.php items":
		out := map[string][]Row{}
		for _, id := range r.Form["order_ids[]"] {
			if s.owns(customer, id) && len(f.Items[id]) > 0 {
				out[id] = f.Items[id]
			}
		}
		return orEmpty(out), nil

	case "invoice_api.php by_orders":
		out := map[string]Row{}
		for _, id := range r.Form["order_ids[]"] {
			if inv, ok := f.Invoices[id]; ok && s.owns(customer, id) {
				out[id] = inv
			}
		}
		return orEmpty(out), nil

	case "product_api.php get":
		out := map[string]Row{}
		for _, id := range r.Form["ids[]"] {
			if p, ok := f.Products[id]; ok {
				out[id] = p
			}
		}
		return orEmpty(out), nil
	}
	return nil, &apiError{"invalid", "Unknown request"}
}

// owns reports whether order id belongs to customer.
func (s *Server) owns(customer, id string) bool {
	for _, o := range s.byOwner[customer] {
		if o["id"] == id {
			return true
		}
	}
	return false
}

// orEmpty returns m, or an empty list when m is empty, which is how PHP's json_encode writes an
// empty array.
func orEmpty[V any](m map[string]V) any {
	if len(m) == 0 {
		return []any{}
	}
	return m
}

func formInt(r *http.Request, name string, fallback int) (int, error) {
	v := r.Form.Get(name)
	if v == "" {
		return fallback, nil
	}
	return strconv.Atoi(v)
}

func lastSlash(p string) int {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return i
		}
	}
	return -1
}
