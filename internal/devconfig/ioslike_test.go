package devconfig

import (
	"strconv"
	"strings"
	"testing"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// square is a-b-c-d-a with the interfaces each platform's test names.
func square(igp string) *topology.Network {
	return &topology.Network{IGP: igp,
		Nodes: []topology.Node{{Name: "a"}, {Name: "b"}, {Name: "c"}, {Name: "d"}},
		Links: []topology.Link{
			{ID: "ab", A: "a", AInterface: "eth1", B: "b", BInterface: "GigabitEthernet0/0/1", MetricAB: 10, MetricBA: 20, Up: true},
			{ID: "bc", A: "b", AInterface: "TenGigabitEthernet0/1/0", B: "c", BInterface: "Ethernet1", MetricAB: 10, MetricBA: 10, Up: true},
			{ID: "da", A: "d", AInterface: "eth0", B: "a", BInterface: "eth2", MetricAB: 10, MetricBA: 30, Up: true},
		}}
}

func lines(text string) []Line {
	var out []Line
	for i, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		out = append(out, Line{Text: l, Pos: diag.Pos{File: "p.yaml", Line: 10 + i}})
	}
	return out
}

func effectsOf(r Result) []string {
	var out []string
	for _, d := range r.Effects {
		e := d.Effect
		s := string(e.Type) + " " + e.Link + e.Node
		if e.From != "" {
			s += " from " + e.From
		}
		if e.Type == plans.SetMetric {
			s += " " + strconv.FormatInt(e.Metric, 10)
		}
		var at []string
		for _, l := range d.Lines {
			at = append(at, strconv.Itoa(l.Pos.Line))
		}
		out = append(out, s+" @"+strings.Join(at, ","))
	}
	return out
}

func kinds(r Result) string {
	var b strings.Builder
	for _, c := range r.Lines {
		b.WriteByte("MNX"[c.Kind])
	}
	return b.String()
}

func TestIOSLike(t *testing.T) {
	tests := []struct {
		name, platform, device, igp, config string
		want                                []string // effects
		kinds                               string   // M modelled, N neutral, X not modelled, per line
		diag                                string   // an error's text, when one is expected
	}{
		{"FRR cost", "frr_vtysh", "a", "ospf", "interface eth1\n ip ospf cost 500\n", []string{"set_metric ab from a 500 @10,11"}, "NM", ""},
		{"FRR no cost returns to the topology's", "frr_vtysh", "a", "ospf", "interface eth2\n no ip ospf cost\n", []string{"set_metric da from a 30 @10,11"}, "NM", ""},
		{"FRR cost on an IS-IS network", "frr_vtysh", "a", "isis", "interface eth1\n ip ospf cost 500\n", nil, "NX", ""},
		{"FRR isis metric both levels", "frr_vtysh", "a", "isis", "interface eth1\n isis metric 400\n", []string{"set_metric ab from a 400 @10,11"}, "NM", ""},
		{"FRR isis metric level-1 only", "frr_vtysh", "a", "isis", "interface eth1\n isis metric 400 level-1\n", nil, "NX", ""},
		{"FRR isis metric level-2", "frr_vtysh", "a", "isis", "interface eth1\n isis metric 400 level-2\n", []string{"set_metric ab from a 400 @10,11"}, "NM", ""},
		{"FRR isis metric out of range", "frr_vtysh", "a", "isis", "interface eth1\n isis metric 16777216\n", nil, "NM", `p.yaml:11: IS-IS metric: "16777216" (hint: give a whole number from 1 to 16777215)`},
		{"IOS-XE isis metric maximum", "cisco_iosxe", "b", "isis", "interface Gi0/0/1\n isis metric maximum level-2\n", nil, "NX", ""},
		{"FRR shutdown and back", "frr_vtysh", "a", "ospf", "interface eth1\n shutdown\n no shutdown\n", []string{"link_down ab @10,11", "link_up ab @10,12"}, "NMM", ""},
		{"FRR drain", "frr_vtysh", "a", "ospf", "router ospf\n max-metric router-lsa administrative\n", []string{"drain a @10,11"}, "NM", ""},
		{"FRR undrain", "frr_vtysh", "a", "ospf", "router ospf\n no max-metric router-lsa administrative\n", []string{"undrain a @10,11"}, "NM", ""},
		{"FRR startup max-metric is neutral", "frr_vtysh", "a", "ospf", "router ospf\n max-metric router-lsa on-startup 300\n", nil, "NN", ""},
		{"FRR bare max-metric is not FRR's drain", "frr_vtysh", "a", "ospf", "router ospf\n max-metric router-lsa\n", nil, "NX", ""},
		{"FRR overload bit", "frr_vtysh", "a", "isis", "router isis CORE\n set-overload-bit\n", []string{"drain a @10,11"}, "NM", ""},
		{"FRR overload bit on an OSPF network", "frr_vtysh", "a", "ospf", "router isis CORE\n set-overload-bit\n", nil, "NX", ""},
		{"FRR neutral lines", "frr_vtysh", "a", "ospf", "! a comment\nhostname a\nlog syslog informational\ninterface eth1\n description to b\nexit\n", nil, "NNNNNN", ""},
		{"FRR not modelled", "frr_vtysh", "a", "ospf", "ip route 198.18.9.0/24 198.18.0.2\nrouter bgp 65000\n neighbor 198.18.0.2 remote-as 65000\n", nil, "XXX", ""},
		{"FRR unknown interface", "frr_vtysh", "a", "ospf", "interface eth9\n ip ospf cost 5\n", nil, "NM", `p.yaml:10: interface "eth9" of a is on no link of the topology, so the gate cannot tell what this line changes (hint: a's interfaces in the topology: eth1, eth2)`},
		{"FRR unknown interface, reported once", "frr_vtysh", "a", "ospf", "interface eth9\n shutdown\n no shutdown\n", nil, "NMM", `p.yaml:10: interface "eth9" of a is on no link of the topology, so the gate cannot tell what this line changes (hint: a's interfaces in the topology: eth1, eth2)`},
		{"FRR interface on no link, nothing modelled", "frr_vtysh", "a", "ospf", "interface lo\n description loopback\n", nil, "NN", ""},
		{"FRR no alone", "frr_vtysh", "a", "ospf", "router ospf\n no\nrouter isis CORE\n no\n", nil, "NXNX", ""},
		{"FRR cost out of range", "frr_vtysh", "a", "ospf", "interface eth1\n ip ospf cost 70000\n", nil, "NM", `p.yaml:11: OSPF cost: "70000" (hint: give a whole number from 1 to 65535)`},
		{"IOS-XE abbreviated interface", "cisco_iosxe", "b", "ospf", "interface Gi0/0/1\n ip ospf cost 100\n", []string{"set_metric ab from b 100 @10,11"}, "NM", ""},
		{"IOS-XE Te", "cisco_iosxe", "b", "ospf", "interface te0/1/0\n shutdown\n", []string{"link_down bc @10,11"}, "NM", ""},
		{"IOS-XE bare max-metric drains", "cisco_iosxe", "b", "ospf", "router ospf 1\n max-metric router-lsa\n", []string{"drain b @10,11"}, "NM", ""},
		{"EOS Et1", "arista_eos", "c", "isis", "interface Et1\n   isis metric 50\n", []string{"set_metric bc from c 50 @10,11"}, "NM", ""},
		{"EOS overload", "arista_eos", "c", "isis", "router isis CORE\n   no set-overload-bit\n", []string{"undrain c @10,11"}, "NM", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, ok := For(tt.platform)
			if !ok {
				t.Fatalf("no interpreter for %s", tt.platform)
			}
			r := in.Interpret(Target{Device: tt.device, Net: square(tt.igp)}, lines(tt.config))
			if got := effectsOf(r); strings.Join(got, "; ") != strings.Join(tt.want, "; ") {
				t.Errorf("effects = %q, want %q", got, tt.want)
			}
			if got := kinds(r); got != tt.kinds {
				t.Errorf("kinds = %s, want %s", got, tt.kinds)
			}
			var got string
			if len(r.Diags) > 0 {
				got = r.Diags[0].String()
			}
			if got != tt.diag || len(r.Diags) > 1 {
				t.Errorf("diagnostics = %q, want %q", r.Diags, tt.diag)
			}
		})
	}
}
