package zoo

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/lab"
	"github.com/changegate/changegate/internal/observe"
	"github.com/changegate/changegate/internal/testscale"
	"github.com/changegate/changegate/internal/topology"
)

// zooLabFile is the Topology Zoo network of TestLabZoo, used by no other
// test: Belnet 2009, 21 routers (more than one sshd serves, at most 16
// ports each), 31 links of which 7 parallel (four between Vilvoorde and
// Evere), all 10G, so equal-cost paths abound.
const zooLabFile = "../../../../shared/data/topology-zoo/graphml/Belnet2009.graphml"

// TestLabZoo brings up a real Topology Zoo network of 21 routers on
// OSPF with UpForTest; checks that two sshds serve it, that every
// router answers over real SSH with its host key verified and has every
// adjacency Full, that a wrong host key is refused on a router of the
// second sshd, and that every router's kernel forwards to every other
// router's loopback exactly as the model predicts, link by link,
// equal-cost paths and parallel links included, with a route over all
// four parallel Vilvoorde-Evere links; then takes
// the lab down and checks that nothing is left.
func TestLabZoo(t *testing.T) {
	t0 := time.Now()
	l, n := UpForTest(t, "zoo", zooLabFile)
	t.Logf("%d routers, %d links up and OSPF Full in %.2fs", len(l.Layout.Nodes), len(l.Layout.Links), time.Since(t0).Seconds())
	ctx, cancel := context.WithTimeout(context.Background(), testscale.Timeout(5*time.Minute))
	defer cancel()

	if len(n.Nodes) != 21 || len(l.Layout.Nodes) != 21 || len(l.Layout.Links) != 31 {
		t.Fatalf("lab of %d nodes: %d routers, %d links; want 21 and 31", len(n.Nodes), len(l.Layout.Nodes), len(l.Layout.Links))
	}
	var sshds []lab.Proc
	for _, p := range l.Procs {
		if strings.HasPrefix(p.Role, "sshd") {
			sshds = append(sshds, p)
			if comm(p.PID) != "cg-sshd" {
				t.Errorf("%s (pid %d) is not running", p.Role, p.PID)
			}
		}
	}
	if len(sshds) != 2 {
		t.Errorf("%d sshds for 21 routers, want 2: %+v", len(sshds), sshds)
	}
	if _, sshd := l.Status(ctx); !sshd {
		t.Error("Status: not every sshd runs")
	}

	t0 = time.Now()
	// Every router over real SSH, strict host-key checking, all at once
	// (across both sshds): every adjacency Full.
	var wg sync.WaitGroup
	errs := make([]string, len(l.Layout.Nodes))
	for i, nd := range l.Layout.Nodes {
		wg.Go(func() {
			out, err := l.SSH(ctx, nd.Name, "show ip ospf neighbor")
			switch want := len(l.Layout.Ends(nd.Name)); {
			case err != nil:
				errs[i] = fmt.Sprintf("ssh %s (port %d): %v", nd.Name, nd.SSHPort, err)
			case strings.Count(out, "Full/") != want:
				errs[i] = fmt.Sprintf("%s: %d Full neighbours over ssh, want %d:\n%s", nd.Name, strings.Count(out, "Full/"), want, out)
			}
		})
	}
	wg.Wait()
	t.Logf("every router answered over ssh (%.2fs)", time.Since(t0).Seconds())
	for _, e := range errs {
		if e != "" {
			t.Error(e)
		}
	}
	last := l.Layout.Nodes[len(l.Layout.Nodes)-1] // served by the second sshd
	if out, err := sshWrongHostKey(ctx, t, l, last.Name); err == nil {
		t.Errorf("ssh to %s with a wrong host key succeeded:\n%s", last.Name, out)
	}
	// The kernel's table over SSH, through the second sshd too (each
	// sshd keeps the routers' namespaces in its own mount namespace).
	if out, err := l.SSH(ctx, last.Name, "ip -j route show"); err != nil || !strings.Contains(out, `"protocol":"ospf"`) {
		t.Errorf("ssh %s 'ip -j route show': %v:\n%s", last.Name, err, out)
	}

	// Every router forwards as the model predicts.
	var names []string
	for _, nd := range n.Nodes {
		names = append(names, nd.Name)
	}
	pred, err := dryrun.Predict(ctx, n, nil, names)
	if err != nil {
		t.Fatal(err)
	}
	t0 = time.Now()
	obs := waitForwarding(ctx, t, l, n, pred.Links[0])
	ecmp := 0
	for _, o := range obs {
		for _, r := range o.Routes {
			if nodes, _ := r.Nodes(); len(nodes) > 1 {
				ecmp++
			}
		}
	}
	if ecmp == 0 {
		t.Error("no route with equal-cost next hops through different routers")
	}
	evere, _ := l.Layout.Node("Evere")
	var ifs []string
	for _, h := range obs["Vilvoorde"].Routes["Evere"].NextHops {
		ifs = append(ifs, h.Interface)
	}
	if len(ifs) != 4 {
		t.Errorf("Vilvoorde -> Evere (%s) over interfaces %v, want the four parallel links", evere.Loopback, ifs)
	}
	t.Logf("every router forwards as the model predicts (%.2fs): %d routes with equal-cost next hops through different routers; Vilvoorde -> Evere over %v", time.Since(t0).Seconds(), ecmp, ifs)

	t1 := time.Now()
	if err := l.Down(ctx); err != nil {
		t.Fatalf("down: %v", err)
	}
	t.Logf("lab down in %.2fs", time.Since(t1).Seconds())
	checkGone(t, l)
}

// comm is the kernel's name for pid, "" when it is gone or a zombie (a
// PID 1 that reaps late leaves killed daemons as zombies for a while).
func comm(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	s := string(data)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open || end+2 >= len(s) || s[end+2] == 'Z' || s[end+2] == 'X' {
		return ""
	}
	return s[open+1 : end]
}

// checkGone checks that nothing l created is left: namespaces, daemons,
// the user, the state directory.
func checkGone(t *testing.T, l *lab.Lab) {
	t.Helper()
	for _, ns := range l.Namespaces {
		if _, err := os.Stat(filepath.Join("/run/netns", ns)); err == nil {
			t.Errorf("namespace %s left behind", ns)
		}
	}
	for _, p := range l.Procs {
		if c := comm(p.PID); c == p.Comm {
			t.Errorf("process %d (%s, %s) left behind", p.PID, p.Comm, p.Role)
		}
	}
	if _, err := user.Lookup(l.User); err == nil {
		t.Errorf("user %s left behind", l.User)
	}
	if _, err := os.Stat(l.Dir); err == nil {
		t.Errorf("state directory %s left behind", l.Dir)
	}
}

// sshWrongHostKey runs ssh to node with a known_hosts file that gives its
// port another key.
func sshWrongHostKey(ctx context.Context, t *testing.T, l *lab.Lab, node string) (string, error) {
	t.Helper()
	other := filepath.Join(t.TempDir(), "other")
	if out, err := exec.CommandContext(ctx, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v: %s", err, out)
	}
	pub, err := os.ReadFile(other + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	nd, _ := l.Layout.Node(node)
	f := strings.Fields(string(pub))
	badKH := other + ".known_hosts"
	if err := os.WriteFile(badKH, fmt.Appendf(nil, "[127.0.0.1]:%d %s %s\n", nd.SSHPort, f[0], f[1]), 0o644); err != nil {
		t.Fatal(err)
	}
	args, err := l.SSHArgs(node, "show version")
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range args {
		if strings.HasPrefix(s, "UserKnownHostsFile=") {
			args[i] = "UserKnownHostsFile=" + badKH
		}
	}
	out, err := exec.CommandContext(ctx, "ssh", args...).CombinedOutput()
	return string(out), err
}

// waitForwarding polls every router (host-side vtysh and ip in its
// namespace: the commands changegate observes FRR with, the kernel's
// forwarding included) until each forwards exactly as want (node ->
// destination -> next hops by link, each parallel link counting) in two
// polls in a row with the same observations, and returns the last
// observations. It fails t if that does not happen in time.
func waitForwarding(ctx context.Context, t *testing.T, l *lab.Lab, n *topology.Network, want dryrun.LinkRoutes) map[string]*observe.Observation {
	t.Helper()
	cmds, err := observe.Commands("frr_vtysh", n.IGP)
	if err != nil {
		t.Fatal(err)
	}
	limit := testscale.Timeout(60 * time.Second)
	deadline := time.Now().Add(limit)
	var prev map[string]*observe.Observation
	for {
		cur := map[string]*observe.Observation{}
		var diffs []string
		for _, nd := range n.Nodes {
			outputs := map[string]string{}
			for _, c := range cmds {
				out, err := l.Vtysh(ctx, nd.Name, c)
				if err != nil {
					t.Fatal(err)
				}
				outputs[c] = out
			}
			ns, _ := l.Layout.Node(nd.Name)
			for _, c := range observe.KernelCommands("frr_vtysh") {
				args := append([]string{"-n", ns.Namespace}, strings.Fields(strings.TrimPrefix(c, "ip "))...)
				out, err := exec.CommandContext(ctx, "ip", args...).Output()
				if err != nil {
					t.Fatalf("%s in %s: %v", c, ns.Namespace, err)
				}
				outputs[c] = string(out)
			}
			o, err := observe.Read(n, nd.Name, "frr_vtysh", outputs)
			if err != nil {
				t.Fatal(err)
			}
			cur[nd.Name] = o
			c, err := observe.Compare(want[nd.Name], o, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Differences) > 0 {
				diffs = append(diffs, c.String())
			}
		}
		if len(diffs) == 0 && reflect.DeepEqual(prev, cur) {
			return cur
		}
		if time.Now().After(deadline) {
			t.Fatalf("the routers do not forward as the model predicts %s after up:\n%s", limit, strings.Join(diffs, "\n"))
		}
		prev = cur
		time.Sleep(200 * time.Millisecond)
	}
}
