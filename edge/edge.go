// Package edge holds the HTTP middleware in front of the GraphQL endpoint: request ids, the
// client address, and the checks that turn away what the customer site would never send before
// any of it reaches GraphQL. The access log is in package telemetry.
package edge

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"customer-gateway/telemetry"
)

// DefaultMaxBody is the largest GraphQL request body accepted, in bytes.
const DefaultMaxBody = 1 << 20

type requestIDKey struct{}

// validRequestID matches a request id that is safe to echo and to log.
var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// RequestID gives every request an id: a valid X-Request-Id from the caller (a proxy in front
// of the gateway) or a new random one. The id is returned in the X-Request-Id response header
// and is reachable through RequestIDFrom.
func RequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID.MatchString(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

func newRequestID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// RequestIDFrom returns the id of the request ctx belongs to, or "" outside one.
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// Guard turns away requests to the GraphQL endpoint that the customer site would never send:
// anything but a POST with a JSON body, a body over maxBody bytes, and cross-site requests.
// The checks run before the body is parsed, so a refused request costs no GraphQL work and no
// upstream call.
type Guard struct {
	// AllowedOrigins are the origins (scheme://host[:port]) whose pages may call the endpoint.
	AllowedOrigins []string
	// MaxBody is the largest body accepted, in bytes; 0 means DefaultMaxBody.
	MaxBody int64
	// SessionCookie is the session cookie's name. A request that shows neither its origin nor
	// its site is served only when it carries no such cookie, so it can reach nothing private.
	SessionCookie string
}

// Wrap returns next behind the guard's checks.
func (g *Guard) Wrap(next http.Handler) http.Handler {
	maxBody := g.MaxBody
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	allowed := map[string]bool{}
	for _, o := range g.AllowedOrigins {
		allowed[strings.TrimSuffix(o, "/")] = true
	}

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin != "" && allowed[origin] {
			// CORS grants read access, with credentials, to listed origins only. An unlisted
			// origin gets no Access-Control-Allow-Origin, so its page cannot read a response.
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Add("Vary", "Origin")
			if r.Method == http.MethodOptions {
				h.Set("Access-Control-Allow-Methods", http.MethodPost)
				h.Set("Access-Control-Allow-Headers", "Content-Type")
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			WriteError(w, r, http.StatusMethodNotAllowed, "BAD_REQUEST", "Only POST is accepted.")
			return
		}
		if !isJSONInUTF8(r.Header.Get("Content-Type")) {
			WriteError(w, r, http.StatusUnsupportedMediaType, "BAD_REQUEST", "The body must be application/json, in UTF-8.")
			return
		}
		if !g.sameSite(r, allowed) {
			WriteError(w, r, http.StatusForbidden, "FORBIDDEN", "Cross-site requests are not allowed.")
			return
		}

		// Read the whole body here, one byte past the limit, so that an oversized body gets
		// its own status instead of a JSON decoding error further in.
		if r.ContentLength > maxBody {
			WriteError(w, r, http.StatusRequestEntityTooLarge, "BAD_REQUEST", "The request body is too large.")
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil {
			WriteError(w, r, http.StatusBadRequest, "BAD_REQUEST", "The request body could not be read.")
			return
		}
		if int64(len(body)) > maxBody {
			WriteError(w, r, http.StatusRequestEntityTooLarge, "BAD_REQUEST", "The request body is too large.")
			return
		}
		// A JSON array is a batch of operations. The site never sends one, and a batch would
		// multiply every per-operation limit by its length.
		if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '[' {
			WriteError(w, r, http.StatusBadRequest, "BAD_REQUEST", "Batched operations are not accepted.")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// isJSONInUTF8 reports whether contentType is application/json with no charset, or with
// UTF-8 as its charset. JSON sent between systems is UTF-8 (RFC 8259), and the body is read as
// such, so a body declared in another charset would be misread.
func isJSONInUTF8(contentType string) bool {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil || mediaType != "application/json" {
		return false
	}
	charset, ok := params["charset"]
	return !ok || strings.EqualFold(charset, "utf-8") || strings.EqualFold(charset, "utf8")
}

// sameSite reports whether r comes from an allowed origin. Browsers send Origin with every
// POST; without it, Sec-Fetch-Site and then Referer tell where the request came from.
func (g *Guard) sameSite(r *http.Request, allowed map[string]bool) bool {
	if origin := r.Header.Get("Origin"); origin != "" {
		return allowed[origin]
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin"
	}
	if ref := r.Header.Get("Referer"); ref != "" {
		u, err := url.Parse(ref)
		return err == nil && allowed[u.Scheme+"://"+u.Host]
	}
	_, err := r.Cookie(g.SessionCookie)
	return errors.Is(err, http.ErrNoCookie)
}

// WriteError writes a transport-level refusal as a GraphQL error body with the given status.
func WriteError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	body := map[string]any{
		"errors": []map[string]any{{
			"message": message,
			"extensions": map[string]any{
				"code":      code,
				"requestId": RequestIDFrom(r.Context()),
			},
		}},
	}
	telemetry.RequestFrom(r.Context()).SetErrorCode(code)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// APIHeaders sets the headers of every GraphQL response, refusals included. no-store keeps
// them out of every cache, because they hold one customer's data. nosniff stops browsers
// from reading them as HTML: the data keeps <, > and & unescaped.
func APIHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// sitePolicy is the Content-Security-Policy of the customer site: its own scripts, styles and
// API only, no inline script, and no framing.
const sitePolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"

// SiteHeaders adds the security headers of the customer site's pages and files, and serves
// them to GET and HEAD only.
func SiteHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", sitePolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		if r.TLS != nil {
			// Only over TLS: a browser ignores the header on plain HTTP anyway.
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		// The page is small and changes with each release; revalidating keeps it current.
		h.Set("Cache-Control", "no-cache")
		next.ServeHTTP(w, r)
	})
}

// NoListing wraps a file system so that a folder without an index.html is not found, instead
// of being listed.
func NoListing(fs http.FileSystem) http.FileSystem { return noListing{fs} }

type noListing struct{ fs http.FileSystem }

func (n noListing) Open(name string) (http.File, error) {
	f, err := n.fs.Open(name)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil || !st.IsDir() {
		return f, err
	}
	index, err := n.fs.Open(strings.TrimSuffix(name, "/") + "/index.html")
	if err != nil {
		f.Close()
		return nil, fs.ErrNotExist
	}
	index.Close()
	return f, nil
}
