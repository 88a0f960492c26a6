package discover

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/changegate/changegate/internal/golden"
	"github.com/changegate/changegate/internal/topology"
)

// recorded reads a directory of recorded outputs (NODE.KIND.json) as
// Read takes them.
func recorded(t *testing.T, dir string) map[string]map[string]string {
	t.Helper()
	kinds := map[string]string{
		"ospf-database-router": frrOSPFDatabaseCommand, "interface": frrInterfacesCommand,
		"isis-database-detail": frrISISDatabaseCommand, "isis-hostname": frrISISHostnamesCommand,
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.*.*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recordings in %s: %v", dir, err)
	}
	out := map[string]map[string]string{}
	for _, f := range files {
		node, kind, _ := strings.Cut(strings.TrimSuffix(filepath.Base(f), filepath.Ext(f)), ".")
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if out[node] == nil {
			out[node] = map[string]string{}
		}
		out[node][kinds[kind]] = string(data)
	}
	return out
}

// TestReadRecorded discovers the recorded labs and checks the topology
// written against golden files.
func TestReadRecorded(t *testing.T) {
	for _, name := range []string{"ospf-parallel-drained", "ospf-shut", "isis-parallel-drained"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", "frr84", name)
			igp, _, _ := strings.Cut(name, "-")
			net, warnings, err := Read(igp, recorded(t, dir))
			if err != nil {
				t.Fatal(err)
			}
			if ds := net.Validate(); ds.HasErrors() {
				t.Fatalf("discovered network is not valid: %v", ds)
			}
			var b bytes.Buffer
			for _, w := range warnings {
				b.WriteString("# warning: " + w + "\n")
			}
			if err := topology.Write(&b, net); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", name+".golden.yaml"), b.Bytes())
		})
	}
}

// TestReadRecordedEqualsLab checks the recorded lab against the topology
// it was built from: every link, both metrics, state and drain.
func TestReadRecordedEqualsLab(t *testing.T) {
	for _, igp := range []string{"ospf", "isis"} {
		dir := filepath.Join("testdata", "frr84", igp+"-parallel-drained")
		src, err := os.ReadFile(filepath.Join(dir, "lab-topology.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		model, ds := topology.Parse("lab-topology.yaml", src, topology.ParseOptions{})
		if ds.HasErrors() {
			t.Fatal(ds)
		}
		net, _, err := Read(igp, recorded(t, dir))
		if err != nil {
			t.Fatal(err)
		}
		if d := topology.Diff(model, net); len(d) > 0 {
			t.Errorf("%s: discovered differs from the lab's topology: %v", igp, d)
		}
		if net.IGP != igp {
			t.Errorf("igp %q, want %q", net.IGP, igp)
		}
	}
}

func TestReadISISNotConverged(t *testing.T) {
	out := recorded(t, filepath.Join("testdata", "frr84", "isis-parallel-drained"))
	out["b"][frrISISDatabaseCommand] = strings.Replace(out["b"][frrISISDatabaseCommand], "Extended IP Reachability: 198.19.0.6/31 (Metric: 15)", "Extended IP Reachability: 198.19.0.6/31 (Metric: 16)", 1)
	if _, _, err := Read("isis", out); !errors.Is(err, ErrNotConverged) || !strings.Contains(err.Error(), "b's differs from a's") {
		t.Fatalf("got %v, want ErrNotConverged naming b", err)
	}
}

func TestReadNotConverged(t *testing.T) {
	out := recorded(t, filepath.Join("testdata", "frr84", "ospf-parallel-drained"))
	shut := recorded(t, filepath.Join("testdata", "frr84", "ospf-shut"))
	out["c"] = shut["c"] // c has the database after the shutdown, a the one before
	_, _, err := Read("ospf", out)
	if !errors.Is(err, ErrNotConverged) {
		t.Fatalf("got %v, want ErrNotConverged", err)
	}
	if !strings.Contains(err.Error(), "c's differs from a's") {
		t.Errorf("the error does not name the router: %v", err)
	}
}

func TestReadUnknownRouter(t *testing.T) {
	out := recorded(t, filepath.Join("testdata", "frr84", "ospf-parallel-drained"))
	delete(out, "d")
	_, _, err := Read("ospf", out)
	if err == nil || !strings.Contains(err.Error(), "198.18.0.4") || !strings.Contains(err.Error(), "not in the inventory") {
		t.Fatalf("got %v, want an error naming router id 198.18.0.4", err)
	}
}

// fakeRunner answers from recordings; the first reads answer from
// before (the area converging).
type fakeRunner struct {
	mu            sync.Mutex
	before, after map[string]map[string]string
	reads         int // reads of c's database
	beforeReads   int
	empty         int // reads of c's database that answer nothing
	resets        []string
	fail          error
}

// Reset records that device's session was dropped (resetter).
func (f *fakeRunner) Reset(device string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resets = append(f.resets, device)
}

func (f *fakeRunner) Run(_ context.Context, device, command string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return "", f.fail
	}
	src := f.after
	if device == "c" && command == frrOSPFDatabaseCommand {
		f.reads++
		if f.empty > 0 {
			f.empty--
			return " \n", nil
		}
		if f.reads <= f.beforeReads {
			src = f.before
		}
	}
	return src[device][command], nil
}

func TestDiscoverReadsAgainWhileConverging(t *testing.T) {
	r := &fakeRunner{
		before:      recorded(t, filepath.Join("testdata", "frr84", "ospf-shut")),
		after:       recorded(t, filepath.Join("testdata", "frr84", "ospf-parallel-drained")),
		beforeReads: 2,
	}
	devs := map[string]string{"a": "frr_vtysh", "b": "frr_vtysh", "c": "frr_vtysh", "d": "frr_vtysh"}
	net, _, err := Discover(context.Background(), r, devs, Options{Concurrency: 2, Settle: time.Minute, Interval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if r.reads != 3 || len(net.Links) != 5 {
		t.Errorf("read c %d times (want 3), %d links", r.reads, len(net.Links))
	}
	// An empty answer is read again, each time on a new session; after
	// three, it is reported.
	for _, tc := range []struct {
		empty     int
		wantError bool
	}{{2, false}, {3, true}} {
		r.reads, r.beforeReads, r.empty, r.resets = 0, 0, tc.empty, nil
		_, _, err := Discover(context.Background(), r, devs, Options{Concurrency: 2, Settle: time.Millisecond, Interval: time.Millisecond})
		if got := err != nil; got != tc.wantError || (got && !strings.Contains(err.Error(), "the output is empty")) {
			t.Errorf("%d empty answers: got %v, want error %v", tc.empty, err, tc.wantError)
		}
		if want := min(tc.empty, emptyReads); len(r.resets) != want || (want > 0 && r.resets[0] != "c") {
			t.Errorf("%d empty answers: sessions reset %v, want c's %d times", tc.empty, r.resets, want)
		}
	}
	// A device that cannot be read fails the discovery, naming it.
	r.fail = errors.New("connection refused")
	if _, _, err := Discover(context.Background(), r, devs, Options{}); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("got %v", err)
	}
	// A platform discovery does not read.
	devs["d"] = "cisco_nxos"
	if _, _, err := Discover(context.Background(), r, devs, Options{}); err == nil || !strings.Contains(err.Error(), `device d: discover: platform "cisco_nxos" is not supported`) {
		t.Errorf("got %v", err)
	}
}
