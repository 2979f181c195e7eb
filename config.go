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

	"customer-gateway/manifest"
	"customer-gateway/resolvers"
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

	// Refusing what the site would never send: operation limits, trusted documents, session
	// timeouts and rate limits.
	limits           resolvers.Limits
	trustedDocuments string
	sessionIdle      time.Duration
	sessionMaxAge    time.Duration
	loginsPerMinute  int
	addressLogins    int
	costPerSecond    int
	costBurst        int
	// untrustedDocuments turns off trusted-document enforcement in production. No variable or
	// flag sets it: only tests do, to exercise the other checks with documents outside the
	// manifest.
	untrustedDocuments bool
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

		limits:           resolvers.DefaultLimits,
		trustedDocuments: os.Getenv("TRUSTED_DOCUMENTS"),
		sessionIdle:      30 * time.Minute,
		sessionMaxAge:    12 * time.Hour,
		loginsPerMinute:  5,
		addressLogins:    50,
		costPerSecond:    2000,
		costBurst:        10000,
	}
	if err := c.readLimitsFromEnv(); err != nil {
		return nil, err
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
	fs.DurationVar(&c.batchWait, "batch-wait", c.batchWait, "how long a loader collects keys before it calls the back office (BATCH_WAIT)")
	fs.IntVar(&c.limits.Tokens, "max-tokens", c.limits.Tokens, "maximum `tokens` in an operation's document (MAX_TOKENS)")
	fs.IntVar(&c.limits.Depth, "max-depth", c.limits.Depth, "maximum selection `depth` of an operation (MAX_DEPTH)")
	fs.IntVar(&c.limits.Aliases, "max-aliases", c.limits.Aliases, "maximum aliased `fields` in an operation (MAX_ALIASES)")
	fs.IntVar(&c.limits.RootFields, "max-root-fields", c.limits.RootFields, "maximum root `fields` in an operation (MAX_ROOT_FIELDS)")
	fs.IntVar(&c.limits.Complexity, "max-complexity", c.limits.Complexity, "maximum `cost` of an operation, list fields multiplied by first (MAX_COMPLEXITY)")
	fs.StringVar(&c.trustedDocuments, "trusted-documents", c.trustedDocuments, "trusted-documents manifest `file` (TRUSTED_DOCUMENTS)")
	fs.DurationVar(&c.sessionIdle, "session-idle-timeout", c.sessionIdle, "end a session after this `duration` without a request (SESSION_IDLE_TIMEOUT)")
	fs.DurationVar(&c.sessionMaxAge, "session-max-age", c.sessionMaxAge, "end a session this `duration` after its login (SESSION_MAX_AGE)")
	fs.IntVar(&c.loginsPerMinute, "login-rate", c.loginsPerMinute, "login `attempts` a minute per email (LOGIN_RATE)")
	fs.IntVar(&c.addressLogins, "login-rate-per-address", c.addressLogins, "login `attempts` a minute per client address (LOGIN_RATE_PER_ADDRESS)")
	fs.IntVar(&c.costPerSecond, "cost-rate", c.costPerSecond, "operation `cost` a second per session and per client address (COST_RATE)")
	fs.IntVar(&c.costBurst, "cost-burst", c.costBurst, "operation `cost` a session or client address may spend at once (COST_BURST)")
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
	return c.validateLimits()
}

// readLimitsFromEnv reads the operation limits, session timeouts and rate limits.
func (c *config) readLimitsFromEnv() error {
	ints := []struct {
		name string
		dst  *int
	}{
		{"MAX_TOKENS", &c.limits.Tokens}, {"MAX_DEPTH", &c.limits.Depth}, {"MAX_ALIASES", &c.limits.Aliases},
		{"MAX_ROOT_FIELDS", &c.limits.RootFields}, {"MAX_COMPLEXITY", &c.limits.Complexity},
		{"LOGIN_RATE", &c.loginsPerMinute}, {"LOGIN_RATE_PER_ADDRESS", &c.addressLogins}, {"COST_RATE", &c.costPerSecond}, {"COST_BURST", &c.costBurst},
	}
	for _, v := range ints {
		if raw := os.Getenv(v.name); raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil {
				return fmt.Errorf("%s %q is not a whole number", v.name, raw)
			}
			*v.dst = n
		}
	}
	durations := []struct {
		name string
		dst  *time.Duration
	}{
		{"SESSION_IDLE_TIMEOUT", &c.sessionIdle}, {"SESSION_MAX_AGE", &c.sessionMaxAge},
	}
	for _, v := range durations {
		if raw := os.Getenv(v.name); raw != "" {
			d, err := time.ParseDuration(raw)
			if err != nil {
				return fmt.Errorf("%s %q is not a duration such as 30m", v.name, raw)
			}
			*v.dst = d
		}
	}
	return nil
}

// validateLimits checks the settings that readLimitsFromEnv reads, and that production has a
// trusted-documents manifest.
func (c *config) validateLimits() error {
	for name, n := range map[string]int{
		"MAX_TOKENS": c.limits.Tokens, "MAX_DEPTH": c.limits.Depth, "MAX_ALIASES": c.limits.Aliases,
		"MAX_ROOT_FIELDS": c.limits.RootFields, "MAX_COMPLEXITY": c.limits.Complexity,
		"LOGIN_RATE": c.loginsPerMinute, "LOGIN_RATE_PER_ADDRESS": c.addressLogins, "COST_RATE": c.costPerSecond, "COST_BURST": c.costBurst,
	} {
		if n < 1 {
			return fmt.Errorf("%s must be at least 1", name)
		}
	}
	if c.costBurst < c.limits.Complexity {
		return fmt.Errorf("COST_BURST (%d) must be at least MAX_COMPLEXITY (%d), or the costliest allowed operation could never run", c.costBurst, c.limits.Complexity)
	}
	if c.sessionIdle <= 0 || c.sessionMaxAge <= 0 {
		return errors.New("SESSION_IDLE_TIMEOUT and SESSION_MAX_AGE must be positive durations such as 30m")
	}
	path := c.trustedDocumentsPath()
	if path == "" {
		if c.development() || c.untrustedDocuments {
			return nil
		}
		return errors.New("TRUSTED_DOCUMENTS is missing: production executes only the operations of a manifest; run make manifest and set it to the manifest.json written")
	}
	if _, err := manifest.Load(path); err != nil {
		return fmt.Errorf("TRUSTED_DOCUMENTS is invalid: %w", err)
	}
	return nil
}

// trustedDocumentsPath returns TRUSTED_DOCUMENTS, or the site's own manifest when SITE_DIR
// holds one, or "".
func (c *config) trustedDocumentsPath() string {
	if c.trustedDocuments != "" {
		return c.trustedDocuments
	}
	if c.siteDir == "" {
		return ""
	}
	path := filepath.Join(c.siteDir, "operations", "manifest.json")
	if _, err := os.Stat(path); err != nil {
		return ""
	}
	return path
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
	fmt.Fprintf(w, "UPSTREAM_TIMEZONE=%s\nSESSION_KEYS=%s\nSESSION_DIR=%s\nALLOWED_ORIGINS=%s\nSITE_DIR=%s\nBATCH_WAIT=%s\n",
		c.upstreamZone, redact(c.sessionKeys), c.sessionFolder(), strings.Join(c.origins(), ","), c.siteDir, c.batchWait)
	fmt.Fprintf(w, "MAX_TOKENS=%d\nMAX_DEPTH=%d\nMAX_ALIASES=%d\nMAX_ROOT_FIELDS=%d\nMAX_COMPLEXITY=%d\nTRUSTED_DOCUMENTS=%s\n",
		c.limits.Tokens, c.limits.Depth, c.limits.Aliases, c.limits.RootFields, c.limits.Complexity, c.trustedDocumentsPath())
	fmt.Fprintf(w, "SESSION_IDLE_TIMEOUT=%s\nSESSION_MAX_AGE=%s\nLOGIN_RATE=%d\nLOGIN_RATE_PER_ADDRESS=%d\nCOST_RATE=%d\nCOST_BURST=%d\n",
		c.sessionIdle, c.sessionMaxAge, c.loginsPerMinute, c.addressLogins, c.costPerSecond, c.costBurst)
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
