// Package upstream is the gateway's client of the PHP back office. It alone knows the back
// office's address, key, file names, operation selectors and parameter names; everything it
// returns to the rest of the gateway is either a decoded value or an *Error whose category says
// what went wrong, without the back office's own words reaching a customer.
package upstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Secret is a value that must never be printed. Its String, GoString and LogValue methods all
// return a fixed mask, so a secret passed to a logger or a format verb by mistake stays hidden.
type Secret string

func (Secret) String() string                 { return "[redacted]" }
func (Secret) GoString() string               { return "[redacted]" }
func (Secret) LogValue() slog.Value           { return slog.StringValue("[redacted]") }
func (s Secret) MarshalText() ([]byte, error) { return []byte("[redacted]"), nil }

// Client calls the back office's PHP APIs. It is safe for concurrent use.
type Client struct {
	baseURL         *url.URL
	key             Secret
	redactor        *Redactor // the key and every signing key, in each form the back office may echo
	http            *http.Client
	timeout         time.Duration
	requestDeadline time.Duration
	callBudget      int64
	maxBody         int64
	location        *time.Location
	observe         func(api, op, outcome string)
	guard           *guard
	signer          *Signer // nil when signing is off
	trace           func(ctx context.Context, api, op string) (context.Context, func(outcome string))
	inject          func(ctx context.Context, h http.Header)
}

// Config holds what a Client needs. BaseURL and Key are required; zero values of the other
// fields take the defaults documented on each.
type Config struct {
	// BaseURL is the folder of the PHP files, for example http://127.0.0.1:8081/apis/.
	BaseURL string
	// Key is the front-end API key.
	Key Secret
	// Timeout bounds each call, from sending the request to reading the whole body.
	// The default is 5 seconds.
	Timeout time.Duration
	// RequestDeadline bounds all the upstream calls of one GraphQL request, retries included;
	// BeginRequest applies it. The default is 10 seconds.
	RequestDeadline time.Duration
	// CallBudget is how many upstream calls one GraphQL request may start, retries not
	// counted; BeginRequest applies it. The default is 30.
	CallBudget int
	// MaxConcurrent caps the calls in flight to each PHP API file; further calls wait for a
	// free slot until their request's deadline. The default is 8.
	MaxConcurrent int
	// Retries is how many times a failed read is sent again, at most 2 (the default); a
	// negative value turns retries off. Operations that change data are never retried.
	Retries int
	// RetryBackoff is the longest pause before the first retry. It doubles for the second
	// retry, and each pause is drawn at random from the upper half. The default is 50ms.
	RetryBackoff time.Duration
	// Breaker sets the circuit breaker of each PHP API file.
	Breaker BreakerConfig
	// SigningKeys, when not empty, turns on request signing: the first key signs every
	// request (see Signer).
	SigningKeys []SigningKey
	// MaxBody is the largest answer accepted, in bytes. The default is 4 MiB.
	MaxBody int64
	// Location is the time zone of the back office's date strings. The default is UTC.
	Location *time.Location
	// Transport sends the requests. The default is a clone of http.DefaultTransport.
	Transport http.RoundTripper
	// Observe, when set, is called once per attempt with the API file, the operation and the
	// outcome: "ok" or the name of the error category. Calls that were never sent (an open
	// circuit, a spent budget) are observed too, with their category as the outcome.
	Observe func(api, op, outcome string)
	// Trace, when set, is called as each call starts. It returns the context the call runs in
	// (one carrying a trace span, for example) and a function the client calls once with the
	// outcome when the call ends.
	Trace func(ctx context.Context, api, op string) (context.Context, func(outcome string))
	// InjectHeaders, when set, adds headers derived from the call's context to each request,
	// such as the W3C traceparent header.
	InjectHeaders func(ctx context.Context, h http.Header)
}

// NewClient returns a Client for cfg, or an error naming the setting that is invalid.
func NewClient(cfg Config) (*Client, error) {
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, errors.New("upstream URL must be an absolute http or https URL")
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	if cfg.Key == "" {
		return nil, errors.New("upstream API key is missing")
	}

	c := &Client{
		baseURL:         base,
		key:             cfg.Key,
		redactor:        NewRedactor(cfg.Key, cfg.SigningKeys),
		timeout:         cfg.Timeout,
		requestDeadline: cfg.RequestDeadline,
		callBudget:      int64(cfg.CallBudget),
		maxBody:         cfg.MaxBody,
		location:        cfg.Location,
		observe:         cfg.Observe,
		guard:           newGuard(cfg),
		trace:           cfg.Trace,
		inject:          cfg.InjectHeaders,
	}
	if c.timeout <= 0 {
		c.timeout = 5 * time.Second
	}
	if c.requestDeadline <= 0 {
		c.requestDeadline = defaultRequestDeadline
	}
	if c.callBudget <= 0 {
		c.callBudget = defaultCallBudget
	}
	if len(cfg.SigningKeys) > 0 {
		c.signer = NewSigner(cfg.SigningKeys[0])
	}
	if c.maxBody <= 0 {
		c.maxBody = 4 << 20
	}
	if c.location == nil {
		c.location = time.UTC
	}
	if c.observe == nil {
		c.observe = func(string, string, string) {}
	}
	if c.trace == nil {
		c.trace = func(ctx context.Context, _, _ string) (context.Context, func(string)) { return ctx, func(string) {} }
	}
	if c.inject == nil {
		c.inject = func(context.Context, http.Header) {}
	}
	transport := cfg.Transport
	if transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// The back office is one host; keep enough idle connections for a busy page's batches.
		t.MaxIdleConnsPerHost = 64
		transport = t
	}
	c.http = &http.Client{
		Transport: transport,
		// A redirect from the back office is a misconfiguration; following it could send the
		// key to another host.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c, nil
}

// Location returns the time zone of the back office's date strings.
func (c *Client) Location() *time.Location { return c.location }

// call posts one read operation to one PHP file and decodes the payload of its answer into
// payload. check, when not nil, then checks the decoded payload against the contract; its
// error is the call's, in metrics and the circuit breaker too. A read that fails with a fault
// or a timeout is sent again, at most Config.Retries times. Errors are *Error values, or the
// context's cause when the caller went away.
func (c *Client) call(ctx context.Context, api, op string, params *Params, payload any, check func() error) error {
	return c.do(ctx, api, op, params, payload, check, true)
}

// callOnce is call for an operation that must not be sent twice, because the back office may
// act on each copy: it is never retried.
func (c *Client) callOnce(ctx context.Context, api, op string, params *Params, payload any, check func() error) error {
	return c.do(ctx, api, op, params, payload, check, false)
}

// do runs one call through the protections of the back office: the request's call budget,
// then per attempt the API's circuit breaker and concurrency cap, and retries for reads.
func (c *Client) do(ctx context.Context, api, op string, params *Params, payload any, check func() error, idempotent bool) error {
	if !spend(ctx) {
		err := &Error{Category: ErrBudgetExceeded, API: api, Op: op}
		c.observe(api, op, outcomeOf(err))
		return err
	}

	retries := 0
	if idempotent {
		retries = c.guard.retries
	}
	for attempt := 0; ; attempt++ {
		err := c.attempt(ctx, api, op, params, payload, check)
		c.observe(api, op, outcomeOf(err))
		if err == nil || attempt == retries || !retryable(err) {
			return err
		}

		// A retry never starts after the request deadline, and it ends at the deadline
		// like every call of the request.
		pause := c.guard.backoffFor(attempt)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= pause {
			return err
		}
		if !sleep(ctx, pause) {
			return err
		}
	}
}

// attempt sends one call once, if the API's circuit breaker lets it through, holding one of
// the API's concurrency slots while it runs, and then runs check, when not nil.
func (c *Client) attempt(ctx context.Context, api, op string, params *Params, payload any, check func() error) error {
	ctx, finish := c.trace(ctx, api, op)
	breaker, slots := c.guard.forAPI(api)
	done, err := breaker.Allow()
	if err != nil {
		err = &Error{Category: ErrCircuitOpen, API: api, Op: op, Err: err}
		finish(outcomeOf(err))
		return err
	}
	if err := slots.Acquire(ctx, 1); err != nil {
		err = c.transportError(ctx, api, op, fmt.Errorf("waiting for a free connection slot: %w", err))
		done(err)
		finish(outcomeOf(err))
		return err
	}
	err = c.send(ctx, api, op, params, payload)
	slots.Release(1)
	if err == nil && check != nil {
		err = check()
	}
	done(err)
	finish(outcomeOf(err))
	return err
}

// send posts one request and decodes its answer. The key and the signature are added here and
// nowhere else.
func (c *Client) send(ctx context.Context, api, op string, params *Params, payload any) error {
	var form Params
	form.Set("req", op)
	form.Set("key", string(c.key))
	body := form.Encode()
	if params != nil && params.Len() > 0 {
		body += "&" + params.Encode()
	}

	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	target := c.baseURL.JoinPath(api)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), strings.NewReader(body))
	if err != nil {
		return &Error{Category: ErrFault, API: api, Op: op, Err: errors.New("building the request failed")}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	c.inject(ctx, req.Header)
	if c.signer != nil {
		if err := c.signer.Sign(req, []byte(body)); err != nil {
			return &Error{Category: ErrFault, API: api, Op: op, Err: err}
		}
	}

	resp, err := c.http.Do(req)
	if err != nil {
		return c.transportError(ctx, api, op, err)
	}
	defer resp.Body.Close()

	// Read one byte past the limit, so that an oversized response is distinguished from one that fits.
	raw, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return c.transportError(ctx, api, op, err)
	}
	if int64(len(raw)) > c.maxBody {
		return &Error{Category: ErrFault, API: api, Op: op, Status: resp.StatusCode,
			Err: fmt.Errorf("response exceeds %d bytes", c.maxBody)}
	}

	// A back office that prints a secret back (a debug print, an echoed request, an error
	// page) is faulty, whatever the field or status. Such a response is never decoded, so no
	// field can carry the secret on to the browser, and the log gets the body with it masked.
	if c.redactor.Contains(raw) {
		return &Error{Category: ErrFault, API: api, Op: op, Status: resp.StatusCode,
			Snippet: c.redactor.clip(raw, maxSnippet), Err: errSecretEchoed}
	}

	// The body and the back office's message go to the log, masked before they are clipped.
	if err := decodeResponse(resp.StatusCode, raw, payload, c.redactor); err != nil {
		var uerr *Error
		if errors.As(err, &uerr) {
			uerr.API, uerr.Op = api, op
		}
		return err
	}
	return nil
}

// transportError classifies a failure to get a whole answer. The caller's own cancellation is
// returned as it is, so that nobody logs a customer closing a tab as a back-office fault.
func (c *Client) transportError(ctx context.Context, api, op string, err error) error {
	if cause := context.Cause(ctx); cause != nil && errors.Is(cause, context.Canceled) {
		return cause
	}
	// The URL in *url.Error carries the back office's address; keep only the reason.
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Category: ErrTimeout, API: api, Op: op, Err: err}
	}
	return &Error{Category: ErrFault, API: api, Op: op, Err: err}
}

// outcomeOf names the outcome of a call for metrics: "ok", "canceled" or the error category.
func outcomeOf(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, ErrNotFound):
		return "not_found"
	case errors.Is(err, ErrInvalidInput):
		return "invalid_input"
	case errors.Is(err, ErrKeyRefused):
		return "key_refused"
	case errors.Is(err, ErrLoginFailed):
		return "login_failed"
	case errors.Is(err, ErrTimeout):
		return "timeout"
	case errors.Is(err, ErrCircuitOpen):
		return "circuit_open"
	case errors.Is(err, ErrOutcomeUnknown):
		return "outcome_unknown"
	case errors.Is(err, ErrKeyReused):
		return "key_reused"
	case errors.Is(err, ErrConflict):
		return "conflict"
	case errors.Is(err, ErrClosed):
		return "closed"
	case errors.Is(err, ErrBudgetExceeded):
		return "budget_exceeded"
	default:
		return "fault"
	}
}
