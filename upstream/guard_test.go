package upstream

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The tests in this file force faults that the example back office cannot produce on demand
// (a fixed number of failures, a handler that blocks), so they run against fake back offices.

// fakeBackOffice responds to every request with answer, counting the requests per PHP file.
type fakeBackOffice struct {
	srv    *httptest.Server
	mu     sync.Mutex
	calls  map[string]int
	answer func(w http.ResponseWriter, r *http.Request, n int) // n counts from 1 per file
}

func newFakeBackOffice(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, n int)) *fakeBackOffice {
	f := &fakeBackOffice{calls: map[string]int{}, answer: answer}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Reading the body lets the server notice when the client closes the connection.
		r.ParseForm()
		f.mu.Lock()
		f.calls[r.URL.Path]++
		n := f.calls[r.URL.Path]
		answer := f.answer
		f.mu.Unlock()
		answer(w, r, n)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeBackOffice) count(file string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls["/apis/"+file]
}

func (f *fakeBackOffice) setAnswer(answer func(w http.ResponseWriter, r *http.Request, n int)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answer = answer
}

func (f *fakeBackOffice) client(t *testing.T, cfg Config) *Client {
	t.Helper()
	cfg.BaseURL = f.srv.URL + "/apis/"
	cfg.Key = "fake-key"
	if cfg.RetryBackoff == 0 {
		cfg.RetryBackoff = time.Millisecond
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const fakeProductsOK = `{"status":"ok","data":{"3":{"id":"3","sku":"MUG-1","name":"Mug","price":"8.50","currency":"EUR","active":"1"}}}`

func answerOK(w http.ResponseWriter, _ *http.Request, _ int) { fmt.Fprint(w, fakeProductsOK) }

func answer502(w http.ResponseWriter, _ *http.Request, _ int) {
	w.WriteHeader(http.StatusBadGateway)
	fmt.Fprint(w, "<html><body>502 Bad Gateway</body></html>")
}

// failFirst responds with 502 to the first n requests of each file, then succeeds.
func failFirst(n int) func(w http.ResponseWriter, r *http.Request, i int) {
	return func(w http.ResponseWriter, r *http.Request, i int) {
		if i <= n {
			answer502(w, r, i)
			return
		}
		answerOK(w, r, i)
	}
}

func TestRetryFakeFaults(t *testing.T) {
	tests := []struct {
		name      string
		answer    func(w http.ResponseWriter, r *http.Request, n int)
		retries   int
		login     bool
		wantCalls int
		wantErr   error
	}{
		{"read-recovers-on-second-retry", failFirst(2), 0, false, 3, nil},
		{"read-gives-up-after-two-retries", failFirst(5), 0, false, 3, ErrFault},
		{"retries-capped-at-two", failFirst(5), 9, false, 3, ErrFault},
		{"retries-off", failFirst(1), -1, false, 1, ErrFault},
		{"login-never-retried", failFirst(1), 0, true, 1, ErrFault},
		{"not-found-not-retried", func(w http.ResponseWriter, _ *http.Request, _ int) {
			fmt.Fprint(w, `{"status":"error","code":"not_found","message":"none"}`)
		}, 0, false, 1, ErrNotFound},
		{"key-refused-not-retried", func(w http.ResponseWriter, _ *http.Request, _ int) {
			fmt.Fprint(w, `{"error":"Invalid API key","code":"auth"}`)
		}, 0, false, 1, ErrKeyRefused},
		{"empty-body-retried", func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 1 {
				return
			}
			answerOK(w, r, n)
		}, 0, false, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeBackOffice(t, tt.answer)
			c := fake.client(t, Config{Retries: tt.retries})
			var err error
			file := productAPI
			if tt.login {
				file = accountAPI
				_, err = c.Login(context.Background(), "ann@example.com", "pw")
			} else {
				_, err = c.Products(context.Background(), []string{"3"})
			}
			if tt.wantErr == nil && err != nil {
				t.Errorf("err = %v, want none", err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if got := fake.count(file); got != tt.wantCalls {
				t.Errorf("%d requests reached the back office, want %d", got, tt.wantCalls)
			}
		})
	}
}

func TestRetryNotPastDeadlineFakeFault(t *testing.T) {
	fake := newFakeBackOffice(t, answer502)
	// The pause before a retry is at least half the backoff: far beyond the deadline.
	c := fake.client(t, Config{RetryBackoff: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	_, err := c.Products(ctx, []string{"3"})
	if !errors.Is(err, ErrFault) {
		t.Errorf("err = %v, want ErrFault", err)
	}
	if got := fake.count(productAPI); got != 1 {
		t.Errorf("%d requests reached the back office, want 1", got)
	}
}

func TestBreakerOpensAndRecoversFakeFault(t *testing.T) {
	fake := newFakeBackOffice(t, answer502)
	var mu sync.Mutex
	var changes []string
	c := fake.client(t, Config{
		Retries: -1,
		Breaker: BreakerConfig{Failures: 2, OpenFor: 20 * time.Millisecond, OnStateChange: func(api, from, to string) {
			mu.Lock()
			defer mu.Unlock()
			changes = append(changes, api+" "+from+"->"+to)
		}},
	})
	ctx := context.Background()

	for range 2 {
		if _, err := c.Products(ctx, []string{"3"}); !errors.Is(err, ErrFault) {
			t.Fatalf("err = %v, want ErrFault", err)
		}
	}
	_, err := c.Products(ctx, []string{"3"})
	if !errors.Is(err, ErrCircuitOpen) {
		t.Fatalf("err = %v after two faults, want ErrCircuitOpen", err)
	}
	if got := fake.count(productAPI); got != 2 {
		t.Errorf("%d requests reached the back office, want 2: the open breaker must not send", got)
	}

	// The breaker is per PHP file: invoices are still asked for.
	fake.setAnswer(func(w http.ResponseWriter, r *http.Request, n int) {
		if r.URL.Path == "/apis/"+productAPI {
			answer502(w, r, n)
			return
		}
		fmt.Fprint(w, `{"success":"1","data":[]}`)
	})
	if _, err := c.InvoicesByOrders(ctx, "7", []string{"12"}); err != nil {
		t.Errorf("invoices: %v, want them served while the products breaker is open", err)
	}

	// Once the area heals and the open period has passed, one probe closes the breaker.
	fake.setAnswer(answerOK)
	time.Sleep(40 * time.Millisecond)
	if _, err := c.Products(ctx, []string{"3"}); err != nil {
		t.Fatalf("after healing: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{
		"product_api.php closed->open",
		"product_api.php open->half-open",
		"product_api.php half-open->closed",
	}
	if !slices.Equal(changes, want) {
		t.Errorf("state changes = %q, want %q", changes, want)
	}
}

func TestBreakerIgnoresApplicationErrorsFake(t *testing.T) {
	fake := newFakeBackOffice(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		fmt.Fprint(w, `{"success":false,"code":"not_found","error":"Order not found"}`)
	})
	c := fake.client(t, Config{Breaker: BreakerConfig{Failures: 1}})
	for range 3 {
		if _, err := c.Orders(context.Background(), "7", []string{"12"}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound and a closed breaker", err)
		}
	}
}

func TestCallBudgetFake(t *testing.T) {
	fake := newFakeBackOffice(t, answerOK)
	c := fake.client(t, Config{CallBudget: 2})
	ctx, cancel := c.BeginRequest(context.Background())
	defer cancel()

	for i := range 2 {
		if _, err := c.Products(ctx, []string{"3"}); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	_, err := c.Products(ctx, []string{"3"})
	if !errors.Is(err, ErrBudgetExceeded) {
		t.Errorf("third call: err = %v, want ErrBudgetExceeded", err)
	}
	if got := fake.count(productAPI); got != 2 {
		t.Errorf("%d requests reached the back office, want 2", got)
	}
	if got := CallsMade(ctx); got != 3 {
		t.Errorf("CallsMade = %d, want 3", got)
	}

	// Another request has a budget of its own.
	ctx2, cancel2 := c.BeginRequest(context.Background())
	defer cancel2()
	if _, err := c.Products(ctx2, []string{"3"}); err != nil {
		t.Errorf("next request: %v", err)
	}
}

func TestConcurrencyCapFake(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{}, 10)
	var inFlight, maxInFlight atomic.Int64
	fake := newFakeBackOffice(t, func(w http.ResponseWriter, r *http.Request, n int) {
		now := inFlight.Add(1)
		for {
			old := maxInFlight.Load()
			if now <= old || maxInFlight.CompareAndSwap(old, now) {
				break
			}
		}
		arrived <- struct{}{}
		<-release
		inFlight.Add(-1)
		answerOK(w, r, n)
	})
	c := fake.client(t, Config{MaxConcurrent: 2})

	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Products(context.Background(), []string{"3"})
			errs <- err
		}()
	}
	<-arrived
	<-arrived
	// Both slots of product_api.php are taken, so the other three calls wait.
	_, slots := c.guard.forAPI(productAPI)
	if slots.TryAcquire(1) {
		t.Error("a third slot was free while two calls were in flight")
		slots.Release(1)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("call: %v", err)
		}
	}
	if got := maxInFlight.Load(); got > 2 {
		t.Errorf("%d calls were in flight at once, want at most 2", got)
	}
}

func TestCallCanceledWithCallerFake(t *testing.T) {
	arrived := make(chan struct{})
	serverSawCancel := make(chan struct{})
	fake := newFakeBackOffice(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		close(arrived)
		<-r.Context().Done()
		close(serverSawCancel)
	})
	c := fake.client(t, Config{Breaker: BreakerConfig{Failures: 1}})

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := c.Products(ctx, []string{"3"})
		errc <- err
	}()
	<-arrived
	cancel()

	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	select {
	case <-serverSawCancel:
	case <-time.After(10 * time.Second):
		t.Fatal("the back office's request was not cancelled")
	}
	if got := fake.count(productAPI); got != 1 {
		t.Errorf("%d requests reached the back office, want 1: a cancelled call is not retried", got)
	}
	// A cancellation tells nothing about the back office, so the breaker stays closed.
	fake.setAnswer(answerOK)
	if _, err := c.Products(context.Background(), []string{"3"}); err != nil {
		t.Errorf("after the cancellation: %v, want the breaker closed", err)
	}
}

func TestRequestDeadlineFake(t *testing.T) {
	fake := newFakeBackOffice(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		<-r.Context().Done()
	})
	c := fake.client(t, Config{RequestDeadline: 50 * time.Millisecond})
	ctx, cancel := c.BeginRequest(context.Background())
	defer cancel()

	_, err := c.Products(ctx, []string{"3"})
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("err = %v, want ErrTimeout", err)
	}
	if got := fake.count(productAPI); got != 1 {
		t.Errorf("%d requests reached the back office, want 1: no retry after the deadline", got)
	}
}

func TestSignedRequestFake(t *testing.T) {
	key, err := NewSigningKey("k1", []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	var got http.Header
	var body string
	fake := newFakeBackOffice(t, func(w http.ResponseWriter, r *http.Request, n int) {
		got = r.Header.Clone()
		r.ParseForm()
		body = r.PostForm.Encode()
		answerOK(w, r, n)
	})
	c := fake.client(t, Config{SigningKeys: []SigningKey{key}})
	if _, err := c.Products(context.Background(), []string{"3"}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Signature-Input", "Signature", "Content-Digest"} {
		if got.Get(name) == "" {
			t.Errorf("request lacks %s", name)
		}
	}
	if body == "" {
		t.Error("the signed request arrived without its body")
	}
}
