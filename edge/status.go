package edge

import (
	"context"
	"net/http"
	"strconv"
	"sync"
)

// statusHolder carries a status that replaces the one the GraphQL handler writes. gqlgen picks
// the status of a response before its error presenter runs. The presenter, which classifies the
// refusal, therefore records the status here, and the writer applies it.
type statusHolder struct {
	mu         sync.Mutex
	status     int
	retryAfter int
}

type statusKey struct{}

// SetStatus makes the response of ctx's request go out with status, and with a Retry-After
// header of retryAfter seconds when that is positive. It does nothing outside OverrideStatus.
func SetStatus(ctx context.Context, status, retryAfter int) {
	h, _ := ctx.Value(statusKey{}).(*statusHolder)
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.status, h.retryAfter = status, retryAfter
}

// OverrideStatus lets handlers behind it change the response status through SetStatus until
// the first byte of the body is written.
func OverrideStatus(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := &statusHolder{}
		ow := &overrideWriter{ResponseWriter: w, holder: h, status: http.StatusOK}
		next.ServeHTTP(ow, r.WithContext(context.WithValue(r.Context(), statusKey{}, h)))
		ow.flushHeader()
	})
}

// overrideWriter delays WriteHeader until the body starts, so a later SetStatus still counts.
type overrideWriter struct {
	http.ResponseWriter
	holder  *statusHolder
	status  int
	written bool
}

func (o *overrideWriter) WriteHeader(code int) {
	if !o.written {
		o.status = code
	}
}

func (o *overrideWriter) Write(b []byte) (int, error) {
	o.flushHeader()
	return o.ResponseWriter.Write(b)
}

func (o *overrideWriter) flushHeader() {
	if o.written {
		return
	}
	o.written = true
	o.holder.mu.Lock()
	status, retryAfter := o.holder.status, o.holder.retryAfter
	o.holder.mu.Unlock()
	if status == 0 {
		status = o.status
	}
	if retryAfter > 0 {
		o.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	}
	o.ResponseWriter.WriteHeader(status)
}

func (o *overrideWriter) Unwrap() http.ResponseWriter { return o.ResponseWriter }
