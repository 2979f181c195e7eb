// Package session keeps a customer's login in a server-side session behind an HttpOnly cookie,
// and puts the logged-in customer's identity into each request's context.
package session

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/sessions"
	"github.com/redis/go-redis/v9"

	"customer-gateway/edge"
)

// Values stored in a session. Only these ever enter it.
const (
	keyCustomerID = "customer_id"
	keyCreated    = "created"
)

// Config sets up a Manager.
type Config struct {
	// Keys are the session keys, newest first, each at least 32 bytes. The first signs and
	// encrypts new sessions; the others still open sessions made before a rotation.
	Keys [][]byte
	// Dir is the folder of the filesystem store. It is created with mode 0700, and unused
	// when Redis is set.
	Dir string
	// Redis, when set, keeps sessions in Redis (RedisStore) instead of the filesystem, so that
	// several gateways share them.
	Redis redis.UniversalClient
	// Secure marks the cookie Secure and gives it the __Host- name prefix. Only plain-HTTP
	// development on loopback turns it off.
	Secure bool
	// MaxAge is the absolute lifetime of a session, from its login. The default is 12 hours.
	MaxAge time.Duration
	// IdleTimeout ends a session that made no request for this long. The default is 30 minutes.
	IdleTimeout time.Duration
	// Now returns the current time; tests set it. The default is time.Now.
	Now func() time.Time
	// Logger receives store failures. The default is slog.Default().
	Logger *slog.Logger
}

// Manager loads, starts and ends sessions. It is safe for concurrent use.
type Manager struct {
	store   sessions.Store
	options *sessions.Options // defaults of new sessions; never changed after NewManager
	dir     string            // folder of the filesystem store; empty with Redis
	redis   redis.UniversalClient
	name    string
	maxAge  time.Duration
	idle    time.Duration
	now     func() time.Time
	log     *slog.Logger

	storeDown atomic.Bool // the last read or write failed to reach the store
}

// ParseKeys decodes SESSION_KEYS: comma-separated standard base64 keys, newest first, each of at
// least 32 bytes.
func ParseKeys(s string) ([][]byte, error) {
	var keys [][]byte
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, err := base64.StdEncoding.DecodeString(part)
		if err != nil {
			return nil, fmt.Errorf("session key %d is not valid base64", i+1)
		}
		if len(k) < 32 {
			return nil, fmt.Errorf("session key %d has %d bytes; at least 32 are required", i+1, len(k))
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, errors.New("no session key given")
	}
	return keys, nil
}

// NewManager returns a Manager backed by Redis when cfg.Redis is set, or else by the
// filesystem store in cfg.Dir.
func NewManager(cfg Config) (*Manager, error) {
	if len(cfg.Keys) == 0 {
		return nil, errors.New("no session key given")
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 12 * time.Hour
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Redis == nil {
		if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
			return nil, fmt.Errorf("creating the session folder: %w", err)
		}
	}

	// Derive a signing key and an encryption key from each configured key, so one secret per
	// rotation step is all an operator handles.
	var pairs [][]byte
	for _, k := range cfg.Keys {
		hash, err := hkdf.Key(sha256.New, k, nil, "customer-gateway session signing", 32)
		if err != nil {
			return nil, err
		}
		block, err := hkdf.Key(sha256.New, k, nil, "customer-gateway session encryption", 32)
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, hash, block)
	}
	var store sessions.Store
	var options *sessions.Options
	if cfg.Redis != nil {
		rs := NewRedisStore(cfg.Redis, pairs...)
		rs.MaxAge(int(cfg.MaxAge / time.Second))
		rs.IdleTimeout = cfg.IdleTimeout
		store, options = rs, rs.Options
		cfg.Dir = ""
	} else {
		fs := sessions.NewFilesystemStore(cfg.Dir, pairs...)
		fs.MaxAge(int(cfg.MaxAge / time.Second))
		store, options = fs, fs.Options
	}
	options.HttpOnly = true
	options.Secure = cfg.Secure
	options.SameSite = http.SameSiteStrictMode
	options.Path = "/"

	name := "session"
	if cfg.Secure {
		// The __Host- prefix makes browsers refuse the cookie unless it is Secure, has Path=/
		// and no Domain, so a sibling subdomain cannot plant or overwrite it.
		name = "__Host-session"
	}
	return &Manager{
		store: store, options: options, dir: cfg.Dir, redis: cfg.Redis, name: name,
		maxAge: cfg.MaxAge, idle: cfg.IdleTimeout, now: cfg.Now, log: cfg.Logger,
	}, nil
}

// newSession returns an empty session with its own copy of the cookie options.
func (m *Manager) newSession() *sessions.Session {
	s := sessions.NewSession(m.store, m.name)
	opts := *m.options
	s.Options = &opts
	s.IsNew = true
	return s
}

// CookieName returns the name of the session cookie.
func (m *Manager) CookieName() string { return m.name }

// Identity is the logged-in customer of a request.
type Identity struct {
	CustomerID string
}

// State is one request's view of its session. Resolvers reach it through FromContext to read
// the identity, and the login and logout mutations change it.
type State struct {
	m *Manager
	w http.ResponseWriter
	r *http.Request

	mu       sync.Mutex
	session  *sessions.Session // nil when the request has no valid session
	identity *Identity
	storeErr error // set when the store could not be read; wraps ErrStoreUnavailable
}

// Middleware loads the session of each request and puts its State into the request's context.
// Loading never rewrites the session or its cookie, so a slow read cannot revive a session that
// a concurrent logout ended.
//
// A request with a session cookie that cannot be checked because the store is unreachable gets
// a 503 with the code SESSION_STORE_UNAVAILABLE, so its customer is not served as if logged out.
func (m *Manager) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &State{m: m, w: w, r: r}
		st.load()
		if st.storeErr != nil {
			edge.WriteError(w, r, http.StatusServiceUnavailable, CodeStoreUnavailable, MessageStoreUnavailable)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), stateKey{}, st)))
	})
}

// The error code and message of a request refused because the session store is unreachable.
const (
	CodeStoreUnavailable    = "SESSION_STORE_UNAVAILABLE"
	MessageStoreUnavailable = "Your session cannot be checked right now. Please try again in a moment."
)

// noteStore logs the store's first failure after a success and its first success after a
// failure, so an outage costs two log lines rather than one per request.
func (m *Manager) noteStore(err error) {
	if err != nil {
		if !m.storeDown.Swap(true) {
			m.log.Error("session store unavailable", "error", err)
		}
		return
	}
	if m.storeDown.Swap(false) {
		m.log.Info("session store reachable again")
	}
}

func (st *State) load() {
	if _, err := st.r.Cookie(st.m.name); err != nil {
		return
	}
	s, err := st.m.store.New(st.r, st.m.name)
	if errors.Is(err, ErrStoreUnavailable) {
		st.m.noteStore(err)
		st.storeErr = err
		return
	}
	st.m.noteStore(nil)
	if err != nil || s.IsNew {
		// A tampered, expired or revoked cookie makes the request anonymous. It is not an
		// error the customer can act on, so it is logged at debug level only.
		st.m.log.Debug("session cookie rejected", "reason", rejectReason(err))
		return
	}
	id, _ := s.Values[keyCustomerID].(string)
	created, _ := s.Values[keyCreated].(int64)
	now := st.m.now()
	if id == "" || now.Sub(time.Unix(created, 0)) > st.m.maxAge {
		st.m.log.Debug("session cookie rejected", "reason", "past the absolute timeout")
		return
	}
	alive, err := st.m.touch(st.r.Context(), s.ID, now)
	if err != nil {
		st.m.noteStore(err)
		st.storeErr = err
		return
	}
	if !alive {
		st.m.log.Debug("session cookie rejected", "reason", "idle or revoked")
		return
	}
	st.session = s
	st.identity = &Identity{CustomerID: id}
}

// touchEvery is how stale the last-seen time may get before a request refreshes it, so that a
// busy session does not cost a metadata write on every request. A shorter idle timeout
// refreshes at a quarter of itself, so that a session in use never ends early by more than that.
const touchEvery = time.Minute

// touch reports whether the session with id is within its idle timeout at now, and records now
// as its last activity.
//
// The last activity is the modification time of the session's file, and it is updated with
// os.Chtimes, never by saving the session. Chtimes fails on a file that a logout deleted, so a
// slow request cannot bring a revoked session back, and the session's values are never
// rewritten by a read.
//
// With Redis, RedisStore.Touch does the same with the TTL of a last-seen key, and an
// unreachable Redis is an error that matches ErrStoreUnavailable.
func (m *Manager) touch(ctx context.Context, id string, now time.Time) (bool, error) {
	if rs, ok := m.store.(*RedisStore); ok {
		return rs.Touch(ctx, id)
	}
	// NOTE: "session_" + id is the file name gorilla/sessions v1.4.0's FilesystemStore uses;
	// TestIdleTimeout fails if a new version changes it.
	path := filepath.Join(m.dir, "session_"+id)
	info, err := os.Stat(path)
	if err != nil {
		return false, nil
	}
	if now.Sub(info.ModTime()) > m.idle {
		return false, nil
	}
	if now.Sub(info.ModTime()) > min(touchEvery, m.idle/4) {
		if err := os.Chtimes(path, now, now); err != nil && !errors.Is(err, os.ErrNotExist) {
			m.log.Warn("session last-seen update failed", "error", err)
		}
	}
	return true, nil
}

// Key returns an opaque key of the request's session for rate limits, or "" without a session.
func (st *State) Key() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.session == nil {
		return ""
	}
	return st.session.ID
}

// rejectReason names why a cookie did not open a session, without its content.
func rejectReason(err error) string {
	if err == nil {
		return "no stored session"
	}
	if errors.Is(err, os.ErrNotExist) {
		return "revoked or expired"
	}
	return "invalid"
}

// Identity returns the logged-in customer, or nil.
func (st *State) Identity() *Identity {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.identity
}

// Login starts a new session for customerID and sets its cookie. Any session the request came
// with is deleted first, so a session id planted before the login (fixation) is dead after it.
func (st *State) Login(customerID string) error {
	st.mu.Lock()
	defer st.mu.Unlock()

	if err := st.revokeLocked(false); err != nil {
		return err
	}

	s := st.m.newSession()
	s.Values[keyCustomerID] = customerID
	s.Values[keyCreated] = st.m.now().Unix()
	err := st.m.store.Save(st.r, st.w, s)
	st.m.noteStoreWrite(err)
	if err != nil {
		return fmt.Errorf("saving the new session: %w", err)
	}
	st.session = s
	st.identity = &Identity{CustomerID: customerID}
	return nil
}

// Logout deletes the request's session on the server and expires its cookie, so that a copy of
// the cookie is dead as well. A request without a session only gets its cookie expired.
func (st *State) Logout() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.revokeLocked(true)
}

// revokeLocked deletes the current session, if any. The expired cookie is sent only when
// clearCookie is set: a login replaces the cookie with its own instead.
func (st *State) revokeLocked(clearCookie bool) error {
	w := st.w
	if !clearCookie {
		w = discardCookies{}
	}
	s := st.session
	if s == nil {
		if !clearCookie {
			return nil
		}
		s = st.m.newSession()
	}
	s.Options.MaxAge = -1
	err := st.m.store.Save(st.r, w, s)
	st.m.noteStoreWrite(err)
	if err != nil {
		return fmt.Errorf("deleting the session: %w", err)
	}
	st.session = nil
	st.identity = nil
	return nil
}

// noteStoreWrite passes the outcome of a write to noteStore, unless it failed for another
// reason than an unreachable store.
func (m *Manager) noteStoreWrite(err error) {
	if err == nil || errors.Is(err, ErrStoreUnavailable) {
		m.noteStore(err)
	}
}

// discardCookies is a ResponseWriter whose headers go nowhere. The filesystem store can only
// delete a session by also writing an expired cookie. During a login that cookie must not reach
// the response beside the new one.
type discardCookies struct{}

func (discardCookies) Header() http.Header         { return http.Header{} }
func (discardCookies) Write(b []byte) (int, error) { return len(b), nil }
func (discardCookies) WriteHeader(int)             {}

type stateKey struct{}

// FromContext returns the session state of the request ctx belongs to, or nil outside a request
// that went through Middleware.
func FromContext(ctx context.Context) *State {
	st, _ := ctx.Value(stateKey{}).(*State)
	return st
}

// IdentityFrom returns the logged-in customer of ctx's request, or nil.
func IdentityFrom(ctx context.Context) *Identity {
	if st := FromContext(ctx); st != nil {
		return st.Identity()
	}
	return nil
}
