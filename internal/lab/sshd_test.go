package lab

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSSHDGroups checks that routers are split into sshds of at most 16
// ports (OpenSSH's MAX_LISTEN_SOCKS), in order, each with its own
// directory, and that each sshd's config lists exactly its routers.
func TestSSHDGroups(t *testing.T) {
	for _, tc := range []struct {
		routers int
		sizes   []int
	}{
		{0, nil},
		{1, []int{1}},
		{16, []int{16}},
		{17, []int{16, 1}},
		{21, []int{16, 5}},
		{60, []int{16, 16, 16, 12}},
	} {
		t.Run(fmt.Sprint(tc.routers), func(t *testing.T) {
			var nodes []NodeLayout
			for i := range tc.routers {
				nodes = append(nodes, NodeLayout{Name: fmt.Sprintf("r%d", i+1), Hostname: fmt.Sprintf("r%d", i+1), SSHPort: 3001 + i})
			}
			gs := sshdGroups("/tmp/cg-lab-x", nodes)
			var sizes []int
			next := 0
			for k, g := range gs {
				sizes = append(sizes, len(g.Nodes))
				if g.Index != k+1 || g.Dir != fmt.Sprintf("/tmp/cg-lab-x/ssh/sshd-%d", k+1) {
					t.Errorf("group %d: index %d, dir %s", k, g.Index, g.Dir)
				}
				conf := sshdConf("/tmp/cg-lab-x", g, "cg-x")
				if got := strings.Count(conf, "\nPort "); got != len(g.Nodes) || got > maxSSHDPorts {
					t.Errorf("sshd %d listens on %d ports, serves %d routers", g.Index, got, len(g.Nodes))
				}
				for _, n := range g.Nodes {
					if n != nodes[next] {
						t.Errorf("sshd %d serves %s, want %s (routers in order)", g.Index, n.Name, nodes[next].Name)
					}
					next++
					if !strings.Contains(conf, fmt.Sprintf("\nPort %d\n", n.SSHPort)) || !strings.Contains(conf, fmt.Sprintf("Match LocalPort %d\n  ForceCommand /tmp/cg-lab-x/bin/cg-login /tmp/cg-lab-x/nodes/%s\n", n.SSHPort, n.Hostname)) {
						t.Errorf("sshd %d's config does not route port %d to %s:\n%s", g.Index, n.SSHPort, n.Name, conf)
					}
				}
				if !strings.Contains(conf, fmt.Sprintf("PidFile %s/sshd.pid\n", g.Dir)) {
					t.Errorf("sshd %d's pid file is not in its directory:\n%s", g.Index, conf)
				}
			}
			if next != tc.routers || fmt.Sprint(sizes) != fmt.Sprint(tc.sizes) {
				t.Errorf("group sizes %v over %d routers, want %v", sizes, next, tc.sizes)
			}
		})
	}
}

func TestSSHDGroupDescribe(t *testing.T) {
	g := sshdGroup{Index: 2, Nodes: []NodeLayout{{Name: "a", SSHPort: 2217}, {Name: "b", SSHPort: 2218}}}
	if got, want := g.describe(), "sshd 2 (routers a to b, ports 2217,2218)"; got != want {
		t.Errorf("describe = %q, want %q", got, want)
	}
	g.Nodes = g.Nodes[:1]
	if got, want := g.describe(), "sshd 2 (router a, port 2217)"; got != want {
		t.Errorf("describe = %q, want %q", got, want)
	}
}

// TestDaemonFailure checks that a failed sshd start is explained by what
// it logged, last lines first of each log, and that empty logs are said
// to be empty.
func TestDaemonFailure(t *testing.T) {
	dir := t.TempDir()
	start, log := filepath.Join(dir, "start.log"), filepath.Join(dir, "sshd.log")
	if got := daemonFailure(start, log); !strings.Contains(got, "logged nothing") {
		t.Errorf("no logs: %q", got)
	}
	os.WriteFile(start, []byte("\n"), 0o644)
	var many strings.Builder
	for i := range 15 {
		fmt.Fprintf(&many, "line %d\n", i)
	}
	many.WriteString("Bind to port 2201 on 127.0.0.1 failed: Address already in use.\nCannot bind any address.\n")
	os.WriteFile(log, []byte(many.String()), 0o644)
	got := daemonFailure(start, log)
	if !strings.HasSuffix(got, "line 14; Bind to port 2201 on 127.0.0.1 failed: Address already in use.; Cannot bind any address.") || strings.Contains(got, "line 6;") {
		t.Errorf("daemonFailure = %q, want the last 10 lines of sshd.log", got)
	}
}

// TestPickPorts checks that ports picked without a base are distinct,
// free, and below the ephemeral range, where no outgoing connection takes
// them; and that a taken port in a base range is an error naming it.
func TestPickPorts(t *testing.T) {
	ports, err := pickPorts(40, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ports {
		if p < freePortsLow || p >= ephemeralLow() || seen[p] {
			t.Errorf("port %d: outside %d..%d or twice", p, freePortsLow, ephemeralLow()-1)
		}
		seen[p] = true
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			t.Errorf("port %d is not free after the pick: %v", p, err)
			continue
		}
		l.Close()
	}
	if len(ports) != 40 {
		t.Errorf("%d ports, want 40", len(ports))
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	if _, err := pickPorts(1, port); err == nil || !strings.Contains(err.Error(), "router 1") {
		t.Errorf("base port %d taken: error %v", port, err)
	}
}
