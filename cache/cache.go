// Package cache keeps short-lived copies of data that belongs to no customer, such as catalog
// products and persisted operations, in two layers: an in-memory LRU in each gateway, and Redis
// shared by all gateways when one is configured. Customer data must never be put here: it is
// cached for one request only, by that request's loaders.
package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/redis/go-redis/v9"
)

// Config sets up a Cache.
type Config struct {
	// Redis is the shared layer. Nil keeps the cache in memory only.
	Redis redis.UniversalClient
	// Prefix starts every Redis key of this cache, such as "catalog:product:", so caches
	// sharing one Redis do not collide.
	Prefix string
	// TTL is how long Redis keeps a value. The default is 30 seconds.
	TTL time.Duration
	// LocalTTL is how long the memory layer keeps a value. The default is 5 seconds. A value
	// can be served up to TTL+LocalTTL after it was read from the source.
	LocalTTL time.Duration
	// Size is the maximum number of values in memory. The default is 10000.
	Size int
	// RetryInterval is how long the cache skips Redis after a failed call, so that reads cost
	// nothing while Redis is down and at most one call per interval finds out it is back. The
	// default is one second.
	RetryInterval time.Duration
	// Logger receives the start and the end of each Redis outage. The default is
	// slog.Default().
	Logger *slog.Logger
}

// Cache maps string keys to byte values. It is safe for concurrent use.
type Cache struct {
	local  *expirable.LRU[string, []byte]
	redis  redis.UniversalClient
	prefix string
	ttl    time.Duration
	retry  time.Duration
	log    *slog.Logger

	redisDown  atomic.Bool  // the last Redis call failed
	retryAfter atomic.Int64 // Unix nanoseconds before which Redis is skipped after a failure
}

// useRedis reports whether the cache should call Redis now.
func (c *Cache) useRedis() bool {
	return c.redis != nil && time.Now().UnixNano() >= c.retryAfter.Load()
}

// New returns an empty cache. Its memory layer lives as long as the process.
func New(cfg Config) *Cache {
	if cfg.TTL <= 0 {
		cfg.TTL = 30 * time.Second
	}
	if cfg.LocalTTL <= 0 {
		cfg.LocalTTL = 5 * time.Second
	}
	if cfg.Size <= 0 {
		cfg.Size = 10000
	}
	if cfg.RetryInterval <= 0 {
		cfg.RetryInterval = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Cache{
		local:  expirable.NewLRU[string, []byte](cfg.Size, nil, cfg.LocalTTL),
		redis:  cfg.Redis,
		prefix: cfg.Prefix,
		ttl:    cfg.TTL,
		retry:  cfg.RetryInterval,
		log:    cfg.Logger,
	}
}

// GetMany returns the values of keys that either layer holds; a key that neither holds is left
// out. Values found in Redis are copied to memory. When Redis fails, GetMany returns what memory
// holds together with the error, and the caller should treat the rest as misses. Within
// RetryInterval of a failure, Redis is skipped and no error is returned.
func (c *Cache) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	found := make(map[string][]byte, len(keys))
	var missing []string
	for _, k := range keys {
		if v, ok := c.local.Get(k); ok {
			found[k] = v
		} else {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 || !c.useRedis() {
		return found, nil
	}

	// One GET per key in a pipeline rather than MGET: a Cluster spreads the keys over slots,
	// and MGET fails across slots.
	cmds := make([]*redis.StringCmd, len(missing))
	_, err := c.redis.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range missing {
			cmds[i] = p.Get(ctx, c.prefix+k)
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		err = fmt.Errorf("reading the %q cache: %w", c.prefix, err)
		c.noteRedis(err)
		return found, err
	}
	c.noteRedis(nil)
	for i, k := range missing {
		b, err := cmds[i].Bytes()
		if err != nil {
			continue
		}
		found[k] = b
		c.local.Add(k, b)
	}
	return found, nil
}

// SetMany stores values in both layers. When Redis fails, the values are still in memory. Within
// RetryInterval of a failure, only memory is written.
func (c *Cache) SetMany(ctx context.Context, values map[string][]byte) error {
	for k, v := range values {
		c.local.Add(k, v)
	}
	if len(values) == 0 || !c.useRedis() {
		return nil
	}
	_, err := c.redis.Pipelined(ctx, func(p redis.Pipeliner) error {
		for k, v := range values {
			p.Set(ctx, c.prefix+k, v, c.ttl)
		}
		return nil
	})
	if err != nil {
		err = fmt.Errorf("writing the %q cache: %w", c.prefix, err)
		c.noteRedis(err)
		return err
	}
	c.noteRedis(nil)
	return nil
}

// noteRedis logs the first Redis failure after a success and the first success after a
// failure, so an outage costs two log lines rather than one per request.
func (c *Cache) noteRedis(err error) {
	if err != nil {
		c.retryAfter.Store(time.Now().Add(c.retry).UnixNano())
		if !c.redisDown.Swap(true) {
			c.log.Warn("cache unavailable, serving from memory and the source", "prefix", c.prefix, "error", err)
		}
		return
	}
	if c.redisDown.Swap(false) {
		c.log.Info("cache reachable again", "prefix", c.prefix)
	}
}

// Strings adapts a Cache to gqlgen's graphql.Cache[string], the interface of its automatic
// persisted queries, so the operation documents clients register are shared by all gateways.
// A Redis failure reads as a miss and a write that stays in memory: the client then sends the
// whole operation again, which gqlgen accepts.
type Strings struct {
	Cache *Cache
}

// Get returns the value of key, if either layer holds it.
func (s Strings) Get(ctx context.Context, key string) (string, bool) {
	found, _ := s.Cache.GetMany(ctx, []string{key})
	v, ok := found[key]
	return string(v), ok
}

// Add stores value under key.
func (s Strings) Add(ctx context.Context, key, value string) {
	s.Cache.SetMany(ctx, map[string][]byte{key: []byte(value)})
}
