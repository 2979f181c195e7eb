package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"customer-gateway/telemetry"
)

// The integration tests run against the example PHP back office, started once for the whole
// package under php -S with a freshly seeded database, and with its test-only fault modes
// enabled through a fault file that tests rewrite.

const (
	// The front-end key has a /, which json_encode writes as \/ and a URL-encoded echo as %2F.
	frontKey = "test/front-key-1f0c9a7e55"
	adminKey = "test-admin-key-8b2d41c3aa"

	// The request-signing keys, newest first: the gateway signs with the first, and the back
	// office accepts both.
	signingKeyNew = "test-2026b:dGVzdC1zaWduaW5nLWtleS1uZXctMzItYnl0ZXMtb2sh"
	signingKeyOld = "test-2026a:dGVzdC1zaWduaW5nLWtleS1vbGQtMzItYnl0ZXMtb2sh"
	signingKeys   = signingKeyNew + "," + signingKeyOld
)

var backOffice struct {
	url       string // base URL of the PHP APIs
	faultFile string
	db        string // the seeded database, shared with further back offices a test starts
	log       *bytes.Buffer
}

func TestMain(m *testing.M) {
	os.Exit(runWithBackOffice(m))
}

func runWithBackOffice(m *testing.M) int {
	if _, err := exec.LookPath("php"); err != nil {
		fmt.Fprintln(os.Stderr, "php is not installed: run `make test`, which installs it")
		return 1
	}
	dir, err := os.MkdirTemp("", "customer-gateway-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)

	db := filepath.Join(dir, "admin-api.sqlite")
	if out, err := exec.Command("php", "web-example/admin-api/seed.php", db).CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "seeding the back office failed: %v\n%s", err, out)
		return 1
	}
	backOffice.db = db
	backOffice.faultFile = filepath.Join(dir, "faults.json")
	os.WriteFile(backOffice.faultFile, []byte("{}"), 0o600)

	backOffice.log = &bytes.Buffer{}
	url, stop, err := startBackOffice(backOffice.log,
		"ADMIN_API_TEST_FAULTS=1",
		"ADMIN_API_FAULT_FILE="+backOffice.faultFile,
		"ADMIN_API_SIGNING_KEYS="+signingKeys,
		"ADMIN_API_REQUIRE_SIGNATURES=1",
		"ADMIN_API_NONCE_DB="+filepath.Join(dir, "nonces.sqlite"),
	)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%v\n%s", err, backOffice.log)
		return 1
	}
	defer stop()
	backOffice.url = url
	return m.Run()
}

// startBackOffice serves the seeded database with php -S on a free loopback port, with the
// keys and the extra environment variables in env, and returns the base URL of its APIs and a
// function that stops it. Its output goes to log.
func startBackOffice(log io.Writer, env ...string) (string, func(), error) {
	addr, err := freeAddr()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command("php", "-S", addr, "router.php")
	cmd.Dir = "web-example/admin-api"
	cmd.Env = append(os.Environ(),
		"ADMIN_API_DB="+backOffice.db,
		"ADMIN_API_FRONT_KEY="+frontKey,
		"ADMIN_API_ADMIN_KEY="+adminKey,
		// Several workers, as PHP-FPM would have, so batches run in parallel.
		"PHP_CLI_SERVER_WORKERS=4",
	)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = log, log
	// php -S forks its workers; a process group lets the cleanup stop them all, and WaitDelay
	// keeps a straggler holding the output pipe from blocking the test binary's exit.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("starting php -S failed: %w", err)
	}
	stop := func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	}
	if err := waitForListener(addr); err != nil {
		stop()
		return "", nil, fmt.Errorf("the back office did not start: %w", err)
	}
	return "http://" + addr + "/apis/", stop, nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func waitForListener(addr string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			conn.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// setFaults makes the back office misbehave per PHP file until the test ends, for example
// {"invoice_api.php": "html502"}.
func setFaults(t *testing.T, faults map[string]string) {
	t.Helper()
	b, _ := json.Marshal(faults)
	if err := os.WriteFile(backOffice.faultFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.WriteFile(backOffice.faultFile, []byte("{}"), 0o600) })
}

// testGateway is a gateway wired as in production, in front of the test back office.
type testGateway struct {
	t      *testing.T
	public *httptest.Server
	admin  http.Handler
	origin string
	logs   *bytes.Buffer
	logw   *lockedWriter
	cfg    *config
	gw     *gateway
}

// newTestGateway starts a gateway in production mode, or development mode when dev is set.
// Trusted documents are not enforced, so tests can send operations outside the manifest; use
// newTestGatewayWith to enforce them. Changes adjust the configuration before it is validated.
func newTestGateway(t *testing.T, dev bool, changes ...func(*config)) *testGateway {
	t.Helper()
	return startTestGateway(t, testSetup{dev: dev}, append([]func(*config){allowAnyDocument}, changes...)...)
}

// eachLoad runs test against a production test gateway that runs each operation alone, and
// against one that counts another operation as executing, forced, so that its resolvers take
// the paths of a busy gateway. changes adjust the configuration of both.
func eachLoad(t *testing.T, test func(t *testing.T, g *testGateway), changes ...func(*config)) {
	t.Helper()
	for _, busy := range []bool{false, true} {
		name := "alone"
		if busy {
			name = "busy forced"
		}
		t.Run(name, func(t *testing.T) {
			g := newTestGateway(t, false, changes...)
			if busy {
				g.gw.executing.Add(1)
			}
			test(t, g)
		})
	}
}

// allowAnyDocument lets a production test gateway execute operations outside the manifest.
func allowAnyDocument(c *config) { c.untrustedDocuments = true }

// newTestGatewayWith starts a gateway like newTestGateway, with trusted documents enforced,
// after change (which may be nil) has adjusted its configuration.
func newTestGatewayWith(t *testing.T, dev bool, change func(*config)) *testGateway {
	t.Helper()
	return startTestGateway(t, testSetup{dev: dev}, change)
}

// newTestGatewayWithTimeout starts a gateway whose upstream calls time out after timeout.
func newTestGatewayWithTimeout(t *testing.T, dev bool, timeout time.Duration) *testGateway {
	t.Helper()
	return newTestGateway(t, dev, func(c *config) { c.upstreamTimeout = timeout })
}

// testSetup describes a test gateway beyond its configuration.
type testSetup struct {
	dev     bool
	overTLS bool                 // serve HTTPS with a test certificate
	backend string               // base URL of the PHP APIs; "" means the shared test back office
	tracer  trace.TracerProvider // nil means spans go nowhere
}

// startTestGateway starts a gateway for setup; changes (nil ones are skipped) adjust its
// configuration before it is validated.
func startTestGateway(t *testing.T, setup testSetup, changes ...func(*config)) *testGateway {
	t.Helper()
	dev, overTLS := setup.dev, setup.overTLS
	upstreamURL, tp := setup.backend, setup.tracer
	if upstreamURL == "" {
		upstreamURL = backOffice.url
	}
	if tp == nil {
		tp = noop.NewTracerProvider()
	}
	srv := httptest.NewUnstartedServer(nil)
	origin := "http://" + srv.Listener.Addr().String()
	if overTLS {
		origin = "https://" + srv.Listener.Addr().String()
	}
	env := "production"
	if dev {
		env = "development"
	}
	cfg := defaultConfig()
	cfg.env = env
	cfg.listenAddr = srv.Listener.Addr().String()
	cfg.adminAddr = "127.0.0.1:0"
	cfg.upstreamURL = upstreamURL
	cfg.upstreamKey = frontKey
	cfg.upstreamZone = "Europe/Berlin"
	cfg.sessionKeys = testSessionKey
	cfg.sessionDir = t.TempDir()
	cfg.allowedOrigins = origin
	cfg.siteDir = "web-example/site"
	cfg.signingKeys = signingKeys
	for _, change := range changes {
		if change != nil {
			change(cfg)
		}
	}
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	logw := &lockedWriter{w: logs}
	gw, err := newTracedGateway(cfg, telemetry.NewLogger(logw, false, slog.LevelDebug, nil), tp)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = gw.public
	cfg.serverTimeouts().apply(srv.Config)
	if overTLS {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(func() {
		srv.Close()
		gw.close()
	})
	return &testGateway{t: t, public: srv, admin: gw.admin, origin: origin, logs: logs, logw: logw, cfg: cfg, gw: gw}
}

// upstreamCalls returns the sum of gateway_upstream_requests_total, optionally for one API file.
func (g *testGateway) upstreamCalls(api string) float64 {
	g.t.Helper()
	total := 0.0
	for _, m := range g.metrics()["gateway_upstream_requests_total"].GetMetric() {
		if api == "" || labelValue(m, "api") == api {
			total += m.GetCounter().GetValue()
		}
	}
	return total
}

// upstreamOutcomes returns gateway_upstream_requests_total of one API file by outcome.
func (g *testGateway) upstreamOutcomes(api string) map[string]float64 {
	g.t.Helper()
	out := map[string]float64{}
	for _, m := range g.metrics()["gateway_upstream_requests_total"].GetMetric() {
		if labelValue(m, "api") == api {
			out[labelValue(m, "outcome")] += m.GetCounter().GetValue()
		}
	}
	return out
}

// labelValue returns the value of m's label name, or "".
func labelValue(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// browser is one visitor of the site: it keeps the session cookie the way a browser does
// (the cookie is Secure, which Go's cookie jar would not send over plain HTTP).
type browser struct {
	g      *testGateway
	cookie *http.Cookie
	// bodies collects every response body, for the containment checks.
	bodies []string
}

func (g *testGateway) browser() *browser { return &browser{g: g} }

// gqlResponse is a GraphQL response.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Locations  []any          `json:"locations"`
	Extensions map[string]any `json:"extensions"`
}

func (r *gqlResponse) codes() []string {
	var out []string
	for _, e := range r.Errors {
		code, _ := e.Extensions["code"].(string)
		out = append(out, code)
	}
	return out
}

// post sends a raw request to /graphql with the browser's cookie and origin.
func (b *browser) post(body string, header http.Header) (*http.Response, []byte) {
	b.g.t.Helper()
	req, _ := http.NewRequest("POST", b.g.public.URL+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", b.g.origin)
	for k, v := range header {
		req.Header[k] = v
	}
	if b.cookie != nil {
		req.AddCookie(b.cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.g.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	b.bodies = append(b.bodies, string(raw))
	for _, c := range resp.Cookies() {
		if c.Name == "__Host-session" || c.Name == "session" {
			if c.MaxAge < 0 || c.Value == "" {
				b.cookie = nil
			} else {
				b.cookie = c
			}
		}
	}
	return resp, raw
}

// query runs one operation and decodes the response, failing the test on a non-200 status.
func (b *browser) query(query string, variables map[string]any) *gqlResponse {
	b.g.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": variables})
	resp, raw := b.post(string(body), nil)
	if resp.StatusCode != http.StatusOK {
		b.g.t.Fatalf("status %d: %s", resp.StatusCode, raw)
	}
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		b.g.t.Fatalf("response is not JSON: %v: %s", err, raw)
	}
	return &out
}

// queryAnyStatus runs one operation without variables and decodes the response whatever its
// status; validation failures come with 422.
func (b *browser) queryAnyStatus(query string) *gqlResponse {
	b.g.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	_, raw := b.post(string(body), nil)
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		b.g.t.Fatalf("response is not JSON: %v: %s", err, raw)
	}
	return &out
}

// login logs the browser in and fails the test if that does not work.
func (b *browser) login(email string) {
	b.g.t.Helper()
	r := b.query(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { customer { id } } }`,
		map[string]any{"e": email, "p": "demo-password"})
	if len(r.Errors) > 0 || b.cookie == nil {
		b.g.t.Fatalf("login as %s failed: %+v", email, r.Errors)
	}
}

// lockedWriter lets concurrent handlers share one log buffer.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// String returns what was written so far.
func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprint(l.w)
}
