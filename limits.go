package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"customer-gateway/edge"
	"customer-gateway/ratelimit"
	"customer-gateway/resolvers"
	"customer-gateway/session"
)

// sharedLimits are the login and cost rate limits with their counters in Redis, so that they
// hold across every gateway instance sharing the Redis. They have the same rates as the
// in-memory edge.RateLimiter, but GCRA differs in two ways. A refused attempt costs nothing, so
// a client that keeps guessing gets no growing back-off. A cost charged to the client address
// stays charged when the session's limit then refuses the operation.
type sharedLimits struct {
	loginAddress, loginEmail, costAddress, costSession ratelimit.Limiter

	log  *slog.Logger
	down atomic.Bool // the last check failed to reach Redis
}

func newSharedLimits(rdb redis.UniversalClient, cfg *config, log *slog.Logger) (*sharedLimits, error) {
	l := sharedLimits{log: log}
	var err error
	if l.loginAddress, err = ratelimit.NewRedis(rdb, "login:address", cfg.addressLogins, time.Minute, cfg.addressLogins); err != nil {
		return nil, err
	}
	if l.loginEmail, err = ratelimit.NewRedis(rdb, "login:email", cfg.loginsPerMinute, time.Minute, cfg.loginsPerMinute); err != nil {
		return nil, err
	}
	if l.costAddress, err = ratelimit.NewRedis(rdb, "cost:address", cfg.costPerSecond, time.Second, cfg.costBurst); err != nil {
		return nil, err
	}
	if l.costSession, err = ratelimit.NewRedis(rdb, "cost:session", cfg.costPerSecond, time.Second, cfg.costBurst); err != nil {
		return nil, err
	}
	return &l, nil
}

// admit is the admission function of resolvers.OperationLimits. It returns an
// *edge.RateLimitError over a limit, and an error matching ratelimit.ErrUnavailable when Redis
// cannot be reached, so the operation is refused rather than let through unlimited.
func (l *sharedLimits) admit(ctx context.Context, cost resolvers.Cost) error {
	err := l.check(ctx, cost)

	// Log an outage once as it starts and once as it ends, not once per request.
	if errors.Is(err, ratelimit.ErrUnavailable) {
		if !l.down.Swap(true) {
			l.log.Error("rate limits unavailable", "error", err)
		}
	} else if l.down.Swap(false) {
		l.log.Info("rate limits reachable again")
	}
	return err
}

func (l *sharedLimits) check(ctx context.Context, cost resolvers.Cost) error {
	addr := edge.AddressKey(edge.ClientAddrFrom(ctx))
	if len(cost.LoginEmails) > 0 {
		if err := take(ctx, l.loginAddress, addr, len(cost.LoginEmails)); err != nil {
			return err
		}
		for _, e := range cost.LoginEmails {
			if err := take(ctx, l.loginEmail, edge.EmailKey(e), 1); err != nil {
				return err
			}
		}
	}

	units := max(cost.Complexity, 1)
	if err := take(ctx, l.costAddress, addr, units); err != nil {
		return err
	}
	if st := session.FromContext(ctx); st != nil && st.Key() != "" {
		return take(ctx, l.costSession, st.Key(), units)
	}
	return nil
}

// take spends cost from limiter for key, turning a refusal into an *edge.RateLimitError. A
// panic in the limiter, as the rate-limit library raises on a reply of an unexpected type, is an
// unavailable limiter too, not a crash of the operation.
func take(ctx context.Context, limiter ratelimit.Limiter, key string, cost int) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%w: the limiter failed on an unexpected reply: %v", ratelimit.ErrUnavailable, v)
		}
	}()
	ok, retryAfter, err := limiter.Allow(ctx, key, cost)
	if err != nil {
		return err
	}
	if !ok {
		return &edge.RateLimitError{RetryAfter: retryAfter}
	}
	return nil
}
