package resolvers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"customer-gateway/edge"
	"customer-gateway/manifest"
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

	errRateLimited       = &publicError{"RATE_LIMITED", "Too many requests. Please try again later."}
	errNotAllowed        = &publicError{"OPERATION_NOT_ALLOWED", "This operation is not allowed."}
	errPersistedNotFound = &publicError{"PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound"}
	errHashMismatch      = &publicError{"BAD_REQUEST", "The persisted query hash does not match the query."}
)

// refusalDetails adds what a client needs to act on a refusal before execution: the limit that
// was exceeded, or how long to wait, with the matching HTTP status.
func refusalDetails(ctx context.Context, err error, gqlErr *gqlerror.Error) {
	var tooComplex *TooComplexError
	var limited *edge.RateLimitError
	switch {
	case errors.As(err, &tooComplex):
		gqlErr.Extensions["limitName"] = tooComplex.Limit
		gqlErr.Extensions["limit"] = tooComplex.Max
		edge.SetStatus(ctx, http.StatusUnprocessableEntity, 0)
	case errors.As(err, &limited):
		seconds := int(math.Ceil(limited.RetryAfter.Seconds()))
		gqlErr.Extensions["retryAfter"] = seconds
		edge.SetStatus(ctx, http.StatusTooManyRequests, seconds)
	case errors.Is(err, manifest.ErrNotAllowed):
		edge.SetStatus(ctx, http.StatusForbidden, 0)
	case errors.Is(err, manifest.ErrHashMismatch):
		edge.SetStatus(ctx, http.StatusBadRequest, 0)
	}
}

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
			log.Error("upstream failed", "request_id", requestID, "path", gqlErr.Path.String(), "error", err)
		}

		if public != nil {
			gqlErr.Message = public.message
			gqlErr.Extensions = map[string]any{"code": public.code}
		}
		refusalDetails(ctx, err, gqlErr)
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
	var tooComplex *TooComplexError
	var limited *edge.RateLimitError
	switch {
	case errors.As(err, &tooComplex):
		return &publicError{"QUERY_TOO_COMPLEX", fmt.Sprintf("The operation exceeds the %s limit of %d.", tooComplex.Limit, tooComplex.Max)}
	case errors.As(err, &limited):
		return errRateLimited
	case errors.Is(err, manifest.ErrNotAllowed):
		return errNotAllowed
	case errors.Is(err, manifest.ErrUnknownHash):
		return errPersistedNotFound
	case errors.Is(err, manifest.ErrHashMismatch):
		return errHashMismatch
	case errors.Is(err, upstream.ErrNotFound):
		return errNotFound
	case errors.Is(err, upstream.ErrLoginFailed):
		return errLoginFailed
	case errors.Is(err, upstream.ErrInvalidInput):
		// The gateway checks arguments before it calls the back office, so this is a
		// disagreement between the two, logged like a fault.
		return errInternal
	case errors.Is(err, upstream.ErrFault), errors.Is(err, upstream.ErrTimeout),
		errors.Is(err, upstream.ErrCircuitOpen), errors.Is(err, upstream.ErrKeyRefused):
		return errUnavailable
	}
	if _, hasCode := gqlErr.Extensions["code"]; hasCode && gqlErr.Err == nil {
		return nil
	}
	return errInternal
}

// Recover turns a panic in a resolver into an internal error, logging what panicked.
func Recover(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		log.Error("resolver panicked", "request_id", edge.RequestIDFrom(ctx), "panic", fmt.Sprint(v))
		return errInternal
	}
}
