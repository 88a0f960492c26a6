package fakedev

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// step is one line of a scripted session and what its answer must hold.
type step struct {
	in     string
	want   string // a substring of the answer; "" checks nothing
	prompt string // the answer ends with this; "" waits for any prompt
	// after checks the device's configuration once the answer is in.
	committed []string // nil checks nothing; use none for "no lines"
	pending   *bool
}

var (
	none = []string{}
	yes  = new(true)
	no   = new(false)
)

func script(t *testing.T, srv *Server, tm *term, steps []step) {
	t.Helper()
	for i, s := range steps {
		tm.send(s.in + "\n")
		var out string
		if s.prompt != "" {
			out = tm.expectSuffix(s.prompt)
		} else {
			out = tm.expect(tm.ready)
		}
		if !strings.Contains(out, s.want) {
			t.Errorf("step %d %q: answer %q does not contain %q", i, s.in, out, s.want)
		}
		if s.committed != nil {
			if got := srv.Committed(); !slices.Equal(got, s.committed) {
				t.Errorf("step %d %q: committed %q, want %q", i, s.in, got, s.committed)
			}
		}
		if s.pending != nil && srv.Pending() != *s.pending {
			t.Errorf("step %d %q: pending = %v, want %v", i, s.in, srv.Pending(), *s.pending)
		}
	}
}

func TestConfigFlows(t *testing.T) {
	const (
		xr     = "RP/0/RP0/CPU0:r1#"
		xrConf = "RP/0/RP0/CPU0:r1(config)#"
		junos  = "admin@r1> "
		jConf  = "[edit]\r\nadmin@r1# "
		srl    = "--{ running }--[  ]--\r\nA:srl1# "
		srlC   = "--{ candidate private private-admin }--[  ]--\r\nA:srl1# "
		srlD   = "--{ * candidate private private-admin }--[  ]--\r\nA:srl1# "
	)
	tests := []struct {
		name, platform, host string
		steps                []step
	}{
		{"frr applies at once", "frr_vtysh", "r1", []step{
			{in: "terminal length 0", prompt: "\r\nr1#"},
			{in: "configure terminal", prompt: "r1(config)#"},
			{in: "router ospf", prompt: "r1(config-router)#", committed: []string{"router ospf"}},
			{in: " network 10.0.0.0/8 area 0", prompt: "r1(config-router)#",
				committed: []string{"router ospf", "network 10.0.0.0/8 area 0"}},
			{in: "exit", prompt: "r1(config)#"},
			{in: "end", prompt: "r1#"},
			{in: "show running-config", want: "router ospf\r\nnetwork 10.0.0.0/8 area 0\r\n!\r\nend", prompt: "r1#"},
		}},
		{"iosxe applies at once", "cisco_iosxe", "r1", []step{
			{in: "terminal width 512", prompt: "\r\nr1#"},
			{in: "configure terminal", want: "Enter configuration commands", prompt: "r1(config)#"},
			{in: "interface Gi1", prompt: "r1(config-if)#"},
			{in: " description core", committed: []string{"interface Gi1", "description core"}},
			{in: "end", prompt: "r1#"},
		}},
		{"iosxr commit, confirm, question", "cisco_iosxr", "r1", []step{
			{in: "configure terminal", prompt: xrConf},
			{in: "router ospf 1", prompt: "RP/0/RP0/CPU0:r1(config-ospf)#"},
			{in: " area 0", committed: none},
			{in: "root", prompt: xrConf},
			{in: "commit", prompt: xrConf, committed: []string{"router ospf 1", "area 0"}, pending: no},
			{in: "commit", want: "% No configuration changes to commit."},
			{in: "hostname r9"},
			{in: "commit confirmed 10", want: "% Invalid input detected", pending: no},
			{in: "commit confirmed 60", prompt: xrConf, pending: yes,
				committed: []string{"router ospf 1", "area 0", "hostname r9"}},
			{in: "commit", prompt: xrConf, pending: no},
			{in: "logging console debugging"},
			{in: "end", prompt: xrUncommitted},
			{in: "cancel", prompt: xrConf},
			{in: "end", prompt: xrUncommitted},
			{in: "no", prompt: "\r\n" + xr, committed: []string{"router ospf 1", "area 0", "hostname r9"}},
			{in: "configure", prompt: xrConf},
			{in: "ntp server 192.0.2.1"},
			{in: "exit", prompt: xrUncommitted},
			{in: "yes", prompt: "\r\n" + xr, committed: []string{"router ospf 1", "area 0", "hostname r9", "ntp server 192.0.2.1"}},
			{in: "configure", prompt: xrConf},
			{in: "ntp server 192.0.2.2"},
			{in: "abort", prompt: "\r\n" + xr, committed: []string{"router ospf 1", "area 0", "hostname r9", "ntp server 192.0.2.1"}},
			{in: "show configuration commit list", want: "\r\n1    1000000004            admin", prompt: xr},
		}},
		{"junos commit, confirm, rollback", "juniper_junos", "r1", []step{
			{in: "set cli screen-width 511", want: "Screen width set to 511", prompt: junos},
			{in: "set cli screen-length 0", want: "Screen length set to 0", prompt: junos},
			{in: "set cli complete-on-space off", want: "Disabling complete-on-space", prompt: junos},
			{in: "configure", want: "Entering configuration mode", prompt: jConf},
			{in: "set system host-name r1", prompt: jConf, committed: none},
			{in: "show version", want: "unknown command."},
			{in: "commit", want: "commit complete", prompt: jConf, committed: []string{"set system host-name r1"}},
			{in: "set interfaces ge-0/0/0 disable"},
			{in: "commit confirmed 5", want: "rolled back in 5 minutes", pending: yes,
				committed: []string{"set system host-name r1", "set interfaces ge-0/0/0 disable"}},
			{in: "commit", want: "commit complete", pending: no},
			{in: "delete interfaces ge-0/0/0 disable"},
			{in: "rollback 0", want: "load complete"},
			{in: "commit", pending: no, committed: []string{"set system host-name r1", "set interfaces ge-0/0/0 disable"}},
			{in: "exit configuration-mode", want: "Exiting configuration mode", prompt: "\r\n" + junos},
			{in: "configure private", want: "warning: uncommitted changes will be discarded on exit", prompt: jConf},
			{in: "set system location building 1"},
			{in: "exit", want: "The configuration has been changed but not committed", prompt: "\r\n" + junos},
			{in: "configure exclusive", prompt: jConf},
			{in: "commit and-quit", want: "commit complete\r\nExiting configuration mode", prompt: "\r\n" + junos,
				committed: []string{"set system host-name r1", "set interfaces ge-0/0/0 disable"}},
			{in: "show configuration | display set", want: "set system host-name r1\r\nset interfaces ge-0/0/0 disable\r\n" + junos},
		}},
		{"eos configuration session", "arista_eos", "sw1", []step{
			{in: "terminal length 0", prompt: "\r\nsw1#"},
			{in: "configure session chg-1234", prompt: "sw1(config-s-chg-12)#"},
			{in: "interface Ethernet1", prompt: "sw1(config-s-chg-12-if)#"},
			{in: "shutdown", committed: none},
			{in: "end", prompt: "\r\nsw1#", committed: none},
			{in: "configure session chg-1234", prompt: "sw1(config-s-chg-12)#"},
			{in: "commit timer 00:05:00", prompt: "\r\nsw1#", pending: yes,
				committed: []string{"interface Ethernet1", "shutdown"}},
			{in: "configure session chg-1234 commit", prompt: "\r\nsw1#", pending: no},
			{in: "configure session chg-1234 commit", want: "% Error"},
			{in: "configure session other", prompt: "sw1(config-s-other)#"},
			{in: "hostname sw9"},
			{in: "abort", prompt: "\r\nsw1#", committed: []string{"interface Ethernet1", "shutdown"}},
			{in: "configure session other", prompt: "sw1(config-s-other)#"},
			{in: "hostname sw8"},
			{in: "commit", prompt: "\r\nsw1#", committed: []string{"interface Ethernet1", "shutdown", "hostname sw8"}},
			{in: "configure", prompt: "sw1(config)#"},
			{in: "ip routing", committed: []string{"interface Ethernet1", "shutdown", "hostname sw8", "ip routing"}},
		}},
		{"srl candidate, commit, confirm", "nokia_srl", "srl1", []step{
			{in: "environment cli-engine type basic", prompt: "\r\n" + srl},
			{in: "environment complete-on-space false", prompt: "\r\n" + srl},
			{in: "enter candidate private", prompt: srlC},
			{in: "set / system information location lab", prompt: srlD, committed: none},
			{in: "commit now", want: "All changes have been committed", prompt: srl,
				committed: []string{"set / system information location lab"}},
			{in: "enter candidate private", prompt: srlC},
			{in: "set / interface ethernet-1/1 admin-state disable", prompt: srlD},
			{in: "commit confirmed timeout 60", want: "60 seconds", prompt: srl, pending: yes},
			{in: "tools system configuration confirmed-accept", prompt: "\r\n" + srl, pending: no},
			{in: "tools system configuration confirmed-accept", want: "Error:"},
			{in: "enter candidate private", prompt: srlC},
			{in: "set / interface ethernet-1/2 admin-state disable"},
			{in: "commit confirmed", want: "600 seconds", pending: yes},
			{in: "tools system configuration confirmed-reject", pending: no, committed: []string{
				"set / system information location lab", "set / interface ethernet-1/1 admin-state disable"}},
			{in: "enter candidate private"},
			{in: "delete / system information"},
			{in: "discard now", want: "discarded", prompt: srl, committed: []string{
				"set / system information location lab", "set / interface ethernet-1/1 admin-state disable"}},
			{in: "info flat", want: "set / system information location lab\r\nset / interface ethernet-1/1 admin-state disable\r\n" + srl},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := start(t, tt.platform, tt.host, Options{})
			tm, _ := login(t, srv, tt.platform)
			script(t, srv, tm, tt.steps)
		})
	}
}

// TestConfirmTimeout: an unconfirmed commit is rolled back after
// Options.ConfirmTimeout, and a confirmed one is not.
func TestConfirmTimeout(t *testing.T) {
	srv := start(t, "juniper_junos", "r1", Options{ConfirmTimeout: 100 * time.Millisecond})
	tm, _ := login(t, srv, "juniper_junos")
	script(t, srv, tm, []step{
		{in: "configure"},
		{in: "set system host-name r1"},
		{in: "commit", committed: []string{"set system host-name r1"}},
		{in: "set system location building 1"},
		{in: "commit confirmed 1", pending: yes},
	})
	deadline := time.Now().Add(waitFor)
	for srv.Pending() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if srv.Pending() {
		t.Fatal("still pending after the confirm timeout")
	}
	if got, want := srv.Committed(), []string{"set system host-name r1"}; !slices.Equal(got, want) {
		t.Errorf("after rollback: committed %q, want %q", got, want)
	}
	script(t, srv, tm, []step{
		{in: "set system location building 2"},
		{in: "commit confirmed 1", pending: yes},
		{in: "commit", pending: no},
	})
	time.Sleep(200 * time.Millisecond)
	if got, want := srv.Committed(), []string{"set system host-name r1", "set system location building 2"}; !slices.Equal(got, want) {
		t.Errorf("after confirmation: committed %q, want %q", got, want)
	}
}

// TestPendingAcrossConnections: a commit confirmed on one connection is
// confirmed from another, as an adapter that reconnects would do.
func TestPendingAcrossConnections(t *testing.T) {
	srv := start(t, "arista_eos", "sw1", Options{})
	tm, _ := login(t, srv, "arista_eos")
	script(t, srv, tm, []step{
		{in: "configure session s1"},
		{in: "hostname sw2"},
		{in: "commit timer 00:10:00", pending: yes},
	})
	tm2, _ := login(t, srv, "arista_eos")
	script(t, srv, tm2, []step{{in: "configure session s1 commit", pending: no}})
	if srv.Connections() != 2 {
		t.Errorf("connections = %d, want 2", srv.Connections())
	}
}
