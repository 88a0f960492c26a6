package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/changegate/changegate/internal/lab"
	"github.com/changegate/changegate/internal/testscale"
)

// TestApplyLabISIS runs apply end to end on IS-IS: the lab of
// examples/lab-isis (four FRR routers running isisd, as the topology says
// igp: isis) and its plan, whose steps name the built-in runbooks and are
// rendered for the topology's IGP (isis metric, set-overload-bit, and the
// IS-IS checks). Every step's configuration and checks run on the routers
// over SSH, and after every step the routers forward as the model
// predicts (apply's observe, reading IS-IS). A fault the model does not
// know (an IS-IS metric changed behind the gate) is caught by the same
// comparison before anything is changed.
func TestApplyLabISIS(t *testing.T) {
	lab.SkipUnlessAvailable(t)
	isolate(t)
	topo := labISIS(t, "topology.yaml")
	t0 := time.Now()
	l, _ := lab.UpForTest(t, "isis", topo)
	t.Logf("IS-IS lab up in %.1fs", time.Since(t0).Seconds())
	dir := t.TempDir()
	writeFile(t, dir, "topology.yaml", topo)
	plan := writeFile(t, dir, "maintenance.yaml", labISIS(t, "maintenance.yaml"))
	t.Setenv("CHANGEGATE_STATE_DIR", filepath.Join(dir, "state"))
	t.Setenv("CHANGEGATE_INVENTORY_FILE", l.InventoryFile())
	ctx := context.Background()
	if err := l.WaitConverged(ctx); err != nil {
		t.Fatal(err)
	}
	// The IS-IS routes of the square: every router reaches every other
	// loopback, the opposite corner over both sides.
	var baseline string
	for deadline := time.Now().Add(testscale.Timeout(60 * time.Second)); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if baseline = protocolRoutes(t, l, "isis"); strings.Count(baseline, "\n")+1 == 12 && strings.Count(baseline, ",") == 4 {
			break
		}
	}
	if n := strings.Count(baseline, "\n") + 1; n != 12 || strings.Count(baseline, ",") != 4 {
		t.Fatalf("IS-IS routes of the square: want 12, 4 of them over two interfaces, got:\n%s", baseline)
	}

	t.Run("the plan rendered from the IS-IS runbooks applies", func(t *testing.T) {
		t1 := time.Now()
		out, errs, code := run(t, "apply", plan)
		t.Logf("apply took %.1fs:\n%s", time.Since(t1).Seconds(), out)
		if code != 0 || !strings.Contains(out, "APPLIED: run ") {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
		for _, want := range []string{
			`step 1/4 [a] config OK`,
			`step 1/4 [a] step-check "level-2 metric is 1000" OK`,
			`step 2/4 [d] step-check "overload bit is advertised" OK`,
			`step 3/4 [d] step-check "overload bit is withdrawn" OK`,
			`step 4/4 [a] step-check "level-2 metric is 10" OK`,
			`[a] post-check "a has both IS-IS adjacencies up" OK`,
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		// After every step, the routers forward as the model predicts.
		for k := 1; k <= 4; k++ {
			if !strings.Contains(out, fmt.Sprintf("step %d/4 observe OK: ", k)) {
				t.Errorf("step %d/4: no observe OK in:\n%s", k, out)
			}
		}
		if strings.Contains(out, "ospf") {
			t.Errorf("the IS-IS plan sent or checked something of OSPF:\n%s", out)
		}
	})
	waitISISRoutes(t, l, baseline)

	// c's IS-IS metric toward b is 1000 on the router, 10 in the model:
	// the network read before the run finds it (refused), and with
	// break-glass, comparing the routers' forwarding with the model finds
	// it before step 1 (d reaches b through a only, where the model
	// splits over a and c).
	t.Run("fault the model does not know: caught before the change", func(t *testing.T) {
		if err := l.Configure(ctx, "c", "interface cg-b", "isis metric 1000"); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := l.ResetCosts(ctx); err != nil {
				t.Fatal(err)
			}
		}()
		// The routers take the fault in before the run starts: on a
		// loaded machine, IS-IS may need seconds to flood and compute it.
		for deadline := time.Now().Add(testscale.Timeout(60 * time.Second)); protocolRoutes(t, l, "isis") == baseline; time.Sleep(200 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("c's new metric never reached the routers' routes")
			}
		}
		if err := l.WaitConverged(ctx); err != nil {
			t.Fatal(err)
		}
		t.Setenv("CHANGEGATE_APPLY_OBSERVE_TIMEOUT", observeTimeout(4*time.Second))
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
		if c, _ := l.Vtysh(ctx, "a", "show isis interface cg-b"); !strings.Contains(c, "Metric: 10,") {
			t.Errorf("a's metric changed although the run did not start:\n%s", c)
		}
	})
	waitISISRoutes(t, l, baseline)
}

// labISIS reads a file of examples/lab-isis.
func labISIS(t *testing.T, name string) string {
	t.Helper()
	return readFile(t, filepath.Join("..", "..", "examples", "lab-isis", name))
}

// waitISISRoutes waits for the lab's IS-IS routes to equal want.
func waitISISRoutes(t *testing.T, l *lab.Lab, want string) {
	t.Helper()
	var got string
	for deadline := time.Now().Add(testscale.Timeout(60 * time.Second)); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if got = protocolRoutes(t, l, "isis"); got == want {
			return
		}
	}
	t.Fatalf("IS-IS routes differ from what they should be\nwant:\n%s\ngot:\n%s", want, got)
}
