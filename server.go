// Command customer-gateway is the GraphQL backend-for-frontend of the customer web site. It keeps
// the customer's login in a server-side session, holds the back office's key and knowledge, and
// answers the site's GraphQL operations with batched, customer-scoped calls to the PHP APIs.
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
	"syscall"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/vektah/gqlparser/v2/ast"

	"customer-gateway/edge"
	"customer-gateway/graph"
	"customer-gateway/manifest"
	"customer-gateway/resolvers"
	"customer-gateway/session"
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
	if err != nil {
		return err
	}
	if cfg.check {
		cfg.print(stdout)
		return nil
	}

	log := newLogger(cfg, stderr)
	gw, err := newGateway(cfg, log)
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	public := &http.Server{Addr: cfg.listenAddr, Handler: gw.public, ReadHeaderTimeout: 10 * time.Second}
	admin := &http.Server{Addr: cfg.adminAddr, Handler: gw.admin, ReadHeaderTimeout: 10 * time.Second}
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
	log.Info("gateway started", "env", cfg.env, "listen_addr", publicLn.Addr().String(), "admin_addr", adminLn.Addr().String())

	select {
	case <-ctx.Done():
	case err := <-errc:
		log.Error("listener failed", "error", err)
	}

	// Stop accepting, then give requests in flight time to finish.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = errors.Join(public.Shutdown(shutdownCtx), admin.Shutdown(shutdownCtx))
	log.Info("gateway stopped")
	return err
}

func newLogger(cfg *config, w io.Writer) *slog.Logger {
	if cfg.development() {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

// gateway is the wired product: the handlers of both listeners.
type gateway struct {
	public http.Handler
	admin  http.Handler
}

// newGateway wires the gateway for cfg.
func newGateway(cfg *config, log *slog.Logger) (*gateway, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	upstreamCalls := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gateway_upstream_requests_total",
		Help: "Calls to the back office, by PHP API file, operation and outcome.",
	}, []string{"api", "operation", "outcome"})
	reg.MustRegister(upstreamCalls)

	loc, err := time.LoadLocation(cfg.upstreamZone)
	if err != nil {
		return nil, err
	}
	client, err := upstream.NewClient(upstream.Config{
		BaseURL:  cfg.upstreamURL,
		Key:      cfg.upstreamKey,
		Location: loc,
		Observe: func(api, op, outcome string) {
			upstreamCalls.WithLabelValues(api, op, outcome).Inc()
		},
	})
	if err != nil {
		return nil, err
	}

	keys, err := session.ParseKeys(string(cfg.sessionKeys))
	if err != nil {
		return nil, err
	}
	sessions, err := session.NewManager(session.Config{
		Keys:        keys,
		Dir:         cfg.sessionFolder(),
		Secure:      !(cfg.development() && cfg.loopbackListener()),
		MaxAge:      cfg.sessionMaxAge,
		IdleTimeout: cfg.sessionIdle,
		Logger:      log,
	})
	if err != nil {
		return nil, err
	}

	gql := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: &resolvers.Resolver{Upstream: client, Log: log}}))
	gql.AddTransport(transport.POST{})
	gql.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	gql.SetErrorPresenter(resolvers.ErrorPresenter(log))
	gql.SetRecoverFunc(resolvers.Recover(log))
	gql.SetValidationRulesFn(resolvers.ValidationRules(cfg.development()))
	gql.SetParserTokenLimit(cfg.limits.Tokens)
	trusted, err := loadTrustedDocuments(cfg)
	if err != nil {
		return nil, err
	}
	// Trusted documents first: a hash becomes its document before the limits measure it.
	gql.Use(trusted)
	limiter := edge.NewRateLimiter(edge.RateLimitConfig{
		LoginsPerMinute:        cfg.loginsPerMinute,
		AddressLoginsPerMinute: cfg.addressLogins,
		CostPerSecond:          cfg.costPerSecond,
		CostBurst:              cfg.costBurst,
	})
	gql.Use(&resolvers.OperationLimits{Limits: cfg.limits, Admit: admission(limiter)})
	if cfg.development() {
		gql.Use(extension.Introspection{})
	} else {
		gql.SetDisableSuggestion(true)
	}

	loaderCfg := upstream.LoaderConfig{Wait: cfg.batchWait}
	withLoaders := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := upstream.WithLoaders(r.Context(), upstream.NewLoaders(client, loaderCfg))
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
	guard := &edge.Guard{AllowedOrigins: cfg.origins(), SessionCookie: sessions.CookieName()}

	mux := http.NewServeMux()
	mux.Handle("/graphql", edge.NoStore(guard.Wrap(edge.OverrideStatus(sessions.Middleware(withLoaders(gql))))))
	if cfg.development() {
		mux.Handle("GET /playground", playground.Handler("customer-gateway", "/graphql"))
	}
	if cfg.siteDir != "" {
		mux.Handle("/", edge.SiteHeaders(http.FileServer(http.Dir(cfg.siteDir))))
	}

	adminMux := http.NewServeMux()
	adminMux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	adminMux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok\n")
	})

	return &gateway{
		public: edge.RequestID(edge.AccessLog(log, mux)),
		admin:  adminMux,
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
		addr := edge.ClientAddrFrom(ctx)
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
