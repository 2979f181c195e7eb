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

// windowRunes is the length, in characters of a secret, of the windows that a Redactor looks
// for. The windows of a secret start at characters 0, windowRunes, 2*windowRunes, ... and one
// more covers its last windowRunes characters. Any run of the secret of at least
// 2*windowRunes-1 characters, and any start or end of at least windowRunes characters,
// therefore contains a whole window. 8 characters of a random base64 key carry 48 bits, which
// ordinary text does not contain by chance.
//
// NOTE: a weak key, such as a development key of words or digits ("dev-key-01234567"), has
// windows that ordinary data may contain, such as "01234567". Each such match turns a response
// into a fault. Production keys come from openssl rand -base64 32.
const windowRunes = 8

// redactedMask replaces each secret that a Redactor finds.
const redactedMask = "[redacted]"

// Redactor finds the gateway's secrets in text that the back office sent, and masks them. It
// looks for each secret in every form a PHP back office is likely to print it in:
//   - as it is, and HTML-escaped;
//   - JSON-escaped, as PHP's json_encode writes it by default (/ as \/, non-ASCII as \uXXXX),
//     with JSON_UNESCAPED_SLASHES or JSON_UNESCAPED_UNICODE, and as Go's encoding/json writes it;
//   - JSON-escaped twice, as json_encode writes a string that already holds JSON (/ as \\\/);
//   - with any ASCII character written as a \uXXXX escape, in the forms above;
//   - URL-encoded as a query value (PHP urlencode and rawurlencode, url.QueryEscape) and as a
//     path segment (url.PathEscape), with upper- and lower-case hex digits;
//   - base64-encoded in any of the three alignments, as in base64("user:" . key), as it is and
//     with / as \/.
//
// It finds any run of a form that contains a whole window (see windowRunes). Such a run may be
// a start cut off by a closed connection or by a PHP stack trace (which shortens string
// arguments to 15 bytes), an end, or a run inside other text. It masks the run as far as the
// text goes on matching that form.
//
// NOTE: a run of fewer than 2*windowRunes-1 characters from the middle of a secret, a form
// that mixes upper- and lower-case hex escapes, a \uXXXX escape inside a doubly JSON-encoded
// string, and other encodings (base64url, hex, gzip) are not found.
//
// A nil *Redactor finds nothing. A Redactor is safe for concurrent use.
type Redactor struct {
	forms   []secretForm
	needles needleSet // the distinct windows of every form, for Contains
}

// secretForm is one escaped form of a secret, cut into the escaped text of each character, so
// that a match can be extended one character at a time.
type secretForm struct {
	units   []string // the escaped text of each character of the secret
	windows []formWindow
}

// formWindow is the escaped text of the windowRunes characters of a secret from start on.
type formWindow struct {
	start  int
	needle []byte
}

// NewRedactor returns a Redactor of the front-end API key and of the base64 text of each
// signing key, as written in UPSTREAM_SIGNING_KEYS.
func NewRedactor(key Secret, signingKeys []SigningKey) *Redactor {
	secrets := []string{string(key)}
	for _, k := range signingKeys {
		secrets = append(secrets, base64.StdEncoding.EncodeToString(k.key))
	}

	seenForm := map[string]bool{}
	r := &Redactor{}
	add := func(units []string) {
		joined := strings.Join(units, "\x00")
		if len(units) == 0 || seenForm[joined] {
			return
		}
		seenForm[joined] = true
		form := secretForm{units: units, windows: windowsOf(units)}
		r.forms = append(r.forms, form)
		for _, w := range form.windows {
			r.needles.add(w.needle)
		}
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, units := range secretForms(s) {
			add(units)
		}
		for _, b := range base64Runs(s) {
			add(escapeUnits(b, identity))
			add(escapeUnits(b, jsonSlashes))
		}
	}
	return r
}

// windowsOf returns the windows of a form: windowRunes characters from 0, windowRunes, ... and
// the last windowRunes, or the whole form when it is shorter.
func windowsOf(units []string) []formWindow {
	var starts []int
	for i := 0; i+windowRunes <= len(units); i += windowRunes {
		starts = append(starts, i)
	}
	if last := max(len(units)-windowRunes, 0); len(starts) == 0 || starts[len(starts)-1] != last {
		starts = append(starts, last)
	}
	windows := make([]formWindow, 0, len(starts))
	for _, i := range starts {
		end := min(i+windowRunes, len(units))
		windows = append(windows, formWindow{start: i, needle: []byte(strings.Join(units[i:end], ""))})
	}
	return windows
}

// Contains reports whether text contains a secret in any form that r looks for.
func (r *Redactor) Contains(text []byte) bool {
	if r == nil {
		return false
	}
	if r.needles.foundIn(text) {
		return true
	}
	if !hasASCIIEscape(text) {
		return false
	}
	norm, _ := unescapeASCII(text)
	return r.needles.foundIn(norm.text)
}

// Redact returns text with each secret that r finds replaced by "[redacted]". It returns text
// itself when there is none.
func (r *Redactor) Redact(text string) string {
	if r == nil || !r.Contains([]byte(text)) {
		return text
	}
	b := []byte(text)
	spans := r.spans(b)
	if norm, ok := unescapeASCII(b); ok {
		for _, s := range r.spans(norm.text) {
			spans = append(spans, [2]int{norm.start[s[0]], norm.end[s[1]-1]})
		}
	}
	return string(maskSpans(b, spans))
}

// clip returns the start of text for the log, at most limit bytes of valid UTF-8, with every
// secret masked before the cut, so that the cut cannot keep part of one.
func (r *Redactor) clip(text []byte, limit int) string {
	if r.Contains(text) {
		text = []byte(r.Redact(string(text)))
	}
	return clipUTF8(text, limit)
}

// spans returns the byte ranges of text that match a run of a form containing a whole window,
// each extended as far as text goes on matching that form. Ranges may overlap.
func (r *Redactor) spans(text []byte) [][2]int {
	var spans [][2]int
	for _, form := range r.forms {
		for _, w := range form.windows {
			for from := 0; from < len(text); {
				i := bytes.Index(text[from:], w.needle)
				if i < 0 {
					break
				}
				start := from + i
				end := start + len(w.needle)
				for u := w.start - 1; u >= 0 && bytes.HasSuffix(text[:start], []byte(form.units[u])); u-- {
					start -= len(form.units[u])
				}
				for u := w.start + windowRunes; u < len(form.units) && bytes.HasPrefix(text[end:], []byte(form.units[u])); u++ {
					end += len(form.units[u])
				}
				spans = append(spans, [2]int{start, end})
				from = end
			}
		}
	}
	return spans
}

// maskSpans replaces the union of spans in text with one mask for each run of overlapping or
// touching spans.
func maskSpans(text []byte, spans [][2]int) []byte {
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	var out []byte
	from := 0
	for i := 0; i < len(spans); {
		start, end := spans[i][0], spans[i][1]
		for i++; i < len(spans) && spans[i][0] <= end; i++ {
			end = max(end, spans[i][1])
		}
		out = append(out, text[from:start]...)
		out = append(out, redactedMask...)
		from = end
	}
	return append(out, text[from:]...)
}

// unescapedText is text with each \uXXXX escape of an ASCII character replaced by the
// character. start[i] and end[i] are the offsets in the original text of the bytes that
// produced byte i.
type unescapedText struct {
	text       []byte
	start, end []int
}

// unescapeASCII replaces each \u0000 to \u007F escape in text (hex digits in either case) with
// the character it stands for. It returns false when text has none, which is the common case:
// json_encode escapes only control characters and, by default, non-ASCII ones. It decodes
// escapes outside JSON strings and after an escaped backslash too, which can only mask more.
func unescapeASCII(text []byte) (unescapedText, bool) {
	if !hasASCIIEscape(text) {
		return unescapedText{}, false
	}
	var u unescapedText
	found := false
	for i := 0; i < len(text); {
		if c, ok := asciiEscape(text[i:]); ok {
			u.text = append(u.text, c)
			u.start = append(u.start, i)
			u.end = append(u.end, i+6)
			i += 6
			found = true
			continue
		}
		u.text = append(u.text, text[i])
		u.start = append(u.start, i)
		u.end = append(u.end, i+1)
		i++
	}
	return u, found
}

// hasASCIIEscape reports whether text contains a \u0000 to \u007F escape.
func hasASCIIEscape(text []byte) bool {
	for {
		i := bytes.Index(text, []byte(`\u00`))
		if i < 0 {
			return false
		}
		if _, ok := asciiEscape(text[i:]); ok {
			return true
		}
		text = text[i+1:]
	}
}

// asciiEscape returns the character of a \u0000 to \u007F escape at the start of b.
func asciiEscape(b []byte) (byte, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' || b[2] != '0' || b[3] != '0' || b[4] < '0' || b[4] > '7' {
		return 0, false
	}
	lo := hexValue(b[5])
	if lo < 0 {
		return 0, false
	}
	return byte(int(b[4]-'0')<<4 | lo), true
}

func hexValue(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// base64Runs returns the base64 text of s in each of the three alignments that s can have in a
// longer input, such as "user:" + s, without the characters at either end that depend on the
// bytes around s.
func base64Runs(s string) []string {
	var runs []string
	for pad := 0; pad < 3; pad++ {
		encoded := base64.StdEncoding.EncodeToString(append(make([]byte, pad), s...))
		// Character i covers input bits [6i, 6i+6); keep those inside the bits of s.
		first := (8*pad + 5) / 6
		last := 8 * (pad + len(s)) / 6
		if last > first {
			runs = append(runs, encoded[first:last])
		}
	}
	return runs
}

// secretForms returns s as it is and in each escaped form that Redactor looks for, each as the
// escaped text of every character, possibly with repeats.
func secretForms(s string) [][]string {
	encoders := []func(string) string{identity, html.EscapeString}

	phpJSON := func(slashes, unicode bool) func(string) string {
		return func(c string) string {
			text, _ := phpJSONString(c, slashes, unicode)
			return text
		}
	}
	for _, slashes := range []bool{true, false} {
		for _, unicode := range []bool{true, false} {
			encoders = append(encoders, phpJSON(slashes, unicode))
		}
	}
	encoders = append(encoders, func(c string) string {
		quoted, _ := json.Marshal(c)
		return string(quoted[1 : len(quoted)-1])
	})
	// json_encode of a string that already holds JSON, with and without JSON_UNESCAPED_SLASHES
	// in the outer call.
	for _, outerSlashes := range []bool{true, false} {
		encoders = append(encoders, func(c string) string {
			inner, _ := phpJSONString(c, true, true)
			outer, _ := phpJSONString(inner, outerSlashes, true)
			return outer
		})
	}

	rawURL := func(c string) string { return strings.ReplaceAll(url.QueryEscape(c), "+", "%20") }
	phpURL := func(c string) string { return strings.ReplaceAll(url.QueryEscape(c), "~", "%7E") }
	for _, escape := range []func(string) string{url.QueryEscape, rawURL, phpURL, url.PathEscape} {
		encoders = append(encoders, escape, func(c string) string { return lowerHex(escape(c)) })
	}

	var forms [][]string
	for i, encode := range encoders {
		// JSON-escaping fails on invalid UTF-8, as json_encode does; keep the raw and HTML forms.
		if i >= 2 && !utf8.ValidString(s) {
			break
		}
		forms = append(forms, escapeUnits(s, encode))
	}
	return forms
}

// escapeUnits returns the text of each character of s, as encode escapes it. It splits invalid
// UTF-8 into bytes.
func escapeUnits(s string, encode func(string) string) []string {
	units := make([]string, 0, len(s))
	for len(s) > 0 {
		_, size := utf8.DecodeRuneInString(s)
		units = append(units, encode(s[:size]))
		s = s[size:]
	}
	return units
}

func identity(s string) string { return s }

// jsonSlashes escapes / as \/, as json_encode does; base64 text has no other character that
// JSON escapes.
func jsonSlashes(s string) string { return strings.ReplaceAll(s, "/", `\/`) }

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
