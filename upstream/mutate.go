package upstream

import (
	"context"
	"errors"
	"net/http/httptrace"
	"sync/atomic"
)

// mutate posts one operation that changes data in the back office. It differs from call in
// two ways, both because a write may have been applied even when its response was lost:
//
//   - it is never retried: a repeat is the caller's decision, made with the same idempotency
//     key so the back office can return the first response;
//   - a transport failure after the request was written (a timeout, a reset, a response cut
//     short) is ErrOutcomeUnknown instead of ErrTimeout or ErrFault. A failure before the
//     request was written, such as a refused connection, keeps its category: nothing reached
//     the back office.
//
// The idempotency key travels as a form parameter, never as an Idempotency-Key header,
// because net/http's Transport treats a POST with that header as safe to replay on a
// dropped keep-alive connection, and a write must not be replayed behind the caller's back.
func (c *Client) mutate(ctx context.Context, api, op string, params *Params, payload any) error {
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				wrote.Store(true)
			}
		},
	}
	if !spend(ctx) {
		err := &Error{Category: ErrBudgetExceeded, API: api, Op: op}
		c.observe(api, op, outcomeOf(err))
		return err
	}
	// One attempt through the API's circuit breaker and concurrency cap, like a read's first.
	// NOTE: the callers check the response against the contract after this, so a fault they
	// find counts as an ok call in gateway_upstream_requests_total.
	err := c.attempt(httptrace.WithClientTrace(ctx, trace), api, op, params, payload, nil)
	if wrote.Load() {
		err = afterWrite(err)
	}
	c.observe(api, op, outcomeOf(err))
	return err
}

// afterWrite reclassifies err, the result of a call whose request was written: a fault or a
// timeout means the outcome is unknown. That holds with an HTTP status too: PHP may have
// committed the write before a notice, a failed json_encode or a truncated body spoiled the
// answer, and a proxy's 502 may come after PHP finished. Application errors the back office
// answered with a code (not found, invalid, conflict) keep their category, and so does the
// caller's own cancellation.
func afterWrite(err error) error {
	var uerr *Error
	if !errors.As(err, &uerr) {
		return err
	}
	if uerr.Category == ErrTimeout || uerr.Category == ErrFault {
		copied := *uerr
		copied.Category = ErrOutcomeUnknown
		return &copied
	}
	return err
}
