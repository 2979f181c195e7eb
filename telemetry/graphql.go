package telemetry

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Operations is the gqlgen extension that records each operation's name in the request's
// record and wraps each operation in a span.
type Operations struct {
	Tracing *Tracing
}

var (
	_ graphql.HandlerExtension          = Operations{}
	_ graphql.OperationParameterMutator = Operations{}
	_ graphql.OperationInterceptor      = Operations{}
)

// ExtensionName implements graphql.HandlerExtension.
func (Operations) ExtensionName() string { return "Telemetry" }

// Validate implements graphql.HandlerExtension.
func (Operations) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters records the operation name the client sent, so that a request
// that fails parsing or validation is still logged under the name it asked for.
func (Operations) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	RequestFrom(ctx).SetOperation(safeName(params.OperationName))
	return nil
}

// InterceptOperation records the name of the operation that runs and starts its span, which
// ends when the operation's response is complete.
func (o Operations) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	opCtx := graphql.GetOperationContext(ctx)
	name := opCtx.OperationName
	kind := ""
	if opCtx.Operation != nil {
		if name == "" {
			name = opCtx.Operation.Name
		}
		kind = string(opCtx.Operation.Operation)
	}
	RequestFrom(ctx).SetOperation(safeName(name))

	spanName := "graphql " + kind
	if name != "" {
		spanName += " " + safeName(name)
	}
	ctx, span := o.Tracing.tracer.Start(ctx, spanName, trace.WithAttributes(
		attribute.String("graphql.operation.name", safeName(name)),
		attribute.String("graphql.operation.type", kind)))
	handler := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := handler(ctx)
		if resp != nil && len(resp.Errors) > 0 {
			span.SetStatus(codes.Error, errSpanStatus.Error())
		}
		span.End()
		return resp
	}
}

// safeName returns an operation name fit for a log line or a span: the name when it is a valid
// GraphQL name of at most 64 characters, and "invalid" otherwise.
func safeName(name string) string {
	if name == "" || validOperationName.MatchString(name) {
		return name
	}
	return "invalid"
}

// RecordErrors wraps an error presenter so that the code of each error it presents, taken
// from extensions.code, is recorded in the request's record.
func RecordErrors(present graphql.ErrorPresenterFunc) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := present(ctx, err)
		if code, ok := gqlErr.Extensions["code"].(string); ok {
			RequestFrom(ctx).SetErrorCode(code)
		}
		return gqlErr
	}
}
