// Package ratelimit holds the rate limiters whose counters live in Redis, so a limit holds
// across every gateway instance that shares the Redis.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// Limiter decides whether an event of a given cost may happen now for a key, such as a login
// attempt for an address. ok reports whether it may; when it may not, retryAfter is how long
// the caller should wait before the same cost would be allowed. An error means the limit could
// not be checked: callers must refuse the request rather than let it through, so a limit never
// lapses silently.
type Limiter interface {
	Allow(ctx context.Context, key string, cost int) (ok bool, retryAfter time.Duration, err error)
}

// ErrUnavailable marks a limit that could not be checked because Redis was unreachable.
var ErrUnavailable = errors.New("rate limit store unavailable")

// Redis is a Limiter that runs the generic cell rate algorithm (GCRA) in Redis, as one Lua
// script per call (go-redis/redis_rate v10), so the check and the update are atomic across
// instances. It allows Burst cost at once and refills at Rate cost per Period. It is safe for
// concurrent use.
type Redis struct {
	limiter *redis_rate.Limiter
	limit   redis_rate.Limit
	name    string
}

var _ Limiter = (*Redis)(nil)

// NewRedis returns a limiter on client. name, such as "login:address", separates this limit's
// keys from other limits'. The sustained rate is rate per period, and burst is the largest cost
// allowed at once. rate, period and burst must be positive.
func NewRedis(client redis.UniversalClient, name string, rate int, period time.Duration, burst int) (*Redis, error) {
	if rate <= 0 || period <= 0 || burst <= 0 {
		return nil, fmt.Errorf("rate limit %q: rate %d, period %s and burst %d must be positive", name, rate, period, burst)
	}
	return &Redis{
		limiter: redis_rate.NewLimiter(client),
		limit:   redis_rate.Limit{Rate: rate, Period: period, Burst: burst},
		name:    name,
	}, nil
}

// Allow spends cost for key if the limit allows it. A cost above the burst can never be
// allowed and is an error. Redis failures are errors that match ErrUnavailable.
func (l *Redis) Allow(ctx context.Context, key string, cost int) (bool, time.Duration, error) {
	if cost < 1 || cost > l.limit.Burst {
		return false, 0, fmt.Errorf("rate limit %q: cost %d is outside 1 to the burst %d", l.name, cost, l.limit.Burst)
	}
	res, err := l.limiter.AllowN(ctx, l.name+":"+key, l.limit, cost)
	if err != nil {
		return false, 0, fmt.Errorf("%w: rate limit %q: %w", ErrUnavailable, l.name, err)
	}
	if res.Allowed > 0 {
		return true, 0, nil
	}
	return false, res.RetryAfter, nil
}
