// Command customer-gateway is the GraphQL backend-for-frontend of the customer web site. It keeps
// the customer's login in a server-side session, holds the back office's key and knowledge, and
// resolves the site's GraphQL operations with batched, customer-scoped calls to the PHP APIs.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"customer-gateway/cache"
	"customer-gateway/edge"
	"customer-gateway/graph"
	"customer-gateway/graphiql"
	"customer-gateway/manifest"
	"customer-gateway/resolvers"
	"customer-gateway/session"
	"customer-gateway/telemetry"
	"customer-gateway/upstream"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "customer-gateway:", err)
		os.Exit(1)
	}
}

// run starts the gateway and blocks until ctx ends or SIGINT or SIGTERM arrives.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(args, stderr)
	if cfg != nil && cfg.check {
		cfg.print(stdout)
		return err
	}
	if err != nil {
		return err
	}

	// loadConfig has checked the signing keys; an unset UPSTREAM_SIGNING_KEYS parses to none.
	signingKeys, _ := upstream.ParseSigningKeys(string(cfg.signingKeys))
	log := telemetry.NewLogger(stderr, cfg.development(), slog.LevelInfo, upstream.NewRedactor(cfg.upstreamKey, signingKeys).Redact)
	gc := gcDefaults(os.Getenv, cfg.maxInFlight)
	tuneGC(gc)
	tp, stopTracing, err := telemetry.NewTracerProvider(ctx, os.Getenv)
	if err != nil {
		return err
	}
	defer stopTracing(context.Background())
	gw, err := newTracedGateway(cfg, log, tp)
	if err != nil {
		return err
	}
	defer gw.close()

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	timeouts := cfg.serverTimeouts()
	public := &http.Server{Handler: gw.public}
	timeouts.apply(public)
	admin := &http.Server{Handler: gw.admin, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 20 * time.Second}
	publicLn, err := net.Listen("tcp", cfg.listenAddr)
	if err != nil {
		return err
	}
	adminLn, err := net.Listen("tcp", cfg.adminAddr)
	if err != nil {
		publicLn.Close()
		return err
	}

	errc := make(chan error, 2)
	go func() { errc <- public.Serve(publicLn) }()
	go func() { errc <- admin.Serve(adminLn) }()
	log.Info("gateway started", "listen_addr", publicLn.Addr().String(), "admin_addr", adminLn.Addr().String(), "config", cfg, "gc", gc, "public_timeouts", timeouts)
	for _, warning := range cfg.warnings() {
		log.Warn("insecure setting accepted in development", "warning", warning)
	}

	var listenerErr error
	select {
	case <-ctx.Done():
		log.Info("gateway stopping", "reason", context.Cause(ctx).Error(), "shutdown_grace", cfg.shutdownGrace)
	case listenerErr = <-errc:
		log.Error("listener failed", "error", listenerErr)
	}

	// Stop accepting, then give requests in flight the grace period to finish.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.shutdownGrace)
	defer cancel()
	err = errors.Join(listenerErr, public.Shutdown(shutdownCtx), admin.Shutdown(shutdownCtx))
	if err != nil {
		log.Error("gateway stopped", "error", err, "config", cfg)
		return err
	}
	log.Info("gateway stopped", "config", cfg)
	return nil
}

// Time limits of the public listener that no setting changes.
const (
	publicReadHeaderTimeout = 10 * time.Second
	// publicReadTimeout bounds reading a whole request, body included, so a slow sender
	// cannot hold a connection open.
	publicReadTimeout = 20 * time.Second
	publicIdleTimeout = 2 * time.Minute
	// responseMargin is the time a handler may take beyond reading the request, waiting for a
	// slot and the back-office calls: the session and rate-limit calls to Redis (300ms each
	// by default, with retries), executing the operation and writing the response.
	// NOTE: 10s is an estimate, not a bound any code enforces. The Redis calls and the work
	// in the gateway itself run without a deadline.
	responseMargin = 10 * time.Second
)

// httpTimeouts are the time limits of an http.Server.
type httpTimeouts struct {
	ReadHeader, Read, Write, Idle time.Duration
}

// serverTimeouts returns the time limits of the public listener. The write timeout starts
// once a request's headers are read, and a response that is not written when it passes is
// lost: the connection closes without a status. The steps of a request run one after the
// other: the guard reads the body (at most the read timeout), the request waits for a slot
// (at most QUEUE_TIMEOUT), its back-office calls run (at most REQUEST_DEADLINE), then the
// response is written. The write timeout is their sum plus responseMargin, so a handler
// always gets to send its status.
func (c *config) serverTimeouts() httpTimeouts {
	return httpTimeouts{
		ReadHeader: publicReadHeaderTimeout,
		Read:       publicReadTimeout,
		Write:      publicReadTimeout + c.queueTimeout + c.requestDeadline + responseMargin,
		Idle:       publicIdleTimeout,
	}
}

// apply sets the time limits of srv.
func (t httpTimeouts) apply(srv *http.Server) {
	srv.ReadHeaderTimeout = t.ReadHeader
	srv.ReadTimeout = t.Read
	srv.WriteTimeout = t.Write
	srv.IdleTimeout = t.Idle
}

// LogValue implements slog.LogValuer for the start line.
func (t httpTimeouts) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Duration("read_header_timeout", t.ReadHeader),
		slog.Duration("read_timeout", t.Read),
		slog.Duration("write_timeout", t.Write),
		slog.Duration("idle_timeout", t.Idle),
	)
}

// gateway is the wired product: the handlers of both listeners.
type gateway struct {
	public http.Handler
	admin  http.Handler
	redis  redis.UniversalClient // nil without REDIS_URL
	// executing counts the GraphQL requests past the execution limit.
	executing *atomic.Int64
}

// close releases the gateway's connections to Redis.
func (g *gateway) close() error {
	if g.redis == nil {
		return nil
	}
	return g.redis.Close()
}

// newGateway wires the gateway for cfg, without tracing.
func newGateway(cfg *config, log *slog.Logger) (*gateway, error) {
	return newTracedGateway(cfg, log, noop.NewTracerProvider())
}

// newTracedGateway wires the gateway for cfg, with spans made by tp.
func newTracedGateway(cfg *config, log *slog.Logger, tp trace.TracerProvider) (*gateway, error) {
	reg := prometheus.NewRegistry()
	// Operation names label the metrics. Where only trusted documents run, only their names
	// become labels (set below once the manifest is loaded), so refused documents cannot use
	// up the labels. Elsewhere the first 50 distinct names get one.
	operationNames := &telemetry.OperationNames{}
	metrics := telemetry.NewMetrics(reg, operationNames)
	tracing := telemetry.NewTracing(tp, metrics)

	loc, err := time.LoadLocation(cfg.upstreamZone)
	if err != nil {
		return nil, err
	}
	upstreamCfg := upstream.Config{
		BaseURL:         cfg.upstreamURL,
		Key:             cfg.upstreamKey,
		Location:        loc,
		Timeout:         cfg.upstreamTimeout,
		RequestDeadline: cfg.requestDeadline,
		CallBudget:      cfg.callBudget,
		MaxConcurrent:   cfg.upstreamMaxConcurrency,
		Observe:         metrics.ObserveUpstream,
		Trace:           tracing.Upstream,
		InjectHeaders:   tracing.InjectHeaders,
	}
	if cfg.signingKeys != "" {
		if upstreamCfg.SigningKeys, err = upstream.ParseSigningKeys(string(cfg.signingKeys)); err != nil {
			return nil, err
		}
	}
	if cfg.tuneUpstream != nil {
		cfg.tuneUpstream(&upstreamCfg)
	}
	client, err := upstream.NewClient(upstreamCfg)
	if err != nil {
		return nil, err
	}

	// With REDIS_URL, sessions and the catalog cache are shared by every gateway using the same
	// Redis. go-redis connects lazily and reconnects by itself, so a Redis that is down at
	// start only fails readiness and the requests that need it.
	var rdb redis.UniversalClient
	var catalog *cache.Cache
	if cfg.redisURL != "" {
		open, err := parseRedisURL(cfg.redisURL)
		if err != nil {
			return nil, err
		}
		silenceRedis()
		rdb = open()
		catalog = cache.New(cache.Config{Redis: rdb, Prefix: "catalog:product:", Logger: log})
	}

	keys, err := session.ParseKeys(string(cfg.sessionKeys))
	if err != nil {
		return nil, err
	}
	sessions, err := session.NewManager(session.Config{
		Keys:        keys,
		Dir:         cfg.sessionFolder(),
		Redis:       rdb,
		Secure:      !(cfg.development() && cfg.loopbackListener()),
		MaxAge:      cfg.sessionMaxAge,
		IdleTimeout: cfg.sessionIdle,
		Logger:      log,
	})
	if err != nil {
		return nil, err
	}
	telemetry.RegisterActiveSessions(reg, sessions.CountActive)

	executing := &atomic.Int64{}
	busy := func() bool { return executing.Load() > 1 }
	gql := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: &resolvers.Resolver{Upstream: client, Log: log, Busy: busy}}))
	gql.AddTransport(postTransport{log: log})
	gql.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	gql.SetErrorPresenter(telemetry.RecordErrors(resolvers.ErrorPresenter(log)))
	gql.Use(telemetry.Operations{Tracing: tracing})
	gql.SetRecoverFunc(resolvers.Recover(log))
	gql.SetValidationRulesFn(resolvers.ValidationRules(cfg.development()))
	gql.SetParserTokenLimit(cfg.limits.Tokens)
	trusted, err := loadTrustedDocuments(cfg)
	if err != nil {
		return nil, err
	}
	if trusted.Enforce {
		operationNames.Known = trusted.Manifest.HasOperation
	}
	// Trusted documents first: a hash becomes its document before the limits measure it.
	gql.Use(trusted)
	limiter := edge.NewRateLimiter(edge.RateLimitConfig{
		LoginsPerMinute:        cfg.loginsPerMinute,
		AddressLoginsPerMinute: cfg.addressLogins,
		CostPerSecond:          cfg.costPerSecond,
		CostBurst:              cfg.costBurst,
	})
	admit := admission(limiter)
	if rdb != nil {
		shared, err := newSharedLimits(rdb, cfg, log)
		if err != nil {
			return nil, err
		}
		admit = shared.admit
	}
	gql.Use(&resolvers.OperationLimits{Limits: cfg.limits, Admit: admit})
	if cfg.development() {
		gql.Use(extension.Introspection{})
	} else {
		gql.SetDisableSuggestion(true)
	}

	loaderCfg := upstream.LoaderConfig{Wait: cfg.batchWait, TraceBatch: tracing.Batch, Catalog: catalog}
	withLoaders := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// The request's upstream deadline and call budget; the context also ends when the
			// client goes away, which cancels the calls in flight.
			ctx, cancel := client.BeginRequest(r.Context())
			defer cancel()
			executing.Add(1)
			defer executing.Add(-1)
			ctx = upstream.WithLoaders(ctx, upstream.NewLoaders(client, loaderCfg))
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
	guard := &edge.Guard{AllowedOrigins: cfg.origins(), SessionCookie: sessions.CookieName()}

	mux := http.NewServeMux()
	mux.Handle("/graphql", metrics.GraphQL(edge.APIHeaders(guard.Wrap(edge.Limit(cfg.maxInFlight, 64*cfg.maxInFlight, cfg.queueTimeout, edge.OverrideStatus(sessions.Middleware(withLoaders(gql))))))))
	if cfg.development() && cfg.graphiqlDir != "" {
		ide, err := graphiql.Handler("/graphql", cfg.graphiqlDir)
		if err != nil {
			return nil, err
		}
		mux.Handle("GET /playground", ide)
		mux.Handle("GET "+graphiql.AssetsPath, ide)
	} else if cfg.development() {
		// Without GRAPHIQL_DIR the page loads GraphiQL from gqlgen's default CDN URLs.
		mux.Handle("GET /playground", playground.Handler("customer-gateway", "/graphql"))
	}
	if cfg.siteDir != "" {
		mux.Handle("/", edge.SiteHeaders(http.FileServer(edge.NoListing(http.Dir(cfg.siteDir)))))
	}

	adminMux := http.NewServeMux()
	adminMux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		// A collector that fails, such as the session count while Redis is down, must not hide
		// every other metric exactly when operators need them.
		ErrorHandling: promhttp.ContinueOnError,
	}))
	adminMux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
	})
	// The upstream check requests product 1 from the catalog. A response, whether the product
	// exists or not, shows that the back office is reachable, accepts the key and reads its
	// database.
	// TODO: add a "trusted_documents" check that the manifest is loaded once trusted
	// documents are.
	readiness := []telemetry.Check{{Name: "upstream", Run: func(ctx context.Context) error {
		_, err := client.Products(ctx, []string{"1"})
		return err
	}}}
	if rdb != nil {
		readiness = append(readiness, telemetry.Check{Name: "redis", Run: func(ctx context.Context) error {
			return rdb.Ping(ctx).Err()
		}})
	}
	adminMux.Handle("GET /readyz", telemetry.Ready(log, 2*time.Second, readiness))

	// The client address is found once, outside the access log, so the log line and the rate
	// limits name the same client.
	proxies, err := edge.ParseTrustedProxies(cfg.trustedProxies)
	if err != nil {
		return nil, err
	}
	access := &telemetry.AccessLog{Log: log, RequestID: edge.RequestIDFrom, ClientAddr: edge.ClientAddrFrom, SessionCookie: sessions.CookieName()}
	return &gateway{
		public:    edge.RequestID(proxies.Wrap(access.Wrap(mux))),
		admin:     adminMux,
		redis:     rdb,
		executing: executing,
	}, nil
}

// loadTrustedDocuments returns the trusted-documents extension: enforcing in production, and in
// development only resolving hashes when a manifest is there.
func loadTrustedDocuments(cfg *config) (manifest.Trusted, error) {
	t := manifest.Trusted{Enforce: !cfg.development() && !cfg.untrustedDocuments}
	if path := cfg.trustedDocumentsPath(); path != "" {
		m, err := manifest.Load(path)
		if err != nil {
			return t, err
		}
		t.Manifest = m
	}
	return t, nil
}

// admission charges each operation, once it passed the limits, to the rate limits: login
// attempts per address and email, and the operation's cost per address and session.
func admission(limiter *edge.RateLimiter) func(context.Context, resolvers.Cost) error {
	return func(ctx context.Context, cost resolvers.Cost) error {
		addr := edge.AddressKey(edge.ClientAddrFrom(ctx))
		if len(cost.LoginEmails) > 0 {
			if err := limiter.AllowLogin(addr, cost.LoginEmails); err != nil {
				return err
			}
		}
		key := ""
		if st := session.FromContext(ctx); st != nil {
			key = st.Key()
		}
		return limiter.AllowCost(addr, key, cost.Complexity)
	}
}
