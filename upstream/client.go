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
	baseURL  *url.URL
	key      Secret
	http     *http.Client
	timeout  time.Duration
	maxBody  int64
	location *time.Location
	observe  func(api, op, outcome string)
	trace    func(ctx context.Context, api, op string) (context.Context, func(outcome string))
	inject   func(ctx context.Context, h http.Header)
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
	// MaxBody is the largest answer accepted, in bytes. The default is 4 MiB.
	MaxBody int64
	// Location is the time zone of the back office's date strings. The default is UTC.
	Location *time.Location
	// Transport sends the requests. The default is a clone of http.DefaultTransport.
	Transport http.RoundTripper
	// Observe, when set, is called once per call with the API file, the operation and the
	// outcome: "ok" or the name of the error category.
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
		baseURL:  base,
		key:      cfg.Key,
		timeout:  cfg.Timeout,
		maxBody:  cfg.MaxBody,
		location: cfg.Location,
		observe:  cfg.Observe,
		trace:    cfg.Trace,
		inject:   cfg.InjectHeaders,
	}
	if c.timeout <= 0 {
		c.timeout = 5 * time.Second
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

// call posts one operation to one PHP file and decodes the payload of its answer into payload.
// The key is added here and nowhere else. Errors are *Error values, or ctx.Err() when the
// caller went away.
func (c *Client) call(ctx context.Context, api, op string, params *Params, payload any) error {
	ctx, done := c.trace(ctx, api, op)
	err := c.send(ctx, api, op, params, payload)
	outcome := outcomeOf(err)
	c.observe(api, op, outcome)
	done(outcome)
	return err
}

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

	resp, err := c.http.Do(req)
	if err != nil {
		return c.transportError(ctx, api, op, err)
	}
	defer resp.Body.Close()

	// Read one byte past the limit, so an oversized answer is told apart from one that fits.
	raw, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return c.transportError(ctx, api, op, err)
	}
	if int64(len(raw)) > c.maxBody {
		return &Error{Category: ErrFault, API: api, Op: op, Status: resp.StatusCode,
			Err: fmt.Errorf("answer exceeds %d bytes", c.maxBody)}
	}

	if err := DecodeResponse(resp.StatusCode, raw, payload); err != nil {
		var uerr *Error
		if errors.As(err, &uerr) {
			uerr.API, uerr.Op = api, op
			// The body and the back office's message go to the log. A back office that
			// echoes the key (a debug print left in) must not put it there.
			uerr.Snippet = strings.ReplaceAll(uerr.Snippet, string(c.key), c.key.String())
			uerr.Message = strings.ReplaceAll(uerr.Message, string(c.key), c.key.String())
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
	default:
		return "fault"
	}
}
