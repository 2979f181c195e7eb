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
	"customer-gateway/ratelimit"
	"customer-gateway/session"
	"customer-gateway/telemetry"
	"customer-gateway/upstream"
)

// publicError is an error whose code and message are safe to show a customer as they are.
// extensions, when set, are added beside the code.
type publicError struct {
	code       string
	message    string
	extensions map[string]any
}

func (e *publicError) Error() string { return e.code + ": " + e.message }

var (
	errUnauthenticated = &publicError{code: "UNAUTHENTICATED", message: "You need to log in."}
	errNotFound        = &publicError{code: "NOT_FOUND", message: "Not found."}
	errLoginFailed     = &publicError{code: "BAD_USER_INPUT", message: "Wrong email or password."}
	errInternal        = &publicError{code: "INTERNAL_SERVER_ERROR", message: "Internal server error."}
	errUnavailable     = &publicError{code: "UPSTREAM_UNAVAILABLE", message: "The service is temporarily unavailable. Please try again in a moment."}
	errOutcomeUnknown  = &publicError{code: "OUTCOME_UNKNOWN", message: "We could not confirm that your change was saved. Send it again: it will not be applied twice."}
	errKeyReused       = &publicError{code: "BAD_USER_INPUT", message: "This submission was already sent with other values. Submit the form again.",
		extensions: map[string]any{"field": "idempotencyKey"}}
	errConflict          = &publicError{code: "CONFLICT", message: "The record was changed since you opened it. Review the current values and save again."}
	errClosed            = &publicError{code: "CONFLICT", message: "This record no longer accepts changes, for example a closed ticket. Reload it to see its current state."}
	errBadRequest        = &publicError{code: "BAD_REQUEST", message: "The request body is not a valid GraphQL request."}
	errTooComplex        = &publicError{code: "QUERY_TOO_COMPLEX", message: "The operation asks for too much at once. Ask for fewer records."}
	errRateLimited       = &publicError{code: "RATE_LIMITED", message: "Too many requests. Please try again later."}
	errNotAllowed        = &publicError{code: "OPERATION_NOT_ALLOWED", message: "This operation is not allowed."}
	errPersistedNotFound = &publicError{code: "PERSISTED_QUERY_NOT_FOUND", message: "PersistedQueryNotFound"}
	errHashMismatch      = &publicError{code: "BAD_REQUEST", message: "The persisted query hash does not match the query."}
	// errStoreUnavailable is a login or logout that could not reach the session store. A
	// request whose cookie cannot be checked is refused before it gets here, with the same code.
	errStoreUnavailable = &publicError{code: session.CodeStoreUnavailable, message: session.MessageStoreUnavailable}
	// errLimitsUnavailable is an operation refused because its rate limits, kept in Redis, could
	// not be checked; letting it through would let the limits lapse.
	errLimitsUnavailable = &publicError{code: "RATE_LIMIT_UNAVAILABLE", message: "The service is temporarily unavailable. Please try again in a moment."}
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
	case errors.Is(err, session.ErrStoreUnavailable), errors.Is(err, ratelimit.ErrUnavailable):
		edge.SetStatus(ctx, http.StatusServiceUnavailable, 0)
	case errors.Is(err, manifest.ErrNotAllowed):
		edge.SetStatus(ctx, http.StatusForbidden, 0)
	case errors.Is(err, manifest.ErrHashMismatch):
		edge.SetStatus(ctx, http.StatusBadRequest, 0)
	}
}

// badInput returns a BAD_USER_INPUT error with a message for the customer.
func badInput(format string, args ...any) error {
	return &publicError{code: "BAD_USER_INPUT", message: fmt.Sprintf(format, args...)}
}

// invalidField returns a BAD_USER_INPUT error whose extensions.field is the path of the
// argument at fault, for example "input.phone", so a form can mark the field.
func invalidField(field, format string, args ...any) error {
	return &publicError{code: "BAD_USER_INPUT", message: fmt.Sprintf(format, args...), extensions: map[string]any{"field": field}}
}

// staleProfile returns the CONFLICT error of a profile update made from an old version, with
// the stored profile in extensions.current, shaped like the Profile type of the schema. A
// stored profile that the schema cannot show gives errUnavailable instead, and the log then
// names the stored version.
func staleProfile(current *upstream.Profile) *publicError {
	profile, err := toProfile(current)
	if err != nil {
		return errUnavailable
	}
	return &publicError{code: errConflict.code, message: "Your profile was changed since you opened it. Review the current values and save again.",
		extensions: map[string]any{"current": profile}}
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
		case public == errBadRequest:
			// gqlgen's message quotes the body, which may hold a password: log none of it.
			log.Info("request rejected", "request_id", requestID, "reason", "malformed body")
		case public == errInternal && errors.Is(err, context.Canceled):
			// The customer went away; there is nobody to tell and nothing to fix.
		case (public == errInternal || public == errUnavailable) && !telemetry.RequestFrom(ctx).FirstReport(err):
			// One failed batch fails every field it served; its cause was logged with the first.
		case public == errInternal:
			log.Error("operation failed", "request_id", requestID, "path", gqlErr.Path.String(), "error", err)
		case public == errUnavailable:
			logUpstreamFailure(log, requestID, gqlErr, err)
		case public == errOutcomeUnknown:
			// The message asks the customer to resend. If they do not, an operator may need to check
			// whether the write was applied.
			log.Warn("write outcome unknown", "request_id", requestID, "path", gqlErr.Path.String(), "error", err)
		}

		if public != nil {
			gqlErr.Message = public.message
			gqlErr.Extensions = map[string]any{"code": public.code}
			for k, v := range public.extensions {
				gqlErr.Extensions[k] = v
			}
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
	var stale *upstream.StaleVersionError
	if errors.As(err, &stale) && stale.Current != nil {
		return staleProfile(stale.Current)
	}
	switch {
	case errors.Is(err, session.ErrStoreUnavailable):
		return errStoreUnavailable
	case errors.Is(err, ratelimit.ErrUnavailable):
		return errLimitsUnavailable
	case errors.As(err, &tooComplex):
		return &publicError{code: "QUERY_TOO_COMPLEX", message: fmt.Sprintf("The operation exceeds the %s limit of %d.", tooComplex.Limit, tooComplex.Max)}
	case errors.As(err, &limited):
		return errRateLimited
	case errors.Is(err, manifest.ErrNotAllowed):
		return errNotAllowed
	case errors.Is(err, manifest.ErrUnknownHash):
		return errPersistedNotFound
	case errors.Is(err, manifest.ErrHashMismatch):
		return errHashMismatch
	case errors.Is(err, upstream.ErrOutcomeUnknown):
		return errOutcomeUnknown
	case errors.Is(err, upstream.ErrConflict):
		return errConflict
	case errors.Is(err, upstream.ErrClosed):
		return errClosed
	case errors.Is(err, upstream.ErrKeyReused):
		return errKeyReused
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
	// An error without a code, a cause or a path is gqlgen's transport turning away a body it
	// could not read or decode as a GraphQL request (malformed JSON, a batch array).
	if gqlErr.Err == nil && len(gqlErr.Path) == 0 {
		return errBadRequest
	}
	return errInternal
}

// logUpstreamFailure logs a failed upstream call once per request, with the start of the body
// that could not be decoded. Every field served by the same failed call shares its *Error, so
// the later fields add nothing to the log.
func logUpstreamFailure(log *slog.Logger, requestID string, gqlErr *gqlerror.Error, err error) {
	attrs := []any{"request_id", requestID, "path", gqlErr.Path.String(), "error", err}
	var upErr *upstream.Error
	if errors.As(err, &upErr) && upErr.Snippet != "" {
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
