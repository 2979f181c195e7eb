package telemetry

import (
	"io"
	"log/slog"
	"strings"
)

// Redacted replaces the value of every log attribute that NewLogger treats as a secret.
const Redacted = "[redacted]"

// NewLogger returns the gateway's logger: JSON lines for production, text for development.
// The handler redacts every attribute whose key names a secret (see secretKey), whatever the
// value's type, so a value logged under such a key by mistake stays hidden. Typed secrets such
// as upstream.Secret redact themselves under any key. As a last line of defence, mask (when not
// nil) rewrites every string and error value. It masks, for example, each form of the API key
// (raw, JSON- or URL-escaped, cut off) that an upstream error may quote from a body.
func NewLogger(w io.Writer, text bool, level slog.Leveler, mask func(string) string) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		return redact(a, mask)
	}}
	if text {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func redact(a slog.Attr, mask func(string) string) slog.Attr {
	if secretKey(a.Key) && a.Value.Kind() != slog.KindGroup {
		return slog.String(a.Key, Redacted)
	}
	if mask == nil {
		return a
	}
	var text string
	switch v := a.Value.Any().(type) {
	case string:
		text = v
	case error:
		text = v.Error()
	default:
		return a
	}
	if masked := mask(text); masked != text {
		return slog.String(a.Key, masked)
	}
	return a
}

// secretKey reports whether an attribute key names a secret: a password, token, cookie,
// authorization header or key (api_key, session_keys; but not request_id or key-free names).
func secretKey(key string) bool {
	k := strings.ToLower(key)
	for _, word := range []string{"password", "secret", "token", "cookie", "authorization"} {
		if strings.Contains(k, word) {
			return true
		}
	}
	return k == "key" || k == "keys" || strings.HasSuffix(k, "_key") || strings.HasSuffix(k, "_keys")
}
