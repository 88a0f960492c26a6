package apply

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/devices/session"
	"github.com/changegate/changegate/internal/fakedev"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/testscale"
	"github.com/changegate/changegate/plans"
)

// steps returns a plan of n steps, each setting a value on one of devs
// (in turn) and checking it.
func steps(n int, devs []string) *plans.Plan {
	p := &plans.Plan{File: "bench.yaml"}
	for i := 0; i < n; i++ {
		p.Steps = append(p.Steps, plans.Step{
			Name: fmt.Sprintf("s%d", i), Devices: []string{devs[i%len(devs)]},
			Config: []string{fmt.Sprintf("set cost %d", 100+i)}, RollbackConfig: []string{"set cost 10"},
			Checks: []plans.Check{check("cost", "", fmt.Sprintf("cost %d", 100+i))},
		})
	}
	return p
}

// BenchmarkStepOverhead is the executor's own time per step: devices
// that answer at once (in memory) and the real, fsync'd journal. The
// target is under 50 ms per step.
func BenchmarkStepOverhead(b *testing.B) {
	const n = 20
	devs := []string{"r1", "r2", "r3"}
	dir := b.TempDir()
	i := 0
	for b.Loop() {
		i++
		j, err := journal.Create(dir, fmt.Sprintf("bench-%d", i), journal.Meta{PlanFile: "bench.yaml"})
		if err != nil {
			b.Fatal(err)
		}
		rep, err := Execute(context.Background(), steps(n, devs), Options{Target: newFakeNet(devs...), Journal: j})
		j.Close()
		if err != nil || rep.Status != journal.Succeeded {
			b.Fatalf("%v %s %s", err, rep.Status, rep.Reason)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n/1e6, "ms/step")
}

// wavePlan is one step over devs in waves of 20, its check on each
// (its timeout generous and scaled for the machine: it only guards
// against a hang).
func wavePlan(devs []string) *plans.Plan {
	return &plans.Plan{File: "waves.yaml", Steps: []plans.Step{{
		Name: "all", Devices: devs, Wave: &plans.Wave{Batch: 20},
		Config: []string{"interface lo", "description changegate"}, RollbackConfig: []string{"interface lo", "no description"},
		Checks: []plans.Check{{Name: "version", Command: "show version", Expect: plans.Expect{Kind: plans.ExpectContains, Value: "fake"}, Timeout: testscale.Timeout(30 * time.Second)}},
	}}}
}

// fakeFleet starts n fake FRR devices and returns a Target over them.
func fakeFleet(tb testing.TB, n int) (Target, []string, func()) {
	tb.Helper()
	dir := tb.TempDir()
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("pw-bench\n"), 0o600)
	kh := filepath.Join(dir, "known_hosts")
	var inv strings.Builder
	fmt.Fprintf(&inv, "defaults:\n  platform: frr_vtysh\n  host: 127.0.0.1\n  username: admin\n  password: {file: %s}\n  host_key: {known_hosts: %s}\n  timeouts: {connect: %s, command: %s}\ndevices:\n", pw, kh, testscale.Timeout(30*time.Second), testscale.Timeout(30*time.Second))
	var names []string
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("r%d", i)
		p, _ := fakedev.Platform("frr_vtysh", name)
		p.Respond("show version", "fake FRR "+name)
		srv, err := fakedev.Start(context.Background(), fakedev.Options{Personality: p, Users: map[string]string{"admin": "pw-bench"}})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { srv.Close() })
		srv.WriteKnownHosts(kh)
		fmt.Fprintf(&inv, "  %s: {port: %d}\n", name, srv.Port())
		names = append(names, name)
	}
	in, ds := devices.Parse(filepath.Join(dir, "inventory.yaml"), []byte(inv.String()))
	if ds.HasErrors() {
		tb.Fatal(ds)
	}
	pool := session.NewPool(in, session.DialOptions{})
	return PoolTarget{Pool: pool, Inventory: in}, names, func() { pool.Close() }
}

// TestWaves100 applies one step to 100 fake SSH devices in waves of 20
// (canary first) and checks the waves; how long it takes is
// BenchmarkWaves100's to measure (target 10 s, docs/apply.md).
func TestWaves100(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 100 SSH servers")
	}
	target, names, done := fakeFleet(t, 100)
	defer done()
	j := &memJournal{}
	rep, err := Execute(context.Background(), wavePlan(names), Options{Target: target, Journal: j})
	if err != nil || rep.Status != journal.Succeeded {
		t.Fatalf("%v %s %s", err, rep.Status, rep.Reason)
	}
	if n := len(rep.Steps[0].Devices); n != 100 || len(rep.Steps[0].Checks) != 100 {
		t.Errorf("%d devices configured, %d checks", n, len(rep.Steps[0].Checks))
	}
	waves := map[int]int{}
	for _, d := range rep.Steps[0].Devices {
		waves[d.Wave]++
	}
	if waves[0] != 1 || waves[1] != 20 || waves[5] != 19 {
		t.Errorf("waves: %v", waves)
	}
}

// BenchmarkWaves100 is TestWaves100's run, connections included.
func BenchmarkWaves100(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		target, names, done := fakeFleet(b, 100)
		b.StartTimer()
		rep, err := Execute(context.Background(), wavePlan(names), Options{Target: target, Journal: &memJournal{}})
		if err != nil || rep.Status != journal.Succeeded {
			b.Fatalf("%v %s", err, rep.Reason)
		}
		b.StopTimer()
		done()
		b.StartTimer()
	}
}
