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
	f.Add([]byte("name: t\ntitle: x\nplatforms: [frr_vtysh]\nsteps: [{name: a, for_each: links_of .d, as: l, effects: []}]\n"))
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
		for _, pl := range r.Platforms {
			r.Render(RenderOptions{Platform: pl, Params: params})
		}
	})
}
