package devconfig

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/changegate/changegate/internal/golden"
	"github.com/changegate/changegate/plans"
)

// TestMessages writes, for each platform, what the interpreter says of
// a configuration that has every kind of line: each line's kind and why,
// each effect with its lines and note, each diagnostic. The texts are
// what check and review show an engineer; testdata/PLATFORM.golden holds
// them (go test -update rewrites it).
func TestMessages(t *testing.T) {
	type run struct{ device, igp, config string }
	tests := map[string][]run{
		"frr_vtysh": {
			{"a", "ospf", "! cost out\ninterface eth1\n description to b\n ip ospf cost 500\n no ip ospf cost\n ip ospf hello-interval 1\n isis metric 20\nrouter ospf\n max-metric router-lsa administrative\n max-metric router-lsa on-startup 300\nrouter bgp 65000\n neighbor 192.0.2.1 remote-as 65000\ninterface eth9\n shutdown\n"},
			{"a", "isis", "interface eth1\n isis metric 400 level-1\n isis metric 16777216\n isis metric maximum\n no isis metric\nrouter isis 1\n set-overload-bit\n"},
		},
		"cisco_iosxe": {
			{"b", "ospf", "interface Gi0/0/1\n ip ospf cost 100\ninterface Te0/1/0\n shutdown\nrouter ospf 1\n max-metric router-lsa\nip route 0.0.0.0 0.0.0.0 192.0.2.1\n"},
		},
		"arista_eos": {
			{"c", "isis", "interface Et1\n   isis metric 50\nrouter isis CORE\n   set-overload-bit\nrouter ospf 1\n   max-metric router-lsa\n"},
		},
		"cisco_iosxr": {
			{"b", "ospf", "router ospf 1\n area 0\n  cost 50\n  interface Gi0/0/1\n   cost 100\n   no cost\n   hello-interval 1\ninterface Gi0/0/1\n shutdown\nroot\ninterface GigabitEthernet0/0/1\n description to a\n shutdown\n!\nrouter ospf 1\n interface Gi0/0/1\n max-metric router-lsa include-stub\nrouter bgp 65000\n neighbor 192.0.2.1\ninterface Gi0/0/9\n shutdown\ncommit\n"},
			{"b", "isis", "router isis CORE\n set-overload-bit\n interface Gi0/0/1\n  address-family ipv4 unicast\n   metric 400 level 2\n   metric 400 level 1\n   metric maximum\n   no metric\n  address-family ipv6 unicast\n   metric 400\n"},
		},
		"juniper_junos": {
			{"c", "ospf", "# cost out\nset protocols ospf area 0.0.0.0 interface ge-0/0/2.0 metric 500\ndeactivate protocols ospf area 0.0.0.0 interface ge-0/0/2 metric\nactivate protocols ospf area 0.0.0.0 interface ge-0/0/2 metric\nset protocols ospf area 0.0.0.0 interface ge-0/0/2.100 metric 70000\nset interfaces ge-0/0/2 disable\nset interfaces ge-0/0/2 description \"to d\"\nset protocols ospf overload\nset protocols ospf overload timeout 60\nset protocols isis overload\nset system host-name c\nset routing-options static route 0.0.0.0/0 discard\nedit protocols ospf\nup\nset overload\ntop\nset interfaces ge-0/0/9 disable\n"},
			{"c", "isis", "set protocols isis interface ge-0/0/2.0 level 2 metric 1000\nset protocols isis interface ge-0/0/2.0 level 1 metric 1000\ndelete protocols isis interface ge-0/0/2.0 level 2 metric\ndelete protocols isis overload\n"},
		},
		"nokia_srl": {
			{"d", "ospf", "enter candidate\nset / network-instance default protocols ospf instance main area 0.0.0.0 interface ethernet-1/3.0 metric 500\nset / network-instance default protocols ospf instance main area 0.0.0.0 interface ethernet-1/3.0 metric 0\nset / interface ethernet-1/3 admin-state disable\nset / interface ethernet-1/3 description \"to c\"\nset / network-instance default protocols ospf instance main overload active true\nset / network-instance mgmt protocols ospf instance main overload active true\ninterface ethernet-1/4\nexit\nadmin-state enable\nset / interface ethernet-1/9 admin-state disable\ncommit now\n"},
			{"d", "isis", "set / network-instance default protocols isis instance main interface ethernet-1/3.0 level 2 metric 1000\nset / network-instance default protocols isis instance main interface ethernet-1/3.0 level 1 metric 1000\ndelete / network-instance default protocols isis instance main interface ethernet-1/3.0 level 2 metric\nset / network-instance default protocols isis instance main overload immediate set-bit true\n"},
		},
	}
	for platform, runs := range tests {
		t.Run(platform, func(t *testing.T) {
			in, ok := For(platform)
			if !ok {
				t.Fatalf("no interpreter for %s", platform)
			}
			var b bytes.Buffer
			for _, run := range runs {
				r := in.Interpret(Target{Device: run.device, Net: network(run.igp)}, lines(run.config))
				fmt.Fprintf(&b, "# %s on %s, igp %s\n", platform, run.device, run.igp)
				writeResult(&b, r)
				b.WriteString("\n")
			}
			golden.Check(t, filepath.Join("testdata", platform+".golden"), b.Bytes())
		})
	}
}

// writeResult writes r as the golden files hold it.
func writeResult(b *bytes.Buffer, r Result) {
	for _, c := range r.Lines {
		fmt.Fprintf(b, "%3d %-12s %-60s %s\n", c.Line.Pos.Line, c.Kind, c.Line.Text, c.Why)
	}
	b.WriteString("## effects\n")
	for _, d := range r.Effects {
		e := d.Effect
		s := string(e.Type) + " " + e.Link + e.Node
		if e.From != "" {
			s += " from " + e.From
		}
		if e.Type == plans.SetMetric {
			s += fmt.Sprint(" ", e.Metric)
		}
		var at []string
		for _, l := range d.Lines {
			at = append(at, fmt.Sprint(l.Pos.Line))
		}
		s += " (lines " + strings.Join(at, ", ") + ")"
		if d.Note != "" {
			s += ": " + d.Note
		}
		b.WriteString(s + "\n")
	}
	b.WriteString("## diagnostics\n")
	for _, d := range r.Diags {
		fmt.Fprintln(b, d)
	}
}
