package edge

import (
	"net/http"
)

// Limit lets at most n requests run next at once; the others wait, in no particular order,
// until one finishes or their client goes away. Under overload a queue of waiting requests
// costs a few kilobytes each, whereas every running GraphQL operation holds its decoded
// records and its resolver goroutines, so running them all at once multiplies memory and
// garbage-collection work without answering any sooner.
func Limit(n int, next http.Handler) http.Handler {
	slots := make(chan struct{}, n)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
		case <-r.Context().Done():
			// The client went away while it waited; nobody reads a response.
			return
		}
		defer func() { <-slots }()
		next.ServeHTTP(w, r)
	})
}
