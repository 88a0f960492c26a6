package lab

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/changegate/changegate/internal/testscale"
)

// labRequired reports whether CHANGEGATE_LAB=required: then a missing
// prerequisite fails the lab test instead of skipping it.
func labRequired() bool { return os.Getenv("CHANGEGATE_LAB") == "required" }

func skipUnlessLab(t *testing.T) {
	t.Helper()
	if labRequired() {
		if err := Preflight(); err != nil {
			t.Fatalf("CHANGEGATE_LAB=required but the lab cannot run: %v", err)
		}
		return
	}
	if testing.Short() {
		t.Skip("lab test skipped in -short mode")
	}
	if err := Preflight(); err != nil {
		t.Skipf("lab test skipped (set CHANGEGATE_LAB=required to fail instead): %v", err)
	}
}

// TestLab brings up a three-router triangle running OSPF, checks OSPF
// over real SSH with host-key verification, moves a metric in the model
// and sees the OSPF cost and the route follow, then tears down and checks
// that nothing the lab created is left.
func TestLab(t *testing.T) {
	skipUnlessLab(t)
	ctx, cancel := context.WithTimeout(context.Background(), testscale.Timeout(3*time.Minute))
	defer cancel()
	if swept, err := SweepStale(ctx); err != nil {
		t.Logf("sweeping stale test labs: %v", err)
	} else if len(swept) > 0 {
		t.Logf("removed stale test labs: %v", swept)
	}

	// a-c costs 100 directly, 20 through b: traffic a->c goes via b.
	n := parse(t, `
igp: ospf
nodes: [{name: a}, {name: b}, {name: c}]
links:
  - {id: ab, a: "a:eth0", b: "b:eth0", capacity: 100G, metric: 10}
  - {id: bc, a: "b:eth1", b: "c:eth0", capacity: 100G, metric: 10}
  - {id: ac, a: "a:eth1", b: "c:eth1", capacity: 10G, metric: 100}
`)
	id := os.Getpid() % 100000
	name := fmt.Sprintf("test-%d", id)
	t0 := time.Now()
	l, err := Up(ctx, n, Options{
		Name:            name,
		Prefix:          fmt.Sprintf("cg-t%d-", id),
		Ephemeral:       true,
		ConvergeTimeout: testscale.Timeout(90 * time.Second),
		Log:             testWriter{t},
	})
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	t.Logf("lab up in %.2fs, state %s", time.Since(t0).Seconds(), l.Dir)
	downDone := false
	t.Cleanup(func() {
		if !downDone {
			if err := l.Down(context.Background()); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		}
	})

	// Real SSH with strict host-key checking: every router has two Full
	// neighbours.
	for _, r := range []string{"a", "b", "c"} {
		out, err := l.SSH(ctx, r, "show ip ospf neighbor")
		if err != nil {
			t.Fatalf("ssh %s: %v", r, err)
		}
		if got := strings.Count(out, "Full/"); got != 2 {
			t.Errorf("%s: %d Full neighbours over ssh, want 2:\n%s", r, got, out)
		}
	}
	// The prompt is the router's, and a rejected command fails.
	if _, err := l.SSH(ctx, "a", "show no-such-thing"); err == nil {
		t.Error("ssh: a rejected vtysh command succeeded")
	}
	// A wrong host key is refused.
	badKH := filepath.Join(l.Dir, "ssh", "known_hosts.bad")
	other := filepath.Join(l.Dir, "ssh", "other")
	if _, err := run(ctx, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other); err != nil {
		t.Fatal(err)
	}
	pub, _ := os.ReadFile(other + ".pub")
	a, _ := l.Layout.Node("a")
	f := strings.Fields(string(pub))
	os.WriteFile(badKH, []byte(fmt.Sprintf("[127.0.0.1]:%d %s %s\n", a.SSHPort, f[0], f[1])), 0o644)
	args, _ := l.SSHArgs("a", "show version")
	for i, s := range args {
		if strings.HasPrefix(s, "UserKnownHostsFile=") {
			args[i] = "UserKnownHostsFile=" + badKH
		}
	}
	if out, err := exec.CommandContext(ctx, "ssh", args...).CombinedOutput(); err == nil {
		t.Errorf("ssh with a wrong host key succeeded:\n%s", out)
	}

	// Costs are the model's metrics, per direction.
	abA := l.Layout.Links[0].A.Interface
	if out, err := l.SSH(ctx, "a", "show ip ospf interface "+abA); err != nil || !strings.Contains(out, "Cost: 10") {
		t.Errorf("a %s: want Cost: 10, got %v:\n%s", abA, err, out)
	}
	c, _ := l.Layout.Node("c")
	route := "show ip route " + c.Loopback.String() + "/32"
	if out, err := l.SSH(ctx, "a", route); err != nil || !strings.Contains(out, "metric 20") {
		t.Fatalf("a -> c before: want metric 20 via b, got %v:\n%s", err, out)
	}

	// Change the model: a->b now costs 500, so a reaches c directly.
	n.Links[0].MetricAB = 500
	changed, err := l.SetMetrics(ctx, n)
	if err != nil {
		t.Fatalf("set metrics: %v", err)
	}
	if len(changed) != 1 {
		t.Errorf("changed %v, want one end", changed)
	}
	if out, err := l.SSH(ctx, "a", "show ip ospf interface "+abA); err != nil || !strings.Contains(out, "Cost: 500") {
		t.Errorf("a %s after the change: want Cost: 500, got %v:\n%s", abA, err, out)
	}
	var out string
	for deadline := time.Now().Add(testscale.Timeout(30 * time.Second)); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		out, err = l.SSH(ctx, "a", route)
		if err == nil && strings.Contains(out, "metric 100") {
			break
		}
	}
	if !strings.Contains(out, "metric 100") || !strings.Contains(out, l.Layout.Links[2].A.Interface) {
		t.Errorf("a -> c after the change: want metric 100 via %s, got:\n%s", l.Layout.Links[2].A.Interface, out)
	}

	// Tear down and check that nothing is left.
	t1 := time.Now()
	if err := l.Down(ctx); err != nil {
		t.Fatalf("down: %v", err)
	}
	downDone = true
	t.Logf("lab down in %.2fs", time.Since(t1).Seconds())
	checkGone(t, l)
}

// TestLabISIS brings up an IS-IS lab (a topology without igp: IS-IS, as
// the model drains by default): a square whose routers run isisd, every
// adjacency up over real SSH, the interface metrics the model's, a
// drained router overloaded and carrying no transit; then it moves a
// metric in the model and sees the IS-IS metric and the route follow.
func TestLabISIS(t *testing.T) {
	skipUnlessLab(t)
	ctx, cancel := context.WithTimeout(context.Background(), testscale.Timeout(3*time.Minute))
	defer cancel()
	// a-b-c-d-a, d drained: a reaches c through b only (not through d),
	// although both ways cost 20.
	n := parse(t, `
nodes: [{name: a}, {name: b}, {name: c}, {name: d, drained: true}]
links:
  - {id: ab, a: a, b: b, capacity: 10G, metric: 10}
  - {id: bc, a: b, b: c, capacity: 10G, metric: 10}
  - {id: cd, a: c, b: d, capacity: 10G, metric: 10}
  - {id: da, a: d, b: a, capacity: 10G, metric: 10}
`)
	id := os.Getpid() % 100000
	t0 := time.Now()
	l, err := Up(ctx, n, Options{Name: fmt.Sprintf("testisis-%d", id), Prefix: fmt.Sprintf("cg-i%d-", id), Ephemeral: true, ConvergeTimeout: testscale.Timeout(90 * time.Second), Log: testWriter{t}})
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	t.Logf("IS-IS lab up in %.2fs, state %s", time.Since(t0).Seconds(), l.Dir)
	defer func() {
		if err := l.Down(context.Background()); err != nil {
			t.Errorf("down: %v", err)
		}
		checkGone(t, l)
	}()
	if l.Layout.IGP != "isis" {
		t.Fatalf("layout IGP %q, want isis", l.Layout.IGP)
	}
	for _, p := range l.Procs {
		if p.Comm == "cg-ospfd" {
			t.Errorf("an IS-IS lab runs ospfd: %+v", p)
		}
	}
	for _, r := range []string{"a", "b", "c", "d"} {
		out, err := l.SSH(ctx, r, "show isis neighbor")
		if err != nil {
			t.Fatalf("ssh %s: %v", r, err)
		}
		if got := strings.Count(out, " Up "); got != 2 {
			t.Errorf("%s: %d adjacencies Up over ssh, want 2:\n%s", r, got, out)
		}
	}
	ab := l.Layout.Links[0].A.Interface
	if out, err := l.SSH(ctx, "a", "show isis interface "+ab); err != nil || !regexp.MustCompile(`Level-2 Information:\s+Metric: 10\b`).MatchString(out) {
		t.Errorf("a %s: want Metric: 10 at level 2, got %v:\n%s", ab, err, out)
	}
	if out, err := l.SSH(ctx, "d", "show isis database"); err != nil || !regexp.MustCompile(`(?m)^d\.00-00\s+\*.*\s0/0/1\s*$`).MatchString(out) {
		t.Errorf("d: want its own LSP with the overload bit, got %v:\n%s", err, out)
	}
	c, _ := l.Layout.Node("c")
	route := "show ip route " + c.Loopback.String() + "/32"
	var out string
	for deadline := time.Now().Add(testscale.Timeout(30 * time.Second)); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if out, err = l.SSH(ctx, "a", route); err == nil && strings.Contains(out, "metric 20") && !strings.Contains(out, l.Layout.Links[3].B.Interface) {
			break
		}
	}
	if !strings.Contains(out, `Known via "isis"`) || !strings.Contains(out, "metric 20") || !strings.Contains(out, ab) || strings.Contains(out, l.Layout.Links[3].B.Interface) {
		t.Errorf("a -> c: want IS-IS, metric 20, via b only (d is overloaded), got:\n%s", out)
	}

	// a->b now costs 500: through d would cost 20, but d is overloaded,
	// so a still reaches c through b, at 510.
	n.Links[0].MetricAB = 500
	if _, err := l.SetMetrics(ctx, n); err != nil {
		t.Fatalf("set metrics: %v", err)
	}
	if out, err := l.SSH(ctx, "a", "show isis interface "+ab); err != nil || !regexp.MustCompile(`Level-2 Information:\s+Metric: 500\b`).MatchString(out) {
		t.Errorf("a %s after the change: want Metric: 500, got %v:\n%s", ab, err, out)
	}
	for deadline := time.Now().Add(testscale.Timeout(30 * time.Second)); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if out, err = l.SSH(ctx, "a", route); err == nil && strings.Contains(out, "metric 510") {
			break
		}
	}
	if !strings.Contains(out, "metric 510") || !strings.Contains(out, ab) {
		t.Errorf("a -> c after the change: want metric 510 via b (d carries no transit), got:\n%s", out)
	}
}

// TestLabUpFailure checks that an Up that fails after building everything
// (here: IS-IS cannot converge within 1 ms) removes all of it.
func TestLabUpFailure(t *testing.T) {
	skipUnlessLab(t)
	ctx, cancel := context.WithTimeout(context.Background(), testscale.Timeout(time.Minute))
	defer cancel()
	n := parse(t, `
nodes: [{name: x}, {name: y}]
links: [{a: x, b: y, capacity: 1G}]
`)
	id := os.Getpid() % 100000
	opts := Options{Name: fmt.Sprintf("testfail-%d", id), Prefix: fmt.Sprintf("cg-f%d-", id), Ephemeral: true, ConvergeTimeout: time.Millisecond}
	l, err := Up(ctx, n, opts)
	if err == nil {
		l.Down(ctx)
		t.Fatal("up succeeded with a 1 ms convergence timeout")
	}
	if !strings.Contains(err.Error(), "isis not converged") {
		t.Errorf("error %q does not say why", err)
	}
	lay, _ := PlanLayout(n, opts.Prefix, DefaultCapacityScale, nil)
	checkGone(t, &Lab{State: State{Dir: DefaultStateDir(opts.Name), User: "cg-" + opts.Name, Namespaces: []string{lay.Nodes[0].Namespace, lay.Nodes[1].Namespace}, Layout: lay}})
	if out, _ := run(ctx, "ps", "-eo", "stat=,comm=,args="); strings.Contains(out, DefaultStateDir(opts.Name)) {
		for _, line := range strings.Split(out, "\n") {
			if strings.Contains(line, DefaultStateDir(opts.Name)) && !strings.HasPrefix(line, "Z") {
				t.Errorf("process left behind: %s", line)
			}
		}
	}
}

func checkGone(t *testing.T, l *Lab) {
	t.Helper()
	for _, ns := range l.Namespaces {
		if _, err := os.Stat(filepath.Join("/run/netns", ns)); err == nil {
			t.Errorf("namespace %s left behind", ns)
		}
	}
	for _, p := range l.Procs {
		if procAlive(p.PID) && procComm(p.PID) == p.Comm {
			t.Errorf("process %d (%s, %s) left behind", p.PID, p.Comm, p.Role)
		}
	}
	if _, err := user.Lookup(l.User); err == nil {
		t.Errorf("user %s left behind", l.User)
	}
	if _, err := os.Stat(l.Dir); err == nil {
		t.Errorf("state directory %s left behind", l.Dir)
	}
	host, _ := run(context.Background(), "ip", "-o", "link", "show")
	for _, lk := range l.Layout.Links {
		for _, e := range []End{lk.A, lk.B} {
			if strings.Contains(host, " "+e.Interface+"@") || strings.Contains(host, " "+e.Interface+":") {
				t.Errorf("interface %s in the host namespace", e.Interface)
			}
		}
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
