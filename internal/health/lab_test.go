package health

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/changegate/changegate/internal/lab"
	"github.com/changegate/changegate/internal/testscale"
	"github.com/changegate/changegate/internal/textfsm"
)

// labRunner runs commands in the lab's vtysh.
type labRunner struct{ l *lab.Lab }

func (r labRunner) Run(ctx context.Context, device, command string) (string, error) {
	return r.l.Vtysh(ctx, device, command)
}

// TestTextFSMOnLab runs the FRR template of testdata over real FRR
// output: the lab of examples/april-2011.yaml, every router's
// show ip ospf neighbor. The template must parse exactly the neighbours
// show ip ospf neighbor json lists, and the check pass. With
// CHANGEGATE_RECORD_FIXTURES=1 it rewrites
// testdata/frr84_lab_ospf_neighbor.txt with p1's output.
func TestTextFSMOnLab(t *testing.T) {
	lab.SkipUnlessAvailable(t)
	src, err := os.ReadFile("../../examples/april-2011.yaml")
	if err != nil {
		t.Fatal(err)
	}
	l, _ := lab.UpForTest(t, "health", string(src))
	ctx, cancel := context.WithTimeout(context.Background(), testscale.Timeout(3*time.Minute))
	defer cancel()
	if err := l.WaitConverged(ctx); err != nil {
		t.Fatal(err)
	}
	tmpl, err := textfsm.Compile(fixture(t, ospfTemplateFile))
	if err != nil {
		t.Fatal(err)
	}
	k := mustCompile(t, textFSMCheck(t, fixture(t, ospfTemplateFile), `[r.NEIGHBOR_ID | some r in output; not startswith(r.STATE, "Full")] == []`))
	for _, nd := range l.Layout.Nodes {
		text, err := l.Vtysh(ctx, nd.Name, "show ip ospf neighbor")
		if err != nil {
			t.Fatalf("%s: %v", nd.Name, err)
		}
		js, err := l.Vtysh(ctx, nd.Name, "show ip ospf neighbor json")
		if err != nil {
			t.Fatalf("%s: %v", nd.Name, err)
		}
		var doc struct {
			Neighbors map[string][]struct {
				IfaceName string `json:"ifaceName"`
			} `json:"neighbors"`
		}
		if err := json.Unmarshal([]byte(js), &doc); err != nil {
			t.Fatalf("%s: %v", nd.Name, err)
		}
		var want, got []string
		for id, adjs := range doc.Neighbors {
			for _, a := range adjs {
				want = append(want, id+" "+a.IfaceName)
			}
		}
		recs, err := tmpl.Parse(text)
		if err != nil {
			t.Fatalf("%s: %v", nd.Name, err)
		}
		for _, r := range recs {
			got = append(got, r["NEIGHBOR_ID"].(string)+" "+r["INTERFACE"].(string))
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) || len(got) == 0 {
			t.Errorf("%s: the template parsed %q from\n%s\nwant the neighbours of the json output, %q", nd.Name, got, text, want)
		}
		res := k.Run(ctx, labRunner{l}, nd.Name)
		if !res.Passed || !strings.HasPrefix(res.Reason, recordsParsed(len(want))+";") {
			t.Errorf("%s: check: passed = %v: %s", nd.Name, res.Passed, res.Reason)
		}
		if nd.Name == "p1" && os.Getenv("CHANGEGATE_RECORD_FIXTURES") != "" {
			if err := os.WriteFile(filepath.Join("testdata", "frr84_lab_ospf_neighbor.txt"), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
