package importer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/topology"
)

const zooDir = "../../../shared/data/topology-zoo/graphml"

// TestTopologyZoo imports every Topology Zoo file. Each must either give a
// consistent network or fail with a clear error (never a panic); the
// summary is logged (go test -v -run TopologyZoo) and quoted in docs/import.md.
func TestTopologyZoo(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(zooDir, "*.graphml"))
	if len(files) == 0 {
		t.Skipf("no Topology Zoo files in %s (the shared data directory is not checked out next to the repository)", zooDir)
	}
	var (
		imported, complete, warned int
		nodes, links, selfLoops    int
		down, dupLabels, isolated  int
		conn, defaulted, unnamed   int
		failed                     []string
	)
	for _, path := range files {
		name := filepath.Base(path)
		// 1 bps marks the links that get the default capacity (no Zoo
		// link is that slow).
		net, ds, err := importFile(t, path, GraphMLOptions{DefaultCapacity: 1})
		if err != nil {
			var le *diag.ListError
			if !errors.As(err, &le) || len(le.Diags.Errors()) == 0 || le.Diags.Errors()[0].Pos.File != path {
				t.Errorf("%s: error is not a diagnostic list naming the file: %v", name, err)
			}
			failed = append(failed, fmt.Sprintf("%s: %s", name, le.Diags.Errors()[0].Msg))
			continue
		}
		imported++
		if problems := consistency(net); len(problems) > 0 {
			t.Errorf("%s: topology.Validate finds errors in the imported network:\n  %s", name, strings.Join(problems, "\n  "))
		}
		for _, d := range net.Validate().Warnings() {
			switch {
			case strings.Contains(d.Msg, "has no links"):
				isolated++
			case strings.Contains(d.Msg, "interface"):
				t.Errorf("%s: %s", name, d) // generated names clash
			}
		}
		if connected(net) {
			conn++
		}
		nodes += len(net.Nodes)
		for _, l := range net.Links {
			if l.CapacityBps == 1 {
				defaulted++
			}
		}
		links += len(net.Links)
		for _, l := range net.Links {
			if l.AInterface == "" || l.BInterface == "" {
				t.Errorf("%s: link %s has an end without an interface", name, l.ID)
			}
		}
		others := 0
		for _, d := range ds {
			if strings.Contains(d.Msg, "no interface name in the file") {
				var n, of int
				fmt.Sscanf(d.Msg, "%d of %d", &n, &of)
				unnamed += n
				continue
			}
			others++
			switch {
			case strings.HasPrefix(d.Msg, "self-loop"):
				selfLoops++
			case strings.Contains(d.Msg, "imported as down"):
				down++
			case strings.HasPrefix(d.Msg, "label "):
				dupLabels++
			}
		}
		if others > 0 {
			warned++
		}
		// Without a default capacity the import succeeds exactly when
		// every edge has a speed.
		if _, _, err := importFile(t, path, GraphMLOptions{}); err == nil {
			complete++
		} else if !strings.Contains(err.Error(), "--default-capacity") {
			t.Errorf("%s: without --default-capacity: unexpected error %v", name, err)
		}
	}
	sort.Strings(failed)
	t.Logf("Topology Zoo: %d files, %d imported (%d nodes, %d links), %d failed", len(files), imported, nodes, links, len(failed))
	t.Logf("  %d files have a speed on every edge (import without --default-capacity); %d of %d links take the default capacity",
		complete, defaulted, links)
	t.Logf("  %d of %d link ends take generated interface names (every file warns once about them)", unnamed, 2*links)
	t.Logf("  %d files gave other warnings: %d self-loops skipped, %d links imported down (LinkStatus planned/future), %d duplicate labels suffixed",
		warned, selfLoops, down, dupLabels)
	t.Logf("  topology.Validate: no errors; %d nodes without links (warnings)", isolated)
	t.Logf("  %d networks are connected over their up links", conn)
	for _, f := range failed {
		t.Logf("  failed: %s", f)
	}
	if imported == 0 {
		t.Fatal("no file imported")
	}
}

func importFile(t *testing.T, path string, opts GraphMLOptions) (*topology.Network, diag.Diagnostics, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return GraphML(f, path, opts)
}

// consistency returns the errors topology.Validate finds in net: an
// imported network must be valid as it stands.
func consistency(net *topology.Network) []string {
	var out []string
	for _, d := range net.Validate().Errors() {
		out = append(out, d.String())
	}
	return out
}

// connected reports whether every node reaches every other over up links.
func connected(net *topology.Network) bool {
	idx := net.NodeIndex()
	adj := make([][]int, len(net.Nodes))
	for _, l := range net.Links {
		if l.Up {
			a, b := idx[l.A], idx[l.B]
			adj[a] = append(adj[a], b)
			adj[b] = append(adj[b], a)
		}
	}
	seen := make([]bool, len(net.Nodes))
	stack := []int{0}
	seen[0] = true
	reached := 1
	for len(stack) > 0 {
		u := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, v := range adj[u] {
			if !seen[v] {
				seen[v] = true
				reached++
				stack = append(stack, v)
			}
		}
	}
	return reached == len(net.Nodes)
}
