// Package telemetry holds what operators see of the gateway: the per-request record behind the
// access log, the Prometheus metrics, OpenTelemetry tracing and the redacting log handler.
package telemetry

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Request is the record of one HTTP request that the access log writes when the response is
// done. The GraphQL layer, the error presenter and the upstream client fill it in through the
// context. Its methods are safe for concurrent use and do nothing on a nil *Request, so code
// running outside a request needs no check.
type Request struct {
	upstreamCalls atomic.Int64

	mu        sync.Mutex
	operation string
	errorCode string
	reported  map[string]bool
	// responseStarted is set when the first byte or header of the response is written, and
	// clientClosedAtResponse records whether the client had closed the request by then.
	responseStarted        bool
	clientClosedAtResponse bool
}

// CodeClientClosed is the outcome of a request whose client went away before the response
// started. It replaces the error code in the access log and in the metrics, so that a
// customer closing a tab is not counted as INTERNAL_SERVER_ERROR. No response carries it.
const CodeClientClosed = "CLIENT_CLOSED_REQUEST"

type requestKey struct{}

// WithRequest returns a copy of ctx carrying a new, empty record, and the record.
func WithRequest(ctx context.Context) (context.Context, *Request) {
	r := &Request{}
	return context.WithValue(ctx, requestKey{}, r), r
}

// RequestFrom returns the record of the request ctx belongs to, or nil outside one.
func RequestFrom(ctx context.Context) *Request {
	r, _ := ctx.Value(requestKey{}).(*Request)
	return r
}

// SetOperation records the GraphQL operation's name.
func (r *Request) SetOperation(name string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.operation = name
}

// Operation returns the recorded operation name, or "".
func (r *Request) Operation() string {
	if r == nil {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.operation
}

// SetErrorCode records the code of an error in the request's response. The first code wins,
// because later errors of one operation are usually consequences of the first.
func (r *Request) SetErrorCode(code string) {
	if r == nil || code == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.errorCode == "" {
		r.errorCode = code
	}
}

// ErrorCode returns the first recorded error code, or "" when the request had no error.
func (r *Request) ErrorCode() string {
	if r == nil {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.errorCode
}

// Outcome returns CodeClientClosed when the client went away before the response started, and
// otherwise the first recorded error code, or "" when the request had no error. ctx is the
// request's context, which the HTTP server cancels when the client's connection closes.
func (r *Request) Outcome(ctx context.Context) string {
	if r.ClientClosed(ctx) {
		return CodeClientClosed
	}
	return r.ErrorCode()
}

// ClientClosed reports whether the client went away before the response started: ctx was
// cancelled when the response was first written, or, when nothing was written, it is
// cancelled now. A deadline ends a context with DeadlineExceeded instead, so a timeout of the
// gateway's own does not count.
func (r *Request) ClientClosed(ctx context.Context) bool {
	if r != nil {
		r.mu.Lock()
		started, closed := r.responseStarted, r.clientClosedAtResponse
		r.mu.Unlock()
		if started {
			return closed
		}
	}
	return errors.Is(ctx.Err(), context.Canceled)
}

// startResponse records that the response started, and whether ctx, the request's context,
// was cancelled by then. Only the first call counts.
func (r *Request) startResponse(ctx context.Context) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.responseStarted {
		r.responseStarted = true
		r.clientClosedAtResponse = errors.Is(ctx.Err(), context.Canceled)
	}
}

// AddUpstreamCall counts one call to the back office.
func (r *Request) AddUpstreamCall() {
	if r != nil {
		r.upstreamCalls.Add(1)
	}
}

// UpstreamCalls returns how many calls to the back office the request made.
func (r *Request) UpstreamCalls() int64 {
	if r == nil {
		return 0
	}
	return r.upstreamCalls.Load()
}

// FirstReport reports whether err is the first error with its cause in this request, so that
// a cause shared by several fields (one failed batch serves many) is logged once. The cause is
// err without gqlgen's wrapping, which adds each field's path; causes are compared by message.
// Outside a request it always returns true.
func (r *Request) FirstReport(err error) bool {
	if r == nil {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.reported == nil {
		r.reported = map[string]bool{}
	}
	var gqlErr *gqlerror.Error
	for errors.As(err, &gqlErr) && gqlErr.Err != nil {
		err = gqlErr.Err
	}
	msg := err.Error()
	if r.reported[msg] {
		return false
	}
	r.reported[msg] = true
	return true
}
