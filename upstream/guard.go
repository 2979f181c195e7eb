package upstream

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
	"golang.org/x/sync/semaphore"
)

// Defaults of the protections that guard keeps per PHP API file and per GraphQL request.
const (
	defaultRequestDeadline = 10 * time.Second
	defaultCallBudget      = 30
	defaultMaxConcurrent   = 8
	defaultRetries         = 2
	defaultRetryBackoff    = 50 * time.Millisecond
	defaultBreakerFailures = 5
	defaultBreakerOpenFor  = 10 * time.Second
)

// BreakerConfig sets the circuit breaker that each PHP API file gets. Zero values take the
// defaults documented on each field.
type BreakerConfig struct {
	// Failures is how many calls in a row must fail (with ErrFault or ErrTimeout) before the
	// breaker opens. The default is 5.
	Failures uint32
	// OpenFor is how long an open breaker rejects calls before it lets one probe call through.
	// The default is 10 seconds.
	OpenFor time.Duration
	// OnStateChange, when set, is called with the API file and the old and new state
	// ("closed", "half-open" or "open") whenever a breaker changes state.
	OnStateChange func(api, from, to string)
}

// guard holds the protections of the back office that live as long as the client: one circuit
// breaker and one concurrency cap per PHP API file, and the retry policy. It is safe for
// concurrent use.
type guard struct {
	breakerCfg    BreakerConfig
	maxConcurrent int64
	retries       int
	backoff       time.Duration

	mu       sync.Mutex
	breakers map[string]*gobreaker.TwoStepCircuitBreaker[struct{}]
	slots    map[string]*semaphore.Weighted
}

func newGuard(cfg Config) *guard {
	g := &guard{
		breakerCfg:    cfg.Breaker,
		maxConcurrent: int64(cfg.MaxConcurrent),
		retries:       cfg.Retries,
		backoff:       cfg.RetryBackoff,
		breakers:      map[string]*gobreaker.TwoStepCircuitBreaker[struct{}]{},
		slots:         map[string]*semaphore.Weighted{},
	}
	if g.breakerCfg.Failures == 0 {
		g.breakerCfg.Failures = defaultBreakerFailures
	}
	if g.breakerCfg.OpenFor <= 0 {
		g.breakerCfg.OpenFor = defaultBreakerOpenFor
	}
	if g.maxConcurrent <= 0 {
		g.maxConcurrent = defaultMaxConcurrent
	}
	switch {
	case g.retries < 0:
		g.retries = 0
	case g.retries == 0:
		g.retries = defaultRetries
	case g.retries > defaultRetries:
		// More retries would multiply the load on a back office that is already struggling.
		g.retries = defaultRetries
	}
	if g.backoff <= 0 {
		g.backoff = defaultRetryBackoff
	}
	return g
}

// forAPI returns the breaker and the concurrency cap of one PHP API file, creating them on
// first use.
func (g *guard) forAPI(api string) (*gobreaker.TwoStepCircuitBreaker[struct{}], *semaphore.Weighted) {
	g.mu.Lock()
	defer g.mu.Unlock()
	cb, ok := g.breakers[api]
	if !ok {
		failures := g.breakerCfg.Failures
		onChange := g.breakerCfg.OnStateChange
		cb = gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
			Name:        api,
			MaxRequests: 1,
			// Forget isolated failures after a minute, so only a run of them opens the breaker.
			Interval: time.Minute,
			Timeout:  g.breakerCfg.OpenFor,
			ReadyToTrip: func(c gobreaker.Counts) bool {
				return c.ConsecutiveFailures >= failures
			},
			IsSuccessful: func(err error) bool { return !tripsBreaker(err) },
			// A customer closing the tab tells nothing about the back office's health.
			IsExcluded: func(err error) bool { return errors.Is(err, context.Canceled) },
			OnStateChange: func(name string, from, to gobreaker.State) {
				if onChange != nil {
					onChange(name, from.String(), to.String())
				}
			},
		})
		g.breakers[api] = cb
		g.slots[api] = semaphore.NewWeighted(g.maxConcurrent)
	}
	return cb, g.slots[api]
}

// tripsBreaker reports whether err shows that the back office is unwell. Application errors
// (not found, invalid input, a refused key or login) come from a healthy back office.
func tripsBreaker(err error) bool {
	return errors.Is(err, ErrFault) || errors.Is(err, ErrTimeout)
}

// retryable reports whether a read that failed with err may be sent again. Only faults and
// timeouts may pass on a second try; an open circuit, a spent budget and the caller's own
// cancellation never do.
func retryable(err error) bool {
	return tripsBreaker(err) && !errors.Is(err, context.Canceled)
}

// backoffFor returns the pause before retry number n (0 for the first retry). The delay doubles
// per retry, and the pause is drawn at random from its upper half, so that the retries of many
// requests do not arrive together.
func (g *guard) backoffFor(n int) time.Duration {
	ceiling := g.backoff << n
	half := ceiling / 2
	return half + rand.N(half+1)
}

// requestLimits is the per-request state that BeginRequest puts in the context.
type requestLimits struct {
	budget int64
	calls  atomic.Int64
}

type requestLimitsKey struct{}

// spend counts one upstream call against the budget of ctx's request, and reports false when
// the budget is spent. A context without a budget has no limit.
func spend(ctx context.Context) bool {
	limits, ok := ctx.Value(requestLimitsKey{}).(*requestLimits)
	if !ok {
		return true
	}
	return limits.calls.Add(1) <= limits.budget
}

// CallsMade returns how many upstream calls the request of ctx has started, counting calls
// refused by the budget but not retries, or 0 when ctx did not come from BeginRequest.
func CallsMade(ctx context.Context) int64 {
	limits, ok := ctx.Value(requestLimitsKey{}).(*requestLimits)
	if !ok {
		return 0
	}
	return limits.calls.Load()
}

// BeginRequest returns a context for one GraphQL request: it ends at the request deadline, and
// it carries the budget of upstream calls that the request may make. Call the returned cancel
// function when the request ends.
func (c *Client) BeginRequest(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx = context.WithValue(ctx, requestLimitsKey{}, &requestLimits{budget: c.callBudget})
	return context.WithTimeout(ctx, c.requestDeadline)
}

// sleep waits for d or until ctx ends, and reports whether the whole pause passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
