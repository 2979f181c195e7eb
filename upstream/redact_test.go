package upstream

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// echoKey is a key as openssl rand -base64 writes it: its / + and = change under JSON and URL
// escaping.
const echoKey = "SECRET/KEY/fake+0123456789abcdef="

func TestRedactorContains(t *testing.T) {
	r := NewRedactor(echoKey, nil)
	tests := []struct {
		name string
		text string
		want bool
	}{
		{"raw", `{"data":{"name":"SECRET/KEY/fake+0123456789abcdef="}}`, true},
		{"json-escaped-slashes", `{"debug":"SECRET\/KEY\/fake+0123456789abcdef="}`, true},
		{"query-escaped", `uri=/apis/x.php?key=SECRET%2FKEY%2Ffake%2B0123456789abcdef%3D&req=p`, true},
		{"query-escaped-lower-hex", `key=SECRET%2fKEY%2ffake%2b0123456789abcdef%3d`, true},
		{"path-escaped", `/apis/SECRET%2FKEY%2Ffake+0123456789abcdef=/x`, true},
		{"cut-at-end", `{"data":{"debug_key":"SECRET\/KE`, true},
		{"cut-at-end-raw", `<b>Warning</b> SECRET/K`, true},
		{"cut-by-php-trace", `#0 check_key('SECRET/KEY/fake...')`, true},
		{"cut-shorter-than-window", `{"data":{"k":"SECRET/`, false},
		{"start-followed-by-other-text", `{"data":{"k":"SECRET/KEY/other"}}`, true},
		{"start-in-message", `{"status":"fail","msg":"bad key SECRET\/KEY\/fake+0123456 for customer"}`, true},
		{"end-in-text", `{"data":{"name":"x 23456789abcdef= y"}}`, true},
		{"end-shorter-than-window", `{"data":{"name":"3456789abcdef= y"}}`, true},
		{"middle-run", `{"data":{"name":"xxKEY/fake+0123456yy"}}`, true},
		{"middle-run-without-window", `{"data":{"name":"xxECRET/KEY/fakeyy"}}`, false},
		{"json-escaped-twice", `{"data":{"name":"\"SECRET\\\/KEY\\\/fake+0123456789abcdef=\""}}`, true},
		{"json-escaped-twice-outer-unescaped-slashes", `{"name":"\"SECRET\\/KEY\\/fake+0123456789abcdef=\""}`, true},
		{"u-escape-first", `{"data":{"name":"\u0053ECRET\/KEY\/fake+0123456789abcdef="}}`, true},
		{"u-escape-every-character", `{"n":"\u0053\u0045\u0043\u0052\u0045\u0054\u002f\u004b\u0045\u0059"}`, true},
		{"u-escape-non-ascii-unrelated", `{"data":{"name":"M\u00fcller"}}`, false},
		{"html-escaped-run", `<td>x SECRET/KEY/fake+0123456789abcdef&#61; y</td>`, true},
		{"query-escaped-start", `key=SECRET%2FKEY%2Ffa&req=p`, true},
		{"base64-aligned", `{"dump":"U0VDUkVUL0tFWS9mYWtlKzAxMjM0NTY3ODlhYmNkZWY9"}`, true},
		{"base64-after-user", `{"dump":"dXNlcjpTRUNSRVQvS0VZL2Zha2UrMDEyMzQ1Njc4OWFiY2RlZj0="}`, true},
		{"base64-after-one-byte", `{"dump":"OlNFQ1JFVC9LRVkvZmFrZSswMTIzNDU2Nzg5YWJjZGVmPQ=="}`, true},
		{"unrelated", `{"data":{"name":"Ann Example"}}`, false},
		{"empty", ``, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := r.Contains([]byte(tc.text)); got != tc.want {
				t.Errorf("Contains(%q) = %v, want %v", tc.text, got, tc.want)
			}
		})
	}
}

func TestRedactorSigningKey(t *testing.T) {
	signing, err := NewSigningKey("k1", []byte("0123456789abcdef0123456789abcde?"))
	if err != nil {
		t.Fatal(err)
	}
	r := NewRedactor("front-key-0123456789", []SigningKey{signing})
	// The base64 text of the key above contains a /, which json_encode escapes.
	text := `{"keys":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZT8="}`
	if !r.Contains([]byte(text)) {
		t.Fatalf("Contains(%q) = false, want true", text)
	}
	if got := r.Redact(text); got != `{"keys":"[redacted]"}` {
		t.Errorf("Redact = %q", got)
	}
}

func TestRedactorRedact(t *testing.T) {
	r := NewRedactor(echoKey, nil)
	tests := []struct {
		name string
		text string
		want string
	}{
		{"raw-twice", "a SECRET/KEY/fake+0123456789abcdef= b SECRET/KEY/fake+0123456789abcdef=", "a [redacted] b [redacted]"},
		{"json-escaped", `"SECRET\/KEY\/fake+0123456789abcdef="`, `"[redacted]"`},
		{"query-escaped", "key=SECRET%2FKEY%2Ffake%2B0123456789abcdef%3D&req=p", "key=[redacted]&req=p"},
		{"cut-at-end", `"k":"SECRET\/KEY\/fa`, `"k":"[redacted]`},
		{"cut-by-php-trace", "f('SECRET/KEY/fake...')", "f('[redacted]...')"},
		{"start-in-text", "bad key SECRET/KEY/fake+01234 for customer", "bad key [redacted] for customer"},
		{"end-in-text", "x 6789abcdef= y", "x [redacted] y"},
		{"json-escaped-twice", `"\"SECRET\\\/KEY\\\/fake+0123456789abcdef=\""`, `"\"[redacted]\""`},
		{"u-escape", `"\u0053ECRET\/KEY\/fake+0123456789abcdef=" M\u00fcller`, `"[redacted]" M\u00fcller`},
		{"u-escape-lower-case-hex-inside", `"SECRET\u002fKEY\/fake+0123"`, `"[redacted]"`},
		{"base64", `user:key = dXNlcjpTRUNSRVQvS0VZL2Zha2UrMDEyMzQ1Njc4OWFiY2RlZj0=`, `user:key = dXNlcjp[redacted]0=`},
		{"overlapping-forms", "SECRET/KEY/fake+0123456789abcdef=SECRET%2FKEY", "[redacted]"},
		{"nothing", "Ann Example", "Ann Example"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := r.Redact(tc.text); got != tc.want {
				t.Errorf("Redact(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestRedactorNil(t *testing.T) {
	var r *Redactor
	if r.Contains([]byte(echoKey)) {
		t.Error("a nil Redactor found a secret")
	}
	if got := r.Redact(echoKey); got != echoKey {
		t.Errorf("a nil Redactor changed the text to %q", got)
	}
}

// TestClientFakeEchoesKey forces answers that the example back office does not give: a body
// that echoes the key in a known field, JSON-escaped, across the 512-byte clip of the log, or
// cut off at the end. Each must be a fault whose log text holds no part of the key.
func TestClientFakeEchoesKey(t *testing.T) {
	long := strings.Repeat("m", 500)
	tests := []struct {
		name   string
		status int
		body   func(key string) string
		// clipped is true when the key lies past the 512 bytes of the snippet.
		clipped bool
	}{
		{"known-field", 200, func(key string) string {
			return `{"status":"ok","data":{"id":"1","name":"` + key + `","email":"ann@example.com","version":"1"}}`
		}, false},
		{"json-escaped", 200, func(key string) string {
			return `{"status":"ok","data":{"id":"1","name":"Ann","debug_key":"` + strings.ReplaceAll(key, "/", `\/`) + `"}}`
		}, false},
		{"envelope-message-across-clip", 200, func(key string) string {
			return `{"status":"fail","code":"x","msg":"` + long + strings.ReplaceAll(key, "/", `\/`) + `"}`
		}, true},
		{"notice-across-clip", 200, func(key string) string {
			return "<b>Warning</b> " + strings.Repeat("w", 490) + key + "\n{}"
		}, true},
		{"cut-off-at-end", 200, func(key string) string {
			return `{"status":"ok","data":{"id":"1","debug_key":"` + key[:20]
		}, false},
		{"error-page", 500, func(key string) string {
			return "<html><body>" + long + "key=" + strings.ReplaceAll(key, "/", "%2F") + "</body></html>"
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body(r.FormValue("key"))))
			}))
			defer srv.Close()
			c, err := NewClient(Config{BaseURL: srv.URL + "/apis/", Key: echoKey, Timeout: time.Minute, Retries: -1})
			if err != nil {
				t.Fatal(err)
			}

			profile, err := c.Profile(context.Background(), "1")
			if !errors.Is(err, ErrFault) {
				t.Fatalf("error = %v, want the ErrFault category", err)
			}
			if !errors.Is(err, errSecretEchoed) {
				t.Errorf("error = %v, want the cause to name the echoed key", err)
			}
			if profile != nil {
				t.Errorf("profile = %+v, want none", profile)
			}
			var uerr *Error
			if !errors.As(err, &uerr) {
				t.Fatalf("error = %T, want *Error", err)
			}
			logged := uerr.Error() + "\n" + uerr.Snippet + "\n" + uerr.Message
			for _, part := range []string{echoKey[:windowRunes], strings.ReplaceAll(echoKey, "/", `\/`)[:windowRunes]} {
				if strings.Contains(logged, part) {
					t.Errorf("log text contains %q:\n%s", part, logged)
				}
			}
			if !tc.clipped && !strings.Contains(uerr.Snippet, redactedMask) {
				t.Errorf("snippet = %q, want the mask where the key was", uerr.Snippet)
			}
		})
	}
}
