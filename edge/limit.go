package edge

import (
	"net/http"
	"sync/atomic"
)

// Limit lets at most n requests run next at once. Up to queue more wait, in no particular
// order, until one finishes or their client goes away. A request beyond that is rejected at
// once with 503 Service Unavailable, Retry-After: 1 and the error code RATE_LIMITED.
//
// Under overload a waiting request costs a few kilobytes, whereas every running GraphQL
// operation holds its decoded records and its resolver goroutines, so running them all at
// once multiplies memory and garbage-collection work without answering any sooner. The queue
// bound keeps a flood from piling up connections, and memory with them, without end.
func Limit(n, queue int, next http.Handler) http.Handler {
	slots := make(chan struct{}, n)
	var waiting atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
		default:
			if waiting.Add(1) > int64(queue) {
				waiting.Add(-1)
				w.Header().Set("Retry-After", "1")
				WriteError(w, r, http.StatusServiceUnavailable, "RATE_LIMITED", "The service is busy. Try again in a moment.")
				return
			}
			select {
			case slots <- struct{}{}:
				waiting.Add(-1)
			case <-r.Context().Done():
				// The client went away while it waited, so no response is needed.
				waiting.Add(-1)
				return
			}
		}
		defer func() { <-slots }()
		next.ServeHTTP(w, r)
	})
}
