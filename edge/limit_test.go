package edge

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

func TestLimitQueuesBeyondN(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 3)
	h := Limit(2, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
	h := Limit(1, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
