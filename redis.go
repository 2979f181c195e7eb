package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// REDIS_URL names one Redis deployment in one of three forms, distinguished by query parameters:
//
//	redis[s]://[user:password@]host:port/db                            a single node
//	redis[s]://[user:password@]host:port?master_name=NAME&addr=h2:p2   Sentinel: the host and
//	    each addr are sentinels; username and password parameters log in to the primary
//	redis[s]://[user:password@]host:port?cluster=true&addr=h2:p2       Cluster: the host and
//	    each addr are seed nodes
//
// rediss turns TLS on. The remaining query parameters are go-redis v9's (dial_timeout,
// pool_size, skip_verify and others); an unknown one is an error. Without dialer_retries and
// max_retries, a connection is dialled at most twice and a command retried once. With go-redis'
// defaults (five dials, three retries) a request waited about two seconds while Redis was down,
// where a quick SESSION_STORE_UNAVAILABLE serves the customer better.

// redisOpener connects to the deployment a REDIS_URL names.
type redisOpener func() redis.UniversalClient

// parseRedisURL checks raw and returns how to connect to it, without connecting.
func parseRedisURL(raw string) (redisOpener, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return nil, errors.New("it must be a redis:// or rediss:// URL with a host, such as redis://127.0.0.1:6379/0")
	}
	q := u.Query()

	switch {
	case q.Has("master_name"):
		opts, err := redis.ParseFailoverURL(raw)
		if err != nil {
			return nil, cleanRedisError(err)
		}
		tuneRedis(q, &opts.DialerRetries, &opts.MaxRetries, &opts.ReadTimeout, &opts.WriteTimeout)
		opts.ContextTimeoutEnabled = true
		return func() redis.UniversalClient { return redis.NewFailoverClient(opts) }, nil

	case q.Has("cluster"):
		if v := q.Get("cluster"); v != "true" {
			return nil, fmt.Errorf("cluster=%q is invalid: use cluster=true or leave it out", v)
		}
		q.Del("cluster")
		u.RawQuery = q.Encode()
		opts, err := redis.ParseClusterURL(u.String())
		if err != nil {
			return nil, cleanRedisError(err)
		}
		tuneRedis(q, &opts.DialerRetries, &opts.MaxRetries, &opts.ReadTimeout, &opts.WriteTimeout)
		opts.ContextTimeoutEnabled = true
		return func() redis.UniversalClient { return redis.NewClusterClient(opts) }, nil
	}

	opts, err := redis.ParseURL(raw)
	if err != nil {
		return nil, cleanRedisError(err)
	}
	tuneRedis(q, &opts.DialerRetries, &opts.MaxRetries, &opts.ReadTimeout, &opts.WriteTimeout)
	opts.ContextTimeoutEnabled = true
	return func() redis.UniversalClient { return redis.NewClient(opts) }, nil
}

// tuneRedis sets the gateway's defaults for what the URL query q leaves out. A Redis that
// hangs must fail a request as fast as one that refuses connections. So reads and writes get a
// short timeout instead of go-redis' three seconds. The caller also sets ContextTimeoutEnabled,
// which makes go-redis honour the request's own deadline.
func tuneRedis(q url.Values, dialerRetries, maxRetries *int, readTimeout, writeTimeout *time.Duration) {
	if !q.Has("dialer_retries") {
		*dialerRetries = defaultDialerRetries
	}
	if !q.Has("max_retries") {
		*maxRetries = defaultMaxRetries
	}
	if !q.Has("read_timeout") {
		*readTimeout = defaultRedisTimeout
	}
	if !q.Has("write_timeout") {
		*writeTimeout = defaultRedisTimeout
	}
}

// The number of dial attempts per connection and of retries per command, unless REDIS_URL sets
// dialer_retries or max_retries.
const (
	defaultDialerRetries = 2
	defaultMaxRetries    = 1
	defaultRedisTimeout  = 300 * time.Millisecond
)

// silenceRedis turns off go-redis' own log, which prints every failed dial with the standard
// logger. The gateway logs each Redis outage itself, once as it starts and once as it ends.
var silenceRedis = sync.OnceFunc(func() { redis.SetLogger(discardRedisLog{}) })

type discardRedisLog struct{}

func (discardRedisLog) Printf(context.Context, string, ...any) {}

// cleanRedisError drops go-redis' "redis: " prefix from a URL parse error, whose text names
// only parameters, never their values.
func cleanRedisError(err error) error {
	return errors.New(strings.TrimPrefix(err.Error(), "redis: "))
}

// redactRedisURL masks the passwords of a REDIS_URL: in its user information, in every query
// parameter whose name contains "password" (password, sentinel_password), and in the user
// information of the addr seeds of Sentinel and Cluster.
func redactRedisURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid)"
	}
	q := u.Query()
	for name, values := range q {
		for i, v := range values {
			switch {
			case strings.Contains(strings.ToLower(name), "password"):
				values[i] = "xxxxx"
			case name == "addr" && strings.Contains(v, "@"):
				values[i] = "xxxxx@" + v[strings.LastIndex(v, "@")+1:]
			}
		}
	}
	u.RawQuery = q.Encode()
	return u.Redacted()
}

// redisHosts returns the hosts a REDIS_URL reaches: its own and those of its addr seeds.
func redisHosts(u *url.URL) []string {
	hosts := []string{u.Hostname()}
	for _, seed := range u.Query()["addr"] {
		if i := strings.LastIndex(seed, "@"); i >= 0 {
			seed = seed[i+1:]
		}
		if host, _, err := net.SplitHostPort(seed); err == nil {
			hosts = append(hosts, host)
		} else {
			hosts = append(hosts, seed)
		}
	}
	return hosts
}
