package upstream

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Request signing follows RFC 9421 (HTTP Message Signatures) with the hmac-sha256 algorithm,
// and the body digest follows RFC 9530 (Digest Fields) with sha-256.

const (
	// signatureLabel names the gateway's signature in the Signature-Input and Signature fields.
	signatureLabel = "gateway"
	// minSigningKeyBytes is the shortest accepted key: HMAC-SHA256 gains nothing from a longer
	// one, and a shorter one weakens it.
	minSigningKeyBytes = 32
	// defaultSignatureExpiry is how long a signature stays valid after it is made.
	defaultSignatureExpiry = 30 * time.Second
)

// SigningKey is one shared HMAC-SHA256 key of the request signatures, with the id by which the
// back office finds it. Every fmt verb and slog print only the id, with a mask for the key.
type SigningKey struct {
	ID  string
	key []byte
}

// String returns the key id with a mask in place of the key.
func (k SigningKey) String() string { return k.ID + ":[redacted]" }

// Secret returns a copy of the key's bytes, for checks of its strength; nothing may print it.
func (k SigningKey) Secret() []byte { return bytes.Clone(k.key) }

// Format prints k as String does, whatever the verb, because fmt would otherwise print the
// unexported key bytes.
func (k SigningKey) Format(f fmt.State, _ rune) { f.Write([]byte(k.String())) }

// LogValue prints k as String does.
func (k SigningKey) LogValue() slog.Value { return slog.StringValue(k.String()) }

// NewSigningKey returns a signing key, or an error when id is not a valid key id or key is
// shorter than 32 bytes. An invalid id is left out of the error, because it may be a key
// pasted in the wrong place.
func NewSigningKey(id string, key []byte) (SigningKey, error) {
	if !validKeyID(id) {
		return SigningKey{}, errors.New("a signing key id is invalid: use 1 to 64 letters, digits, dots, dashes or underscores")
	}
	if len(key) < minSigningKeyBytes {
		return SigningKey{}, fmt.Errorf("signing key %q is %d bytes long; it must be at least %d (openssl rand -base64 32)", id, len(key), minSigningKeyBytes)
	}
	return SigningKey{ID: id, key: append([]byte(nil), key...)}, nil
}

// ParseSigningKeys parses comma-separated keyid:base64key pairs, newest first. Each key must
// be canonical standard base64 of at least 32 bytes, and ids must not repeat. Errors name a
// pair by its position, or by its id once the pair has decoded, and never show a key.
func ParseSigningKeys(s string) ([]SigningKey, error) {
	var keys []SigningKey
	seen := map[string]bool{}
	for i, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		id, encoded, ok := strings.Cut(pair, ":")
		if !ok {
			return nil, fmt.Errorf("signing key %d (counting from 1) must be written as keyid:base64key", i+1)
		}
		if !validKeyID(id) {
			return nil, fmt.Errorf("the id of signing key %d (counting from 1) is invalid: use 1 to 64 letters, digits, dots, dashes or underscores", i+1)
		}
		// Strict rejects a spelling whose last character sets unused bits. Each key then has
		// one base64 text, which the Redactor looks for in responses.
		raw, err := base64.StdEncoding.Strict().DecodeString(encoded)
		if err != nil {
			// The id is left out: a key pasted before the colon would pass as an id.
			return nil, fmt.Errorf("signing key %d (counting from 1) is not valid canonical base64: write it as openssl rand -base64 32 prints it", i+1)
		}
		key, err := NewSigningKey(id, raw)
		if err != nil {
			return nil, err
		}
		if seen[id] {
			return nil, fmt.Errorf("signing key id %q is listed twice", id)
		}
		seen[id] = true
		keys = append(keys, key)
	}
	if len(keys) == 0 {
		return nil, errors.New("no signing key is listed")
	}
	return keys, nil
}

// validKeyID reports whether id fits ^[A-Za-z0-9._-]{1,64}$, so that it needs no escaping in a
// structured field string.
func validKeyID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := range len(id) {
		c := id[i]
		if !(isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Signer signs requests to the back office with one key. It covers the method, the target URI
// and, when there is a body, its Content-Digest, with the parameters created, expires, nonce,
// keyid and alg. The zero value is not usable; create one with NewSigner. A Signer is safe for
// concurrent use as long as its fields are not changed.
type Signer struct {
	key SigningKey
	// Expires is how long a signature stays valid after it is made. NewSigner sets 30 seconds.
	Expires time.Duration
	// Now returns the signing time. NewSigner sets time.Now; tests set it to sign in the past.
	Now func() time.Time
}

// Format prints the signing key's id and the expiry, never the key, whatever the verb.
func (s *Signer) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "Signer{key: %s, expires: %s}", s.key, s.Expires)
}

// LogValue prints s as Format does.
func (s *Signer) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(s)) }

// NewSigner returns a Signer for key with the default expiry and clock.
func NewSigner(key SigningKey) *Signer {
	return &Signer{key: key, Expires: defaultSignatureExpiry, Now: time.Now}
}

// Sign adds the Content-Digest (when body is not empty), Signature-Input and Signature header
// fields to req. body must be the exact bytes that req sends.
func (s *Signer) Sign(req *http.Request, body []byte) error {
	components := []string{"@method", "@target-uri"}
	if len(body) > 0 {
		req.Header.Set("Content-Digest", ContentDigest(body))
		components = append(components, "content-digest")
	}
	nonce, err := newNonce()
	if err != nil {
		return err
	}
	now := s.Now()
	params := signatureParams{
		created: now.Unix(),
		expires: now.Add(s.Expires).Unix(),
		nonce:   nonce,
		keyID:   s.key.ID,
		alg:     "hmac-sha256",
	}
	return signRequest(req, s.key.key, signatureLabel, components, params)
}

// ContentDigest returns the RFC 9530 Content-Digest field value of body with sha-256.
func ContentDigest(body []byte) string {
	sum := sha256.Sum256(body)
	return "sha-256=:" + base64.StdEncoding.EncodeToString(sum[:]) + ":"
}

// signatureParams are the signature parameters of RFC 9421 section 2.3. Zero values are left
// out of the serialization.
type signatureParams struct {
	created int64
	expires int64
	nonce   string
	keyID   string
	alg     string
}

// serialize returns the inner list of covered components with the parameters, as the
// Signature-Input field and the @signature-params line carry it.
func (p signatureParams) serialize(components []string) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, c := range components {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Quote(c))
	}
	b.WriteByte(')')
	if p.created != 0 {
		b.WriteString(";created=" + strconv.FormatInt(p.created, 10))
	}
	if p.expires != 0 {
		b.WriteString(";expires=" + strconv.FormatInt(p.expires, 10))
	}
	if p.nonce != "" {
		b.WriteString(`;nonce="` + p.nonce + `"`)
	}
	if p.keyID != "" {
		b.WriteString(`;keyid="` + p.keyID + `"`)
	}
	if p.alg != "" {
		b.WriteString(`;alg="` + p.alg + `"`)
	}
	return b.String()
}

// signRequest builds the signature base of req over components, signs it with HMAC-SHA256 under
// key and sets the Signature-Input and Signature fields under label.
func signRequest(req *http.Request, key []byte, label string, components []string, params signatureParams) error {
	base, input, err := signatureBase(req, components, params)
	if err != nil {
		return err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(base))
	req.Header.Set("Signature-Input", label+"="+input)
	req.Header.Set("Signature", label+"=:"+base64.StdEncoding.EncodeToString(mac.Sum(nil))+":")
	return nil
}

// signatureBase returns the signature base of RFC 9421 section 2.5 and the serialized
// signature parameters. Component names must be lowercase; header fields and the derived
// components @method, @target-uri, @authority, @path and @query are supported.
func signatureBase(req *http.Request, components []string, params signatureParams) (base, input string, err error) {
	var b strings.Builder
	for _, name := range components {
		value, err := componentValue(req, name)
		if err != nil {
			return "", "", err
		}
		b.WriteString(strconv.Quote(name) + ": " + value + "\n")
	}
	input = params.serialize(components)
	b.WriteString(`"@signature-params": ` + input)
	return b.String(), input, nil
}

// componentValue returns the value of one covered component of req.
func componentValue(req *http.Request, name string) (string, error) {
	switch name {
	case "@method":
		return req.Method, nil
	case "@target-uri":
		return req.URL.String(), nil
	case "@authority":
		return authority(req), nil
	case "@path":
		if p := req.URL.EscapedPath(); p != "" {
			return p, nil
		}
		return "/", nil
	case "@query":
		return "?" + req.URL.RawQuery, nil
	}
	if strings.HasPrefix(name, "@") || name != strings.ToLower(name) {
		return "", fmt.Errorf("signature component %q is not supported", name)
	}
	values := req.Header.Values(name)
	if len(values) == 0 {
		return "", fmt.Errorf("signature component %q is missing from the request", name)
	}
	trimmed := make([]string, len(values))
	for i, v := range values {
		trimmed[i] = strings.TrimSpace(v)
	}
	return strings.Join(trimmed, ", "), nil
}

// authority returns the request's host in lowercase, without the scheme's default port.
func authority(req *http.Request) string {
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	host = strings.ToLower(host)
	switch {
	case req.URL.Scheme == "http" && strings.HasSuffix(host, ":80"):
		host = strings.TrimSuffix(host, ":80")
	case req.URL.Scheme == "https" && strings.HasSuffix(host, ":443"):
		host = strings.TrimSuffix(host, ":443")
	}
	return host
}

// newNonce returns 128 random bits in unpadded base64url, which needs no escaping in a
// structured field string.
func newNonce() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("reading a random nonce failed: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}
