package apply

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/changegate/changegate/devices/session"
	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/observe"
	"github.com/changegate/changegate/internal/testscale"
	"github.com/changegate/changegate/internal/topology"
)

// converge retries until the router matches, and when the deadline cuts
// the last try short it reports the last comparison, not the cut.
func TestConverge(t *testing.T) {
	mismatch := Observation{Device: "d", Explanation: "d -> b: the model predicts via a, c; the router forwards via a"}
	cut := Observation{Device: "d", Error: "no answer in time", Explanation: "show ip route json: no answer in time"}
	pass := Observation{Device: "d", Passed: true, Explanation: "forwards as predicted"}
	tests := []struct {
		name  string
		tries []Observation // the last repeats
		want  string        // in the explanation
		error bool          // the result is a read error
		pass  bool
	}{
		{"matches at once", []Observation{pass}, "forwards as predicted", false, true},
		{"converges", []Observation{mismatch, pass}, "(converged after 2 tries)", false, true},
		{"a mismatch that stays", []Observation{mismatch}, "the router forwards via a (still so after", false, false},
		{"the deadline cuts the last try", []Observation{mismatch, mismatch, cut}, "the router forwards via a (still so after 3 tries; the last, cut short by the deadline, read nothing)", false, false},
		{"never read at all", []Observation{cut}, "no answer in time (still so after", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			n := 0
			got := converge(ctx, time.Millisecond, 0, func() Observation {
				o := tt.tries[min(n, len(tt.tries)-1)]
				n++
				// The router answers the tries listed; from the last one on,
				// the deadline has passed by the time the try returns.
				if n >= len(tt.tries) && !o.Passed {
					cancel()
				}
				return o
			})
			if got.Passed != tt.pass || (got.Error != "") != tt.error || !strings.Contains(got.Explanation, tt.want) {
				t.Errorf("got %+v, want passed %v, error %v, explanation with %q", got, tt.pass, tt.error, tt.want)
			}
		})
	}
}

// In a network where nothing has been changed, a difference that stays
// exactly the same for the settled time is reported then, without waiting
// for the deadline; one that keeps changing is not (the routers are
// moving), and without a settled time the deadline is waited for.
func TestConvergeSettled(t *testing.T) {
	a := Observation{Device: "d", Explanation: "d -> b: the model predicts via a, c; the router forwards via a"}
	b := Observation{Device: "d", Explanation: "d -> b: the model predicts via a, c; the router forwards via c"}
	tests := []struct {
		name    string
		settled time.Duration
		tries   func(n int) Observation
		early   bool // reported before the deadline
	}{
		{"the same difference", 20 * time.Millisecond, func(int) Observation { return a }, true},
		{"a difference that keeps changing", 20 * time.Millisecond, func(n int) Observation { return []Observation{a, b}[n%2] }, false},
		{"no settled time", 0, func(int) Observation { return a }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The deadline is far off unless the try count says the test is
			// done: a result before it is an early report.
			ctx, cancel := context.WithTimeout(context.Background(), testscale.Timeout(time.Minute))
			defer cancel()
			n := 0
			got := converge(ctx, time.Millisecond, tt.settled, func() Observation {
				n++
				if !tt.early && n >= 200 {
					cancel() // enough tries to have reported early if it would
				}
				return tt.tries(n)
			})
			early := ctx.Err() == nil
			if early != tt.early || got.Passed {
				t.Errorf("reported early %v, want %v: %+v", early, tt.early, got)
			}
			if early && !strings.Contains(got.Explanation, "with nothing changed yet: not convergence") {
				t.Errorf("the early report does not say why: %q", got.Explanation)
			}
		})
	}
}

// relinkTarget answers the observer's commands with the routers' outputs
// recorded on FRR 8.4 after a link came back up (internal/observe's
// testdata/frr84/square-relink): the daemon lists every ECMP member as
// installed, the kernel lacks the one on the link that came back.
type relinkTarget struct {
	shell  bool // the device offers a shell: Exec answers the kernel commands
	execs  *atomic.Int32
	noNode string // a node of the topology the inventory lacks
}

func (relinkTarget) Configure(context.Context, string, []string, session.ConfigOptions) (*session.ConfigResult, error) {
	return nil, errors.New("not configured here")
}

func (relinkTarget) Confirm(context.Context, string) ([]*session.Output, error) { return nil, nil }

func (t relinkTarget) Guarantees(d string) session.Guarantees {
	if d == t.noNode {
		return session.Guarantees{}
	}
	return session.Guarantees{Platform: "frr_vtysh"}
}

func (t relinkTarget) Run(_ context.Context, d, command string) (string, error) {
	name := strings.TrimSuffix(command, " json")
	data, err := os.ReadFile(filepath.Join("..", "observe", "testdata", "frr84", "square-relink", d+"."+strings.ReplaceAll(name, " ", "-")+".json"))
	return string(data), err
}

type shellTarget struct{ relinkTarget }

func (t shellTarget) Exec(_ context.Context, d, command string) (string, error) {
	t.execs.Add(1)
	if !t.shell {
		return "", fmt.Errorf("device %s: exec %q: %w: exit status 1", d, command, session.ErrNoShell)
	}
	name := strings.Replace(command, "ip -j ", "ip ", 1)
	data, err := os.ReadFile(filepath.Join("..", "observe", "testdata", "frr84", "square-relink", d+"."+strings.ReplaceAll(name, " ", "-")+".json"))
	return string(data), err
}

// The model observer reads the kernel where the device offers a shell:
// after a link came back up, p1 and p2 lack a parallel member in the
// kernel, and the whole-network comparison fails on them, after trying
// until its timeout, never passing. Without a shell it reads the routing
// daemon, which hides the loss, and says so; it asks a device without a
// shell once. A node the inventory lacks is listed as not compared.
func TestModelObserverKernel(t *testing.T) {
	net, ds := topology.Parse("square.yaml", mustRead(t, filepath.Join("..", "observe", "testdata", "square.yaml")), topology.ParseOptions{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	pr, err := dryrun.NewPredictor(net, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, shell := range []bool{true, false} {
		t.Run(fmt.Sprintf("shell %v", shell), func(t *testing.T) {
			var execs atomic.Int32
			o := &ModelObserver{Net: net, Predictor: pr, Target: shellTarget{relinkTarget{shell: shell, execs: &execs, noNode: "p5"}},
				Timeout: testscale.Timeout(200 * time.Millisecond), Interval: time.Millisecond}
			obs, err := o.Observe(context.Background(), 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]Observation{}
			for _, ob := range obs {
				got[ob.Device] = ob
			}
			if len(got) != 5 || got["p5"].Skipped == "" || !got["p5"].Passed {
				t.Fatalf("observations %+v: want p1..p4 compared and p5 not", obs)
			}
			for _, d := range []string{"p1", "p2", "p3", "p4"} {
				ob := got[d]
				wantPass := !shell || d == "p3" || d == "p4"
				wantSource := observe.SourceDaemon
				if shell {
					wantSource = observe.SourceKernel
				}
				if ob.Passed != wantPass || ob.Source != wantSource || ob.Error != "" {
					t.Errorf("%s: passed %v from %q (%s), want passed %v from %q", d, ob.Passed, ob.Source, ob.Explanation, wantPass, wantSource)
				}
				if shell && !wantPass && (!strings.Contains(ob.Explanation, "(still so after") || !strings.Contains(ob.Explanation, "of 2 links")) {
					t.Errorf("%s: %s", d, ob.Explanation)
				}
				if !shell && !strings.Contains(ob.Explanation, "read from the routing daemon, not the kernel: the device offers no shell") {
					t.Errorf("%s: %s", d, ob.Explanation)
				}
			}
			if !shell && execs.Load() != 4 {
				t.Errorf("asked devices without a shell %d times, want once each (4)", execs.Load())
			}
		})
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
