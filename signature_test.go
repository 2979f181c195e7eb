package main

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"customer-gateway/upstream"
)

// profileBody is a valid front-end request of ann's profile.
const profileBody = "req=profile&key=" + frontKey + "&customer_id=1"

// signerFor returns a signer with the key of keyPair, a keyid:base64key pair.
func signerFor(t *testing.T, keyPair string) *upstream.Signer {
	t.Helper()
	keys, err := upstream.ParseSigningKeys(keyPair)
	if err != nil {
		t.Fatal(err)
	}
	return upstream.NewSigner(keys[0])
}

// newBackOfficeRequest returns a POST of body to one PHP file of the back office at baseURL.
func newBackOfficeRequest(t *testing.T, baseURL, file, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("POST", baseURL+file, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// sendToBackOffice sends req and classifies the response as the gateway does.
func sendToBackOffice(t *testing.T, req *http.Request) error {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return upstream.DecodeResponse(resp.StatusCode, raw, nil)
}

// wantRefusal fails the test unless err is a key refusal whose message contains reason, or,
// with an empty reason, unless err is nil.
func wantRefusal(t *testing.T, err error, reason string) {
	t.Helper()
	if reason == "" {
		if err != nil {
			t.Errorf("err = %v, want the request served", err)
		}
		return
	}
	var upErr *upstream.Error
	if !errors.As(err, &upErr) || !errors.Is(err, upstream.ErrKeyRefused) {
		t.Fatalf("err = %v, want a key refusal", err)
	}
	if !strings.Contains(upErr.Message, reason) {
		t.Errorf("message = %q, want it to contain %q", upErr.Message, reason)
	}
}

func TestBackOfficeRequiresSignatures(t *testing.T) {
	tests := []struct {
		name   string
		send   func(t *testing.T) error
		reason string
	}{
		{"valid", func(t *testing.T) error {
			req := newBackOfficeRequest(t, backOffice.url, "account_api.php", profileBody)
			signerFor(t, signingKeyNew).Sign(req, []byte(profileBody))
			return sendToBackOffice(t, req)
		}, ""},
		{"valid-previous-key", func(t *testing.T) error {
			req := newBackOfficeRequest(t, backOffice.url, "account_api.php", profileBody)
			signerFor(t, signingKeyOld).Sign(req, []byte(profileBody))
			return sendToBackOffice(t, req)
		}, ""},
		{"unsigned", func(t *testing.T) error {
			return sendToBackOffice(t, newBackOfficeRequest(t, backOffice.url, "account_api.php", profileBody))
		}, "Signature required"},
		{"unsigned-get", func(t *testing.T) error {
			req, _ := http.NewRequest("GET", backOffice.url+"account_api.php?"+profileBody, nil)
			return sendToBackOffice(t, req)
		}, "Signature required"},
		{"tampered-body", func(t *testing.T) error {
			req := newBackOfficeRequest(t, backOffice.url, "account_api.php", profileBody)
			signerFor(t, signingKeyNew).Sign(req, []byte(profileBody))
			tampered := strings.Replace(profileBody, "customer_id=1", "customer_id=2", 1)
			req.Body = io.NopCloser(strings.NewReader(tampered))
			return sendToBackOffice(t, req)
		}, "Content-Digest does not match"},
		{"tampered-body-and-digest", func(t *testing.T) error {
			req := newBackOfficeRequest(t, backOffice.url, "account_api.php", profileBody)
			signerFor(t, signingKeyNew).Sign(req, []byte(profileBody))
			tampered := strings.Replace(profileBody, "customer_id=1", "customer_id=2", 1)
			req.Body = io.NopCloser(strings.NewReader(tampered))
			req.Header.Set("Content-Digest", upstream.ContentDigest([]byte(tampered)))
			return sendToBackOffice(t, req)
		}, "MAC does not match"},
		{"tampered-target", func(t *testing.T) error {
			body := "req=by_orders&key=" + frontKey + "&customer_id=1&order_ids%5B%5D=4998"
			signed := newBackOfficeRequest(t, backOffice.url, "order_api.php", body)
			signerFor(t, signingKeyNew).Sign(signed, []byte(body))
			req := newBackOfficeRequest(t, backOffice.url, "invoice_api.php", body)
			req.Header = signed.Header
			return sendToBackOffice(t, req)
		}, "MAC does not match"},
		{"expired", func(t *testing.T) error {
			req := newBackOfficeRequest(t, backOffice.url, "account_api.php", profileBody)
			signer := signerFor(t, signingKeyNew)
			signer.Now = func() time.Time { return time.Now().Add(-time.Minute) }
			signer.Sign(req, []byte(profileBody))
			return sendToBackOffice(t, req)
		}, "Signature expired"},
		{"window-too-long", func(t *testing.T) error {
			req := newBackOfficeRequest(t, backOffice.url, "account_api.php", profileBody)
			signer := signerFor(t, signingKeyNew)
			signer.Expires = time.Hour
			signer.Sign(req, []byte(profileBody))
			return sendToBackOffice(t, req)
		}, "validity window too long"},
		{"unknown-key", func(t *testing.T) error {
			req := newBackOfficeRequest(t, backOffice.url, "account_api.php", profileBody)
			signerFor(t, "test-unknown:"+strings.SplitN(signingKeyNew, ":", 2)[1]).Sign(req, []byte(profileBody))
			return sendToBackOffice(t, req)
		}, "unknown keyid"},
		{"replayed", func(t *testing.T) error {
			req := newBackOfficeRequest(t, backOffice.url, "account_api.php", profileBody)
			signerFor(t, signingKeyNew).Sign(req, []byte(profileBody))
			replay := req.Clone(req.Context())
			if err := sendToBackOffice(t, req); err != nil {
				t.Fatalf("first send: %v", err)
			}
			replay.Body = io.NopCloser(strings.NewReader(profileBody))
			return sendToBackOffice(t, replay)
		}, "nonce already used"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantRefusal(t, tt.send(t), tt.reason)
		})
	}
}

// TestBackOfficeOptionalSignatures runs a second back office that has the keys but does not
// require signatures: it serves unsigned requests and still refuses a bad signature.
func TestBackOfficeOptionalSignatures(t *testing.T) {
	var log bytes.Buffer
	url, stop, err := startBackOffice(&log,
		"ADMIN_API_SIGNING_KEYS="+signingKeys,
		"ADMIN_API_NONCE_DB="+filepath.Join(t.TempDir(), "nonces.sqlite"),
	)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	defer stop()

	wantRefusal(t, sendToBackOffice(t, newBackOfficeRequest(t, url, "account_api.php", profileBody)), "")

	req := newBackOfficeRequest(t, url, "account_api.php", profileBody)
	signerFor(t, signingKeyNew).Sign(req, []byte(profileBody))
	req.Header.Set("Signature", "gateway=:"+strings.Repeat("A", 43)+"=:")
	wantRefusal(t, sendToBackOffice(t, req), "MAC does not match")

	req = newBackOfficeRequest(t, url, "account_api.php", profileBody)
	signerFor(t, signingKeyNew).Sign(req, []byte(profileBody))
	wantRefusal(t, sendToBackOffice(t, req), "")
}

func TestGatewayWithoutSigningKeysIsRefused(t *testing.T) {
	g := newTestGateway(t, false, func(c *config) { c.signingKeys = "" })
	r := g.browser().query(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { customer { id } } }`,
		map[string]any{"e": "ann@example.com", "p": "demo-password"})
	if got := r.codes(); len(got) != 1 || got[0] != "UPSTREAM_UNAVAILABLE" {
		t.Fatalf("codes = %v, want [UPSTREAM_UNAVAILABLE]", got)
	}
	if logs := g.logs.String(); !strings.Contains(logs, "Signature required") {
		t.Errorf("the log does not name the refusal:\n%s", logs)
	}
}
