package edge

import (
	"net/http"
	"sync/atomic"
	"time"
)

// Limit lets at most n requests run next at once. Up to queue more wait, in no particular
// order, until one finishes, their client goes away or they have waited for wait. A request
// beyond the queue, or one that waited for wait without getting a slot, is rejected with
// 503 Service Unavailable, Retry-After: 1 and the error code RATE_LIMITED. With a wait of zero
// or less, a request that finds all n slots taken is rejected at once.
//
// Under overload a waiting request costs a few kilobytes, whereas every running GraphQL
// operation holds its decoded records and its resolver goroutines, so running them all at
// once multiplies memory and garbage-collection work without answering any sooner. The queue
// bound keeps a flood from piling up connections, and memory with them, without end. The wait
// bound keeps the time a request may take finite, so that the server's write timeout can
// always leave room for a response.
func Limit(n, queue int, wait time.Duration, next http.Handler) http.Handler {
	slots := make(chan struct{}, n)
	var waiting atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
		default:
			if wait <= 0 {
				writeBusy(w, r)
				return
			}
			if waiting.Add(1) > int64(queue) {
				waiting.Add(-1)
				writeBusy(w, r)
				return
			}
			timer := time.NewTimer(wait)
			select {
			case slots <- struct{}{}:
				timer.Stop()
				waiting.Add(-1)
			case <-timer.C:
				waiting.Add(-1)
				writeBusy(w, r)
				return
			case <-r.Context().Done():
				// The client went away while it waited, so no response is needed.
				timer.Stop()
				waiting.Add(-1)
				return
			}
		}
		defer func() { <-slots }()
		next.ServeHTTP(w, r)
	})
}

// writeBusy rejects a request that found no execution slot.
func writeBusy(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", "1")
	WriteError(w, r, http.StatusServiceUnavailable, "RATE_LIMITED", "The service is busy. Try again in a moment.")
}
