package upstream

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The shared secret of RFC 9421 appendix B.1.5, known there as test-shared-secret.
const rfc9421SharedSecret = "uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ=="

// TestSignRFC9421HMACExample reproduces appendix B.2.5 of RFC 9421, "Signing a Request Using
// hmac-sha256", over the test request of appendix B.2.
func TestSignRFC9421HMACExample(t *testing.T) {
	key, err := base64.StdEncoding.DecodeString(rfc9421SharedSecret)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"hello": "world"}`
	req, err := http.NewRequest("POST", "http://example.com/foo?param=Value&Pet=dog", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Date", "Tue, 20 Apr 2021 02:07:55 GMT")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Digest", "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:")
	req.Header.Set("Content-Length", "18")

	components := []string{"date", "@authority", "content-type"}
	params := signatureParams{created: 1618884473, keyID: "test-shared-secret"}
	base, _, err := signatureBase(req, components, params)
	if err != nil {
		t.Fatal(err)
	}
	wantBase := `"date": Tue, 20 Apr 2021 02:07:55 GMT` + "\n" +
		`"@authority": example.com` + "\n" +
		`"content-type": application/json` + "\n" +
		`"@signature-params": ("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"`
	if base != wantBase {
		t.Errorf("signature base:\n got %q\nwant %q", base, wantBase)
	}

	if err := signRequest(req, key, "sig-b25", components, params); err != nil {
		t.Fatal(err)
	}
	if got, want := req.Header.Get("Signature-Input"), `sig-b25=("date" "@authority" "content-type");created=1618884473;keyid="test-shared-secret"`; got != want {
		t.Errorf("Signature-Input:\n got %s\nwant %s", got, want)
	}
	if got, want := req.Header.Get("Signature"), "sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:"; got != want {
		t.Errorf("Signature:\n got %s\nwant %s", got, want)
	}
}

// TestContentDigestRFC9530Example checks the sha-256 digest of the body used in the examples of
// RFC 9530, {"hello": "world"}.
func TestContentDigestRFC9530Example(t *testing.T) {
	if got, want := ContentDigest([]byte(`{"hello": "world"}`)), "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"; got != want {
		t.Errorf("ContentDigest = %s, want %s", got, want)
	}
}

func TestSignerSign(t *testing.T) {
	secret := bytes.Repeat([]byte{7}, 32)
	key, err := NewSigningKey("k2026", secret)
	if err != nil {
		t.Fatal(err)
	}
	signer := NewSigner(key)
	signer.Now = func() time.Time { return time.Unix(1767225600, 0) }

	body := "req=get&key=front&ids%5B%5D=12"
	req, _ := http.NewRequest("POST", "http://127.0.0.1:8081/apis/order_api.php", strings.NewReader(body))
	if err := signer.Sign(req, []byte(body)); err != nil {
		t.Fatal(err)
	}

	if got, want := req.Header.Get("Content-Digest"), ContentDigest([]byte(body)); got != want {
		t.Errorf("Content-Digest = %s, want %s", got, want)
	}
	input := req.Header.Get("Signature-Input")
	pattern := `^gateway=\("@method" "@target-uri" "content-digest"\);created=1767225600;expires=1767225630;nonce="([A-Za-z0-9_-]{22})";keyid="k2026";alg="hmac-sha256"$`
	m := regexp.MustCompile(pattern).FindStringSubmatch(input)
	if m == nil {
		t.Fatalf("Signature-Input = %s, want it to match %s", input, pattern)
	}

	// Rebuild the base by hand, as the back office does, and check the MAC.
	base := `"@method": POST` + "\n" +
		`"@target-uri": http://127.0.0.1:8081/apis/order_api.php` + "\n" +
		`"content-digest": ` + ContentDigest([]byte(body)) + "\n" +
		`"@signature-params": ` + strings.TrimPrefix(input, "gateway=")
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(base))
	if got, want := req.Header.Get("Signature"), "gateway=:"+base64.StdEncoding.EncodeToString(mac.Sum(nil))+":"; got != want {
		t.Errorf("Signature = %s, want %s", got, want)
	}

	// A second signature gets a fresh nonce.
	again, _ := http.NewRequest("POST", "http://127.0.0.1:8081/apis/order_api.php", strings.NewReader(body))
	signer.Sign(again, []byte(body))
	if m2 := regexp.MustCompile(pattern).FindStringSubmatch(again.Header.Get("Signature-Input")); m2 == nil || m2[1] == m[1] {
		t.Errorf("second nonce %v repeats or is malformed (first %s)", m2, m[1])
	}
}

func TestSignerWithoutBody(t *testing.T) {
	key, _ := NewSigningKey("k1", bytes.Repeat([]byte{1}, 32))
	req, _ := http.NewRequest("GET", "http://127.0.0.1:8081/apis/product_api.php?req=get", nil)
	if err := NewSigner(key).Sign(req, nil); err != nil {
		t.Fatal(err)
	}
	if d := req.Header.Get("Content-Digest"); d != "" {
		t.Errorf("Content-Digest = %s on a request without a body", d)
	}
	if in := req.Header.Get("Signature-Input"); !strings.HasPrefix(in, `gateway=("@method" "@target-uri");`) {
		t.Errorf("Signature-Input = %s", in)
	}
}

func TestParseSigningKeys(t *testing.T) {
	k32 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	k31 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 31))
	tests := []struct {
		name    string
		in      string
		wantIDs []string
		wantErr string
	}{
		{"one", "k1:" + k32, []string{"k1"}, ""},
		{"newest-first", " new:" + k32 + " , old:" + k32 + ",", []string{"new", "old"}, ""},
		{"empty", " , ", nil, "no signing key"},
		{"no-colon", k32, nil, "signing key 1 (counting from 1) must be written as keyid:base64key"},
		{"bad-base64", "k1:%%%", nil, "not valid canonical base64"},
		{"non-canonical-base64", "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=", nil, "signing key 1 (counting from 1) is not valid canonical base64"},
		{"short-key", "k1:" + k31, nil, "31 bytes"},
		{"bad-id", "k 1:" + k32, nil, "id of signing key 1 (counting from 1) is invalid"},
		{"key-and-id-swapped", "k1:" + k32 + "," + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ:k2", nil, "signing key 2 (counting from 1) is not valid canonical base64"},
		{"quote-in-id", `k"1:` + k32, nil, "is invalid"},
		{"repeated-id", "k1:" + k32 + ",k1:" + k32, nil, "listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := ParseSigningKeys(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), k32) || strings.Contains(err.Error(), k31) || strings.Contains(err.Error(), "abcdefghijklmnopq") {
					t.Errorf("err contains the key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, k := range keys {
				ids = append(ids, k.ID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(tt.wantIDs) {
				t.Errorf("ids = %v, want %v", ids, tt.wantIDs)
			}
		})
	}
}

func TestSigningKeyRedacted(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	key, err := NewSigningKey("k1", secret)
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("key", "key", key, "signer", NewSigner(key))
	printed := fmt.Sprintf("%v %+v %#v %s %x %q", key, key, key, key, key, key) + logged.String()
	for _, leak := range []string{string(secret), fmt.Sprintf("%x", secret), base64.StdEncoding.EncodeToString(secret), "48 49 50"} {
		if strings.Contains(printed, leak) {
			t.Errorf("printed key contains %q: %s", leak, printed)
		}
	}
	if !strings.Contains(printed, "k1") {
		t.Errorf("printed key lacks its id: %s", printed)
	}
}
