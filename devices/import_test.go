package devices

import (
	"context"
	"path/filepath"
	"testing"
)

func TestGoldenNornir(t *testing.T) {
	dir := filepath.Join("testdata", "nornir")
	tests := []struct {
		name                    string
		hosts, groups, defaults string
	}{
		{"nornir", "hosts.yaml", "groups.yaml", "defaults.yaml"},
		{"nornir-hosts-only", "hosts.yaml", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := func(f string) string {
				if f == "" {
					return ""
				}
				return filepath.Join(dir, f)
			}
			inv, ds, err := FromNornir(context.Background(), p(tt.hosts), p(tt.groups), p(tt.defaults))
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tt.name, render(inv, ds))
		})
	}
}

func TestGoldenContainerlab(t *testing.T) {
	for _, name := range []string{"lab", "prefix", "frr"} {
		t.Run(name, func(t *testing.T) {
			inv, ds, err := FromContainerlab(context.Background(), filepath.Join("testdata", "containerlab", name+".clab.yml"))
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "containerlab-"+name, render(inv, ds))
		})
	}
}
