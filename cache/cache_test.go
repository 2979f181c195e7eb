package cache

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/redis/go-redis/v9"

	"customer-gateway/internal/redistest"
)

var _ graphql.Cache[string] = Strings{}

// newCache returns a cache with its own client of rs, as one gateway instance would have. It
// calls Redis again right after a failure unless retry is given.
func newCache(t *testing.T, rs *redistest.Server, retry ...time.Duration) *Cache {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: rs.Addr(), DialerRetries: 1, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	cfg := Config{Redis: c, Prefix: "test:", RetryInterval: time.Nanosecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if len(retry) > 0 {
		cfg.RetryInterval = retry[0]
	}
	return New(cfg)
}

func TestCacheSharedThroughRedis(t *testing.T) {
	rs := redistest.Start(t)
	a, b := newCache(t, rs), newCache(t, rs)
	ctx := context.Background()

	if err := a.SetMany(ctx, map[string][]byte{"1": []byte("one"), "2": []byte("two")}); err != nil {
		t.Fatal(err)
	}
	got, err := b.GetMany(ctx, []string{"1", "2", "3"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || string(got["1"]) != "one" || string(got["2"]) != "two" {
		t.Errorf("b read %q, want 1 and 2 only", got)
	}
}

func TestCacheServesMemoryDuringOutage(t *testing.T) {
	rs := redistest.Start(t)
	c := newCache(t, rs)
	ctx := context.Background()
	c.SetMany(ctx, map[string][]byte{"1": []byte("one")})

	rs.Stop()
	got, err := c.GetMany(ctx, []string{"1", "2"})
	if err == nil {
		t.Error("a Redis read during the outage returned no error")
	}
	if len(got) != 1 || string(got["1"]) != "one" {
		t.Errorf("during the outage = %q, want 1 from memory", got)
	}
	if err := c.SetMany(ctx, map[string][]byte{"2": []byte("two")}); err == nil {
		t.Error("a Redis write during the outage returned no error")
	}

	rs.Start()
	if err := c.SetMany(ctx, map[string][]byte{"3": []byte("three")}); err != nil {
		t.Errorf("write after the restart: %v", err)
	}
}

func TestCacheSkipsRedisAfterFailure(t *testing.T) {
	rs := redistest.Start(t)
	a := newCache(t, rs, time.Hour)
	b := newCache(t, rs)
	ctx := context.Background()

	rs.Stop()
	if _, err := a.GetMany(ctx, []string{"1"}); err == nil {
		t.Fatal("the first read during the outage returned no error")
	}
	rs.Start()

	// Within the retry interval a leaves Redis alone, so b cannot see a's write.
	if err := a.SetMany(ctx, map[string][]byte{"1": []byte("one")}); err != nil {
		t.Errorf("write within the retry interval: %v", err)
	}
	if got, _ := a.GetMany(ctx, []string{"1"}); string(got["1"]) != "one" {
		t.Errorf("a's memory = %q, want 1", got)
	}
	if got, err := b.GetMany(ctx, []string{"1"}); err != nil || len(got) != 0 {
		t.Errorf("b read %q, %v; want nothing, since a skipped Redis", got, err)
	}
}

func TestStringsAdapter(t *testing.T) {
	rs := redistest.Start(t)
	a, b := Strings{newCache(t, rs)}, Strings{newCache(t, rs)}
	ctx := context.Background()

	a.Add(ctx, "sha256:abc", "query { me { id } }")
	if v, ok := b.Get(ctx, "sha256:abc"); !ok || v != "query { me { id } }" {
		t.Errorf("Get = %q, %v", v, ok)
	}
	if _, ok := b.Get(ctx, "sha256:other"); ok {
		t.Error("Get found a key never added")
	}
}

func TestCacheMemoryOnly(t *testing.T) {
	c := New(Config{})
	ctx := context.Background()
	c.SetMany(ctx, map[string][]byte{"1": []byte("one")})
	got, err := c.GetMany(ctx, []string{"1", "2"})
	if err != nil || len(got) != 1 || string(got["1"]) != "one" {
		t.Errorf("GetMany = %q, %v", got, err)
	}
}
