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
	"strings"
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
	// A client must send its whole request within ReadTimeout, so a slow sender cannot hold a
	// connection open; WriteTimeout leaves room for the slowest upstream call.
	public := &http.Server{
		Handler:           gw.public,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       20 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
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

// newLogger returns the gateway's logger: text in development, JSON in production. Secrets
// are typed so that they print masked; as a second line of defence, any string or error value
// that still contains the API key is masked before it is written.
func newLogger(cfg *config, w io.Writer) *slog.Logger {
	key := string(cfg.upstreamKey)
	opts := &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if key == "" {
			return a
		}
		var text string
		switch v := a.Value.Any().(type) {
		case string:
			text = v
		case error:
			text = v.Error()
		default:
			return a
		}
		if strings.Contains(text, key) {
			return slog.String(a.Key, strings.ReplaceAll(text, key, "[redacted]"))
		}
		return a
	}}
	if cfg.development() {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
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
		Keys:   keys,
		Dir:    cfg.sessionFolder(),
		Secure: !(cfg.development() && cfg.loopbackListener()),
		Logger: log,
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
	mux.Handle("/graphql", edge.NoStore(guard.Wrap(edge.Limit(cfg.maxInFlight, 64*cfg.maxInFlight, sessions.Middleware(withLoaders(gql))))))
	if cfg.development() {
		mux.Handle("GET /playground", playground.Handler("customer-gateway", "/graphql"))
	}
	if cfg.siteDir != "" {
		mux.Handle("/", edge.SiteHeaders(http.FileServer(edge.NoListing(http.Dir(cfg.siteDir)))))
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
