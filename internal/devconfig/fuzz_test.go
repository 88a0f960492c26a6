package devconfig

import (
	"slices"
	"testing"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// checkInterpret checks what every interpreter promises, whatever the
// lines: it does not panic; it classifies every line once, in order;
// every diagnostic is at one of the lines; every effect comes from lines
// that were sent, the last of them modelled, and is one the model can
// apply to the device (a link of it, the device itself, a metric in
// range).
func checkInterpret(t *testing.T, platforms []string, text string) {
	t.Helper()
	ls := lines(text)
	for _, platform := range platforms {
		in, ok := For(platform)
		if !ok {
			t.Fatalf("no interpreter for %s", platform)
		}
		for _, igp := range []string{"ospf", "isis"} {
			net := network(igp)
			for _, dev := range []string{"a", "b", "c", "d"} {
				r := in.Interpret(Target{Device: dev, Net: net}, ls)
				if len(r.Lines) != len(ls) {
					t.Fatalf("%s on %s: %d lines classified, %d sent", platform, dev, len(r.Lines), len(ls))
				}
				for i, c := range r.Lines {
					if c.Line != ls[i] {
						t.Fatalf("%s on %s: line %d classified as %q at %v", platform, dev, i, c.Line.Text, c.Line.Pos)
					}
					if c.Kind != Modelled && c.Kind != Neutral && c.Kind != NotModelled {
						t.Fatalf("%s on %s: line %q of kind %d", platform, dev, c.Line.Text, c.Kind)
					}
				}
				// at is the line sent at p.
				at := func(p diag.Pos) (Classified, bool) {
					i := p.Line - ls[0].Pos.Line
					if p.File != ls[0].Pos.File || i < 0 || i >= len(ls) {
						return Classified{}, false
					}
					return r.Lines[i], true
				}
				sent := func(l Line) (Classified, bool) {
					c, ok := at(l.Pos)
					return c, ok && c.Line == l
				}
				for _, d := range r.Diags {
					if _, ok := at(d.Pos); !ok {
						t.Fatalf("%s on %s: diagnostic %q is at no line sent", platform, dev, d)
					}
				}
				for _, d := range r.Effects {
					if len(d.Lines) == 0 {
						t.Fatalf("%s on %s: effect %+v comes from no line", platform, dev, d.Effect)
					}
					for _, l := range d.Lines {
						if _, ok := sent(l); !ok {
							t.Fatalf("%s on %s: effect %+v comes from a line not sent: %q at %v", platform, dev, d.Effect, l.Text, l.Pos)
						}
					}
					if c, _ := sent(d.Lines[len(d.Lines)-1]); c.Kind != Modelled {
						t.Fatalf("%s on %s: effect %+v comes from a line that is %s: %q", platform, dev, d.Effect, c.Kind, c.Line.Text)
					}
					checkEffect(t, platform, dev, net.Links, d.Effect)
				}
			}
		}
	}
}

// checkEffect checks that e is one the lines sent to dev can make.
func checkEffect(t *testing.T, platform, dev string, links []topology.Link, e plans.Effect) {
	t.Helper()
	ends := func(id string) bool {
		return slices.ContainsFunc(links, func(l topology.Link) bool { return l.ID == id && (l.A == dev || l.B == dev) })
	}
	switch e.Type {
	case plans.SetMetric:
		if !ends(e.Link) || e.From != dev || e.Metric < 1 || e.Metric > maxISISMetric || e.Node != "" {
			t.Fatalf("%s on %s: effect %+v", platform, dev, e)
		}
	case plans.LinkDown, plans.LinkUp:
		if !ends(e.Link) || e.From != "" || e.Node != "" || e.Metric != 0 {
			t.Fatalf("%s on %s: effect %+v", platform, dev, e)
		}
	case plans.Drain, plans.Undrain:
		if e.Node != dev || e.Link != "" {
			t.Fatalf("%s on %s: effect %+v", platform, dev, e)
		}
	default:
		t.Fatalf("%s on %s: effect of type %q", platform, dev, e.Type)
	}
}

var iosLikePlatforms = []string{"frr_vtysh", "cisco_iosxe", "arista_eos"}

func FuzzIOSLike(f *testing.F) {
	for _, s := range []string{
		"interface eth1\n ip ospf cost 500\n",
		"interface eth2\n no ip ospf cost\n shutdown\n no shutdown\n",
		"interface Gi0/0/1\n isis metric 400 level-2\n isis metric maximum\n",
		"router ospf 1\n max-metric router-lsa administrative\n no max-metric router-lsa\n",
		"router isis CORE\n set-overload-bit\n no set-overload-bit on-startup 30\n",
		"! c\nhostname a\nroute-map X permit 10\n set metric 5\nip prefix-list P\nend\ninterface eth9\n shutdown\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) { checkInterpret(t, iosLikePlatforms, text) })
}

func FuzzIOSXR(f *testing.F) {
	for _, s := range []string{
		"router ospf 1\n area 0\n  interface Gi0/0/1\n   cost 100\ninterface Gi0/0/1\n shutdown\n",
		"router ospf 1\n area 0\n  interface Gi0/0/1\n   no cost\n  exit\n exit\nexit\n max-metric router-lsa include-stub\n",
		"router isis CORE\n interface GigabitEthernet0/0/1\n  address-family ipv4 unicast\n   metric 400 level 2\n set-overload-bit level 2\n",
		"router ospf 1\ninterface Gi0/0/1\n  cost 5\n!\nroot\n no shutdown\n",
		"route-policy X\n  pass\nend-policy\nmpls ldp\n interface Gi0/0/1\nntp\n server 192.0.2.1\ncommit\nabort\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) { checkInterpret(t, []string{"cisco_iosxr"}, text) })
}

func FuzzJunos(f *testing.F) {
	for _, s := range []string{
		"set protocols ospf area 0.0.0.0 interface ge-0/0/2.0 metric 500\n",
		"deactivate protocols ospf area 0 interface ge-0/0/2 metric\nactivate protocols ospf area 0 interface ge-0/0/2 metric\n",
		"set protocols isis interface ge-0/0/2.100 level 2 metric 1000\ndelete protocols isis interface ge-0/0/2.0 level 2 metric\n",
		"set interfaces ge-0/0/2 disable\ndelete interfaces ge-0/0/2 unit 100 disable\nset protocols ospf overload\n",
		"edit protocols ospf area 0.0.0.0\nset interface ge-0/0/2.0 metric 5\nup\nset metric 1\ntop set protocols isis overload\nexit\n",
		"# c\nset interfaces ge-0/0/2 description \"a \\\" b\"\nset interfaces x description \"open\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) { checkInterpret(t, []string{"juniper_junos"}, text) })
}

func FuzzSRL(f *testing.F) {
	for _, s := range []string{
		"set / network-instance default protocols ospf instance main area 0.0.0.0 interface ethernet-1/3.0 metric 500\n",
		"delete / network-instance default protocols isis instance main interface ethernet-1/4.0 level 2 metric\n",
		"set / interface ethernet-1/3 admin-state disable\nset /interface ethernet-1/3 subinterface 0 admin-state enable\n",
		"set / network-instance default protocols isis instance main overload immediate set-bit true\ndelete / network-instance default protocols ospf instance main overload\n",
		"network-instance default protocols ospf instance main\nset area 0 interface ethernet-1/3.0 metric 5\nexit\nset x\n/\ninterface ethernet-1/3 {\n admin-state disable\n}\n}\n",
		"interface ethernet-1/3\nadmin-state\nsystem name host-name d\nadmin-state enable\nexit all\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) { checkInterpret(t, []string{"nokia_srl"}, text) })
}
