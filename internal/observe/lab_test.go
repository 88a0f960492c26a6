package observe_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/lab"
	"github.com/changegate/changegate/internal/observe"
	"github.com/changegate/changegate/internal/testscale"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
	"github.com/changegate/changegate/userfile"
)

// The recordings in testdata/frr84 come from real FRR 8.4 routers built
// by internal/lab from testdata/square.yaml and testdata/drain.yaml:
//
//	CHANGEGATE_OBSERVE_RECORD=1 go test ./internal/observe/ -run TestRecordFRR
//
// rewrites them (as root, where the lab can run). The other tests replay
// them.
const platform = "frr_vtysh"

func loadNet(t testing.TB, path string) *topology.Network {
	t.Helper()
	n, ds, err := topology.LoadFile(context.Background(), path, userfile.Scope{})
	if err != nil || ds.HasErrors() {
		t.Fatalf("load %s: %v %v", path, err, ds)
	}
	return n
}

func loadPlan(t testing.TB, path string) *plans.Plan {
	t.Helper()
	p, ds, err := plans.LoadFile(context.Background(), path, userfile.Scope{})
	if err != nil || ds.HasErrors() {
		t.Fatalf("load %s: %v %v", path, err, ds)
	}
	return p
}

func nodeNames(n *topology.Network) []string {
	var out []string
	for _, nd := range n.Nodes {
		out = append(out, nd.Name)
	}
	return out
}

// recording is where one router's output of one command is kept: a
// .json file for a JSON command (vtysh's "... json", iproute2's "ip -j
// ..."), .txt for text; in the directory of the state, or of the lab
// itself for state -1 (a recording of one state that is no plan's).
func recording(labName string, state int, node, command string) string {
	ext := ".txt"
	if strings.HasSuffix(command, " json") || strings.HasPrefix(command, "ip -j ") {
		ext = ".json"
	}
	name := strings.TrimSuffix(strings.Replace(command, "ip -j ", "ip ", 1), " json")
	file := node + "." + strings.ReplaceAll(name, " ", "-") + ext
	if state < 0 {
		return filepath.Join("testdata", "frr84", labName, file)
	}
	return filepath.Join("testdata", "frr84", labName, fmt.Sprintf("state%d", state), file)
}

// replay reads the recorded outputs of node in state, for the commands
// of the network's IGP.
func replay(t *testing.T, labName string, state int, node string, igp string) map[string]string {
	t.Helper()
	cmds, err := observe.Commands(platform, igp)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range cmds {
		data, err := os.ReadFile(recording(labName, state, node, c))
		if err != nil {
			t.Fatalf("%v (record with CHANGEGATE_OBSERVE_RECORD=1 go test -run TestRecordFRR)", err)
		}
		out[c] = string(data)
	}
	return out
}

// The square in both states: every router forwards exactly as predicted,
// ECMP and parallel links included; and the state-1 routers differ from
// the state-0 prediction exactly where the step moved traffic.
func TestReplaySquare(t *testing.T) {
	net := loadNet(t, "testdata/square.yaml")
	pred, err := dryrun.Predict(context.Background(), net, loadPlan(t, "testdata/square-plan.yaml"), nodeNames(net))
	if err != nil {
		t.Fatal(err)
	}
	for state := range pred.States {
		for _, node := range nodeNames(net) {
			obs, err := observe.Read(net, node, platform, replay(t, "square", state, node, net.IGP))
			if err != nil {
				t.Fatal(err)
			}
			c, err := observe.Compare(pred.Links[state][node], obs, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !c.OK || len(c.Differences) != 0 || c.Compared != 4 {
				t.Errorf("state %d: %s", state, c)
			}
		}
	}
	// p1 in state 0 uses both parallel links to p2: two next hops, one node.
	obs, err := observe.Read(net, "p1", platform, replay(t, "square", 0, "p1", net.IGP))
	if err != nil {
		t.Fatal(err)
	}
	if r := obs.Routes["p2"]; len(r.NextHops) != 2 || r.NextHops[0].Node != "p2" || r.NextHops[1].Node != "p2" || r.Protocol != "ospf" || r.Prefix.String() != "198.18.10.2/32" {
		t.Errorf("p1 -> p2: %+v, want two next hops, both p2, over OSPF to 198.18.10.2/32", r)
	}
	// The state-1 routers against the baseline's prediction: the model of
	// the wrong state is caught.
	obs, err = observe.Read(net, "p1", platform, replay(t, "square", 1, "p1", net.IGP))
	if err != nil {
		t.Fatal(err)
	}
	c, err := observe.Compare(pred.Links[0]["p1"], obs, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := `p1: 2 of 4 destinations differ from the model, beyond the tolerance of 1
  p1 -> p4: the model predicts via p2 (2 links), p3; the router forwards via p3
  p1 -> p5: the model predicts via p2 (2 links), p3; the router forwards via p3`
	if got := c.String(); got != want || c.OK {
		t.Errorf("state 1 against the baseline (OK %v):\n%s\nwant\n%s", c.OK, got, want)
	}
}

// The square on IS-IS in both states: every router forwards exactly as
// predicted, ECMP and parallel links included, with next hops mapped to
// nodes through the IS-IS adjacencies and the LSPs; and the state-1
// routers differ from the state-0 prediction where the step moved
// traffic.
func TestReplayISISSquare(t *testing.T) {
	net := loadNet(t, "testdata/isis-square.yaml")
	pred, err := dryrun.Predict(context.Background(), net, loadPlan(t, "testdata/square-plan.yaml"), nodeNames(net))
	if err != nil {
		t.Fatal(err)
	}
	for state := range pred.States {
		for _, node := range nodeNames(net) {
			obs, err := observe.Read(net, node, platform, replay(t, "isis-square", state, node, net.IGP))
			if err != nil {
				t.Fatal(err)
			}
			c, err := observe.Compare(pred.Links[state][node], obs, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !c.OK || len(c.Differences) != 0 || c.Compared != 4 {
				t.Errorf("state %d: %s", state, c)
			}
		}
	}
	obs, err := observe.Read(net, "p1", platform, replay(t, "isis-square", 0, "p1", net.IGP))
	if err != nil {
		t.Fatal(err)
	}
	if r := obs.Routes["p2"]; len(r.NextHops) != 2 || r.NextHops[0].Node != "p2" || r.NextHops[1].Node != "p2" || r.Protocol != "isis" || r.Prefix.String() != "198.18.10.2/32" {
		t.Errorf("p1 -> p2: %+v, want two next hops, both p2, over IS-IS to 198.18.10.2/32", r)
	}
	// Each neighbour is up, named by its hostname, with the loopback its
	// LSP advertises.
	var nbrs []string
	for _, nb := range obs.Neighbors {
		nbrs = append(nbrs, fmt.Sprintf("%s %s %s %s L%d %s", nb.System, nb.RouterID, nb.Address, nb.Interface, nb.Level, nb.State))
	}
	want := []string{"p2 198.18.10.2 198.19.0.1 cg-p2 L2 Up", "p2 198.18.10.2 198.19.0.3 cg-p2-2 L2 Up", "p3 198.18.10.3 198.19.0.5 cg-p3 L2 Up"}
	if strings.Join(nbrs, "\n") != strings.Join(want, "\n") {
		t.Errorf("p1's neighbours:\n%s\nwant\n%s", strings.Join(nbrs, "\n"), strings.Join(want, "\n"))
	}
	obs, err = observe.Read(net, "p1", platform, replay(t, "isis-square", 1, "p1", net.IGP))
	if err != nil {
		t.Fatal(err)
	}
	c, err := observe.Compare(pred.Links[0]["p1"], obs, 1)
	if err != nil {
		t.Fatal(err)
	}
	wantCmp := `p1: 2 of 4 destinations differ from the model, beyond the tolerance of 1
  p1 -> p4: the model predicts via p2 (2 links), p3; the router forwards via p3
  p1 -> p5: the model predicts via p2 (2 links), p3; the router forwards via p3`
	if got := c.String(); got != wantCmp || c.OK {
		t.Errorf("state 1 against the baseline (OK %v):\n%s\nwant\n%s", c.OK, got, wantCmp)
	}
}

// The drained network on IS-IS, as measured on FRR 8.4: the overload bit
// is the model's drain (no transit through d at all; d's own routes
// unchanged), so every router forwards exactly as predicted, where
// OSPF's max-metric differs (TestReplayDrain).
func TestReplayISISDrain(t *testing.T) {
	net := loadNet(t, "testdata/isis-drain.yaml")
	pred, err := dryrun.Predict(context.Background(), net, nil, nodeNames(net))
	if err != nil {
		t.Fatal(err)
	}
	for _, node := range nodeNames(net) {
		obs, err := observe.Read(net, node, platform, replay(t, "isis-drain", 0, node, net.IGP))
		if err != nil {
			t.Fatal(err)
		}
		c, err := observe.Compare(pred.Links[0][node], obs, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !c.OK || len(c.Differences) != 0 {
			t.Errorf("%s", c)
		}
	}
	// s is behind d alone: no route to s from a, and none from s.
	obs, err := observe.Read(net, "a", platform, replay(t, "isis-drain", 0, "a", net.IGP))
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := obs.Routes["s"]; ok {
		t.Errorf("a forwards to s through the overloaded d: %+v", r)
	}
	if r := obs.Routes["d"]; len(r.NextHops) != 1 || r.NextHops[0].Node != "d" {
		t.Errorf("a -> d: %+v, want d itself (an overloaded router's own prefixes stay reachable)", r)
	}
}

// The drained OSPF network, as measured on FRR 8.4, compared with the
// model of an IS-IS drain: where OSPF's max-metric differs from "no
// transit through a drained node".
func TestReplayDrain(t *testing.T) {
	net := loadNet(t, "testdata/drain.yaml")
	model := *net
	model.IGP = topology.IGPISIS // the model drains with overload; the routers run OSPF
	pred, err := dryrun.Predict(context.Background(), &model, nil, nodeNames(net))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, node := range nodeNames(net) {
		obs, err := observe.Read(net, node, platform, replay(t, "drain", 0, node, net.IGP))
		if err != nil {
			t.Fatal(err)
		}
		c, err := observe.Compare(pred.Links[0][node], obs, 0)
		if err != nil {
			t.Fatal(err)
		}
		got[node] = c.String()
	}
	want := map[string]string{
		// d's own routes: max-metric puts every link of d at 65535 in d's
		// own SPF too, so d goes straight to b (65535) rather than through
		// a and x (65555), and splits toward x over a and b (65545 each),
		// where the model keeps a drained node's metrics for its own
		// traffic: b over a (30) and directly (30), x over a (20).
		"d": `d: 2 of 4 destinations differ from the model, beyond the tolerance of 0
  d -> b: the model predicts via a, b; the router forwards via b
  d -> x: the model predicts via a; the router forwards via a, b`,
		// s is behind d alone: OSPF still reaches it through d at 65535
		// more, the model (no transit through a drained node at all) says
		// it is unreachable; and s reaches everything through d.
		"a": `a: 1 of 4 destinations differ from the model, beyond the tolerance of 0
  a -> s: the model predicts no route (s unreachable); the router forwards via d`,
		"b": `b: 1 of 4 destinations differ from the model, beyond the tolerance of 0
  b -> s: the model predicts no route (s unreachable); the router forwards via d, x`,
		"x": `x: 1 of 4 destinations differ from the model, beyond the tolerance of 0
  x -> s: the model predicts no route (s unreachable); the router forwards via a`,
		"s": `s: 3 of 4 destinations differ from the model, beyond the tolerance of 0
  s -> a: the model predicts no route (a unreachable); the router forwards via d
  s -> b: the model predicts no route (b unreachable); the router forwards via d
  s -> x: the model predicts no route (x unreachable); the router forwards via d`,
	}
	for _, node := range nodeNames(net) {
		if got[node] != want[node] {
			t.Errorf("%s:\n%s\nwant\n%s", node, got[node], want[node])
		}
	}
}

// observeLab reads node's router in l as apply would, through the
// commands of the platform (here host-side vtysh instead of SSH, and the
// kernel commands run by ip -n in the router's namespace), so that the
// forwarding compared is the kernel's.
func observeLab(ctx context.Context, l *lab.Lab, net *topology.Network, node string) (*observe.Observation, map[string]string, error) {
	cmds, err := observe.Commands(platform, net.IGP)
	if err != nil {
		return nil, nil, err
	}
	outputs := map[string]string{}
	for _, c := range cmds {
		out, err := l.Vtysh(ctx, node, c)
		if err != nil {
			return nil, nil, err
		}
		outputs[c] = out
	}
	nd, _ := l.Layout.Node(node)
	for _, c := range observe.KernelCommands(platform) {
		args := append([]string{"-n", nd.Namespace}, strings.Fields(strings.TrimPrefix(c, "ip "))...)
		out, err := exec.CommandContext(ctx, "ip", args...).Output()
		if err != nil {
			return nil, nil, fmt.Errorf("%s in %s: %w", c, nd.Namespace, err)
		}
		outputs[c] = string(out)
	}
	obs, err := observe.Read(net, node, platform, outputs)
	return obs, outputs, err
}

// waitFor polls every router until ok holds for all of them at once,
// three polls in a row with the same observations (routes settled), and
// returns the outputs of the last poll.
func waitFor(t *testing.T, ctx context.Context, l *lab.Lab, net *topology.Network, ok func(node string, obs *observe.Observation) bool) map[string]map[string]string {
	t.Helper()
	var prev map[string]*observe.Observation
	stable := 0
	settle := testscale.Timeout(60 * time.Second)
	deadline := time.Now().Add(settle)
	for {
		cur := map[string]*observe.Observation{}
		outs := map[string]map[string]string{}
		good := true
		for _, node := range nodeNames(net) {
			obs, out, err := observeLab(ctx, l, net, node)
			if err != nil {
				t.Fatal(err)
			}
			cur[node], outs[node] = obs, out
			good = good && ok(node, obs)
		}
		if good && prev != nil && reflect.DeepEqual(prev, cur) {
			stable++
		} else {
			stable = 0
		}
		if stable == 2 {
			return outs
		}
		if time.Now().After(deadline) {
			t.Fatalf("routes did not settle in %s; last observations: %+v", settle, cur)
		}
		prev = cur
		time.Sleep(200 * time.Millisecond)
	}
}

// matches is the wait condition "forwards as predicted in state".
func matches(pred *dryrun.Prediction, state int) func(string, *observe.Observation) bool {
	return func(node string, obs *observe.Observation) bool {
		c, err := observe.Compare(pred.Links[state][node], obs, 0)
		return err == nil && len(c.Differences) == 0
	}
}

// applyMetrics sets the metrics a plan step's set_metric effects give.
func applyMetrics(net *topology.Network, step plans.Step) {
	for _, e := range step.Effects {
		if e.Type != plans.SetMetric {
			continue
		}
		l := &net.Links[net.LinkIndex()[e.Link]]
		if e.From == "" || e.From == l.A {
			l.MetricAB = e.Metric
		}
		if e.From == "" || e.From == l.B {
			l.MetricBA = e.Metric
		}
	}
}

// TestLabMatchesPrediction builds the square on real FRR routers, on
// OSPF and on IS-IS, checks that every router forwards as the dry-run
// predicts, runs the plan's metric change on the routers and checks the
// new state the same way.
func TestLabMatchesPrediction(t *testing.T) {
	lab.SkipUnlessAvailable(t)
	for _, topo := range []string{"square", "isis-square"} {
		t.Run(topo, func(t *testing.T) { labMatchesPrediction(t, "testdata/"+topo+".yaml") })
	}
}

func labMatchesPrediction(t *testing.T, topo string) {
	src, err := os.ReadFile(topo)
	if err != nil {
		t.Fatal(err)
	}
	l, net := lab.UpForTest(t, "live", string(src))
	p := loadPlan(t, "testdata/square-plan.yaml")
	pred, err := dryrun.Predict(context.Background(), net, p, nodeNames(net))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testscale.Timeout(5*time.Minute))
	defer cancel()

	for _, nd := range net.Nodes {
		if got, _ := l.Layout.Node(nd.Name); got.Loopback.String() != nd.Loopback {
			t.Fatalf("%s: the lab's loopback %s is not the topology's %s", nd.Name, got.Loopback, nd.Loopback)
		}
	}
	t0 := time.Now()
	waitFor(t, ctx, l, net, matches(pred, 0))
	t.Logf("baseline: every router forwards as predicted (%.2fs after up)", time.Since(t0).Seconds())

	t1 := time.Now()
	_, _, err = observeLab(ctx, l, net, "p1")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("observing one router (%d vtysh commands, %d kernel commands, parse, map): %v", len(mustCommands(t, net)), len(observe.KernelCommands(platform)), time.Since(t1))

	applyMetrics(net, p.Steps[0])
	t2 := time.Now()
	if _, err := l.SetMetrics(ctx, net); err != nil {
		t.Fatal(err)
	}
	// Right after the change p1 may still forward the old way; once it
	// settles, every router matches the prediction of state 1.
	converge := testscale.Timeout(60 * time.Second)
	settle, cancelSettle := context.WithTimeout(ctx, converge)
	defer cancelSettle()
	for ok := matches(pred, 1); ; time.Sleep(10 * time.Millisecond) {
		obs, _, err := observeLab(ctx, l, net, "p1")
		if err != nil {
			t.Fatal(err)
		}
		if ok("p1", obs) {
			t.Logf("after step 1: p1 forwards as predicted %.0f ms after the cost change", float64(time.Since(t2).Microseconds())/1000)
			break
		}
		if settle.Err() != nil {
			t.Fatalf("p1 does not forward as predicted %s after the change: %+v", converge, obs.Routes)
		}
	}
	waitFor(t, ctx, l, net, matches(pred, 1))
	t.Logf("after step 1: every router forwards as predicted (settled %.2fs after the cost change)", time.Since(t2).Seconds())

	obs, _, err := observeLab(ctx, l, net, "p1")
	if err != nil {
		t.Fatal(err)
	}
	c, err := observe.Compare(pred.Links[0]["p1"], obs, 0)
	if err != nil {
		t.Fatal(err)
	}
	if c.OK || len(c.Differences) != 2 {
		t.Errorf("p1 after the change still matches the baseline prediction:\n%s", c)
	}
}

func mustCommands(t *testing.T, net *topology.Network) []string {
	t.Helper()
	cmds, err := observe.Commands(platform, net.IGP)
	if err != nil {
		t.Fatal(err)
	}
	return cmds
}

// TestRecordFRR rewrites testdata/frr84 from real routers. It runs only
// with CHANGEGATE_OBSERVE_RECORD=1.
func TestRecordFRR(t *testing.T) {
	if os.Getenv("CHANGEGATE_OBSERVE_RECORD") != "1" {
		t.Skip("set CHANGEGATE_OBSERVE_RECORD=1 to record testdata/frr84 from a lab")
	}
	lab.SkipUnlessAvailable(t)
	ctx, cancel := context.WithTimeout(context.Background(), testscale.Timeout(5*time.Minute))
	defer cancel()
	write := func(labName string, state int, outs map[string]map[string]string) {
		for node, byCmd := range outs {
			for cmd, text := range byCmd {
				path := recording(labName, state, node, cmd)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}

	// The square, on OSPF and on IS-IS, before and after the plan's step.
	for _, name := range []string{"square", "isis-square"} {
		t.Run(name, func(t *testing.T) {
			src, _ := os.ReadFile("testdata/" + name + ".yaml")
			l, net := lab.UpForTest(t, "square", string(src))
			p := loadPlan(t, "testdata/square-plan.yaml")
			pred, err := dryrun.Predict(ctx, net, p, nodeNames(net))
			if err != nil {
				t.Fatal(err)
			}
			write(name, 0, waitFor(t, ctx, l, net, matches(pred, 0)))
			applyMetrics(net, p.Steps[0])
			if _, err := l.SetMetrics(ctx, net); err != nil {
				t.Fatal(err)
			}
			write(name, 1, waitFor(t, ctx, l, net, matches(pred, 1)))
		})
	}
	t.Run("drain", func(t *testing.T) {
		src, _ := os.ReadFile("testdata/drain.yaml")
		l, net := lab.UpForTest(t, "drain", string(src))
		// OSPF reaches everything here, whatever the model says: wait for a
		// route to every other router on every router.
		write("drain", 0, waitFor(t, ctx, l, net, func(_ string, obs *observe.Observation) bool {
			return len(obs.Routes) == len(net.Nodes)-1
		}))
	})
	// IS-IS drains as the model does: wait for the prediction.
	t.Run("isis-drain", func(t *testing.T) {
		src, _ := os.ReadFile("testdata/isis-drain.yaml")
		l, net := lab.UpForTest(t, "drain", string(src))
		pred, err := dryrun.Predict(ctx, net, nil, nodeNames(net))
		if err != nil {
			t.Fatal(err)
		}
		write("isis-drain", 0, waitFor(t, ctx, l, net, matches(pred, 0)))
	})
}

// TestReplayDrainOSPF replays the same recording with the model
// draining as the network does (drain.yaml says igp: ospf): with
// max-metric, as FRR does, and every router matches the prediction.
func TestReplayDrainOSPF(t *testing.T) {
	net := loadNet(t, "testdata/drain.yaml")
	pred, err := dryrun.Predict(context.Background(), net, nil, nodeNames(net))
	if err != nil {
		t.Fatal(err)
	}
	for _, node := range nodeNames(net) {
		obs, err := observe.Read(net, node, platform, replay(t, "drain", 0, node, net.IGP))
		if err != nil {
			t.Fatal(err)
		}
		c, err := observe.Compare(pred.Links[0][node], obs, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !c.OK || len(c.Differences) != 0 {
			t.Errorf("%s", c)
		}
	}
}

// TestReplayRelinkKernel replays FRR 8.4 after a link came back up: on
// the square, p1's interface to p2 (the first of the two parallel links)
// was shut and brought back up, and 3 s later the routers were read
// (testdata/frr84/square-relink, recorded by hand from the lab: `show ip
// route json` and `show ip ospf neighbor json` through vtysh, `ip -j
// route show` and `ip -j nexthop show` in the router's namespace). The
// routing daemon lists every ECMP member as installed; the kernel's
// next-hop groups on p1 and p2 lack the member on the link that came
// back. Read from the daemon, every router matches the model (the blind
// spot); read from the kernel, p1 and p2 differ, on exactly that link.
func TestReplayRelinkKernel(t *testing.T) {
	net := loadNet(t, "testdata/square.yaml")
	pred, err := dryrun.Predict(context.Background(), net, nil, nodeNames(net))
	if err != nil {
		t.Fatal(err)
	}
	kernel := observe.KernelCommands(platform)
	if len(kernel) == 0 {
		t.Fatalf("no kernel commands for %s", platform)
	}
	want := map[string]string{
		"p1": `p1: 3 of 4 destinations differ from the model, beyond the tolerance of 0
  p1 -> p2: the model predicts via p2 (2 links); the router forwards via p2 (1 link) (to p2 on 1 of 2 links (p1-p2, p1-p2#2))
  p1 -> p4: the model predicts via p2 (2 links), p3; the router forwards via p2 (1 link), p3 (to p2 on 1 of 2 links (p1-p2, p1-p2#2))
  p1 -> p5: the model predicts via p2 (2 links), p3; the router forwards via p2 (1 link), p3 (to p2 on 1 of 2 links (p1-p2, p1-p2#2))`,
		"p2": `p2: 2 of 4 destinations differ from the model, beyond the tolerance of 0
  p2 -> p1: the model predicts via p1 (2 links); the router forwards via p1 (1 link) (to p1 on 1 of 2 links (p1-p2, p1-p2#2))
  p2 -> p3: the model predicts via p1 (2 links), p4; the router forwards via p1 (1 link), p4 (to p1 on 1 of 2 links (p1-p2, p1-p2#2))`,
	}
	for _, node := range nodeNames(net) {
		outputs := replay(t, "square-relink", -1, node, net.IGP)
		daemon, err := observe.Read(net, node, platform, outputs)
		if err != nil {
			t.Fatal(err)
		}
		c, err := observe.Compare(pred.Links[0][node], daemon, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !c.OK || daemon.Source != observe.SourceDaemon {
			t.Errorf("%s read from the routing daemon (%s): want a match (the daemon lists every member):\n%s", node, daemon.Source, c)
		}
		for _, cmd := range kernel {
			data, err := os.ReadFile(recording("square-relink", -1, node, cmd))
			if err != nil {
				t.Fatal(err)
			}
			outputs[cmd] = string(data)
		}
		obs, err := observe.Read(net, node, platform, outputs)
		if err != nil {
			t.Fatal(err)
		}
		c, err = observe.Compare(pred.Links[0][node], obs, 0)
		if err != nil {
			t.Fatal(err)
		}
		if obs.Source != observe.SourceKernel || c.Source != observe.SourceKernel {
			t.Errorf("%s: read from %q, want the kernel", node, obs.Source)
		}
		if w, ok := want[node]; ok {
			if got := c.String(); got != w || c.OK {
				t.Errorf("%s from the kernel (OK %v):\n%s\nwant\n%s", node, c.OK, got, w)
			}
		} else if !c.OK {
			t.Errorf("%s from the kernel: want a match:\n%s", node, c)
		}
	}
}
