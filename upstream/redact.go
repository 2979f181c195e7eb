package upstream

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"html"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// minCutPrefix is the shortest start of a secret that a Redactor counts as the secret cut off.
// Shorter starts are too common to tell apart from ordinary text, and at most 7 bytes of a key
// of at least 16 random characters leave too little to guess the rest from.
const minCutPrefix = 8

// redactedMask replaces each secret that a Redactor finds.
const redactedMask = "[redacted]"

// Redactor finds the gateway's secrets in text that the back office sent, and masks them. It
// looks for each secret in every form a PHP back office is likely to print it in:
//   - as it is, and HTML-escaped;
//   - JSON-escaped, as PHP's json_encode writes it by default (/ as \/, non-ASCII as \uXXXX),
//     with JSON_UNESCAPED_SLASHES or JSON_UNESCAPED_UNICODE, and as Go's encoding/json writes it;
//   - URL-encoded as a query value (PHP urlencode and rawurlencode, url.QueryEscape) and as a
//     path segment (url.PathEscape), with upper- and lower-case hex digits.
//
// A start of any form, at least minCutPrefix bytes long, also counts as the secret where the
// text ends right after it or goes on with "..." or "…": a body cut off by a closed
// connection, and PHP's stack traces, which shorten string arguments to 15 bytes and add "...".
//
// NOTE: a secret written with other escapes, such as \u0053 for S inside a JSON string, is not
// found in the raw body, though the decoded value contains it.
//
// A nil *Redactor finds nothing. A Redactor is safe for concurrent use.
type Redactor struct {
	forms [][]byte // distinct, longest first, so that the longest match is masked
}

// NewRedactor returns a Redactor of the front-end API key and of the base64 text of each
// signing key, as written in UPSTREAM_SIGNING_KEYS.
func NewRedactor(key Secret, signingKeys []SigningKey) *Redactor {
	secrets := []string{string(key)}
	for _, k := range signingKeys {
		secrets = append(secrets, base64.StdEncoding.EncodeToString(k.key))
	}

	seen := map[string]bool{}
	r := &Redactor{}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, form := range secretForms(s) {
			if form != "" && !seen[form] {
				seen[form] = true
				r.forms = append(r.forms, []byte(form))
			}
		}
	}
	// Longest first: a cut-off start of a short form must not mask only part of a longer one.
	sortLongestFirst(r.forms)
	return r
}

// Contains reports whether text contains a secret in any form that r looks for.
func (r *Redactor) Contains(text []byte) bool {
	if r == nil {
		return false
	}
	for _, form := range r.forms {
		if start, _ := findForm(text, form, 0); start >= 0 {
			return true
		}
	}
	return false
}

// Redact returns text with each secret that r finds replaced by "[redacted]". It returns text
// itself when there is none.
func (r *Redactor) Redact(text string) string {
	if r == nil || !r.Contains([]byte(text)) {
		return text
	}
	b := []byte(text)
	for _, form := range r.forms {
		b = maskForm(b, form)
	}
	return string(b)
}

// clip returns the start of text for the log, at most limit bytes of valid UTF-8, with every
// secret masked before the cut, so that the cut cannot keep part of one.
func (r *Redactor) clip(text []byte, limit int) string {
	if r.Contains(text) {
		text = []byte(r.Redact(string(text)))
	}
	return clipUTF8(text, limit)
}

// findForm returns the span of the first match of form in text at or after from: the whole
// form, or a start of at least minCutPrefix bytes followed by the end of text or an ellipsis.
// It returns -1, -1 when there is none.
func findForm(text, form []byte, from int) (start, end int) {
	head := form[:min(len(form), minCutPrefix)]
	for from < len(text) {
		i := bytes.Index(text[from:], head)
		if i < 0 {
			return -1, -1
		}
		i += from
		n := len(head)
		for n < len(form) && i+n < len(text) && text[i+n] == form[n] {
			n++
		}
		rest := text[i+n:]
		if n == len(form) || len(rest) == 0 || bytes.HasPrefix(rest, []byte("...")) || bytes.HasPrefix(rest, []byte("…")) {
			return i, i + n
		}
		from = i + 1
	}
	return -1, -1
}

// maskForm replaces every match of form in text with the mask.
func maskForm(text, form []byte) []byte {
	start, end := findForm(text, form, 0)
	if start < 0 {
		return text
	}
	var out []byte
	from := 0
	for start >= 0 {
		out = append(out, text[from:start]...)
		out = append(out, redactedMask...)
		from = end
		start, end = findForm(text, form, end)
	}
	return append(out, text[from:]...)
}

// secretForms returns s as it is and in each escaped form that Redactor looks for, possibly
// with repeats.
func secretForms(s string) []string {
	forms := []string{s, html.EscapeString(s)}

	for _, slashes := range []bool{true, false} {
		for _, unicode := range []bool{true, false} {
			if text, ok := phpJSONString(s, slashes, unicode); ok {
				forms = append(forms, text)
			}
		}
	}
	if quoted, err := json.Marshal(s); err == nil {
		forms = append(forms, string(quoted[1:len(quoted)-1]))
	}

	query := url.QueryEscape(s)
	percent := []string{
		query,
		strings.ReplaceAll(query, "+", "%20"), // rawurlencode
		strings.ReplaceAll(query, "~", "%7E"), // urlencode
		url.PathEscape(s),
	}
	for _, p := range percent {
		forms = append(forms, p, lowerHex(p))
	}
	return forms
}

// phpJSONString returns the inside of the JSON string that PHP's json_encode writes for s:
// with / escaped as \/ unless JSON_UNESCAPED_SLASHES (slashes false), and non-ASCII as \uXXXX
// unless JSON_UNESCAPED_UNICODE (unicode false). It returns false for invalid UTF-8, where
// json_encode fails.
func phpJSONString(s string, slashes, unicode bool) (string, bool) {
	if !utf8.ValidString(s) {
		return "", false
	}
	const hex = "0123456789abcdef"
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '/' && slashes:
			b.WriteString(`\/`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r >= 0x80 && unicode:
			units := []rune{r}
			if r > 0xFFFF {
				r -= 0x10000
				units = []rune{0xD800 + r>>10, 0xDC00 + r&0x3FF}
			}
			for _, u := range units {
				b.WriteString(`\u`)
				b.WriteByte(hex[u>>12&0xF])
				b.WriteByte(hex[u>>8&0xF])
				b.WriteByte(hex[u>>4&0xF])
				b.WriteByte(hex[u&0xF])
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), true
}

// lowerHex returns a percent-encoded text with the hex digits of each escape in lower case.
func lowerHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1] = lowerASCII(b[i+1])
			b[i+2] = lowerASCII(b[i+2])
		}
	}
	return string(b)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// sortLongestFirst sorts forms by length, longest first.
func sortLongestFirst(forms [][]byte) {
	slices.SortStableFunc(forms, func(a, b []byte) int { return len(b) - len(a) })
}
