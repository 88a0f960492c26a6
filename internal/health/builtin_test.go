package health

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/changegate/changegate/plans"
)

func TestBuiltins(t *testing.T) {
	must := func(c plans.Check, err error) plans.Check {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ifUp := must(InterfaceUp(PlatformFRR, "r1", "cglab-r1-r2"))
	linkUp := must(InterfaceUp(PlatformLinux, "r1", "cglab-r1-r2"))
	ospfAll := must(OSPFNeighborsFull(PlatformFRR, "r1"))
	ospfSome := must(OSPFNeighborsFull(PlatformFRR, "r1", "198.18.0.3", "198.18.0.2"))
	bgpAll := must(BGPEstablished(PlatformFRR, "r1"))
	bgpSome := must(BGPEstablished(PlatformFRR, "r1", "198.18.1.3"))
	route := must(RoutePresent(PlatformFRR, "r1", "198.18.0.4/32"))
	routeVia := must(RoutePresent(PlatformFRR, "r1", "198.18.0.4/32", "198.18.1.3", "198.18.1.1"))
	routeVia1 := must(RoutePresent(PlatformFRR, "r1", "198.18.0.4/32", "198.18.1.1"))
	ping := must(Ping(PlatformLinux, "r1", "198.18.0.4"))

	tests := []struct {
		name    string
		c       plans.Check
		command string
		fixture string
		passed  bool
		reason  string
	}{
		{"interface up", ifUp, "show interface cglab-r1-r2 json", "frr_interface_up.json", true, "is true"},
		{"interface down", ifUp, "show interface cglab-r1-r2 json", "frr_interface_down.json", false,
			"expression `output[\"cglab-r1-r2\"].operationalStatus == \"up\"` is false (output[\"cglab-r1-r2\"].operationalStatus is \"down\")"},
		{"interface missing", ifUp, "show interface cglab-r1-r2 json", "frr_empty.json", false,
			"expression `output[\"cglab-r1-r2\"].administrativeStatus == \"up\"` is undefined (output[\"cglab-r1-r2\"].administrativeStatus is undefined)"},
		{"link up", linkUp, "ip -json link show dev cglab-r1-r2", "linux_ip_link.json", true, "is true"},
		{"link down", linkUp, "ip -json link show dev cglab-r1-r2", "linux_ip_link_down.json", false,
			"expression `{\"UP\", \"LOWER_UP\"} - {f | some f in output[0].flags} == set()` is false ({\"UP\", \"LOWER_UP\"} - {f | some f in output[0].flags} is [\"LOWER_UP\"])"},
		{"ospf all full", ospfAll, "show ip ospf neighbor json", "frr_ospf_neighbor.json", true, "is true"},
		{"ospf one exstart", ospfAll, "show ip ospf neighbor json", "frr_ospf_neighbor_exstart.json", false,
			"is [\"198.18.0.3 is ExStart/-\"])"},
		{"ospf none", ospfAll, "show ip ospf neighbor json", "frr_empty.json", false,
			"expression `count(output.neighbors) > 0` is undefined (count(output.neighbors) is undefined)"},
		{"ospf frr7 keys", ospfAll, "show ip ospf neighbor json", "frr7_ospf_neighbor.json", true, "is true"},
		{"ospf named full", ospfSome, "show ip ospf neighbor json", "frr_ospf_neighbor.json", true, "is true"},
		{"ospf named exstart", ospfSome, "show ip ospf neighbor json", "frr_ospf_neighbor_exstart.json", false,
			"is [\"198.18.0.3\"])"},
		{"ospf named frr7 missing", ospfSome, "show ip ospf neighbor json", "frr7_ospf_neighbor.json", false,
			"is [\"198.18.0.3\"])"},
		{"bgp all established", bgpAll, "show bgp summary json", "frr_bgp_summary.json", true, "is true"},
		{"bgp one active", bgpAll, "show bgp summary json", "frr_bgp_summary_active.json", false,
			"is [\"198.18.1.3 is Active\"])"},
		{"bgp none", bgpAll, "show bgp summary json", "frr_empty.json", false,
			"expression `count([p | some af in output; some p, _ in af.peers]) > 0` is false (count([p | some af in output; some p, _ in af.peers]) is 0)"},
		{"bgp named", bgpSome, "show bgp summary json", "frr_bgp_summary.json", true, "is true"},
		{"bgp named active", bgpSome, "show bgp summary json", "frr_bgp_summary_active.json", false, "is [\"198.18.1.3\"])"},
		{"route present", route, "show ip route 198.18.0.4/32 json", "frr_ip_route.json", true, "is true"},
		{"route absent", route, "show ip route 198.18.0.4/32 json", "frr_empty.json", false,
			"expression `[r | some r in output[\"198.18.0.4/32\"]; r.selected == true] != []` is false ([r | some r in output[\"198.18.0.4/32\"]; r.selected == true] is [])"},
		{"route ecmp", routeVia, "show ip route 198.18.0.4/32 json", "frr_ip_route.json", true, "is true"},
		{"route extra next hop", routeVia1, "show ip route 198.18.0.4/32 json", "frr_ip_route.json", false,
			"is [\"198.18.1.1\",\"198.18.1.3\"])"},
		{"route absent with next hops", routeVia1, "show ip route 198.18.0.4/32 json", "frr_empty.json", false, "is [])"},
		{"ping ok", ping, "ping -c 3 -W 1 198.18.0.4", "ping_ok.txt", true, `matches " 0% packet loss"`},
		{"ping partial loss", ping, "ping -c 3 -W 1 198.18.0.4", "ping_partial.txt", false, "matched 0 lines (of 6)"},
		{"ping total loss", ping, "ping -c 3 -W 1 198.18.0.4", "ping_none.txt", false, "matched 0 lines (of 5)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.c.Command != tt.command || tt.c.Device != "r1" {
				t.Errorf("command %q on %q, want %q on r1", tt.c.Command, tt.c.Device, tt.command)
			}
			out, err := os.ReadFile(filepath.Join("testdata", tt.fixture))
			if err != nil {
				t.Fatal(err)
			}
			k := mustCompile(t, tt.c)
			res := k.Run(context.Background(), &fakeRunner{replies: []reply{{out: string(out)}}}, "r1")
			if res.Passed != tt.passed {
				t.Errorf("passed = %v, want %v: %s", res.Passed, tt.passed, res.Reason)
			}
			if !strings.Contains(res.Reason, tt.reason) {
				t.Errorf("reason:\n got %s\nwant it to contain %s", res.Reason, tt.reason)
			}
		})
	}
}

func TestBuiltinDefaults(t *testing.T) {
	c, err := RoutePresent(PlatformFRR, "r1", "2001:db8::/32", "fe80::1")
	if err != nil {
		t.Fatal(err)
	}
	if c.Command != "show ipv6 route 2001:db8::/32 json" || c.Name != "route 2001:db8::/32 via fe80::1" ||
		c.Interval != plans.DefaultCheckInterval || c.Timeout != plans.DefaultCheckTimeout || c.Retries != 0 {
		t.Errorf("check = %+v", c)
	}
	if _, err := Compile(c); err != nil {
		t.Error(err)
	}
}

func TestBuiltinArgumentErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"unknown platform", func() error { _, err := InterfaceUp("cisco_iosxe", "r1", "Gi0/0"); return err }(),
			`built-in check interface-up has no command for platform "cisco_iosxe" (known: frr_vtysh, linux)`},
		{"ospf platform", func() error { _, err := OSPFNeighborsFull(PlatformLinux, "r1"); return err }(),
			`built-in check ospf-neighbors-full has no command for platform "linux" (known: frr_vtysh)`},
		{"ping platform", func() error { _, err := Ping(PlatformFRR, "r1", "198.18.0.4"); return err }(),
			`built-in check ping has no command for platform "frr_vtysh" (known: linux)`},
		{"interface injection", func() error { _, err := InterfaceUp(PlatformLinux, "r1", "eth0; reboot"); return err }(),
			`interface "eth0; reboot": want letters, digits and . _ : / @ - (at most 64, starting with a letter or digit)`},
		{"interface option", func() error { _, err := InterfaceUp(PlatformLinux, "r1", "-all"); return err }(),
			`interface "-all": want letters`},
		{"router id", func() error { _, err := OSPFNeighborsFull(PlatformFRR, "r1", "r2"); return err }(),
			`OSPF router ID "r2": want a dotted quad such as 198.18.0.2`},
		{"bgp peer", func() error { _, err := BGPEstablished(PlatformFRR, "r1", "198.18.1.1 json"); return err }(),
			`BGP peer "198.18.1.1 json": want letters`},
		{"prefix", func() error { _, err := RoutePresent(PlatformFRR, "r1", "198.18.0.4"); return err }(),
			`route prefix "198.18.0.4": netip.ParsePrefix("198.18.0.4"): no '/'`},
		{"host bits", func() error { _, err := RoutePresent(PlatformFRR, "r1", "198.18.0.4/24"); return err }(),
			`route prefix "198.18.0.4/24" has host bits set: did you mean 198.18.0.0/24?`},
		{"next hop family", func() error { _, err := RoutePresent(PlatformFRR, "r1", "198.18.0.4/32", "2001:db8::1"); return err }(),
			`next hop 2001:db8::1 is not in the address family of 198.18.0.4/32`},
		{"ping address", func() error { _, err := Ping(PlatformLinux, "r1", "r4; id"); return err }(),
			`ping address "r4; id": ParseAddr("r4; id"): unable to parse IP`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err == nil || !strings.HasPrefix(tt.err.Error(), tt.want) {
				t.Errorf("error:\n got %v\nwant prefix %s", tt.err, tt.want)
			}
		})
	}
}

// The built-in FRR checks against output recorded from FRR 8.4 in the
// lab (make lab-up; router p1 of examples/april-2011.yaml): the shapes
// the hand-written fixtures assume are the real ones.
func TestBuiltinsOnRecordedFRR(t *testing.T) {
	must := func(c plans.Check, err error) plans.Check {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name    string
		c       plans.Check
		fixture string
		passed  bool
	}{
		{"interface up", must(InterfaceUp(PlatformFRR, "p1", "cg-p2")), "frr84_lab_interface_up.json", true},
		{"interface missing", must(InterfaceUp(PlatformFRR, "p1", "cg-p9")), "frr84_lab_interface_up.json", false},
		{"ospf all full", must(OSPFNeighborsFull(PlatformFRR, "p1")), "frr84_lab_ospf_neighbor.json", true},
		{"ospf named full", must(OSPFNeighborsFull(PlatformFRR, "p1", "198.18.0.1", "198.18.0.9")), "frr84_lab_ospf_neighbor.json", true},
		{"ospf named missing", must(OSPFNeighborsFull(PlatformFRR, "p1", "198.18.0.12")), "frr84_lab_ospf_neighbor.json", false},
		{"route via p3", must(RoutePresent(PlatformFRR, "p1", "198.18.0.7/32", "198.19.0.15")), "frr84_lab_ip_route.json", true},
		{"route via another", must(RoutePresent(PlatformFRR, "p1", "198.18.0.7/32", "198.19.0.9")), "frr84_lab_ip_route.json", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := os.ReadFile(filepath.Join("testdata", tt.fixture))
			if err != nil {
				t.Fatal(err)
			}
			res := mustCompile(t, tt.c).Run(context.Background(), &fakeRunner{replies: []reply{{out: string(out)}}}, "p1")
			if res.Passed != tt.passed {
				t.Errorf("passed = %v, want %v: %s", res.Passed, tt.passed, res.Reason)
			}
		})
	}
}
