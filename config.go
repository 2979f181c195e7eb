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
	"runtime"
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
	maxInFlight    int
	check          bool
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
		batchWait:      500 * time.Microsecond,
		// On one core, 16 dashboards at once served more pages per second than 64, which
		// lost the difference to garbage collection (docs/performance.md compares them).
		maxInFlight: 16 * runtime.GOMAXPROCS(0),
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
			return nil, fmt.Errorf("BATCH_WAIT %q is not a duration such as 500us", v)
		}
	}

	if v := os.Getenv("MAX_INFLIGHT"); v != "" {
		if c.maxInFlight, err = strconv.Atoi(v); err != nil {
			return nil, fmt.Errorf("MAX_INFLIGHT %q is not a whole number such as 16", v)
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
	fs.IntVar(&c.maxInFlight, "max-inflight", c.maxInFlight, "GraphQL requests executed at once; more wait their turn (MAX_INFLIGHT)")
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
	if c.maxInFlight < 1 || c.maxInFlight > 100_000 {
		return errors.New("MAX_INFLIGHT must be between 1 and 100000")
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
	}
	return nil
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
		c.env, c.listenAddr, c.adminAddr, redactURL(c.upstreamURL), redact(c.upstreamKey))
	fmt.Fprintf(w, "UPSTREAM_TIMEZONE=%s\nSESSION_KEYS=%s\nSESSION_DIR=%s\nALLOWED_ORIGINS=%s\nSITE_DIR=%s\nBATCH_WAIT=%s\nMAX_INFLIGHT=%d\n",
		c.upstreamZone, redact(c.sessionKeys), c.sessionFolder(), strings.Join(c.origins(), ","), c.siteDir, c.batchWait, c.maxInFlight)
}

// redactURL masks the password of a URL's user information.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid)"
	}
	return u.Redacted()
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
