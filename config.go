package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"customer-gateway/session"
	"customer-gateway/upstream"
)

// config is the gateway's effective configuration. Each setting comes from an environment
// variable, and a command-line flag of the same meaning overrides it.
type config struct {
	env            string
	listenAddr     string
	adminAddr      string
	upstreamURL    string
	upstreamKey    upstream.Secret
	upstreamZone   string
	sessionKeys    upstream.Secret
	sessionDir     string
	allowedOrigins string
	siteDir        string
	batchWait      time.Duration
	check          bool

	// signingKeys are the request-signing keys as keyid:base64key pairs; empty turns signing off.
	signingKeys     upstream.Secret
	upstreamTimeout time.Duration
	requestDeadline time.Duration
	callBudget      int

	// tuneUpstream, when set, adjusts the upstream client's configuration before the client is
	// built. No variable or flag sets it: tests use it to inject breaker settings.
	tuneUpstream func(*upstream.Config)
}

func (c *config) development() bool { return c.env == "development" }

// loadConfig reads the environment, then the flags in args.
func loadConfig(args []string, stderr io.Writer) (*config, error) {
	c := &config{
		env:            envOr("GATEWAY_ENV", "production"),
		listenAddr:     envOr("LISTEN_ADDR", "127.0.0.1:8080"),
		adminAddr:      envOr("ADMIN_ADDR", "127.0.0.1:9090"),
		upstreamURL:    os.Getenv("UPSTREAM_URL"),
		upstreamZone:   envOr("UPSTREAM_TIMEZONE", "UTC"),
		sessionDir:     os.Getenv("SESSION_DIR"),
		allowedOrigins: os.Getenv("ALLOWED_ORIGINS"),
		siteDir:        os.Getenv("SITE_DIR"),
		batchWait:      2 * time.Millisecond,

		upstreamTimeout: 5 * time.Second,
		requestDeadline: 10 * time.Second,
		callBudget:      30,
	}
	key, err := secretFromEnv("UPSTREAM_API_KEY")
	if err != nil {
		return nil, err
	}
	c.upstreamKey = key
	keys, err := secretFromEnv("SESSION_KEYS")
	if err != nil {
		return nil, err
	}
	c.sessionKeys = keys
	if c.signingKeys, err = secretFromEnv("UPSTREAM_SIGNING_KEYS"); err != nil {
		return nil, err
	}
	if err := durationFromEnv("UPSTREAM_TIMEOUT", &c.upstreamTimeout); err != nil {
		return nil, err
	}
	if err := durationFromEnv("REQUEST_DEADLINE", &c.requestDeadline); err != nil {
		return nil, err
	}
	if v := os.Getenv("UPSTREAM_CALL_BUDGET"); v != "" {
		if c.callBudget, err = strconv.Atoi(v); err != nil {
			return nil, fmt.Errorf("UPSTREAM_CALL_BUDGET %q is not a whole number such as 30", v)
		}
	}
	if v := os.Getenv("BATCH_WAIT"); v != "" {
		if c.batchWait, err = time.ParseDuration(v); err != nil {
			return nil, fmt.Errorf("BATCH_WAIT %q is not a duration such as 2ms", v)
		}
	}

	fs := flag.NewFlagSet("customer-gateway", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.env, "env", c.env, "`production` or development (GATEWAY_ENV)")
	fs.StringVar(&c.listenAddr, "listen", c.listenAddr, "public listener `address` (LISTEN_ADDR)")
	fs.StringVar(&c.adminAddr, "admin", c.adminAddr, "operator listener `address` (ADMIN_ADDR)")
	fs.StringVar(&c.upstreamURL, "upstream", c.upstreamURL, "base `URL` of the PHP APIs (UPSTREAM_URL)")
	fs.StringVar(&c.upstreamZone, "upstream-timezone", c.upstreamZone, "time `zone` of the back office's dates (UPSTREAM_TIMEZONE)")
	fs.StringVar(&c.sessionDir, "session-dir", c.sessionDir, "`folder` of the filesystem session store (SESSION_DIR)")
	fs.StringVar(&c.allowedOrigins, "allowed-origins", c.allowedOrigins, "comma-separated `origins` allowed to call /graphql (ALLOWED_ORIGINS)")
	fs.StringVar(&c.siteDir, "site", c.siteDir, "serve the customer site from this `folder` at / (SITE_DIR)")
	fs.DurationVar(&c.upstreamTimeout, "upstream-timeout", c.upstreamTimeout, "time limit of one call to the back office, until its whole answer is read (UPSTREAM_TIMEOUT)")
	fs.DurationVar(&c.requestDeadline, "request-deadline", c.requestDeadline, "time limit of all the back-office calls of one GraphQL request, retries included (REQUEST_DEADLINE)")
	fs.IntVar(&c.callBudget, "upstream-call-budget", c.callBudget, "most back-office calls one GraphQL operation may start; further fields fail with QUERY_TOO_COMPLEX (UPSTREAM_CALL_BUDGET)")
	fs.DurationVar(&c.batchWait, "batch-wait", c.batchWait, "how long a loader collects keys before it calls the back office (BATCH_WAIT)")
	fs.BoolVar(&c.check, "check", false, "validate the configuration, print it with secrets redacted, and exit")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return c, c.validate()
}

// validate reports the first setting that cannot work, naming it and saying what to do.
func (c *config) validate() error {
	if c.env != "production" && c.env != "development" {
		return fmt.Errorf("GATEWAY_ENV %q is invalid: use production or development", c.env)
	}
	if c.upstreamURL == "" {
		return errors.New("UPSTREAM_URL is missing: set it to the base URL of the PHP APIs, for example http://127.0.0.1:8081/apis/")
	}
	if u, err := url.Parse(c.upstreamURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("UPSTREAM_URL is invalid: it must be an absolute http or https URL")
	}
	if c.upstreamKey == "" {
		return errors.New("UPSTREAM_API_KEY is missing: set it, or UPSTREAM_API_KEY_FILE, to the front-end API key")
	}
	if _, err := time.LoadLocation(c.upstreamZone); err != nil {
		return fmt.Errorf("UPSTREAM_TIMEZONE %q is not a known time zone, such as Europe/Berlin", c.upstreamZone)
	}
	if c.sessionKeys == "" {
		return errors.New("SESSION_KEYS is missing: set it, or SESSION_KEYS_FILE, to a base64 key of at least 32 bytes (openssl rand -base64 32)")
	}
	if _, err := session.ParseKeys(string(c.sessionKeys)); err != nil {
		return fmt.Errorf("SESSION_KEYS is invalid: %w", err)
	}
	if c.signingKeys != "" {
		if _, err := upstream.ParseSigningKeys(string(c.signingKeys)); err != nil {
			return fmt.Errorf("UPSTREAM_SIGNING_KEYS is invalid: %w; write keyid:base64key pairs, newest first, each key from openssl rand -base64 32", err)
		}
	}
	if c.upstreamTimeout < 100*time.Millisecond || c.upstreamTimeout > time.Minute {
		return errors.New("UPSTREAM_TIMEOUT must be between 100ms and 1m")
	}
	if c.requestDeadline < c.upstreamTimeout || c.requestDeadline > 5*time.Minute {
		return errors.New("REQUEST_DEADLINE must be at least UPSTREAM_TIMEOUT and at most 5m")
	}
	if c.callBudget < 1 || c.callBudget > 1000 {
		return errors.New("UPSTREAM_CALL_BUDGET must be between 1 and 1000")
	}
	if c.batchWait < 0 || c.batchWait > 50*time.Millisecond {
		return errors.New("BATCH_WAIT must be between 0 and 50ms")
	}
	for _, o := range c.origins() {
		u, err := url.Parse(o)
		if err != nil || u.Scheme == "" || u.Host == "" || u.Path != "" {
			return fmt.Errorf("ALLOWED_ORIGINS entry %q is not an origin such as https://shop.example.com", o)
		}
	}
	if c.siteDir != "" {
		if st, err := os.Stat(c.siteDir); err != nil || !st.IsDir() {
			return fmt.Errorf("SITE_DIR %q is not a readable folder", c.siteDir)
		}
	}
	return nil
}

// origins returns the allowed origins: ALLOWED_ORIGINS, or the public listener's own origin.
func (c *config) origins() []string {
	if c.allowedOrigins == "" {
		return []string{"http://" + c.listenAddr}
	}
	var out []string
	for _, o := range strings.Split(c.allowedOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, strings.TrimSuffix(o, "/"))
		}
	}
	return out
}

// sessionFolder returns SESSION_DIR, or a folder under the user's state directory.
func (c *config) sessionFolder() string {
	if c.sessionDir != "" {
		return c.sessionDir
	}
	state := os.Getenv("XDG_STATE_HOME")
	if state == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = os.TempDir()
		}
		state = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(state, "customer-gateway", "sessions")
}

// loopbackListener reports whether the public listener only accepts local connections.
func (c *config) loopbackListener() bool {
	host, _, err := net.SplitHostPort(c.listenAddr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// print writes the effective configuration with secrets redacted.
func (c *config) print(w io.Writer) {
	redact := func(s upstream.Secret) string {
		if s == "" {
			return "(unset)"
		}
		return s.String()
	}
	fmt.Fprintf(w, "GATEWAY_ENV=%s\nLISTEN_ADDR=%s\nADMIN_ADDR=%s\nUPSTREAM_URL=%s\nUPSTREAM_API_KEY=%s\n",
		c.env, c.listenAddr, c.adminAddr, c.upstreamURL, redact(c.upstreamKey))
	fmt.Fprintf(w, "UPSTREAM_SIGNING_KEYS=%s\nUPSTREAM_TIMEOUT=%s\nREQUEST_DEADLINE=%s\nUPSTREAM_CALL_BUDGET=%d\n",
		redact(c.signingKeys), c.upstreamTimeout, c.requestDeadline, c.callBudget)
	fmt.Fprintf(w, "UPSTREAM_TIMEZONE=%s\nSESSION_KEYS=%s\nSESSION_DIR=%s\nALLOWED_ORIGINS=%s\nSITE_DIR=%s\nBATCH_WAIT=%s\n",
		c.upstreamZone, redact(c.sessionKeys), c.sessionFolder(), strings.Join(c.origins(), ","), c.siteDir, c.batchWait)
}

// durationFromEnv sets *dst from the variable name when it is set.
func durationFromEnv(name string, dst *time.Duration) error {
	v := os.Getenv(name)
	if v == "" {
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("%s %q is not a duration such as 5s", name, v)
	}
	*dst = d
	return nil
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// secretFromEnv reads a secret from NAME, or from the file named by NAME_FILE.
func secretFromEnv(name string) (upstream.Secret, error) {
	v := os.Getenv(name)
	path := os.Getenv(name + "_FILE")
	if v != "" && path != "" {
		return "", fmt.Errorf("%s and %s_FILE are both set: keep one", name, name)
	}
	if path == "" {
		return upstream.Secret(v), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s_FILE cannot be read: %w", name, errors.Unwrap(err))
	}
	return upstream.Secret(strings.TrimSpace(string(b))), nil
}
