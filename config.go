package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"customer-gateway/edge"
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
	trustedProxies string // unset: the client address is the TCP peer
	siteDir        string
	graphiqlDir    string
	batchWait      time.Duration
	shutdownGrace  time.Duration
	maxInFlight    int
	// queueTimeout bounds how long a GraphQL request waits for one of the maxInFlight
	// execution slots. Zero rejects it at once when all are taken.
	queueTimeout time.Duration
	redisURL     string // unset: sessions and caches stay in this process
	check        bool

	// signingKeys are the request-signing keys as keyid:base64key pairs; empty turns signing off.
	signingKeys     upstream.Secret
	upstreamTimeout time.Duration
	requestDeadline time.Duration
	callBudget      int
	// upstreamMaxConcurrency caps the calls in flight to each PHP API file.
	upstreamMaxConcurrency int

	// tuneUpstream, when set, adjusts the upstream client's configuration before the client is
	// built. No variable or flag sets it: tests use it to inject breaker settings.
	tuneUpstream func(*upstream.Config)

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

// maxUpstreamConcurrency is the largest UPSTREAM_MAX_CONCURRENCY accepted. A pool that serves
// more than 1000 calls per PHP file at once needs no cap, so a larger value is more likely a typo.
const maxUpstreamConcurrency = 1000

// defaultConfig returns the configuration before the environment and the flags change it: the
// defaults of every setting that has one.
func defaultConfig() *config {
	return &config{
		env:          "production",
		listenAddr:   "127.0.0.1:8080",
		adminAddr:    "127.0.0.1:9090",
		upstreamZone: "UTC",
		batchWait:    500 * time.Microsecond,
		// On one core, 16 dashboards at once served more pages per second than 64, which
		// lost the difference to garbage collection (docs/performance.md compares them).
		maxInFlight: 16 * runtime.GOMAXPROCS(0),
		// A request that found every slot taken for 5s meets an overloaded gateway, and a
		// quick 503 with Retry-After serves its client better than a late response.
		queueTimeout: 5 * time.Second,

		shutdownGrace:   15 * time.Second,
		upstreamTimeout: 5 * time.Second,
		requestDeadline: 10 * time.Second,
		callBudget:      30,
		// The cap protects the back office's PHP-FPM pool. docs/operations.md explains how to
		// size it and why the default stays at 8.
		upstreamMaxConcurrency: 8,

		limits:          resolvers.DefaultLimits,
		sessionIdle:     30 * time.Minute,
		sessionMaxAge:   12 * time.Hour,
		loginsPerMinute: 5,
		addressLogins:   50,
		costPerSecond:   2000,
		costBurst:       10000,
	}
}

// loadConfig reads the environment, then the flags in args.
func loadConfig(args []string, stderr io.Writer) (*config, error) {
	c := defaultConfig()
	c.env = envOr("GATEWAY_ENV", c.env)
	c.listenAddr = envOr("LISTEN_ADDR", c.listenAddr)
	c.adminAddr = envOr("ADMIN_ADDR", c.adminAddr)
	c.upstreamURL = os.Getenv("UPSTREAM_URL")
	c.upstreamZone = envOr("UPSTREAM_TIMEZONE", c.upstreamZone)
	c.sessionDir = os.Getenv("SESSION_DIR")
	c.allowedOrigins = os.Getenv("ALLOWED_ORIGINS")
	c.trustedProxies = os.Getenv("TRUSTED_PROXIES")
	c.siteDir = os.Getenv("SITE_DIR")
	c.graphiqlDir = os.Getenv("GRAPHIQL_DIR")
	c.trustedDocuments = os.Getenv("TRUSTED_DOCUMENTS")
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
	if v := os.Getenv("UPSTREAM_MAX_CONCURRENCY"); v != "" {
		if c.upstreamMaxConcurrency, err = strconv.Atoi(v); err != nil {
			return nil, fmt.Errorf("UPSTREAM_MAX_CONCURRENCY %q is not a whole number such as 8", v)
		}
	}
	redisURL, err := secretFromEnv("REDIS_URL")
	if err != nil {
		return nil, err
	}
	c.redisURL = string(redisURL)
	if v := os.Getenv("BATCH_WAIT"); v != "" {
		if c.batchWait, err = time.ParseDuration(v); err != nil {
			return nil, fmt.Errorf("BATCH_WAIT %q is not a duration such as 500us", v)
		}
	}

	if v := os.Getenv("MAX_INFLIGHT"); v != "" {
		if c.maxInFlight, err = strconv.Atoi(v); err != nil {
			return nil, fmt.Errorf("MAX_INFLIGHT %q is not a whole number such as 16", v)
		}
	}

	if err := durationFromEnv("QUEUE_TIMEOUT", &c.queueTimeout); err != nil {
		return nil, err
	}

	if v := os.Getenv("SHUTDOWN_GRACE"); v != "" {
		if c.shutdownGrace, err = time.ParseDuration(v); err != nil {
			return nil, fmt.Errorf("SHUTDOWN_GRACE %q is not a duration such as 15s", v)
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
	fs.StringVar(&c.trustedProxies, "trusted-proxies", c.trustedProxies, "comma-separated IP `addresses` and CIDR prefixes of the reverse proxies whose X-Forwarded-For sets the client address (TRUSTED_PROXIES)")
	fs.StringVar(&c.siteDir, "site", c.siteDir, "serve the customer site from this `folder` at / (SITE_DIR)")
	fs.StringVar(&c.graphiqlDir, "graphiql-dir", c.graphiqlDir, "serve GraphiQL at /playground in development from the graphiql, react and react-dom packages in this node_modules `folder` (GRAPHIQL_DIR)")
	fs.DurationVar(&c.upstreamTimeout, "upstream-timeout", c.upstreamTimeout, "time limit of one call to the back office, until its whole answer is read (UPSTREAM_TIMEOUT)")
	fs.DurationVar(&c.requestDeadline, "request-deadline", c.requestDeadline, "time limit of all the back-office calls of one GraphQL request, retries included (REQUEST_DEADLINE)")
	fs.IntVar(&c.callBudget, "upstream-call-budget", c.callBudget, "most back-office calls one GraphQL operation may start; further fields fail with QUERY_TOO_COMPLEX (UPSTREAM_CALL_BUDGET)")
	fs.IntVar(&c.upstreamMaxConcurrency, "upstream-max-concurrency", c.upstreamMaxConcurrency, "maximum `calls` in flight to each PHP API file; more wait for a free slot (UPSTREAM_MAX_CONCURRENCY)")
	fs.DurationVar(&c.batchWait, "batch-wait", c.batchWait, "how long a loader collects keys before it calls the back office (BATCH_WAIT)")
	fs.DurationVar(&c.shutdownGrace, "shutdown-grace", c.shutdownGrace, "how long requests in flight may take to finish after SIGTERM (SHUTDOWN_GRACE)")
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
	fs.IntVar(&c.maxInFlight, "max-inflight", c.maxInFlight, "GraphQL requests executed at once; more wait their turn (MAX_INFLIGHT)")
	fs.DurationVar(&c.queueTimeout, "queue-timeout", c.queueTimeout, "maximum wait of a GraphQL request for one of the MAX_INFLIGHT slots before it gets 503; 0 rejects it at once when all are taken (QUEUE_TIMEOUT)")
	fs.StringVar(&c.redisURL, "redis-url", c.redisURL, "Redis shared by all instances for sessions and caches, as a redis:// or rediss:// `URL`; see docs/operations.md for Sentinel and Cluster (REDIS_URL)")
	fs.BoolVar(&c.check, "check", false, "validate the configuration, print it with secrets redacted, and exit")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if err := checkGOGC(os.Getenv("GOGC")); err != nil {
		return c, err
	}
	if err := c.validate(); err != nil {
		return c, err
	}
	return c, c.validateProduction()
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
	if c.adminAddr == c.listenAddr {
		return fmt.Errorf("ADMIN_ADDR and LISTEN_ADDR are both %q: the operator listener needs its own address, such as 127.0.0.1:9090", c.adminAddr)
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
	if c.upstreamMaxConcurrency < 1 || c.upstreamMaxConcurrency > maxUpstreamConcurrency {
		return fmt.Errorf("UPSTREAM_MAX_CONCURRENCY %d is invalid: it must be between 1 and %d, and at most the pm.max_children of the back office's PHP-FPM pool", c.upstreamMaxConcurrency, maxUpstreamConcurrency)
	}
	if c.batchWait < 0 || c.batchWait > 50*time.Millisecond {
		return errors.New("BATCH_WAIT must be between 0 and 50ms")
	}
	if c.maxInFlight < 1 || c.maxInFlight > 100_000 {
		return errors.New("MAX_INFLIGHT must be between 1 and 100000")
	}
	if c.queueTimeout < 0 || c.queueTimeout > time.Minute {
		return errors.New("QUEUE_TIMEOUT must be between 0 and 1m")
	}
	if host, _, err := net.SplitHostPort(c.listenAddr); err != nil || (c.allowedOrigins == "" && (host == "" || net.ParseIP(host).IsUnspecified())) {
		if err != nil {
			return fmt.Errorf("LISTEN_ADDR %q is not a host:port address", c.listenAddr)
		}
		return fmt.Errorf("ALLOWED_ORIGINS is missing: LISTEN_ADDR %q names no host, so the site's origin cannot be derived; set ALLOWED_ORIGINS to the site's origin, such as https://shop.example.com", c.listenAddr)
	}
	for _, o := range c.origins() {
		u, err := url.Parse(o)
		if err != nil || u.Scheme == "" || u.Host == "" || u.Path != "" {
			return fmt.Errorf("ALLOWED_ORIGINS entry %q is not an origin such as https://shop.example.com", o)
		}
	}
	if _, err := edge.ParseTrustedProxies(c.trustedProxies); err != nil {
		return fmt.Errorf("TRUSTED_PROXIES is invalid: %w", err)
	}
	if c.redisURL != "" {
		if _, err := parseRedisURL(c.redisURL); err != nil {
			return fmt.Errorf("REDIS_URL %q is invalid: %v", redactRedisURL(c.redisURL), err)
		}
	}
	if err := os.MkdirAll(c.sessionFolder(), 0o700); err != nil {
		return fmt.Errorf("SESSION_DIR %q cannot be created: %v", c.sessionFolder(), errors.Unwrap(err))
	}
	probe, err := os.CreateTemp(c.sessionFolder(), ".check-*")
	if err != nil {
		return fmt.Errorf("SESSION_DIR %q is not writable: %v", c.sessionFolder(), errors.Unwrap(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	if c.siteDir != "" {
		if st, err := os.Stat(c.siteDir); err != nil || !st.IsDir() {
			return fmt.Errorf("SITE_DIR %q is not a readable folder", c.siteDir)
		}
		if _, err := os.ReadDir(c.siteDir); err != nil {
			return fmt.Errorf("SITE_DIR %q is not a readable folder", c.siteDir)
		}
	}
	if err := writableFolder(c.sessionFolder()); err != nil {
		return fmt.Errorf("SESSION_DIR %q cannot be used: %v; point it at a folder the gateway may write", c.sessionFolder(), err)
	}
	if c.shutdownGrace < 0 || c.shutdownGrace > 10*time.Minute {
		return errors.New("SHUTDOWN_GRACE must be between 0 and 10m")
	}
	if c.graphiqlDir != "" && !c.development() {
		return errors.New("GRAPHIQL_DIR is set, but GraphiQL is served in development only: unset it or set GATEWAY_ENV=development")
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

// validateProduction reports the first setting that works but is insecure, which production
// rejects; in development each of these is only a warning (see warnings).
func (c *config) validateProduction() error {
	if c.development() {
		return nil
	}
	if problems := c.insecure(); len(problems) > 0 {
		return errors.New(problems[0])
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

// warnings returns the insecure settings that development accepts.
func (c *config) warnings() []string {
	if !c.development() {
		return nil
	}
	return c.insecure()
}

// minKeyLength is the shortest UPSTREAM_API_KEY accepted in production, in characters.
const minKeyLength = 16

// insecure returns one message per insecure setting, each naming the setting and the fix.
func (c *config) insecure() []string {
	var out []string
	if u, err := url.Parse(c.upstreamURL); err == nil && u.Scheme == "http" && !loopbackHost(u.Hostname()) {
		out = append(out, fmt.Sprintf("UPSTREAM_URL %q sends the API key over plain HTTP to a host outside loopback: use https", c.upstreamURL))
	}
	if u, err := url.Parse(c.redisURL); err == nil && c.redisURL != "" {
		for _, host := range redisHosts(u) {
			if u.Scheme == "redis" && !loopbackHost(host) {
				out = append(out, fmt.Sprintf("REDIS_URL %q sends sessions and the Redis password over plain TCP to a host outside loopback: use rediss", redactRedisURL(c.redisURL)))
				break
			}
		}
		if v := u.Query().Get("skip_verify"); v == "true" || v == "1" {
			out = append(out, "REDIS_URL sets skip_verify, which accepts any server certificate: remove it and trust the server's CA instead")
		}
	}
	if len(c.upstreamKey) < minKeyLength || weakSecret(string(c.upstreamKey)) {
		out = append(out, fmt.Sprintf("UPSTREAM_API_KEY is weak: use a random key of at least %d characters", minKeyLength))
	}
	if keys, err := upstream.ParseSigningKeys(string(c.signingKeys)); err == nil && c.signingKeys != "" {
		for _, k := range keys {
			if weakSecret(string(k.Secret())) {
				out = append(out, fmt.Sprintf("UPSTREAM_SIGNING_KEYS key %q is weak: generate it with openssl rand -base64 32", k.ID))
			}
		}
	}
	if keys, err := session.ParseKeys(string(c.sessionKeys)); err == nil {
		for i, k := range keys {
			if weakSecret(string(k)) {
				out = append(out, fmt.Sprintf("SESSION_KEYS key %d is weak: generate it with openssl rand -base64 32", i+1))
			}
		}
	}
	if c.allowedOrigins == "" {
		out = append(out, "ALLOWED_ORIGINS is missing: set it to the site's public origin, for example https://shop.example.com")
	}
	for _, o := range c.origins() {
		if u, err := url.Parse(o); err == nil && u.Scheme != "https" && !loopbackHost(u.Hostname()) {
			out = append(out, fmt.Sprintf("ALLOWED_ORIGINS entry %q is not https: the session cookie is Secure, so use the https origin", o))
		}
	}
	return out
}

// weakSecret reports a secret with fewer than 8 distinct bytes, such as a repeated character
// or a short word: too little variety to have come from a random generator.
func weakSecret(s string) bool {
	distinct := map[byte]bool{}
	for i := 0; i < len(s); i++ {
		distinct[s[i]] = true
	}
	return len(distinct) < 8
}

func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// writableFolder checks that dir is a folder the process may write, or that its nearest
// existing parent is, so that the gateway can create it.
func writableFolder(dir string) error {
	for {
		st, err := os.Stat(dir)
		if err == nil {
			if !st.IsDir() {
				return errors.New("not a folder")
			}
			if syscall.Access(dir, 2 /* W_OK */) != nil {
				return errors.New("not writable")
			}
			return nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return err
		}
		dir = parent
	}
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

// origins returns the allowed origins: ALLOWED_ORIGINS, or the public listener's own origin
// (with localhost beside 127.0.0.1, since a browser may name the same listener either way).
func (c *config) origins() []string {
	if c.allowedOrigins == "" {
		own := []string{"http://" + c.listenAddr}
		if host, port, err := net.SplitHostPort(c.listenAddr); err == nil && host == "127.0.0.1" {
			own = append(own, "http://localhost:"+port)
		}
		return own
	}
	var out []string
	for _, o := range strings.Split(c.allowedOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, strings.TrimSuffix(o, "/"))
		}
	}
	return out
}

// proxies returns TRUSTED_PROXIES in canonical form, so that -check shows which prefix an entry
// with host bits set means. A list that does not parse is returned as written.
func (c *config) proxies() string {
	p, err := edge.ParseTrustedProxies(c.trustedProxies)
	if err != nil {
		return c.trustedProxies
	}
	return p.String()
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
	return loopbackHost(host)
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
		c.env, c.listenAddr, c.adminAddr, redactURL(c.upstreamURL), redact(c.upstreamKey))
	fmt.Fprintf(w, "UPSTREAM_SIGNING_KEYS=%s\nUPSTREAM_TIMEOUT=%s\nREQUEST_DEADLINE=%s\nUPSTREAM_CALL_BUDGET=%d\nUPSTREAM_MAX_CONCURRENCY=%d\n",
		redact(c.signingKeys), c.upstreamTimeout, c.requestDeadline, c.callBudget, c.upstreamMaxConcurrency)
	fmt.Fprintf(w, "UPSTREAM_TIMEZONE=%s\nSESSION_KEYS=%s\nSESSION_DIR=%s\nALLOWED_ORIGINS=%s\nSITE_DIR=%s\nGRAPHIQL_DIR=%s\nBATCH_WAIT=%s\n",
		c.upstreamZone, redact(c.sessionKeys), c.sessionFolder(), strings.Join(c.origins(), ","), c.siteDir, c.graphiqlDir, c.batchWait)
	fmt.Fprintf(w, "TRUSTED_PROXIES=%s\n", c.proxies())
	fmt.Fprintf(w, "SHUTDOWN_GRACE=%s\nMAX_INFLIGHT=%d\nQUEUE_TIMEOUT=%s\n", c.shutdownGrace, c.maxInFlight, c.queueTimeout)
	fmt.Fprintf(w, "MAX_TOKENS=%d\nMAX_DEPTH=%d\nMAX_ALIASES=%d\nMAX_ROOT_FIELDS=%d\nMAX_COMPLEXITY=%d\nTRUSTED_DOCUMENTS=%s\n",
		c.limits.Tokens, c.limits.Depth, c.limits.Aliases, c.limits.RootFields, c.limits.Complexity, c.trustedDocumentsPath())
	fmt.Fprintf(w, "SESSION_IDLE_TIMEOUT=%s\nSESSION_MAX_AGE=%s\nLOGIN_RATE=%d\nLOGIN_RATE_PER_ADDRESS=%d\nCOST_RATE=%d\nCOST_BURST=%d\n",
		c.sessionIdle, c.sessionMaxAge, c.loginsPerMinute, c.addressLogins, c.costPerSecond, c.costBurst)
	if c.redisURL != "" {
		fmt.Fprintf(w, "REDIS_URL=%s\n", redactRedisURL(c.redisURL))
	}
	for _, name := range otelVariables {
		if v := os.Getenv(name); v != "" {
			if name == "OTEL_EXPORTER_OTLP_HEADERS" || name == "OTEL_EXPORTER_OTLP_TRACES_HEADERS" {
				v = "[redacted]"
			}
			fmt.Fprintf(w, "%s=%s\n", name, v)
		}
	}
	t := c.serverTimeouts()
	fmt.Fprintf(w, "derived: public listener read_header_timeout=%s read_timeout=%s write_timeout=%s idle_timeout=%s\n",
		t.ReadHeader, t.Read, t.Write, t.Idle)
	for _, warning := range c.warnings() {
		fmt.Fprintf(w, "warning: %s\n", warning)
	}
}

// otelVariables are the OpenTelemetry settings -check prints when they are set. The headers
// often carry a collector's token, so print shows them redacted.
var otelVariables = []string{
	"OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
	"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
	"OTEL_SERVICE_NAME", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG", "OTEL_SDK_DISABLED",
}

// LogValue implements slog.LogValuer: the effective configuration for the start and stop
// lines, with secrets redacted.
func (c *config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("env", c.env),
		slog.String("listen_addr", c.listenAddr),
		slog.String("admin_addr", c.adminAddr),
		slog.String("upstream_url", redactURL(c.upstreamURL)),
		slog.Any("upstream_api_key", c.upstreamKey),
		slog.String("upstream_timezone", c.upstreamZone),
		slog.Any("session_keys", c.sessionKeys),
		slog.String("session_dir", c.sessionFolder()),
		slog.String("allowed_origins", strings.Join(c.origins(), ",")),
		slog.String("trusted_proxies", c.proxies()),
		slog.String("site_dir", c.siteDir),
		slog.Duration("batch_wait", c.batchWait),
		slog.Duration("shutdown_grace", c.shutdownGrace),
		slog.Int("max_inflight", c.maxInFlight),
		slog.Duration("queue_timeout", c.queueTimeout),
		slog.Duration("request_deadline", c.requestDeadline),
		slog.String("redis_url", redactRedisURL(c.redisURL)),
	)
}

// redactURL masks the password of a URL's user information and its query, where a legacy
// setup may carry a key.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid)"
	}
	if u.RawQuery != "" {
		u.RawQuery = "[redacted]"
	}
	return u.Redacted()
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
