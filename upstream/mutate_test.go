package upstream

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// These tests force transport faults that the example back office cannot produce on demand:
// a refused connection and a connection cut after the request arrived.

func newTestClient(t *testing.T, baseURL string, observe func(api, op, outcome string)) *Client {
	t.Helper()
	c, err := NewClient(Config{BaseURL: baseURL, Key: "k", Timeout: time.Minute, Observe: observe})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMutateConnectionRefusedIsFault(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now, so the connection is refused

	var outcomes []string
	c := newTestClient(t, "http://"+addr+"/apis/", func(_, _, outcome string) { outcomes = append(outcomes, outcome) })
	_, err = c.OpenTicket(context.Background(), "1", "0123456789abcdef", "s", "m")
	if !errors.Is(err, ErrFault) {
		t.Errorf("error = %v, want the ErrFault category", err)
	}
	if errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("error = %v: a request that never left is not of unknown outcome", err)
	}
	if len(outcomes) != 1 || outcomes[0] != "fault" {
		t.Errorf("outcomes = %v, want [fault]", outcomes)
	}
}

func TestMutateFakeServerCutsConnection(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		// The request arrived whole; the connection ends before any response.
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()

	var outcomes []string
	c := newTestClient(t, srv.URL+"/apis/", func(_, _, outcome string) { outcomes = append(outcomes, outcome) })
	_, err := c.UpdateProfile(context.Background(), "1", "0123456789abcdef", ProfileUpdate{Version: 1, Name: "Ann"})
	if !errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("error = %v, want the ErrOutcomeUnknown category", err)
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("the server saw %d requests, want 1: a write is never retried", n)
	}
	if len(outcomes) != 1 || outcomes[0] != "outcome_unknown" {
		t.Errorf("outcomes = %v, want [outcome_unknown]", outcomes)
	}
}

func TestReadCutConnectionIsFault(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()

	c := newTestClient(t, srv.URL+"/apis/", nil)
	_, err := c.Tickets(context.Background(), "1")
	if !errors.Is(err, ErrFault) || errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("error = %v, want ErrFault: a read changes nothing, so its outcome is never unknown", err)
	}
}
