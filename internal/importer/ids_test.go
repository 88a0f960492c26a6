package importer

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/changegate/changegate/internal/topology"
)

// zooPinned are Topology Zoo networks whose link ids are pinned in
// testdata/zoo-ids: parallel edges (#2), labels shared by several nodes
// (names suffixed with the node id), unlabeled nodes (node_<id>), links
// imported as down and skipped self-loops. Plans name links by these ids,
// so an import must keep giving them, whatever else it learns to fill in.
var zooPinned = []string{"Easynet", "Geant2012", "Interoute", "Shentel", "TLex", "UniC"}

// TestZooLinkIDsPinned imports each pinned network, writes it as a
// topology file and loads that back, as a user does before naming links
// in a plan: the ids after the round trip must be the pinned ones, in
// order. The golden files were written before imported links had
// interface names; -update must not be needed to pass.
func TestZooLinkIDsPinned(t *testing.T) {
	for _, name := range zooPinned {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(zooDir, name+".graphml")
			if _, err := os.Stat(path); err != nil {
				t.Skipf("no Topology Zoo file %s (the shared data directory is not checked out next to the repository)", path)
			}
			net, _, err := importFile(t, path, GraphMLOptions{DefaultCapacity: 10e9})
			if err != nil {
				t.Fatal(err)
			}
			var file bytes.Buffer
			if err := topology.Write(&file, net); err != nil {
				t.Fatal(err)
			}
			back, ds := topology.Parse(name+".yaml", file.Bytes(), topology.ParseOptions{})
			if back == nil || ds.HasErrors() {
				t.Fatalf("the written topology does not load: %v", ds.Errors())
			}
			if len(back.Links) != len(net.Links) {
				t.Fatalf("%d links written, %d loaded back", len(net.Links), len(back.Links))
			}
			var got bytes.Buffer
			for i, l := range back.Links {
				if l.ID != net.Links[i].ID {
					t.Errorf("link %d: id %q imported, %q loaded back from the written file", i+1, net.Links[i].ID, l.ID)
				}
				fmt.Fprintf(&got, "%s\n", l.ID)
			}
			checkGolden(t, filepath.Join("zoo-ids", name), got.Bytes())
		})
	}
}

// TestZooLinkIDsAll pins the link ids of every Topology Zoo network: one
// line per file with its number of links and a digest of its ids in
// order (testdata/zoo-ids/all.golden, written before imported links had
// interface names).
func TestZooLinkIDsAll(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(zooDir, "*.graphml"))
	if len(files) == 0 {
		t.Skipf("no Topology Zoo files in %s (the shared data directory is not checked out next to the repository)", zooDir)
	}
	var got bytes.Buffer
	for _, path := range files {
		net, _, err := importFile(t, path, GraphMLOptions{DefaultCapacity: 10e9})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		h := sha256.New()
		for _, l := range net.Links {
			fmt.Fprintf(h, "%s\n", l.ID)
		}
		fmt.Fprintf(&got, "%s %d %x\n", filepath.Base(path), len(net.Links), h.Sum(nil)[:8])
	}
	checkGolden(t, filepath.Join("zoo-ids", "all"), got.Bytes())
}
