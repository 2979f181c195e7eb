package telemetry

import (
	"context"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the gateway's Prometheus metrics. Labels hold only names the gateway chooses
// (operation names, PHP file names, outcomes, error codes), never customer data or secrets.
type Metrics struct {
	graphqlRequests  *prometheus.CounterVec
	graphqlDuration  *prometheus.HistogramVec
	graphqlInFlight  prometheus.Gauge
	upstreamRequests *prometheus.CounterVec
	upstreamDuration *prometheus.HistogramVec
	batchSize        *prometheus.HistogramVec
	circuitState     *prometheus.GaugeVec
	rateLimited      *prometheus.CounterVec

	operations *OperationNames
}

// NewMetrics registers the gateway's metrics and the Go runtime and process collectors with
// reg. Operation names become labels through ops.
func NewMetrics(reg prometheus.Registerer, ops *OperationNames) *Metrics {
	m := &Metrics{
		graphqlRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_graphql_requests_total",
			Help: "GraphQL requests, by operation name and outcome: ok, the first error code, or CLIENT_CLOSED_REQUEST.",
		}, []string{"operation", "outcome"}),
		graphqlDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gateway_graphql_request_duration_seconds",
			Help:    "Time from receiving a GraphQL request to writing its response, by operation name.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"operation"}),
		graphqlInFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "gateway_graphql_requests_in_flight",
			Help: "GraphQL requests received whose response is not written yet.",
		}),
		upstreamRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_upstream_requests_total",
			Help: "Calls to the back office, by PHP API file, operation and outcome.",
		}, []string{"api", "operation", "outcome"}),
		upstreamDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gateway_upstream_request_duration_seconds",
			Help:    "Latency of calls to the back office, by PHP API file, operation and outcome.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"api", "operation", "outcome"}),
		batchSize: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gateway_dataloader_batch_size",
			Help:    "Keys per dataloader batch, by loader.",
			Buckets: []float64{1, 2, 5, 10, 20, 50, 100, 200, 500},
		}, []string{"loader"}),
		circuitState: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gateway_upstream_circuit_state",
			Help: "State of the circuit breaker per PHP API file: 0 closed, 1 half-open, 2 open.",
		}, []string{"api"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_rate_limited_total",
			Help: "Requests rejected by a rate limit, by limit.",
		}, []string{"limit"}),
		operations: ops,
	}
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.graphqlRequests, m.graphqlDuration, m.graphqlInFlight, m.upstreamRequests, m.upstreamDuration,
		m.batchSize, m.circuitState, m.rateLimited,
	)
	return m
}

// GraphQL returns next with each request counted and timed under its operation and outcome.
// It must run inside AccessLog.Wrap, whose record supplies the operation and error code.
func (m *Metrics) GraphQL(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		m.graphqlInFlight.Inc()
		defer m.graphqlInFlight.Dec()
		next.ServeHTTP(w, r)

		record := RequestFrom(r.Context())
		op := m.operations.Label(record.Operation())
		outcome := record.Outcome(r.Context())
		if outcome == "" {
			outcome = "ok"
		}
		m.graphqlRequests.WithLabelValues(op, outcome).Inc()
		m.graphqlDuration.WithLabelValues(op).Observe(time.Since(start).Seconds())
	})
}

// ObserveUpstream counts one finished call to the back office.
func (m *Metrics) ObserveUpstream(api, op, outcome string) {
	m.upstreamRequests.WithLabelValues(api, op, outcome).Inc()
}

// upstreamDone records a finished call's latency and counts it in the request's record.
func (m *Metrics) upstreamDone(ctx context.Context, api, op, outcome string, d time.Duration) {
	m.upstreamDuration.WithLabelValues(api, op, outcome).Observe(d.Seconds())
	RequestFrom(ctx).AddUpstreamCall()
}

// Circuit states for SetCircuitState.
const (
	CircuitClosed   = 0
	CircuitHalfOpen = 1
	CircuitOpen     = 2
)

// SetCircuitState records the state of the circuit breaker in front of one PHP API file.
// The breaker calls it on every change of state.
func (m *Metrics) SetCircuitState(api string, state int) {
	m.circuitState.WithLabelValues(api).Set(float64(state))
}

// RateLimited counts one request rejected by the named limit, such as "login" or "ip".
func (m *Metrics) RateLimited(limit string) {
	m.rateLimited.WithLabelValues(limit).Inc()
}

// RegisterActiveSessions adds gateway_active_sessions, read from count at each scrape. Call it
// only for a session store that can count its sessions; a failed count reports no sample.
func RegisterActiveSessions(reg prometheus.Registerer, count func() (int, error)) {
	reg.MustRegister(&sessionCollector{
		desc:  prometheus.NewDesc("gateway_active_sessions", "Sessions in the session store that have not expired.", nil, nil),
		count: count,
	})
}

type sessionCollector struct {
	desc  *prometheus.Desc
	count func() (int, error)
}

func (c *sessionCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *sessionCollector) Collect(ch chan<- prometheus.Metric) {
	n, err := c.count()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n))
}

// OperationNames bounds the operation names that become metric labels, so that a client
// sending random names cannot grow the metrics without limit.
type OperationNames struct {
	// Known, when set, reports whether a name belongs to a trusted document; only those names
	// become labels and every other one is counted as "other". Production sets it from the
	// trusted documents.
	Known func(name string) bool
	// Max caps the distinct names labelled when Known is nil; later names are counted as
	// "other". Zero means 50.
	Max int

	mu   sync.Mutex
	seen map[string]bool
}

var validOperationName = regexp.MustCompile(`^[_A-Za-z][_0-9A-Za-z]{0,63}$`)

// Label returns the label of an operation name: the name itself, "anonymous" for an operation
// without a name, or "other".
func (o *OperationNames) Label(name string) string {
	if name == "" {
		return "anonymous"
	}
	if !validOperationName.MatchString(name) {
		return "other"
	}
	if o.Known != nil {
		if o.Known(name) {
			return name
		}
		return "other"
	}

	o.mu.Lock()
	defer o.mu.Unlock()
	if o.seen == nil {
		o.seen = map[string]bool{}
	}
	max := o.Max
	if max <= 0 {
		max = 50
	}
	if !o.seen[name] && len(o.seen) >= max {
		return "other"
	}
	o.seen[name] = true
	return name
}
