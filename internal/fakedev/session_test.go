package fakedev

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestEcho(t *testing.T) {
	srv := start(t, "frr_vtysh", "r1", Options{Banner: "Hello, this is FRRouting\nCopyright 1996-2005 Kunihiro Ishiguro, et al.\n"})
	tm, first := login(t, srv, "frr_vtysh")
	if want := "Hello, this is FRRouting\r\nCopyright 1996-2005 Kunihiro Ishiguro, et al.\r\nr1#"; first != want {
		t.Errorf("greeting %q, want %q", first, want)
	}

	// Every byte is echoed as it arrives, before the line is complete.
	tm.send("show ver")
	tm.expectSuffix("show ver")
	// "\r\n" ends one line, not two.
	tm.send("\r\n")
	if out, want := tm.expect(tm.ready), "\r\n% Unknown command: show ver\r\nr1#"; out != want {
		t.Errorf("answer %q, want %q", out, want)
	}
	// An empty answer is just the prompt on a new line.
	if out, want := tm.cmd("terminal length 0"), "terminal length 0\r\nr1#"; out != want {
		t.Errorf("answer %q, want %q", out, want)
	}
	tm.send("\r")
	if out, want := tm.expect(tm.ready), "\r\nr1#"; out != want {
		t.Errorf("empty line: answer %q, want %q", out, want)
	}
	// Backspace erases.
	tm.send("shox\x7fw clock\r")
	if out := tm.expect(tm.ready); !strings.HasPrefix(out, "shox\b \bw clock\r\n") {
		t.Errorf("backspace: answer %q", out)
	}
	if got, want := srv.Inputs(), []string{"show ver", "terminal length 0", "show clock"}; !slices.Equal(got, want) {
		t.Errorf("Inputs() = %q, want %q", got, want)
	}

	// "exit" ends the shell with exit status 0.
	tm.send("exit\n")
	tm.expectEOF()
	if err := tm.sess.Wait(); err != nil {
		t.Errorf("session exit: %v", err)
	}
}

func TestInputsAcrossSessions(t *testing.T) {
	srv := start(t, "cisco_iosxe", "r1", Options{})
	a, _ := login(t, srv, "cisco_iosxe")
	b, _ := login(t, srv, "cisco_iosxe")
	a.cmd("show version")
	b.cmd("show clock")
	a.cmd(" show ip route ")
	if got, want := srv.Inputs(), []string{"show version", "show clock", " show ip route "}; !slices.Equal(got, want) {
		t.Errorf("Inputs() = %q, want %q", got, want)
	}
	if srv.Connections() != 2 {
		t.Errorf("Connections() = %d, want 2", srv.Connections())
	}
}

func TestFaults(t *testing.T) {
	const prompt = "RP/0/RP0/CPU0:r1#"
	t.Run("drop", func(t *testing.T) {
		srv := start(t, "cisco_iosxr", "r1", Options{Faults: map[string]Fault{
			"show version": {Drop: true, Output: "Cisco IOS XR Software, Ver"},
		}})
		tm, _ := login(t, srv, "cisco_iosxr")
		tm.send(" show version \n") // matched after trimming
		out := tm.expectEOF()
		if want := " show version \r\nCisco IOS XR Software, Ver"; out != want {
			t.Errorf("output before the drop %q, want %q", out, want)
		}
		if err := tm.sess.Wait(); err == nil {
			t.Error("session ended cleanly, want an error from the dropped connection")
		}
	})
	t.Run("drop after the commit lands", func(t *testing.T) {
		srv := start(t, "cisco_iosxr", "r1", Options{Faults: map[string]Fault{
			"commit": {Drop: true, Run: true},
		}})
		tm, _ := login(t, srv, "cisco_iosxr")
		tm.cmd("configure")
		tm.cmd("hostname r2")
		tm.send("commit\n")
		tm.expectEOF()
		if got := srv.Committed(); !slices.Equal(got, []string{"hostname r2"}) {
			t.Errorf("committed %q, want the commit to have landed", got)
		}
	})
	t.Run("hang", func(t *testing.T) {
		srv := start(t, "cisco_iosxr", "r1", Options{Faults: map[string]Fault{
			"show running-config": {Hang: true, Output: "Building configuration..."},
		}})
		tm, _ := login(t, srv, "cisco_iosxr")
		tm.send("show running-config\n")
		tm.expectSuffix("show running-config\r\nBuilding configuration...")
		tm.send("show clock\n")
		time.Sleep(300 * time.Millisecond)
		if out := tm.pending(); out != "" {
			t.Errorf("hung device wrote %q", out)
		}
		if err := srv.Close(); err != nil {
			t.Fatal(err)
		}
		tm.expectEOF()
	})
	t.Run("delay", func(t *testing.T) {
		const d = 300 * time.Millisecond
		srv := start(t, "cisco_iosxr", "r1", Options{Faults: map[string]Fault{"show clock": {Delay: d}}})
		tm, _ := login(t, srv, "cisco_iosxr")
		begin := time.Now()
		out := tm.cmd("show clock")
		if took := time.Since(begin); took < d {
			t.Errorf("answer after %v, want at least %v", took, d)
		}
		if !strings.HasSuffix(out, prompt) {
			t.Errorf("answer %q", out)
		}
	})
	t.Run("wrong prompt once", func(t *testing.T) {
		srv := start(t, "cisco_iosxr", "r1", Options{Faults: map[string]Fault{"show clock": {Prompt: "r1 (maint) $ "}}})
		tm, _ := login(t, srv, "cisco_iosxr")
		tm.send("show clock\n")
		tm.expectSuffix("\r\nr1 (maint) $ ")
		if out := tm.cmd("show version"); !strings.HasSuffix(out, "\r\n"+prompt) {
			t.Errorf("next answer %q, want the normal prompt", out)
		}
	})
	t.Run("output replaces the command, once", func(t *testing.T) {
		const failed = "% Failed to commit one or more configuration items during a pseudo-atomic operation."
		srv := start(t, "cisco_iosxr", "r1", Options{Faults: map[string]Fault{"commit": {Output: failed, Times: 1}}})
		tm, _ := login(t, srv, "cisco_iosxr")
		tm.cmd("configure")
		tm.cmd("hostname r2")
		if out := tm.cmd("commit"); !strings.Contains(out, failed) {
			t.Errorf("first commit: %q", out)
		}
		if got := srv.Committed(); len(got) != 0 {
			t.Errorf("failed commit committed %q", got)
		}
		if out := tm.cmd("commit"); strings.Contains(out, failed) {
			t.Errorf("second commit: %q", out)
		}
		if got := srv.Committed(); !slices.Equal(got, []string{"hostname r2"}) {
			t.Errorf("second commit: committed %q", got)
		}
	})
}

func TestLatency(t *testing.T) {
	const d = 200 * time.Millisecond
	srv := start(t, "arista_eos", "sw1", Options{Latency: d})
	tm, _ := login(t, srv, "arista_eos")
	tm.send("show ver") // the echo is not delayed: no line end yet
	tm.expectSuffix("show ver")
	begin := time.Now()
	tm.send("sion\n")
	tm.expect(tm.ready)
	if took := time.Since(begin); took < d {
		t.Errorf("answer after %v, want at least %v", took, d)
	}
}
