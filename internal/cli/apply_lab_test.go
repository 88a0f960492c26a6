package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/lab"
	"github.com/changegate/changegate/internal/testscale"
)

// The apply tests' lab and plan are the lab example (examples/lab): a
// square a-b-c-d-a, and a plan costing out a-b from both ends whose first
// step checks that a reaches b through d (a-d-c-b, 30, against 1000
// direct).
func labExample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "lab", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// costOutAB is the example plan with the first step's soak set.
func costOutAB(t *testing.T, soak string) string {
	plan := labExample(t, "cost-out.yaml")
	if !strings.Contains(plan, "soak: 0s") {
		t.Fatal("examples/lab/cost-out.yaml has no soak: 0s to change")
	}
	return strings.Replace(plan, "soak: 0s", "soak: "+soak, 1)
}

// routes returns every router's OSPF routes to the loopbacks, as
// "router prefix via interfaces", sorted: what forwarding looks like.
func routes(t *testing.T, l *lab.Lab) string {
	t.Helper()
	return protocolRoutes(t, l, "ospf")
}

// protocolRoutes is routes for the routes of protocol ("ospf", "isis").
func protocolRoutes(t *testing.T, l *lab.Lab, protocol string) string {
	t.Helper()
	var out []string
	for _, n := range l.Layout.Nodes {
		text, err := l.Vtysh(context.Background(), n.Name, "show ip route json")
		if err != nil {
			t.Fatal(err)
		}
		var table map[string][]struct {
			Protocol string
			Selected bool
			Nexthops []struct{ InterfaceName string }
		}
		if err := json.Unmarshal([]byte(text), &table); err != nil {
			t.Fatal(err)
		}
		for prefix, rs := range table {
			if !strings.HasPrefix(prefix, "198.18.") {
				continue
			}
			for _, r := range rs {
				if r.Protocol != protocol || !r.Selected {
					continue
				}
				var via []string
				for _, h := range r.Nexthops {
					via = append(via, h.InterfaceName)
				}
				sort.Strings(via)
				out = append(out, fmt.Sprintf("%s %s via %s", n.Name, prefix, strings.Join(via, ",")))
			}
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// observeTimeout is apply.observe_timeout for a test whose observation
// is to time out: d scaled for the machine (internal/testscale), at least
// the setting's minimum of 1s.
func observeTimeout(d time.Duration) string {
	return max(testscale.Timeout(d), time.Second).String()
}

// applyObserved runs apply on plan for a test whose observation before
// the change is to fail on the routes. The observer reports its last try,
// and on a loaded machine the observe deadline can cut that try short in
// the middle of a command ("no answer in time"), which says nothing about
// the routes; such a run did not start and changed nothing, so it runs
// again, three times at most.
func applyObserved(t *testing.T, plan string, args ...string) (out, errs string, code int) {
	t.Helper()
	for try := 1; ; try++ {
		out, errs, code = run(t, append([]string{"apply", plan}, args...)...)
		cut := code == ExitRolledBack && strings.Contains(out, "NOT STARTED") && strings.Contains(out, "observe FAILED") && strings.Contains(out, "no answer in time")
		if !cut || try == 3 {
			return out, errs, code
		}
		t.Logf("try %d: the observe deadline cut the last observation short; again:\n%s", try, out)
	}
}

// waitRoutes waits for the lab's routes to equal want (OSPF converging).
func waitRoutes(t *testing.T, l *lab.Lab, want string) {
	t.Helper()
	var got string
	for deadline := time.Now().Add(testscale.Timeout(60 * time.Second)); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if got = routes(t, l); got == want {
			return
		}
	}
	t.Fatalf("routes differ from what they should be\nwant:\n%s\ngot:\n%s", want, got)
}

// waitRoutesChange waits for the lab's routes to differ from baseline
// (a fault taken in); on a loaded machine OSPF may need seconds.
func waitRoutesChange(t *testing.T, l *lab.Lab, baseline string) {
	t.Helper()
	for deadline := time.Now().Add(testscale.Timeout(60 * time.Second)); routes(t, l) == baseline; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the fault never reached the routers' routes")
		}
	}
}

// TestApplyLab runs apply end to end against real FRR routers over SSH:
// a plan that succeeds (the routers forward as the model predicts after
// every step), a plan that fails because of a fault the model does not
// know and is rolled back to the routes of before, two runs on one
// device, and a run killed at each phase and recovered.
func TestApplyLab(t *testing.T) {
	lab.SkipUnlessAvailable(t)
	isolate(t)
	topo := labExample(t, "topology.yaml")
	l, _ := lab.UpForTest(t, "apply", topo)
	dir := t.TempDir()
	writeFile(t, dir, "topology.yaml", topo)
	writeFile(t, dir, "plan.yaml", costOutAB(t, "0s"))
	writeFile(t, dir, "plan-soak.yaml", costOutAB(t, "30s"))
	t.Setenv("CHANGEGATE_STATE_DIR", filepath.Join(dir, "state"))
	t.Setenv("CHANGEGATE_INVENTORY_FILE", l.InventoryFile())
	plan := filepath.Join(dir, "plan.yaml")
	ctx := context.Background()
	reset := func() {
		t.Helper()
		if err := l.ResetCosts(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.WaitConverged(ctx); err != nil {
		t.Fatal(err)
	}
	baseline := routes(t, l)

	t.Run("succeeds", func(t *testing.T) {
		defer reset()
		out, errs, code := run(t, "apply", plan)
		if code != 0 || !strings.Contains(out, "APPLIED: run ") {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
		for _, want := range []string{`step 1/2 [a] config OK`, `step 2/2 [b] step-check "cost is 1000" OK`, `step 1/2 observe OK: the 4 routers forward as the model predicts`, `[b] post-check "b reaches a through c" OK`} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if c, _ := l.Vtysh(ctx, "a", "show ip ospf interface cg-b"); !strings.Contains(c, "Cost: 1000") {
			t.Errorf("a's cost not changed:\n%s", c)
		}
	})
	waitRoutes(t, l, baseline)

	// c's cost towards b is 1000 on the router, 10 in the model. The
	// comparison with the model sees it before anything is changed (d's
	// routes to b); without the comparison, step 1's health check sees
	// it (a's best way to b is the direct link again, not through d) and
	// the run is rolled back.
	t.Run("fault the model does not know: caught before the change", func(t *testing.T) {
		if err := l.Configure(ctx, "c", "interface cg-b", "ip ospf cost 1000"); err != nil {
			t.Fatal(err)
		}
		defer reset()
		waitRoutesChange(t, l, baseline)
		time.Sleep(time.Second)
		before := routes(t, l)
		// The observation is to time out on the routes, after every
		// router answered at least once: scaled for the machine.
		t.Setenv("CHANGEGATE_APPLY_OBSERVE_TIMEOUT", observeTimeout(3*time.Second))
		// The network read before the run differs from the model: refused.
		out, errs, code := run(t, "apply", plan)
		if code != ExitDenied || !strings.Contains(errs, `apply refused: the network differs from the model the gate checked (1 differences: link "bc" ("b-c" in the network): metric c->b is 10 in the model, 1000 in the network)`) {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
		// Run anyway (break-glass): the routers' forwarding, compared with
		// the model before the first step, stops it.
		out, errs, code = applyObserved(t, plan, "--break-glass", "test: the comparison of forwarding")
		if code != ExitRolledBack || !strings.Contains(out, "NOT STARTED") || !strings.Contains(out, "d -> b: the model predicts via a, c; the router forwards via a") {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
		if routes(t, l) != before {
			t.Error("routes changed although the run did not start")
		}
	})
	t.Run("fault the model does not know: rolled back", func(t *testing.T) {
		if err := l.Configure(ctx, "c", "interface cg-b", "ip ospf cost 1000"); err != nil {
			t.Fatal(err)
		}
		defer reset()
		waitRoutesChange(t, l, baseline)
		time.Sleep(time.Second)
		before := routes(t, l)
		t.Setenv("CHANGEGATE_APPLY_OBSERVE", "false")
		out, errs, code := run(t, "apply", plan)
		if code != ExitRolledBack || !strings.Contains(out, "FAILED AND ROLLED BACK") || !strings.Contains(out, `check "a reaches b through d" on a failed`) {
			t.Fatalf("exit %d, want %d\n%s\n%s", code, ExitRolledBack, out, errs)
		}
		waitRoutes(t, l, before)
	})
	waitRoutes(t, l, baseline)

	// A drain, with the model draining as OSPF does (igp: ospf): every
	// router the drain moves forwards as predicted. (The square does not
	// tell OSPF's drain from IS-IS's; internal/observe's recorded drain
	// does: TestReplayDrain.)
	writeFile(t, dir, "drain.yaml", labExample(t, "drain.yaml"))
	t.Run("drain as OSPF does", func(t *testing.T) {
		out, errs, code := run(t, "apply", filepath.Join(dir, "drain.yaml"))
		if code != 0 || !strings.Contains(out, "step 1/2 observe OK: the 3 routers forward as the model predicts") {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
	})
	waitRoutes(t, l, baseline)

	t.Run("two runs on one device", func(t *testing.T) {
		child := startApplyChild(t, filepath.Join(dir, "plan-soak.yaml"), "")
		waitRecord(t, child, "soak")
		_, errs, code := run(t, "apply", plan)
		if code != 1 || !strings.Contains(errs, "device a is locked by run "+child.run) || !strings.Contains(errs, "plan-soak.yaml") {
			t.Errorf("second run: exit %d\n%s", code, errs)
		}
		child.kill(t)
		out, errs, code := run(t, "recover", child.run)
		if code != 0 || !strings.Contains(out, "RECOVERED") {
			t.Fatalf("recover: exit %d\n%s\n%s", code, out, errs)
		}
	})
	waitRoutes(t, l, baseline)

	t.Run("killed then resumed", func(t *testing.T) {
		defer reset()
		child := startApplyChild(t, plan, "config.intent:2")
		child.wait(t)
		out, errs, code := run(t, "recover", child.run, "--resume")
		if code != 0 || !strings.Contains(out, "APPLIED") || !strings.Contains(out, "resume start") {
			t.Fatalf("resume: exit %d\n%s\n%s", code, out, errs)
		}
		for _, r := range []struct{ node, iface string }{{"a", "cg-b"}, {"b", "cg-a"}} {
			if c, _ := l.Vtysh(ctx, r.node, "show ip ospf interface "+r.iface); !strings.Contains(c, "Cost: 1000") {
				t.Errorf("%s %s not at 1000 after the resumed run", r.node, r.iface)
			}
		}
		if !strings.Contains(errs, "topology-after.yaml") {
			t.Errorf("the resumed run does not say where the model after it is:\n%s", errs)
		}
		if b, err := os.ReadFile(filepath.Join(dir, "state", "runs", child.run, "topology-after.yaml")); err != nil || !strings.Contains(string(b), "metric: 1000}") {
			t.Errorf("the resumed run's model: %v\n%s", err, b)
		}
	})
	waitRoutes(t, l, baseline)

	// Kill the run right after each kind of record (the action it
	// announces may or may not have happened) and recover.
	for _, at := range []string{"config.intent:1", "config.result:1", "check.result:2", "step.done:1", "config.intent:2", "config.result:2"} {
		t.Run("killed after "+at, func(t *testing.T) {
			child := startApplyChild(t, plan, at)
			child.wait(t)
			out, errs, code := run(t, "recover", child.run)
			if code != 0 || !strings.Contains(out, "RECOVERED") {
				t.Fatalf("recover: exit %d\n%s\n%s", code, out, errs)
			}
			waitRoutes(t, l, baseline)
			out, _, _ = run(t, "runs")
			if !strings.Contains(out, child.run+"  recovered") {
				t.Errorf("runs:\n%s", out)
			}
		})
	}
}

// applyChild is `changegate apply` running in a child process (this test
// binary), which a test kills.
type applyChild struct {
	cmd  *exec.Cmd
	run  string
	done chan error
	dir  string
}

// startApplyChild runs apply of plan in a child process; with killAt
// ("TYPE:N") the child kills itself with SIGKILL right after its N-th
// journal record of that type.
func startApplyChild(t *testing.T, plan, killAt string) *applyChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestApplyChildProcess$", "-test.v")
	cmd.Env = append(os.Environ(), "CHANGEGATE_TEST_APPLY_CHILD="+plan, "CHANGEGATE_TEST_KILL_AT="+killAt)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &applyChild{cmd: cmd, done: make(chan error, 1)}
	runs := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		var log strings.Builder
		for sc.Scan() {
			line := sc.Text()
			log.WriteString(line + "\n")
			if i := strings.Index(line, "changegate: run "); i >= 0 {
				f := strings.Fields(line[i:])
				runs <- strings.TrimSuffix(f[2], ":")
			}
		}
		c.done <- cmd.Wait()
		t.Logf("child:\n%s", log.String())
	}()
	select {
	case c.run = <-runs:
	case err := <-c.done:
		t.Fatalf("child ended before starting a run: %v", err)
	case <-time.After(testscale.Timeout(2 * time.Minute)):
		cmd.Process.Kill()
		t.Fatal("child started no run in time")
	}
	c.dir = filepath.Join(os.Getenv("CHANGEGATE_STATE_DIR"), "runs", c.run)
	return c
}

// wait waits for the child to end (killed by itself).
func (c *applyChild) wait(t *testing.T) {
	t.Helper()
	select {
	case err := <-c.done:
		if ee, ok := err.(*exec.ExitError); !ok || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("child ended with %v, want killed", err)
		}
	case <-time.After(testscale.Timeout(3 * time.Minute)):
		c.cmd.Process.Kill()
		t.Fatal("child did not end in time")
	}
}

func (c *applyChild) kill(t *testing.T) {
	t.Helper()
	c.cmd.Process.Signal(syscall.SIGKILL)
	c.wait(t)
}

// waitRecord waits until the child's journal has a record of type typ.
func waitRecord(t *testing.T, c *applyChild, typ string) {
	t.Helper()
	for deadline := time.Now().Add(testscale.Timeout(2 * time.Minute)); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		r, err := journal.Read(os.Getenv("CHANGEGATE_STATE_DIR"), c.run)
		if err == nil {
			for _, rec := range r.Records {
				if rec.Type == typ {
					return
				}
			}
		}
	}
	t.Fatalf("no %s record in time", typ)
}

// TestApplyChildProcess is the child of startApplyChild; it does nothing
// in a normal test run.
func TestApplyChildProcess(t *testing.T) {
	plan := os.Getenv("CHANGEGATE_TEST_APPLY_CHILD")
	if plan == "" {
		t.Skip("only a child process of TestApplyLab runs this")
	}
	if at := os.Getenv("CHANGEGATE_TEST_KILL_AT"); at != "" {
		typ, nth, _ := strings.Cut(at, ":")
		seen := 0
		afterRecord = func(r journal.Record) {
			if r.Type == typ {
				seen++
				if fmt.Sprint(seen) == nth {
					syscall.Kill(os.Getpid(), syscall.SIGKILL)
					select {} // wait for the signal
				}
			}
		}
	}
	code := Run(context.Background(), []string{"apply", plan}, strings.NewReader(""), os.Stdout, os.Stdout)
	t.Fatalf("apply ended with %d instead of being killed", code)
}
