package telemetry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"
)

// StatusClientClosed is the status the access log records for a request whose client went
// away before the response started. It is nginx's 499, which no response carries.
const StatusClientClosed = 499

// AccessLog writes one line per request once the response is written.
type AccessLog struct {
	// Log receives the lines, at info level.
	Log *slog.Logger
	// RequestID returns the id of the request a context belongs to.
	RequestID func(context.Context) string
	// ClientAddr returns the client address of the request a context belongs to. When it is
	// nil, client_addr is empty.
	ClientAddr func(context.Context) string
	// SessionCookie is the name of the session cookie, whose hash identifies the session in
	// the line.
	SessionCookie string
}

// Wrap returns next with a fresh Request record in each request's context and the access line
// written after next returns.
func (a *AccessLog) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx, record := WithRequest(r.Context())
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK, ctx: ctx, record: record}
		next.ServeHTTP(rec, r.WithContext(ctx))
		status := rec.status
		if record.ClientClosed(ctx) {
			// The client went away before the response started, so it got no status at all.
			// nginx's code for this case keeps such requests apart from real 200s.
			status = StatusClientClosed
		}

		clientAddr := ""
		if a.ClientAddr != nil {
			clientAddr = a.ClientAddr(ctx)
		}
		a.Log.LogAttrs(ctx, slog.LevelInfo, "request",
			slog.String("request_id", a.RequestID(ctx)),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("operation", record.Operation()),
			slog.Int("status", status),
			slog.Int64("duration_ms", time.Since(start).Milliseconds()),
			slog.Int64("upstream_calls", record.UpstreamCalls()),
			slog.String("client_addr", clientAddr),
			slog.String("session", a.sessionHash(r, rec.Header())),
			slog.String("error_code", record.Outcome(ctx)),
		)
	})
}

// sessionHash returns a short hash of the session cookie the response set (a login) or else
// the one the request carried, or "" when there is none. The cookie value is a random,
// encrypted id, so 12 hex digits of its SHA-256 tell a session's requests apart in the log
// without letting a reader of the log rebuild or replay the cookie.
func (a *AccessLog) sessionHash(r *http.Request, respHeader http.Header) string {
	value := ""
	if c, err := r.Cookie(a.SessionCookie); err == nil {
		value = c.Value
	}
	for _, c := range (&http.Response{Header: respHeader}).Cookies() {
		if c.Name == a.SessionCookie {
			value = c.Value
			if c.MaxAge < 0 {
				// A logout: the line still names the session that ended.
				value = ""
				if old, err := r.Cookie(a.SessionCookie); err == nil {
					value = old.Value
				}
			}
		}
	}
	if value == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(value))
	return hex.EncodeToString(sum[:6])
}

// statusRecorder stores the status of a response and marks in the request's record when the
// response starts.
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
	ctx    context.Context
	record *Request
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
		s.record.startResponse(s.ctx)
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if !s.wrote {
		s.wrote = true
		s.record.startResponse(s.ctx)
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
