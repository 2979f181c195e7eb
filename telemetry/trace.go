package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// instrumentationName names the gateway's tracer in every span it makes.
const instrumentationName = "customer-gateway"

// TracingEnabled reports whether the standard OTEL_* variables, read through getenv, ask for
// traces. Tracing is off unless OTEL_TRACES_EXPORTER is "otlp", or it is unset and an OTLP
// endpoint is given; OTEL_SDK_DISABLED=true turns it off whatever else is set. Only the OTLP
// exporter over HTTP with protobuf is built in, so other exporters and protocols are errors.
func TracingEnabled(getenv func(string) string) (bool, error) {
	if strings.EqualFold(getenv("OTEL_SDK_DISABLED"), "true") {
		return false, nil
	}
	enabled := false
	switch exporter := getenv("OTEL_TRACES_EXPORTER"); exporter {
	case "none":
		return false, nil
	case "otlp":
		enabled = true
	case "":
		enabled = getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
	default:
		return false, fmt.Errorf("OTEL_TRACES_EXPORTER %q is not supported: use otlp or none", exporter)
	}
	if !enabled {
		return false, nil
	}
	protocol := getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
	if protocol == "" {
		protocol = getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
	}
	if protocol != "" && protocol != "http/protobuf" {
		return false, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL %q is not supported: use http/protobuf", protocol)
	}
	return true, nil
}

// NewTracerProvider returns the tracer provider the OTEL_* variables ask for, and a function
// that flushes and stops it. When tracing is off it returns a no-op provider, which creates no
// exporter and sends nothing. The OTLP exporter and the SDK read their own settings (endpoint,
// headers, timeout, sampler, service name, resource attributes) from the environment.
func NewTracerProvider(ctx context.Context, getenv func(string) string) (trace.TracerProvider, func(context.Context) error, error) {
	enabled, err := TracingEnabled(getenv)
	if err != nil {
		return nil, nil, err
	}
	if !enabled {
		return noop.NewTracerProvider(), func(context.Context) error { return nil }, nil
	}

	exporter, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("creating the OTLP trace exporter: %w", err)
	}
	res := resource.Default()
	if getenv("OTEL_SERVICE_NAME") == "" {
		// The SDK's default service name is unknown_service; name the gateway instead.
		res, err = resource.Merge(resource.NewSchemaless(attribute.String("service.name", instrumentationName)), res)
		if err != nil {
			return nil, nil, err
		}
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	return tp, tp.Shutdown, nil
}

// Tracing makes the gateway's spans and feeds the metrics that are measured around the same
// calls. It is safe for concurrent use.
type Tracing struct {
	tracer  trace.Tracer
	metrics *Metrics
}

// NewTracing returns a Tracing that makes spans with tp and records into m.
func NewTracing(tp trace.TracerProvider, m *Metrics) *Tracing {
	return &Tracing{tracer: tp.Tracer(instrumentationName), metrics: m}
}

// traceContext writes and reads the W3C traceparent and tracestate headers.
var traceContext = propagation.TraceContext{}

// Upstream starts the span of one call to the back office. The returned function ends the span
// with the call's outcome, records the call's latency and counts the call in the request's
// record.
func (t *Tracing) Upstream(ctx context.Context, api, op string) (context.Context, func(outcome string)) {
	start := time.Now()
	ctx, span := t.tracer.Start(ctx, "upstream "+api+" "+op,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("upstream.api", api), attribute.String("upstream.operation", op)))
	return ctx, func(outcome string) {
		span.SetAttributes(attribute.String("upstream.outcome", outcome))
		if outcome != "ok" {
			span.SetStatus(codes.Error, outcome)
		}
		span.End()
		t.metrics.upstreamDone(ctx, api, op, outcome, time.Since(start))
	}
}

// InjectHeaders adds the traceparent header of the span in ctx to h; without a span it adds
// nothing.
func (t *Tracing) InjectHeaders(ctx context.Context, h http.Header) {
	traceContext.Inject(ctx, propagation.HeaderCarrier(h))
}

// Batch starts the span of one dataloader batch and records the batch's size.
func (t *Tracing) Batch(ctx context.Context, loader string, keys int) (context.Context, func()) {
	t.metrics.batchSize.WithLabelValues(loader).Observe(float64(keys))
	ctx, span := t.tracer.Start(ctx, "dataloader "+loader,
		trace.WithAttributes(attribute.String("dataloader.name", loader), attribute.Int("dataloader.keys", keys)))
	return ctx, func() { span.End() }
}

// errSpanStatus is the status description of an operation span that ended with errors.
var errSpanStatus = errors.New("operation returned errors")
