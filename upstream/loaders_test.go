package upstream

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests in this file use a fake back office that builds each response from the request's
// ids, so that they can count calls per operation and force a failing group. Their loaders wait an hour
// before they send a batch: a grouped level that still waits for the window never returns,
// and the test's deadline reports it instead of a slow run.

// hourWait is a batch window no test outlives.
const hourWait = time.Hour

// guardDeadline bounds each test that would hang if a grouped level waited for hourWait.
const guardDeadline = 30 * time.Second

// answerFromIDs responds with the order lines, invoices and products of the requested ids.
// Order n has one line, of product 100+n, and an invoice. It records each request's operation and
// parameters in log.
func answerFromIDs(log *requestLog) func(w http.ResponseWriter, r *http.Request, n int) {
	return func(w http.ResponseWriter, r *http.Request, _ int) {
		log.add(r)
		var rows []string
		switch r.Form.Get("req") {
		case "items":
			for _, id := range r.Form["order_ids[]"] {
				n, _ := strconv.Atoi(id)
				rows = append(rows, fmt.Sprintf(`"%s":[{"id":"%d","order_id":"%s","product_id":"%d","qty":"1","unit_price":"1.00"}]`, id, 1000+n, id, 100+n))
			}
		case "by_orders":
			for _, id := range r.Form["order_ids[]"] {
				rows = append(rows, fmt.Sprintf(`"%s":{"id":"9%s","number":"INV-%s","order_id":"%s","amount_due":"0.00","currency":"EUR"}`, id, id, id, id))
			}
		case "get":
			for _, id := range r.Form["ids[]"] {
				rows = append(rows, fmt.Sprintf(`"%s":{"id":"%s","sku":"SKU-%s","name":"Product %s","price":"1.00","currency":"EUR","active":"1"}`, id, id, id, id))
			}
		}
		fmt.Fprintf(w, `{"status":"ok","data":{%s}}`, strings.Join(rows, ","))
	}
}

// requestLog records the requests a fake back office received.
type requestLog struct {
	mu       sync.Mutex
	requests []loggedRequest
}

type loggedRequest struct {
	op         string
	customerID string
	ids        []string
}

func (l *requestLog) add(r *http.Request) {
	ids := r.Form["order_ids[]"]
	if ids == nil {
		ids = r.Form["ids[]"]
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.requests = append(l.requests, loggedRequest{op: r.Form.Get("req"), customerID: r.Form.Get("customer_id"), ids: ids})
}

// of returns the requests of one operation.
func (l *requestLog) of(op string) []loggedRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []loggedRequest
	for _, r := range l.requests {
		if r.op == op {
			out = append(out, r)
		}
	}
	return out
}

// page returns n orders of customer "7" with the ids 1 to n.
func page(n int) []Order {
	orders := make([]Order, n)
	for i := range orders {
		orders[i] = Order{ID: ID(strconv.Itoa(i + 1)), CustomerID: "7"}
	}
	return orders
}

// finishBeforeDeadline runs load and fails the test when it has not returned by the deadline
// of ctx, which means that a grouped level waited for the batch window.
func finishBeforeDeadline(t *testing.T, ctx context.Context, load func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		load()
	}()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatalf("the loads did not return within %s: a key of a group waited for the batch window of %s", guardDeadline, hourWait)
	}
}

func TestGroupSentAtOnceFakeBackOffice(t *testing.T) {
	tests := []struct {
		name      string
		orders    int
		maxBatch  int
		wantCalls int // per operation: items, by_orders and get
	}{
		{"page-1", 1, 0, 1},
		{"page-20", 20, 0, 1},
		{"page-5-chunks-of-2", 5, 2, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log requestLog
			c := newFakeBackOffice(t, answerFromIDs(&log)).client(t, Config{})
			var traceMu sync.Mutex
			traced := map[string]int{}
			l := NewLoaders(c, LoaderConfig{Wait: hourWait, MaxBatch: tt.maxBatch,
				TraceBatch: func(ctx context.Context, loader string, keys int) (context.Context, func()) {
					traceMu.Lock()
					defer traceMu.Unlock()
					traced[loader] += keys
					return ctx, func() {}
				}})
			ctx, cancel := context.WithTimeout(context.Background(), guardDeadline)
			defer cancel()
			orders := page(tt.orders)
			l.PrimePage(ctx, "7", orders)

			// Resolve the page as gqlgen does: every order's fields in their own goroutines.
			var wg sync.WaitGroup
			errs := make(chan error, 3*len(orders))
			for _, o := range orders {
				key := Owned{CustomerID: "7", ID: string(o.ID)}
				wg.Go(func() {
					items, err := l.Items(ctx, key)
					if err != nil || len(items) != 1 {
						errs <- fmt.Errorf("items of order %s: %v, %v", key.ID, items, err)
						return
					}
					p, err := l.Product(ctx, string(items[0].ProductID))
					if err != nil || p == nil || string(p.ID) != string(items[0].ProductID) {
						errs <- fmt.Errorf("product of order %s: %v, %v", key.ID, p, err)
					}
				})
				wg.Go(func() {
					inv, err := l.Invoice(ctx, key)
					if err != nil || inv == nil || string(inv.OrderID) != key.ID {
						errs <- fmt.Errorf("invoice of order %s: %v, %v", key.ID, inv, err)
					}
				})
			}
			finishBeforeDeadline(t, ctx, wg.Wait)
			close(errs)
			for err := range errs {
				t.Error(err)
			}

			for _, op := range []string{"items", "by_orders", "get"} {
				requests := log.of(op)
				if len(requests) != tt.wantCalls {
					t.Errorf("%s calls = %d, want %d", op, len(requests), tt.wantCalls)
				}
				var ids []string
				for _, r := range requests {
					if op != "get" && r.customerID != "7" {
						t.Errorf("%s call for customer %q, want 7", op, r.customerID)
					}
					if tt.maxBatch > 0 && len(r.ids) > tt.maxBatch {
						t.Errorf("%s call with %d ids, want at most %d", op, len(r.ids), tt.maxBatch)
					}
					ids = append(ids, r.ids...)
				}
				if len(ids) != tt.orders || len(slices.Compact(slices.Sorted(slices.Values(ids)))) != tt.orders {
					t.Errorf("%s calls asked for the ids %v, want %d distinct ids", op, ids, tt.orders)
				}
			}
			for _, loader := range []string{"items", "invoices", "products"} {
				if traced[loader] != tt.orders {
					t.Errorf("traced %d keys of %s, want %d", traced[loader], loader, tt.orders)
				}
			}
		})
	}
}

func TestGroupErrorSharedFakeBackOffice(t *testing.T) {
	tests := []struct {
		name      string
		canceled  bool
		wantErr   error
		wantCalls int
	}{
		// Retries are off, so one failed call is one request.
		{"fault", false, ErrFault, 1},
		{"canceled", true, context.Canceled, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeBackOffice(t, answer502)
			c := fake.client(t, Config{Retries: -1})
			l := NewLoaders(c, LoaderConfig{Wait: hourWait})
			guard, cancelGuard := context.WithTimeout(context.Background(), guardDeadline)
			defer cancelGuard()
			ctx, cancel := context.WithCancel(guard)
			defer cancel()
			if tt.canceled {
				cancel()
			}
			orders := page(3)
			l.PrimePage(ctx, "7", orders)

			errs := make([]error, len(orders))
			finishBeforeDeadline(t, guard, func() {
				var wg sync.WaitGroup
				for i, o := range orders {
					wg.Go(func() { _, errs[i] = l.Items(ctx, Owned{CustomerID: "7", ID: string(o.ID)}) })
				}
				wg.Wait()
			})
			for i, err := range errs {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("items of order %s: error %v, want %v", orders[i].ID, err, tt.wantErr)
				}
			}

			// A second load of a failed key returns the cached error without another call.
			finishBeforeDeadline(t, guard, func() {
				_, err := l.Items(ctx, Owned{CustomerID: "7", ID: "2"})
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("second load of order 2: error %v, want %v", err, tt.wantErr)
				}
			})
			if got := fake.count(orderAPI); got != tt.wantCalls {
				t.Errorf("order_api.php calls = %d, want %d", got, tt.wantCalls)
			}
		})
	}
}

// TestGroupScopedToCustomerFakeBackOffice checks that a page of one customer's orders serves
// no key of another customer: that key goes into a batch of its own, scoped to its customer.
func TestGroupScopedToCustomerFakeBackOffice(t *testing.T) {
	var log requestLog
	c := newFakeBackOffice(t, answerFromIDs(&log)).client(t, Config{})
	l := NewLoaders(c, LoaderConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), guardDeadline)
	defer cancel()
	l.PrimePage(ctx, "7", page(2))

	if _, err := l.Items(ctx, Owned{CustomerID: "7", ID: "1"}); err != nil {
		t.Fatalf("items of customer 7's order 1: %v", err)
	}
	if _, err := l.Items(ctx, Owned{CustomerID: "8", ID: "1"}); err != nil {
		t.Fatalf("items of order 1 for customer 8: %v", err)
	}

	requests := log.of("items")
	if len(requests) != 2 {
		t.Fatalf("items calls = %+v, want one per customer", requests)
	}
	if requests[0].customerID != "7" || !slices.Equal(requests[0].ids, []string{"1", "2"}) {
		t.Errorf("first items call = %+v, want customer 7 with the page's ids 1 and 2", requests[0])
	}
	if requests[1].customerID != "8" || !slices.Equal(requests[1].ids, []string{"1"}) {
		t.Errorf("second items call = %+v, want customer 8 with id 1 alone", requests[1])
	}
}
