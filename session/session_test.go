package session

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// clock is a settable time for the Manager.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// identityAt sends a request with cookie through m's middleware and returns its identity.
func identityAt(m *Manager, cookie *http.Cookie) *Identity {
	var got *Identity
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = IdentityFrom(r.Context())
	}))
	req := httptest.NewRequest("POST", "/graphql", nil)
	req.AddCookie(cookie)
	h.ServeHTTP(httptest.NewRecorder(), req)
	return got
}

func TestAbsoluteTimeout(t *testing.T) {
	c := &clock{now: time.Now()}
	m, err := NewManager(Config{Keys: [][]byte{make([]byte, 32)}, Dir: t.TempDir(), Secure: true, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}

	rec := httptest.NewRecorder()
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := FromContext(r.Context()).Login("7"); err != nil {
			t.Fatal(err)
		}
	}))
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/graphql", nil))
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("cookies = %v", cookies)
	}

	// The session stays active, with a request every 20 minutes, for 12 hours and no more.
	// Each request refreshes the last-seen time, so only the absolute timeout can end it.
	start := c.now
	for c.now = start; c.now.Sub(start) < 12*time.Hour; c.now = c.now.Add(20 * time.Minute) {
		if id := identityAt(m, cookies[0]); id == nil || id.CustomerID != "7" {
			t.Fatalf("at %s: identity = %v, want customer 7", c.now.Sub(start), id)
		}
	}
	c.now = start.Add(12*time.Hour + time.Minute)
	if id := identityAt(m, cookies[0]); id != nil {
		t.Errorf("at %s: identity = %v, want none", c.now.Sub(start), id)
	}
}
