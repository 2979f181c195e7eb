package ratelimit

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"customer-gateway/internal/redistest"
)

// newClient returns a client of rs that fails at once while rs is stopped.
func newClient(t *testing.T, rs *redistest.Server) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: rs.Addr(), DialerRetries: 1, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	return c
}

// newLimiter returns a limiter of burst 5 that refills one unit per hour, so no unit comes
// back while a test runs.
func newLimiter(t *testing.T, client redis.UniversalClient, name string) *Redis {
	t.Helper()
	l, err := NewRedis(client, name, 1, time.Hour, 5)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLimitSharedAcrossInstances(t *testing.T) {
	rs := redistest.Start(t)
	// Two limiters with their own clients stand for the same limit in two gateways.
	a := newLimiter(t, newClient(t, rs), "login:email")
	b := newLimiter(t, newClient(t, rs), "login:email")
	ctx := context.Background()

	for i := range 5 {
		l := a
		if i%2 == 1 {
			l = b
		}
		ok, _, err := l.Allow(ctx, "ann@example.com", 1)
		if err != nil || !ok {
			t.Fatalf("attempt %d: ok = %v, err = %v; want allowed", i+1, ok, err)
		}
	}
	for name, l := range map[string]*Redis{"a": a, "b": b} {
		ok, retryAfter, err := l.Allow(ctx, "ann@example.com", 1)
		if err != nil || ok {
			t.Errorf("sixth attempt on %s: ok = %v, err = %v; want refused", name, ok, err)
		}
		if retryAfter <= 0 || retryAfter > time.Hour {
			t.Errorf("retryAfter on %s = %s, want up to the 1h refill", name, retryAfter)
		}
	}

	// Other keys and other limits have their own budget.
	if ok, _, err := a.Allow(ctx, "bob@example.com", 1); err != nil || !ok {
		t.Errorf("another key: ok = %v, err = %v", ok, err)
	}
	other := newLimiter(t, newClient(t, rs), "login:address")
	if ok, _, err := other.Allow(ctx, "ann@example.com", 1); err != nil || !ok {
		t.Errorf("same key under another limit: ok = %v, err = %v", ok, err)
	}
}

func TestLimitCost(t *testing.T) {
	rs := redistest.Start(t)
	l := newLimiter(t, newClient(t, rs), "operations")
	ctx := context.Background()

	tests := []struct {
		name    string
		cost    int
		wantOK  bool
		wantErr bool
	}{
		{"three-of-five", 3, true, false},
		{"three-more-refused", 3, false, false},
		{"two-left", 2, true, false},
		{"none-left", 1, false, false},
		{"zero-cost", 0, false, true},
		{"above-burst", 6, false, true},
	}
	for _, tt := range tests {
		ok, _, err := l.Allow(ctx, "session-1", tt.cost)
		if ok != tt.wantOK || (err != nil) != tt.wantErr {
			t.Errorf("%s: ok = %v, err = %v; want ok %v, error %v", tt.name, ok, err, tt.wantOK, tt.wantErr)
		}
	}
}

func TestLimitRedisOutage(t *testing.T) {
	rs := redistest.Start(t)
	l := newLimiter(t, newClient(t, rs), "login:address")
	ctx := context.Background()

	rs.Stop()
	ok, _, err := l.Allow(ctx, "127.0.0.1", 1)
	if ok || !errors.Is(err, ErrUnavailable) {
		t.Errorf("during the outage: ok = %v, err = %v; want refused with ErrUnavailable", ok, err)
	}

	rs.Start()
	if ok, _, err := l.Allow(ctx, "127.0.0.1", 1); err != nil || !ok {
		t.Errorf("after the restart: ok = %v, err = %v; want allowed", ok, err)
	}
}

func TestNewRedisRejectsBadLimit(t *testing.T) {
	tests := []struct {
		name   string
		rate   int
		period time.Duration
		burst  int
	}{
		{"zero-rate", 0, time.Minute, 1},
		{"zero-period", 1, 0, 1},
		{"zero-burst", 1, time.Minute, 0},
	}
	for _, tt := range tests {
		if _, err := NewRedis(redis.NewClient(&redis.Options{}), "x", tt.rate, tt.period, tt.burst); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}
