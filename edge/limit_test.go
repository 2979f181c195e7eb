package edge

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLimitQueuesBeyondN(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 3)
	h := Limit(2, 1, time.Minute, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
	}))

	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/graphql", nil))
		}()
	}
	<-entered
	<-entered
	select {
	case <-entered:
		t.Fatal("a third request ran while two were running")
	default:
	}

	// Finishing one running request lets the waiting one in.
	release <- struct{}{}
	<-entered
	close(release)
	wg.Wait()
}

func TestLimitWaiterCanceled(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 2)
	h := Limit(1, 1, time.Minute, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
	}))
	go h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/graphql", nil))
	<-entered

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/graphql", nil).WithContext(ctx))
	close(release)
	if len(entered) != 0 {
		t.Error("a request whose client had gone away still ran")
	}
}

// TestLimitRejects fills the one slot and sends a second request, which is rejected either
// because the queue has no room or because its wait for the slot ends.
func TestLimitRejects(t *testing.T) {
	tests := []struct {
		name  string
		queue int
		wait  time.Duration
	}{
		{"queue-full", 0, time.Minute},
		{"short-wait", 10, time.Millisecond},
		{"no-wait", 10, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			entered := make(chan struct{}, 2)
			h := Limit(1, tt.queue, tt.wait, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				entered <- struct{}{}
				<-release
			}))
			go h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/graphql", nil))
			<-entered
			defer close(release)

			// The slot stays taken until release closes, so the second request can only
			// return by being rejected.
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", "/graphql", nil))
			if rec.Code != http.StatusServiceUnavailable {
				t.Fatalf("status %d, want 503", rec.Code)
			}
			if got := rec.Header().Get("Retry-After"); got != "1" {
				t.Errorf("Retry-After = %q, want 1", got)
			}
			if !strings.Contains(rec.Body.String(), `"code":"RATE_LIMITED"`) {
				t.Errorf("body = %s", rec.Body)
			}
			if len(entered) != 0 {
				t.Error("the rejected request ran")
			}
		})
	}
}
