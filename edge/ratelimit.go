package edge

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"
)

// RateLimitError reports a request over a rate limit. The error presenter turns it into
// RATE_LIMITED with retryAfter, and the response goes out with HTTP 429.
type RateLimitError struct {
	// RetryAfter is how long the client should wait before it tries again.
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("rate limited: retry after %s", e.RetryAfter)
}

// RateLimitConfig sets up RateLimiter. Zero fields take the defaults of NewRateLimiter.
type RateLimitConfig struct {
	// LoginsPerMinute is the sustained number of login attempts per email address; up to this
	// many may also come at once.
	LoginsPerMinute int
	// AddressLoginsPerMinute is the same per client address. It is higher, because one office
	// or mobile carrier puts many customers behind one address.
	AddressLoginsPerMinute int
	// CostPerSecond is the sustained operation cost per session and per client address.
	CostPerSecond int
	// CostBurst is the cost a session or address may spend at once. It must be at least the
	// complexity limit, or the largest allowed operation could never run.
	CostBurst int
	// MaxKeys bounds the number of addresses, emails and sessions tracked in each table; the
	// least recently seen ones are dropped first.
	MaxKeys int
}

// RateLimiter keeps token buckets (golang.org/x/time/rate) in memory, keyed by client address,
// email and session, each table bounded by an LRU. It is safe for concurrent use.
//
// NOTE: the buckets live in one process. Several gateway instances behind a load balancer each
// allow the full rate.
type RateLimiter struct {
	cfg    RateLimitConfig
	logins *lru.Cache[string, *rate.Limiter]
	costs  *lru.Cache[string, *rate.Limiter]
	now    func() time.Time
}

// NewRateLimiter returns a RateLimiter for cfg. The defaults are 5 logins a minute per email and
// 50 per address, a cost of 2000 a second and a burst of 10000, and 100000 keys per table.
func NewRateLimiter(cfg RateLimitConfig) *RateLimiter {
	if cfg.LoginsPerMinute <= 0 {
		cfg.LoginsPerMinute = 5
	}
	if cfg.AddressLoginsPerMinute <= 0 {
		cfg.AddressLoginsPerMinute = 50
	}
	if cfg.CostPerSecond <= 0 {
		cfg.CostPerSecond = 2000
	}
	if cfg.CostBurst <= 0 {
		cfg.CostBurst = 10000
	}
	if cfg.MaxKeys <= 0 {
		cfg.MaxKeys = 100000
	}
	logins, _ := lru.New[string, *rate.Limiter](cfg.MaxKeys)
	costs, _ := lru.New[string, *rate.Limiter](cfg.MaxKeys)
	return &RateLimiter{cfg: cfg, logins: logins, costs: costs, now: time.Now}
}

// AllowLogin charges one login attempt per email to the client address, then one to each email.
// It returns a *RateLimitError when the address or an email is over its limit. Refused attempts
// count too, up to a delay of 15 minutes, so a client that keeps guessing backs itself off.
func (l *RateLimiter) AllowLogin(addr string, emails []string) error {
	perAddress := rate.Every(time.Minute / time.Duration(l.cfg.AddressLoginsPerMinute))
	if err := l.take(l.logins, []string{"addr:" + addr}, len(emails), perAddress, l.cfg.AddressLoginsPerMinute, true); err != nil {
		return err
	}
	perEmail := rate.Every(time.Minute / time.Duration(l.cfg.LoginsPerMinute))
	var keys []string
	for _, e := range emails {
		keys = append(keys, "email:"+EmailKey(e))
	}
	return l.take(l.logins, keys, 1, perEmail, l.cfg.LoginsPerMinute, true)
}

// EmailKey returns the rate-limit key of an email: a hash of its normalized form. A key has a
// fixed size whatever a client sends, so a table or a Redis of counters stays small, and no
// customer's email appears in a key name.
func EmailKey(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:16])
}

// AddressKey returns the rate-limit key of a client address: an IPv4 address itself, and an
// IPv6 address's /64 prefix. A provider gives one customer a whole /64, so keying by the full
// address would give a client a fresh bucket for every request. Text that is not an address is
// its own key.
func AddressKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil || !ip.Is6() || ip.Is4In6() {
		return addr
	}
	prefix, err := ip.WithZone("").Prefix(64)
	if err != nil {
		return addr
	}
	return prefix.String()
}

// AllowCost charges an operation's cost to the client address and, when there is one, to the
// session. It returns a *RateLimitError, and charges nothing, when either is over its limit.
func (l *RateLimiter) AllowCost(addr, session string, cost int) error {
	if cost < 1 {
		cost = 1
	}
	keys := []string{"addr:" + addr}
	if session != "" {
		keys = append(keys, "session:"+session)
	}
	return l.take(l.costs, keys, cost, rate.Limit(l.cfg.CostPerSecond), l.cfg.CostBurst, false)
}

// maxLoginBackoff caps how far refused login attempts push back the next allowed one.
const maxLoginBackoff = 15 * time.Minute

// take reserves n tokens from the bucket of every key, or none of them. With backoff set, a
// refused request keeps its reservations while they delay the bucket by less than
// maxLoginBackoff, so every attempt made while refused pushes the next allowed one further out.
func (l *RateLimiter) take(table *lru.Cache[string, *rate.Limiter], keys []string, n int, r rate.Limit, burst int, backoff bool) error {
	now := l.now()
	var taken []*rate.Reservation
	var wait time.Duration
	for _, k := range keys {
		lim, ok := table.Get(k)
		if !ok {
			lim = rate.NewLimiter(r, burst)
			if prev, found, _ := table.PeekOrAdd(k, lim); found {
				lim = prev
			}
		}
		res := lim.ReserveN(now, n)
		if !res.OK() {
			wait = max(wait, time.Duration(float64(n)/float64(r)*float64(time.Second)))
			continue
		}
		if d := res.DelayFrom(now); d > 0 {
			wait = max(wait, d)
		}
		taken = append(taken, res)
	}
	if wait == 0 {
		return nil
	}
	if !backoff || wait > maxLoginBackoff {
		for _, res := range taken {
			res.CancelAt(now)
		}
	}
	return &RateLimitError{RetryAfter: wait}
}
