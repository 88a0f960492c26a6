package session_test

import (
	"bufio"
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/changegate/changegate/devices/session"
	"github.com/changegate/changegate/internal/fakedev"
)

// One show command on each of 200 devices, with bounded concurrency;
// how long it takes is BenchmarkRunAll200's to measure (the target,
// under 5 seconds, is in docs/devices.md).
const (
	scaleDevices     = 200
	scaleConcurrency = 50
)

// TestScale200 runs one show command on 200 fake devices (real SSH on
// 127.0.0.1) through a pool, checks every answer, and that each device
// was connected to once over two rounds.
func TestScale200(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 200 SSH servers")
	}
	srvs, inv := fakeInventory(t, "frr_vtysh", scaleDevices, fakedev.Options{})
	pool := session.NewPool(inv, session.DialOptions{})
	defer pool.Close()
	ctx := context.Background()
	for round := 1; round <= 2; round++ {
		res := pool.RunAll(ctx, inv.Names(), "show version", scaleConcurrency)
		for _, n := range inv.Names() {
			r := res[n]
			if r.Err != nil || r.Output.Text != "frr_vtysh fake device "+n {
				t.Fatalf("%s: %q, %v", n, r.Output.Text, r.Err)
			}
		}
	}
	for i, srv := range srvs {
		if srv.Connections() != 1 {
			t.Fatalf("r%d: %d connections over two rounds, want 1", i, srv.Connections())
		}
	}
}

// BenchmarkRunAll200 is one show command on 200 fake devices with a
// fresh pool (connections included) and with the pool of the round
// before (connections reused).
func BenchmarkRunAll200(b *testing.B) {
	_, inv := fakeInventory(b, "frr_vtysh", scaleDevices, fakedev.Options{})
	ctx := context.Background()
	b.Run("connect", func(b *testing.B) {
		for b.Loop() {
			pool := session.NewPool(inv, session.DialOptions{})
			pool.RunAll(ctx, inv.Names(), "show version", scaleConcurrency)
			pool.Close()
		}
	})
	b.Run("reuse", func(b *testing.B) {
		pool := session.NewPool(inv, session.DialOptions{})
		defer pool.Close()
		pool.RunAll(ctx, inv.Names(), "show version", scaleConcurrency)
		for b.Loop() {
			pool.RunAll(ctx, inv.Names(), "show version", scaleConcurrency)
		}
	})
}

// BenchmarkCommand measures one command on an open session, against a
// baseline that does the least any client must: a raw SSH shell that
// writes the command and reads until the prompt. The difference is the
// adapter's overhead per command. The device answers after latency.
func BenchmarkCommand(b *testing.B) {
	for _, latency := range []time.Duration{0, 10 * time.Millisecond} {
		srv, d := fakeDevice(b, "frr_vtysh", fakedev.Options{Latency: latency})
		b.Run("latency="+latency.String()+"/adapter", func(b *testing.B) {
			s := dial(b, d)
			ctx := context.Background()
			for b.Loop() {
				if _, err := s.Run(ctx, "show version"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("latency="+latency.String()+"/raw-ssh", func(b *testing.B) {
			send := rawShell(b, srv)
			for b.Loop() {
				send("show version")
			}
		})
	}
}

// rawShell opens a shell on srv with x/crypto/ssh alone and returns a
// function that sends one command and reads up to the next prompt.
func rawShell(b *testing.B, srv *fakedev.Server) func(string) {
	b.Helper()
	c, err := ssh.Dial("tcp", srv.Addr(), &ssh.ClientConfig{
		User:            "admin",
		Auth:            []ssh.AuthMethod{ssh.Password(fakePassword)},
		HostKeyCallback: ssh.FixedHostKey(srv.HostKey()),
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	s, err := c.NewSession()
	if err != nil {
		b.Fatal(err)
	}
	if err := s.RequestPty("xterm", 80, 255, ssh.TerminalModes{ssh.ECHO: 1}); err != nil {
		b.Fatal(err)
	}
	in, _ := s.StdinPipe()
	outPipe, _ := s.StdoutPipe()
	out := bufio.NewReader(outPipe)
	if err := s.Shell(); err != nil {
		b.Fatal(err)
	}
	readPrompt := func() {
		var line strings.Builder
		for {
			c, err := out.ReadByte()
			if err != nil {
				b.Fatal(err)
			}
			line.WriteByte(c)
			if c == '\n' {
				line.Reset()
			}
			if strings.HasSuffix(line.String(), "r0#") {
				return
			}
		}
	}
	readPrompt()
	return func(cmd string) {
		in.Write([]byte(cmd + "\n"))
		readPrompt() // the echo line ends with the command; the next prompt ends the answer
	}
}
