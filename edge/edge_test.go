package edge

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestSiteHeadersHSTSOnlyOverTLS(t *testing.T) {
	h := SiteHeaders(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for _, overTLS := range []bool{false, true} {
		req := httptest.NewRequest("GET", "/", nil)
		if overTLS {
			req.TLS = &tls.ConnectionState{}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		got := rec.Header().Get("Strict-Transport-Security")
		if overTLS && got == "" {
			t.Error("over TLS: no Strict-Transport-Security")
		}
		if !overTLS && got != "" {
			t.Errorf("over plain HTTP: Strict-Transport-Security = %q", got)
		}
		if rec.Header().Get("Referrer-Policy") == "" {
			t.Error("no Referrer-Policy")
		}
	}
}

func TestEmailKeyHasFixedSize(t *testing.T) {
	long := EmailKey(strings.Repeat("a", 1<<20) + "@example.com")
	short := EmailKey("ann@example.com")
	if len(long) != len(short) {
		t.Errorf("key sizes differ: %d and %d bytes", len(long), len(short))
	}
	if EmailKey(" ANN@Example.com ") != short {
		t.Error("case and surrounding spaces change the key")
	}
	if EmailKey("bob@example.com") == short {
		t.Error("two emails share a key")
	}
}
