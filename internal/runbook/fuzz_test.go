package runbook

import (
	"os"
	"path/filepath"
	"testing"
)

func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("../../runbooks/*.yaml")
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(good))
	f.Add([]byte(twoIGPs))
	f.Add([]byte("name: t\ntitle: x\nplatforms: [frr_vtysh]\nsteps: [{name: a, for_each: links_of .d, as: l, effects: []}]\n"))
	f.Add([]byte(includer("t", "frr_vtysh", "t")))
	f.Add([]byte("name: t\ntitle: x\nplatforms: [frr_vtysh]\nparams: [{name: device, type: device}]\nsteps:\n  - {name: \"n {{.l.id}}\", for_each: links_of .device, as: l, runbook: t, params: {device: \"{{.l.peer}}\", x: 1}}\n  - {runbook: t, params: [a]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, ds := Parse("t.yaml", data)
		if (r == nil) != ds.HasErrors() {
			t.Fatalf("runbook nil = %v, but HasErrors = %v: %v", r == nil, ds.HasErrors(), ds)
		}
		for _, d := range ds {
			if d.Pos.File != "t.yaml" || d.Msg == "" {
				t.Fatalf("diagnostic without file or message: %#v", d)
			}
		}
		if r == nil {
			return
		}
		// Rendering never panics either, whatever the parameters.
		params := map[string]string{}
		for _, p := range r.Params {
			params[p.Name] = "1"
		}
		// A library of the runbook alone: an include of itself is a loop,
		// found when loading and when rendering.
		lib := &Library{runbooks: []*Runbook{r}, byName: map[string]*Runbook{r.Name: r}}
		lib.checkIncludes()
		for _, pl := range r.Platforms {
			r.Render(RenderOptions{Platform: pl, Params: params})
			r.Render(RenderOptions{Platform: pl, Params: params, Library: lib})
			for _, igp := range IGPs() {
				r.Render(RenderOptions{Platform: pl, Params: params, Library: lib, IGP: igp})
			}
		}
	})
}
