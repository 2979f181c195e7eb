package session

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"customer-gateway/internal/redistest"
)

// The conformance suite: every session store the Manager can use must pass each case. A store
// is reached only through Managers, the way the gateway uses it, and each case gets two
// Managers on the same store, as two gateway instances would have.

var (
	oldKey = []byte("an-old-session-key-of-32-bytes!!")
	newKey = []byte("the-new-session-key-of-32-bytes!")
)

// storeKind builds Managers on one shared store.
type storeKind struct {
	name string
	// open returns a function that makes a Manager on a store shared by all Managers it makes,
	// with keys.
	open func(t *testing.T) func(keys ...[]byte) *Manager
}

func storeKinds() []storeKind {
	return []storeKind{
		{"filesystem", func(t *testing.T) func(keys ...[]byte) *Manager {
			dir := t.TempDir()
			return func(keys ...[]byte) *Manager {
				return newTestManager(t, Config{Keys: keys, Dir: dir})
			}
		}},
		{"redis", func(t *testing.T) func(keys ...[]byte) *Manager {
			rs := redistest.Start(t)
			return func(keys ...[]byte) *Manager {
				// Each Manager has its own client, as each gateway instance would.
				client := redis.NewClient(&redis.Options{Addr: rs.Addr()})
				t.Cleanup(func() { client.Close() })
				return newTestManager(t, Config{Keys: keys, Redis: client})
			}
		}},
	}
}

func newTestManager(t *testing.T, cfg Config) *Manager {
	t.Helper()
	cfg.Secure = true
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	m, err := NewManager(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// testApp is a handler behind a Manager's middleware: /login?id=N logs in, /logout logs out,
// and any other path writes the logged-in customer's id, or "anonymous".
func testApp(m *Manager) http.Handler {
	return m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := FromContext(r.Context())
		var err error
		switch r.URL.Path {
		case "/login":
			err = st.Login(r.URL.Query().Get("id"))
		case "/logout":
			err = st.Logout()
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if id := st.Identity(); id != nil {
			io.WriteString(w, id.CustomerID)
			return
		}
		io.WriteString(w, "anonymous")
	}))
}

// visit sends a request for path to m with cookie, if any, and returns the response body and
// the session cookie the response set, if any.
func visit(t *testing.T, m *Manager, path string, cookie *http.Cookie) (string, *http.Cookie) {
	t.Helper()
	req := httptest.NewRequest("POST", path, nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	rec := httptest.NewRecorder()
	testApp(m).ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("%s: status %d: %s", path, rec.Code, rec.Body)
	}
	var set *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == m.CookieName() {
			set = c
		}
	}
	return rec.Body.String(), set
}

func TestStoreConformance(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, newManager func(keys ...[]byte) *Manager)
	}{
		{"login-visible-to-other-instance", func(t *testing.T, newManager func(keys ...[]byte) *Manager) {
			a, b := newManager(newKey), newManager(newKey)
			_, cookie := visit(t, a, "/login?id=7", nil)
			if cookie == nil || cookie.Value == "" {
				t.Fatal("login set no cookie")
			}
			if got, _ := visit(t, b, "/", cookie); got != "7" {
				t.Errorf("identity on the other instance = %q, want 7", got)
			}
		}},
		{"logout-revokes-everywhere", func(t *testing.T, newManager func(keys ...[]byte) *Manager) {
			a, b := newManager(newKey), newManager(newKey)
			_, cookie := visit(t, a, "/login?id=7", nil)
			_, expired := visit(t, b, "/logout", cookie)
			if expired == nil || expired.MaxAge >= 0 {
				t.Errorf("logout cookie = %+v, want an expired cookie", expired)
			}
			if got, _ := visit(t, a, "/", cookie); got != "anonymous" {
				t.Errorf("copied cookie after logout = %q, want anonymous", got)
			}
		}},
		{"login-replaces-session", func(t *testing.T, newManager func(keys ...[]byte) *Manager) {
			a, b := newManager(newKey), newManager(newKey)
			_, planted := visit(t, a, "/login?id=7", nil)
			_, fresh := visit(t, b, "/login?id=8", planted)
			if fresh == nil || fresh.Value == planted.Value {
				t.Fatal("login kept the session cookie it came with")
			}
			if got, _ := visit(t, a, "/", planted); got != "anonymous" {
				t.Errorf("planted cookie after login = %q, want anonymous", got)
			}
			if got, _ := visit(t, a, "/", fresh); got != "8" {
				t.Errorf("new cookie = %q, want 8", got)
			}
		}},
		{"read-sets-no-cookie", func(t *testing.T, newManager func(keys ...[]byte) *Manager) {
			a := newManager(newKey)
			_, cookie := visit(t, a, "/login?id=7", nil)
			if _, set := visit(t, a, "/", cookie); set != nil {
				t.Errorf("a read set the cookie %+v", set)
			}
		}},
		{"tampered-cookie-anonymous", func(t *testing.T, newManager func(keys ...[]byte) *Manager) {
			a := newManager(newKey)
			_, cookie := visit(t, a, "/login?id=7", nil)
			tampered := *cookie
			tampered.Value = strings.ToUpper(cookie.Value[:10]) + cookie.Value[10:]
			if got, _ := visit(t, a, "/", &tampered); got != "anonymous" {
				t.Errorf("tampered cookie = %q, want anonymous", got)
			}
		}},
		{"other-key-anonymous", func(t *testing.T, newManager func(keys ...[]byte) *Manager) {
			a, b := newManager(newKey), newManager(oldKey)
			_, cookie := visit(t, a, "/login?id=7", nil)
			if got, _ := visit(t, b, "/", cookie); got != "anonymous" {
				t.Errorf("cookie under an unknown key = %q, want anonymous", got)
			}
		}},
		{"old-key-still-opens", func(t *testing.T, newManager func(keys ...[]byte) *Manager) {
			before, after := newManager(oldKey), newManager(newKey, oldKey)
			_, cookie := visit(t, before, "/login?id=7", nil)
			if got, _ := visit(t, after, "/", cookie); got != "7" {
				t.Errorf("cookie made before the rotation = %q, want 7", got)
			}
		}},
		{"counts-active-sessions", func(t *testing.T, newManager func(keys ...[]byte) *Manager) {
			a := newManager(newKey)
			_, first := visit(t, a, "/login?id=7", nil)
			visit(t, a, "/login?id=8", nil)
			visit(t, a, "/logout", first)
			n, err := a.CountActive()
			if err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("active sessions = %d, want 1", n)
			}
		}},
	}
	for _, kind := range storeKinds() {
		t.Run(kind.name, func(t *testing.T) {
			for _, tt := range cases {
				t.Run(tt.name, func(t *testing.T) {
					tt.run(t, kind.open(t))
				})
			}
		})
	}
}

func TestRedisStoreTTLFollowsLifetime(t *testing.T) {
	rs := redistest.Start(t)
	client := redis.NewClient(&redis.Options{Addr: rs.Addr()})
	defer client.Close()
	m := newTestManager(t, Config{Keys: [][]byte{newKey}, Redis: client, MaxAge: 90 * time.Minute})
	visit(t, m, "/login?id=7", nil)

	keys, err := client.Keys(context.Background(), "session:*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("session keys = %v, %v; want one", keys, err)
	}
	ttl, err := client.TTL(context.Background(), keys[0]).Result()
	if err != nil {
		t.Fatal(err)
	}
	// TTL rounds down to whole seconds, and a slow machine may take a second between the
	// write and the read.
	if ttl > 90*time.Minute || ttl < 90*time.Minute-5*time.Second {
		t.Errorf("TTL = %s, want the 90m lifetime", ttl)
	}
	raw, _ := client.Get(context.Background(), keys[0]).Result()
	if raw == "" || strings.Contains(raw, "customer_id") {
		t.Errorf("session value is not encrypted: %q", raw)
	}
}

func TestRedisStoreUnavailable(t *testing.T) {
	rs := redistest.Start(t)
	client := redis.NewClient(&redis.Options{Addr: rs.Addr(), DialerRetries: 1, MaxRetries: -1})
	defer client.Close()
	m := newTestManager(t, Config{Keys: [][]byte{newKey}, Redis: client})
	_, cookie := visit(t, m, "/login?id=7", nil)

	rs.Stop()
	req := httptest.NewRequest("POST", "/", nil)
	req.AddCookie(cookie)
	rec := httptest.NewRecorder()
	testApp(m).ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"code":"SESSION_STORE_UNAVAILABLE"`) {
		t.Errorf("read with a cookie: %d %s", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), rs.Addr()) {
		t.Errorf("refusal names the store's address: %s", rec.Body)
	}

	rec = httptest.NewRecorder()
	testApp(m).ServeHTTP(rec, httptest.NewRequest("POST", "/login?id=8", nil))
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), ErrStoreUnavailable.Error()) {
		t.Errorf("login: %d %s; want the store error", rec.Code, rec.Body)
	}

	rs.Start()
	if got, _ := visit(t, m, "/login?id=8", nil); got != "8" {
		t.Errorf("login after the restart = %q, want 8", got)
	}
}

func TestRedisStoreIdleTimeout(t *testing.T) {
	rs := redistest.Start(t)
	client := redis.NewClient(&redis.Options{Addr: rs.Addr()})
	defer client.Close()
	m := newTestManager(t, Config{Keys: [][]byte{newKey}, Redis: client, IdleTimeout: 20 * time.Minute})
	_, cookie := visit(t, m, "/login?id=7", nil)
	ctx := context.Background()

	seen, err := client.Keys(ctx, "session-seen:*").Result()
	if err != nil || len(seen) != 1 {
		t.Fatalf("last-seen keys = %v, %v; want one", seen, err)
	}
	ttl, err := client.TTL(ctx, seen[0]).Result()
	if err != nil || ttl > 20*time.Minute || ttl < 20*time.Minute-5*time.Second {
		t.Errorf("last-seen TTL = %s, %v; want the 20m idle timeout", ttl, err)
	}

	// A request extends the idle timeout.
	client.Expire(ctx, seen[0], time.Minute)
	if got, _ := visit(t, m, "/", cookie); got != "7" {
		t.Fatalf("active session = %q, want 7", got)
	}
	if ttl, _ := client.TTL(ctx, seen[0]).Result(); ttl < 20*time.Minute-5*time.Second {
		t.Errorf("last-seen TTL after a request = %s, want the 20m idle timeout again", ttl)
	}

	// Once the last-seen key expires, the session is over although its values remain.
	client.Del(ctx, seen[0])
	if got, _ := visit(t, m, "/", cookie); got != "anonymous" {
		t.Errorf("idle session = %q, want anonymous", got)
	}
	if n, _ := client.Exists(ctx, seen[0]).Result(); n != 0 {
		t.Error("a request brought the last-seen key back")
	}
}
