package resolvers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"customer-gateway/edge"
	"customer-gateway/upstream"
)

// publicError is an error whose code and message are safe to show a customer as they are.
type publicError struct {
	code    string
	message string
}

func (e *publicError) Error() string { return e.code + ": " + e.message }

var (
	errUnauthenticated = &publicError{"UNAUTHENTICATED", "You need to log in."}
	errNotFound        = &publicError{"NOT_FOUND", "Not found."}
	errLoginFailed     = &publicError{"BAD_USER_INPUT", "Wrong email or password."}
	errInternal        = &publicError{"INTERNAL_SERVER_ERROR", "Internal server error."}
	errUnavailable     = &publicError{"UPSTREAM_UNAVAILABLE", "The service is temporarily unavailable. Please try again in a moment."}
	errTooComplex      = &publicError{"QUERY_TOO_COMPLEX", "The operation asks for too much at once. Ask for fewer records."}
)

// badInput returns a BAD_USER_INPUT error with a message for the customer.
func badInput(format string, args ...any) error {
	return &publicError{"BAD_USER_INPUT", fmt.Sprintf(format, args...)}
}

// ErrorPresenter returns the function that turns every error of an operation into what the
// customer sees. It is the one place where error categories become GraphQL codes: each error
// leaves with extensions.code and extensions.requestId and a safe message, and the cause of
// anything masked goes to log once, with the request id.
func ErrorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		requestID := edge.RequestIDFrom(ctx)
		public := classify(err, gqlErr)

		switch {
		case public == errInternal && errors.Is(err, context.Canceled):
			// The customer went away; there is nobody to tell and nothing to fix.
		case public == errInternal:
			log.Error("operation failed", "request_id", requestID, "path", gqlErr.Path.String(), "error", err)
		case public == errUnavailable:
			logUpstreamFailure(ctx, log, requestID, gqlErr, err)
		}

		if public != nil {
			gqlErr.Message = public.message
			gqlErr.Extensions = map[string]any{"code": public.code}
		}
		if gqlErr.Extensions == nil {
			gqlErr.Extensions = map[string]any{}
		}
		gqlErr.Extensions["requestId"] = requestID
		// Nothing below the presenter may see the cause either.
		gqlErr.Err = nil
		return gqlErr
	}
}

// classify returns the public form of err, or nil when gqlErr may be shown as it is: gqlgen's
// own parse and validation errors, which carry a code and describe only the operation sent.
func classify(err error, gqlErr *gqlerror.Error) *publicError {
	var public *publicError
	if errors.As(err, &public) {
		return public
	}
	switch {
	case errors.Is(err, upstream.ErrNotFound):
		return errNotFound
	case errors.Is(err, upstream.ErrLoginFailed):
		return errLoginFailed
	case errors.Is(err, upstream.ErrInvalidInput):
		// The gateway checks arguments before it calls the back office, so this is a
		// disagreement between the two, logged like a fault.
		return errInternal
	case errors.Is(err, upstream.ErrBudgetExceeded):
		return errTooComplex
	case errors.Is(err, upstream.ErrFault), errors.Is(err, upstream.ErrTimeout),
		errors.Is(err, upstream.ErrCircuitOpen), errors.Is(err, upstream.ErrKeyRefused):
		return errUnavailable
	}
	if _, hasCode := gqlErr.Extensions["code"]; hasCode && gqlErr.Err == nil {
		return nil
	}
	return errInternal
}

// logUpstreamFailure logs a failed upstream call once per request, with the start of the body
// that could not be decoded. Every field served by the same failed call shares its *Error, so
// the later fields add nothing to the log.
func logUpstreamFailure(ctx context.Context, log *slog.Logger, requestID string, gqlErr *gqlerror.Error, err error) {
	var upErr *upstream.Error
	if !errors.As(err, &upErr) {
		log.Error("upstream failed", "request_id", requestID, "path", gqlErr.Path.String(), "error", err)
		return
	}
	if !upstream.FirstReport(ctx, upErr) {
		return
	}
	attrs := []any{"request_id", requestID, "path", gqlErr.Path.String(), "error", err}
	if upErr.Snippet != "" {
		attrs = append(attrs, "body_start", upErr.Snippet)
	}
	log.Error("upstream failed", attrs...)
}

// Recover turns a panic in a resolver into an internal error, logging what panicked.
func Recover(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		log.Error("resolver panicked", "request_id", edge.RequestIDFrom(ctx), "panic", fmt.Sprint(v))
		return errInternal
	}
}
