package session

import (
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	"github.com/redis/go-redis/v9"
)

// ErrStoreUnavailable marks a failure to reach the session store. The session the request came
// with may still be valid, so the request must fail rather than continue as anonymous.
var ErrStoreUnavailable = errors.New("session store unavailable")

// redisKeyPrefix starts the Redis key of each session.
const redisKeyPrefix = "session:"

// sessionKey and seenKey return the Redis keys of a session's values and of its last activity.
// The braces make a Cluster keep both in one slot, so one transaction can write both.
func sessionKey(id string) string { return redisKeyPrefix + "{" + id + "}" }
func seenKey(id string) string    { return "session-seen:{" + id + "}" }

// RedisStore is a gorilla/sessions store that keeps each session's values in Redis under
// "session:{id}", encrypted and signed by its codecs. The cookie contains only the signed and
// encrypted id. The key expires after the session's MaxAge. With IdleTimeout set, a second key
// "session-seen:{id}" expires after the idle timeout, and Touch extends it. Deleting a session
// deletes both keys, so every gateway sharing the Redis sees a logout on its next read. It is
// safe for concurrent use.
type RedisStore struct {
	client redis.UniversalClient
	codecs []securecookie.Codec

	// Options are the defaults of new sessions. Change them before the first request only.
	Options *sessions.Options
	// IdleTimeout, when positive, ends a session that Touch was not called for within it.
	// Change it before the first request only.
	IdleTimeout time.Duration
}

var _ sessions.Store = (*RedisStore)(nil)

// NewRedisStore returns a store on client. keyPairs are as for sessions.NewFilesystemStore:
// a signing key and an encryption key per rotation step, newest first.
func NewRedisStore(client redis.UniversalClient, keyPairs ...[]byte) *RedisStore {
	return &RedisStore{
		client:  client,
		codecs:  securecookie.CodecsFromPairs(keyPairs...),
		Options: &sessions.Options{Path: "/", MaxAge: 86400 * 30},
	}
}

// MaxAge sets the lifetime of new sessions in seconds, for the cookie, the codecs' timestamp
// check and the Redis key's TTL alike.
func (s *RedisStore) MaxAge(age int) {
	s.Options.MaxAge = age
	for _, c := range s.codecs {
		if sc, ok := c.(*securecookie.SecureCookie); ok {
			sc.MaxAge(age)
		}
	}
}

// Get returns the request's session from its registry, loading it on the first call.
func (s *RedisStore) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New loads the session whose id the request's cookie carries. Without a cookie, or when its
// session has expired or was deleted, it returns a new session with IsNew set and no error.
// A cookie that does not decode is an error from securecookie; an unreachable Redis is an error
// that matches ErrStoreUnavailable.
func (s *RedisStore) New(r *http.Request, name string) (*sessions.Session, error) {
	session := sessions.NewSession(s, name)
	opts := *s.Options
	session.Options = &opts
	session.IsNew = true

	c, err := r.Cookie(name)
	if err != nil {
		return session, nil
	}
	var id string
	if err := securecookie.DecodeMulti(name, c.Value, &id, s.codecs...); err != nil {
		return session, err
	}
	data, err := s.client.Get(r.Context(), sessionKey(id)).Result()
	if errors.Is(err, redis.Nil) {
		return session, nil
	}
	if err != nil {
		return session, fmt.Errorf("%w: reading the session: %w", ErrStoreUnavailable, err)
	}
	if err := securecookie.DecodeMulti(name, data, &session.Values, s.codecs...); err != nil {
		return session, err
	}
	session.ID = id
	session.IsNew = false
	return session, nil
}

// Save writes session to Redis with a TTL of its MaxAge and sets its cookie. A MaxAge of zero
// or less deletes the session's key and expires the cookie instead.
func (s *RedisStore) Save(r *http.Request, w http.ResponseWriter, session *sessions.Session) error {
	ctx := r.Context()
	if session.Options.MaxAge <= 0 {
		if session.ID != "" {
			if err := s.client.Del(ctx, sessionKey(session.ID), seenKey(session.ID)).Err(); err != nil {
				return fmt.Errorf("%w: deleting the session: %w", ErrStoreUnavailable, err)
			}
		}
		http.SetCookie(w, sessions.NewCookie(session.Name(), "", session.Options))
		return nil
	}

	if session.ID == "" {
		session.ID = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(securecookie.GenerateRandomKey(32))
	}
	data, err := securecookie.EncodeMulti(session.Name(), session.Values, s.codecs...)
	if err != nil {
		return err
	}
	ttl := time.Duration(session.Options.MaxAge) * time.Second
	_, err = s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, sessionKey(session.ID), data, ttl)
		if s.IdleTimeout > 0 {
			p.Set(ctx, seenKey(session.ID), "", min(s.IdleTimeout, ttl))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w: writing the session: %w", ErrStoreUnavailable, err)
	}
	cookie, err := securecookie.EncodeMulti(session.Name(), session.ID, s.codecs...)
	if err != nil {
		return err
	}
	http.SetCookie(w, sessions.NewCookie(session.Name(), cookie, session.Options))
	return nil
}

// Touch records activity of the session with id and reports whether it is still within its
// idle timeout. EXPIRE never creates a key, so a session that a logout deleted, or that was idle
// too long, stays ended. Without IdleTimeout it reports true. Redis failures are errors that
// match ErrStoreUnavailable.
func (s *RedisStore) Touch(ctx context.Context, id string) (bool, error) {
	if s.IdleTimeout <= 0 {
		return true, nil
	}
	alive, err := s.client.Expire(ctx, seenKey(id), s.IdleTimeout).Result()
	if err != nil {
		return false, fmt.Errorf("%w: recording session activity: %w", ErrStoreUnavailable, err)
	}
	return alive, nil
}

// countRedis counts the session keys in Redis. Expired sessions have no key, so every key
// counts. It scans the whole key space of each primary, so call it at scrape intervals only.
func countRedis(ctx context.Context, client redis.UniversalClient) (int, error) {
	var mu sync.Mutex
	total := 0
	countNode := func(ctx context.Context, node *redis.Client) error {
		n := 0
		iter := node.Scan(ctx, 0, redisKeyPrefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			n++
		}
		mu.Lock()
		total += n
		mu.Unlock()
		return iter.Err()
	}

	switch c := client.(type) {
	case *redis.ClusterClient:
		// ForEachMaster calls countNode for all primaries at once, hence the lock.
		err := c.ForEachMaster(ctx, countNode)
		return total, err
	case *redis.Client:
		err := countNode(ctx, c)
		return total, err
	}
	return 0, fmt.Errorf("counting sessions: unsupported Redis client %T", client)
}
