package plans

import (
	"os"
	"path/filepath"
	"testing"
)

func FuzzParse(f *testing.F) {
	var seeds []string
	for _, pattern := range []string{"testdata/*.yaml", "../examples/*.yaml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, m...)
	}
	if len(seeds) == 0 {
		f.Fatal("no seed files")
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, ds := Parse("f.yaml", data)
		if (p == nil) != ds.HasErrors() {
			t.Fatalf("plan nil = %v, but HasErrors = %v: %v", p == nil, ds.HasErrors(), ds)
		}
		for _, d := range ds {
			if d.Pos.File != "f.yaml" || d.Msg == "" {
				t.Fatalf("diagnostic without file or message: %#v", d)
			}
		}
		if p == nil {
			return
		}
		// A plan without errors keeps every promise of the format.
		if p.Title == "" || len(p.Steps) == 0 {
			t.Fatalf("valid plan without title or steps: %+v", p)
		}
		names := map[string]bool{}
		for _, s := range p.Steps {
			if s.Name == "" || names[s.Name] || len(s.Effects) == 0 {
				t.Fatalf("invalid step in a valid plan: %+v", s)
			}
			names[s.Name] = true
			if !s.HasRollback && len(s.Rollback) > 0 {
				t.Fatalf("rollback without HasRollback: %+v", s)
			}
			for _, e := range append(append([]Effect(nil), s.Effects...), s.Rollback...) {
				checkEffect(t, e)
			}
		}
		// CheckReferences never panics, and finds nothing when everything is known.
		links, nodes := map[string]bool{}, map[string]bool{}
		for _, s := range p.Steps {
			for _, e := range append(append([]Effect(nil), s.Effects...), s.Rollback...) {
				links[e.Link], nodes[e.Node], nodes[e.From] = true, true, true
			}
		}
		if ds := p.CheckReferences(links, nodes); len(ds) != 0 {
			t.Fatalf("CheckReferences with every name known: %v", ds)
		}
		_ = p.CheckReferences(nil, nil)
	})
}

func checkEffect(t *testing.T, e Effect) {
	t.Helper()
	ok := true
	switch e.Type {
	case SetMetric:
		ok = e.Link != "" && e.Node == "" && e.Metric >= 1 && e.Metric <= 1<<32-1 && e.CapacityBps == 0
	case LinkDown, LinkUp:
		ok = e.Link != "" && e.Node == "" && e.From == "" && e.Metric == 0 && e.CapacityBps == 0
	case Drain, Undrain:
		ok = e.Node != "" && e.Link == "" && e.From == "" && e.Metric == 0 && e.CapacityBps == 0
	case SetCapacity:
		ok = e.Link != "" && e.Node == "" && e.From == "" && e.Metric == 0 && e.CapacityBps > 0
	default:
		ok = false
	}
	if !ok {
		t.Fatalf("invalid effect in a valid plan: %+v", e)
	}
}
