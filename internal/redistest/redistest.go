// Package redistest runs a real redis-server on a loopback port for tests. Nothing stands in for
// Redis: each server is the Debian redis-server binary, without persistence, stopped when the
// test ends.
package redistest

import (
	"fmt"
	"net"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// Server is one redis-server process. Stop and Start may be called in turn to simulate an
// outage; Start reuses the same port, so clients reconnect to the address they already have.
type Server struct {
	t    testing.TB
	addr string
	cmd  *exec.Cmd
}

// Start runs a redis-server on a free loopback port and stops it when t ends. It fails t when
// redis-server is not installed (`make test` installs it) or does not accept connections
// within 10 seconds.
func Start(t testing.TB) *Server {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatal("redis-server is not installed: run `make test`, which installs it")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	s := &Server{t: t, addr: addr}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// Addr returns the server's host:port.
func (s *Server) Addr() string { return s.addr }

// URL returns the server's address as a REDIS_URL.
func (s *Server) URL() string { return "redis://" + s.addr + "/0" }

// Start starts the server again after Stop, on the same port, with an empty data set.
func (s *Server) Start() {
	s.t.Helper()
	if s.cmd != nil {
		return
	}
	_, port, _ := net.SplitHostPort(s.addr)
	cmd := exec.Command("redis-server",
		"--bind", "127.0.0.1",
		"--port", port,
		"--save", "",
		"--appendonly", "no",
		"--protected-mode", "yes",
		"--loglevel", "warning",
	)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("starting redis-server: %v", err)
	}
	s.cmd = cmd
	if err := waitForListener(s.addr, 10*time.Second); err != nil {
		s.Stop()
		s.t.Fatalf("redis-server on %s did not start: %v", s.addr, err)
	}
}

// Stop kills the server and waits until its port is closed. It does nothing when the server
// is already stopped.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	s.cmd.Wait()
	s.cmd = nil
}

func waitForListener(addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			// redis-server accepts before it has loaded; a PING answered with PONG shows it
			// serves commands.
			_, err = conn.Write([]byte("PING\r\n"))
			buf := make([]byte, 7)
			if err == nil {
				conn.SetReadDeadline(time.Now().Add(time.Second))
				_, err = conn.Read(buf)
			}
			conn.Close()
			if err == nil && string(buf) == "+PONG\r\n" {
				return nil
			}
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("no PONG within %s", limit)
			}
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}
