package devconfig

import (
	"strings"
	"testing"

	"github.com/changegate/changegate/internal/topology"
)

// network is square (a-b-c-d-a) with links c-d whose ends are named as
// Junos (c) and SR Linux (d) name them: cd on unit 0 of c's ge-0/0/2 and
// d's ethernet-1/3, cd2 on unit 100 of c's ge-0/0/2 and d's port that
// containerlab names e1-4, cd3 on subinterface 100 of d's ethernet-1/3;
// and bd, on subinterface 100 of b's TenGigabitEthernet0/1/0 and
// subinterface 7 of d's e1-5.
func network(igp string) *topology.Network {
	n := square(igp)
	n.Links = append(n.Links,
		topology.Link{ID: "cd", A: "c", AInterface: "ge-0/0/2", B: "d", BInterface: "ethernet-1/3", MetricAB: 40, MetricBA: 50, Up: true},
		topology.Link{ID: "cd2", A: "c", AInterface: "ge-0/0/2.100", B: "d", BInterface: "e1-4", MetricAB: 60, MetricBA: 70, Up: true},
		topology.Link{ID: "cd3", A: "c", AInterface: "ge-0/0/3", B: "d", BInterface: "ethernet-1/3.100", MetricAB: 80, MetricBA: 90, Up: true},
		topology.Link{ID: "bd", A: "b", AInterface: "TenGigabitEthernet0/1/0.100", B: "d", BInterface: "e1-5.7", MetricAB: 15, MetricBA: 25, Up: true},
	)
	return n
}

// platformCase is a table row of the platform tests: lines sent to a
// device, the effects they make (with the lines each comes from), the
// kind of each line and the diagnostics.
type platformCase struct {
	name, device, igp, config string
	want                      []string // effects, as effectsOf writes them
	kinds                     string   // M modelled, N neutral, X not modelled, per line
	diags                     []string // every diagnostic's text, in order
}

func runPlatform(t *testing.T, platform string, tests []platformCase) {
	t.Helper()
	in, ok := For(platform)
	if !ok {
		t.Fatalf("no interpreter for %s", platform)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := in.Interpret(Target{Device: tt.device, Net: network(tt.igp)}, lines(tt.config))
			if got := effectsOf(r); strings.Join(got, "; ") != strings.Join(tt.want, "; ") {
				t.Errorf("effects = %q, want %q", got, tt.want)
			}
			if got := kinds(r); got != tt.kinds {
				t.Errorf("kinds = %s, want %s", got, tt.kinds)
				for _, c := range r.Lines {
					t.Logf("  %-13s %q: %s", c.Kind, c.Line.Text, c.Why)
				}
			}
			var got []string
			for _, d := range r.Diags {
				got = append(got, d.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.diags, "\n") {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.diags, "\n"))
			}
		})
	}
}
