package topology

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/changegate/changegate/internal/golden"
)

// changeFunc changes a network as a plan would: metrics, link states,
// capacities, drains.
type changeFunc func(t *testing.T, n *Network)

func setLink(id string, f func(l *Link)) changeFunc {
	return func(t *testing.T, n *Network) {
		t.Helper()
		i, ok := n.LinkIndex()[id]
		if !ok {
			t.Fatalf("no link %s", id)
		}
		f(&n.Links[i])
	}
}

func drain(node string, d bool) changeFunc {
	return func(t *testing.T, n *Network) {
		t.Helper()
		i, ok := n.NodeIndex()[node]
		if !ok {
			t.Fatalf("no node %s", node)
		}
		n.Nodes[i].Drained = d
	}
}

func loadPatchInput(t *testing.T, name string) (string, []byte, *Network) {
	t.Helper()
	path := filepath.Join("testdata", "patch", name)
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n, _, ds := parse(path, src, ParseOptions{}, true)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return path, src, n
}

// changed is a deep enough copy of n with the changes made.
func changed(t *testing.T, n *Network, changes []changeFunc) *Network {
	t.Helper()
	out := *n
	out.Nodes = append([]Node(nil), n.Nodes...)
	out.Links = append([]Link(nil), n.Links...)
	for _, c := range changes {
		c(t, &out)
	}
	return &out
}

// Patch changes exactly the values a plan changes, in place or added to
// their item, and keeps every other byte: golden files show it.
func TestPatchGolden(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		changes    []changeFunc
	}{
		{"square-cost-out", "square.yaml", []changeFunc{setLink("ab", func(l *Link) { l.MetricAB, l.MetricBA = 1000, 1000 })}},
		{"square-one-end", "square.yaml", []changeFunc{setLink("ab", func(l *Link) { l.MetricAB = 1000 })}},
		{"square-shut-drain", "square.yaml", []changeFunc{setLink("cd", func(l *Link) { l.Up = false }), drain("b", true)}},
		{"commented", "commented.yaml", []changeFunc{
			drain("lon", true), drain("fra", true),
			setLink("ams-fra", func(l *Link) { l.MetricAB = 100 }),
			setLink("ams-lon", func(l *Link) { l.MetricAB, l.CapacityBps, l.Up = 30, 20e9, false }),
			setLink("fra-lon", func(l *Link) { l.Up, l.MetricAB, l.MetricBA = false, 50, 50 }),
		}},
		{"commented-both-ends", "commented.yaml", []changeFunc{
			drain("fra", false),
			setLink("ams-lon", func(l *Link) { l.MetricAB, l.MetricBA = 40, 40 }),
			setLink("ams-fra", func(l *Link) { l.Up = false }),
		}},
		{"crlf", "crlf.yaml", []changeFunc{drain("b", true), setLink("ab", func(l *Link) { l.MetricBA = 7 })}},
		{"flow", "flow.yaml", []changeFunc{
			drain("a", true), drain("b", true),
			setLink("ab", func(l *Link) { l.Up, l.MetricAB, l.MetricBA = false, 5, 5 }),
			setLink("b-a", func(l *Link) { l.MetricBA = 4 }),
		}},
		{"unicode", "unicode.yaml", []changeFunc{drain("a", true), drain("b", true), setLink("a-b", func(l *Link) { l.MetricBA = 6 })}},
		{"flow-equal-again", "flow.yaml", []changeFunc{setLink("b-a", func(l *Link) { l.MetricAB, l.MetricBA = 5, 5 })}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, src, from := loadPatchInput(t, tc.file)
			to := changed(t, from, tc.changes)
			got, err := Patch(path, src, from, to)
			if err != nil {
				t.Fatal(err)
			}
			back, _, ds := parse(path, got, ParseOptions{}, true)
			if ds.HasErrors() || back.TopologyDigest() != to.TopologyDigest() {
				t.Fatalf("the patched file does not give the changed model: %v\n%s", ds, got)
			}
			if bytes.Contains(src, []byte("#")) {
				for _, line := range strings.Split(string(src), "\n") {
					if c := strings.Index(line, "#"); c >= 0 && !bytes.Contains(got, []byte(line[c:])) {
						t.Errorf("comment %q lost", line[c:])
					}
				}
			}
			golden.Check(t, filepath.Join("testdata", "patch", tc.name+".golden"), got)
		})
	}
}

// A network the plan does not change is written back byte for byte.
func TestPatchUnchangedIsIdentical(t *testing.T) {
	for _, f := range []string{"commented.yaml", "square.yaml", "crlf.yaml", "flow.yaml", "anchored.yaml", "unicode.yaml"} {
		path, src, n := loadPatchInput(t, f)
		got, err := Patch(path, src, n, n)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !bytes.Equal(got, src) {
			t.Errorf("%s changed:\n%s", f, got)
		}
	}
}

// What cannot be changed in place is refused, naming the place: a value
// shared through an anchor, a model of another network.
func TestPatchRefuses(t *testing.T) {
	path, src, n := loadPatchInput(t, "anchored.yaml")
	to := changed(t, n, []changeFunc{setLink("ab", func(l *Link) { l.MetricAB, l.MetricBA = 20, 20 })})
	if _, err := Patch(path, src, n, to); err == nil || !strings.Contains(err.Error(), "anchored.yaml:6:") || !strings.Contains(err.Error(), "anchor") {
		t.Errorf("anchored metric: %v", err)
	}
	for name, change := range map[string]changeFunc{
		"a class": setLink("ab", func(l *Link) { l.Class = "gold" }),
		"a name":  func(_ *testing.T, n *Network) { n.Nodes[0].Name = "z" },
		"a link":  func(_ *testing.T, n *Network) { n.Links = n.Links[:1] },
	} {
		to := changed(t, n, []changeFunc{change})
		if _, err := Patch(path, src, n, to); err == nil {
			t.Errorf("%s changed: no error", name)
		}
	}
	// The file changed since the change was checked: refused, whatever the model after.
	other := changed(t, n, []changeFunc{setLink("bc", func(l *Link) { l.Up = false })})
	if _, err := Patch(path, src, other, other); err == nil || !strings.Contains(err.Error(), "no longer the model") {
		t.Errorf("a file that changed: %v", err)
	}
	if _, err := Patch(path, []byte("nodes: ["), n, n); err == nil || !strings.Contains(err.Error(), "anchored.yaml") {
		t.Errorf("bad YAML: %v", err)
	}
}

// Patch never panics, and what it returns parses to the model asked for.
func FuzzPatch(f *testing.F) {
	for _, name := range []string{"commented.yaml", "square.yaml", "crlf.yaml", "flow.yaml", "anchored.yaml", "unicode.yaml"} {
		b, err := os.ReadFile(filepath.Join("testdata", "patch", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(3), int64(7), false)
	}
	f.Fuzz(func(t *testing.T, src []byte, which uint8, metric int64, drained bool) {
		from, _, ds := parse("f.yaml", src, ParseOptions{}, true)
		if ds.HasErrors() || len(from.Links) == 0 {
			return
		}
		to := changed(t, from, nil)
		l := &to.Links[int(which)%len(to.Links)]
		l.MetricAB = max(1, min(metric, MaxMetric))
		l.Up = !l.Up
		to.Nodes[int(which)%len(to.Nodes)].Drained = drained
		got, err := Patch("f.yaml", src, from, to)
		if err != nil {
			return
		}
		back, _, ds := parse("f.yaml", got, ParseOptions{}, true)
		if ds.HasErrors() || back.TopologyDigest() != to.TopologyDigest() {
			t.Fatalf("Patch returned text that does not give the model:\n%s", got)
		}
	})
}
