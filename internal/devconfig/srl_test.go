package devconfig

import "testing"

func TestSRLCanon(t *testing.T) {
	for in, want := range map[string]string{
		"ethernet-1/1": "ethernet-1/1", "ethernet-1/1.0": "ethernet-1/1", "ethernet-1/1.5": "ethernet-1/1.5",
		"e1-1": "ethernet-1/1", "e1-1.0": "ethernet-1/1", "e1-1.5": "ethernet-1/1.5", "e2-10": "ethernet-2/10",
		"e1-3-2": "ethernet-1/3/2", "e1-3-2.7": "ethernet-1/3/2.7", "eth1": "eth1", "e1": "e1", "mgmt0.0": "mgmt0",
	} {
		if got := srlCanon(in); got != want {
			t.Errorf("srlCanon(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSRL(t *testing.T) {
	const ospf = "set / network-instance default protocols ospf instance main "
	const isis = "set / network-instance default protocols isis instance main "
	runPlatform(t, "nokia_srl", []platformCase{
		{name: "OSPF metric", device: "d", igp: "ospf", config: ospf + "area 0.0.0.0 interface ethernet-1/3.0 metric 500\n",
			want: []string{"set_metric cd from d 500 @10"}, kinds: "M"},
		{name: "OSPF metric of a port the topology names as containerlab does", device: "d", igp: "ospf",
			config: ospf + "area 0.0.0.0 interface ethernet-1/4.0 metric 5\n",
			want:   []string{"set_metric cd2 from d 5 @10"}, kinds: "M"},
		{name: "deleted OSPF metric", device: "d", igp: "ospf",
			config: "delete / network-instance default protocols ospf instance main area 0.0.0.0 interface ethernet-1/3.0 metric\n",
			want:   []string{"set_metric cd from d 50 @10"}, kinds: "M"},
		{name: "OSPF metric 0 is the default", device: "d", igp: "ospf", config: ospf + "area 0.0.0.0 interface ethernet-1/3.0 metric 0\n",
			want: []string{"set_metric cd from d 50 @10"}, kinds: "M"},
		{name: "OSPF metric out of range", device: "d", igp: "ospf", config: ospf + "area 0.0.0.0 interface ethernet-1/3.0 metric 70000\n",
			kinds: "M", diags: []string{`p.yaml:10: OSPF metric: "70000" (hint: give a whole number from 1 to 65535)`}},
		{name: "OSPF metric on an IS-IS network", device: "d", igp: "isis", config: ospf + "area 0.0.0.0 interface ethernet-1/3.0 metric 500\n", kinds: "X"},
		{name: "admin-state of a port: its subinterfaces' links", device: "d", igp: "ospf",
			config: "set / interface ethernet-1/3 admin-state disable\nset / interface ethernet-1/3 admin-state enable\n",
			want:   []string{"link_down cd @10", "link_down cd3 @10", "link_up cd @11", "link_up cd3 @11"}, kinds: "MM"},
		{name: "admin-state of a subinterface", device: "d", igp: "ospf",
			config: "set / interface ethernet-1/3 subinterface 0 admin-state disable\nset / interface ethernet-1/3 subinterface 100 admin-state disable\n",
			want:   []string{"link_down cd @10", "link_down cd3 @11"}, kinds: "MM"},
		{name: "admin-state of a port containerlab names", device: "d", igp: "ospf",
			config: "set / interface ethernet-1/5 admin-state disable\nset / interface ethernet-1/5 subinterface 7 admin-state enable\n",
			want:   []string{"link_down bd @10", "link_up bd @11"}, kinds: "MM"},
		{name: "admin-state deleted, set from /interface", device: "d", igp: "ospf",
			config: "delete / interface ethernet-1/4 admin-state\nset /interface ethernet-1/4 admin-state disable\n",
			want:   []string{"link_up cd2 @10", "link_down cd2 @11"}, kinds: "MM"},
		{name: "admin-state that is neither", device: "d", igp: "ospf", config: "set / interface ethernet-1/3 admin-state down\n",
			kinds: "M", diags: []string{`p.yaml:10: admin-state: "down" (hint: give enable or disable)`}},
		{name: "a leaf without its value", device: "d", igp: "ospf", config: "set / interface ethernet-1/3 admin-state\n",
			kinds: "M", diags: []string{`p.yaml:10: set "admin-state": no value (hint: give the value after the leaf's name)`}},
		{name: "OSPF overload", device: "d", igp: "ospf",
			config: ospf + "overload active true\n" + ospf + "overload active false\ndelete / network-instance default protocols ospf instance main overload\n" + ospf + "overload overload-on-boot timeout 60\n",
			want:   []string{"drain d @10", "undrain d @11", "undrain d @12"}, kinds: "MMMN"},
		{name: "OSPF overload on an IS-IS network", device: "d", igp: "isis", config: ospf + "overload active true\n", kinds: "X"},
		{name: "OSPF overload that is neither", device: "d", igp: "ospf", config: ospf + "overload active yes\n",
			kinds: "M", diags: []string{`p.yaml:10: active: "yes" (hint: give true or false)`}},
		{name: "IS-IS metric", device: "d", igp: "isis", config: isis + "interface ethernet-1/3.0 level 2 metric 1000\n",
			want: []string{"set_metric cd from d 1000 @10"}, kinds: "M"},
		{name: "IS-IS level-1 metric", device: "d", igp: "isis", config: isis + "interface ethernet-1/3.0 level 1 metric 1000\n", kinds: "X"},
		{name: "deleted IS-IS metric", device: "d", igp: "isis",
			config: "delete / network-instance default protocols isis instance main interface ethernet-1/3.0 level 2 metric\n",
			want:   []string{"set_metric cd from d 50 @10"}, kinds: "M"},
		{name: "IS-IS metric out of range", device: "d", igp: "isis", config: isis + "interface ethernet-1/3.0 level 2 metric 0\n",
			kinds: "M", diags: []string{`p.yaml:10: IS-IS metric: "0" (hint: give a whole number from 1 to 16777215)`}},
		{name: "IS-IS metric on an OSPF network", device: "d", igp: "ospf", config: isis + "interface ethernet-1/3.0 level 2 metric 1000\n", kinds: "X"},
		{name: "IS-IS overload bit", device: "d", igp: "isis",
			config: isis + "overload immediate set-bit true\n" + isis + "overload immediate max-metric true\n" + isis + "overload immediate set-bit false\ndelete / network-instance default protocols isis instance main overload\n" + isis + "overload on-boot timeout 60\n",
			want:   []string{"drain d @10", "undrain d @12", "undrain d @13"}, kinds: "MNMMN"},
		{name: "IS-IS overload bit on an OSPF network", device: "d", igp: "ospf", config: isis + "overload immediate set-bit true\n", kinds: "X"},
		{name: "relative to the context entered", device: "d", igp: "ospf",
			config: "network-instance default protocols ospf instance main\nset area 0.0.0.0 interface ethernet-1/3.0 metric 5\n/\nset interface ethernet-1/4 admin-state disable\n",
			want:   []string{"set_metric cd from d 5 @10,11", "link_down cd2 @13"}, kinds: "NMNM"},
		{name: "a leaf and its value without set", device: "d", igp: "ospf", config: "interface ethernet-1/4\nadmin-state disable\n",
			want: []string{"link_down cd2 @10,11"}, kinds: "NM"},
		{name: "blocks as info prints them", device: "d", igp: "ospf",
			config: "interface ethernet-1/4 {\n    admin-state disable\n}\ninterface ethernet-1/4 admin-state enable\n",
			want:   []string{"link_down cd2 @10,11", "link_up cd2 @13"}, kinds: "NMNM"},
		{name: "exit loses the context, exit all finds it", device: "d", igp: "ospf",
			config: "interface ethernet-1/4\nexit\nset interface ethernet-1/4 admin-state disable\nexit all\nset interface ethernet-1/4 admin-state disable\n",
			want:   []string{"link_down cd2 @14"}, kinds: "NNXNM"},
		{name: "neutral lines", device: "d", igp: "ospf",
			config: "# a comment\nenter candidate\nset / interface ethernet-1/3 description \"to c, ge-0/0/2\"\nset / system name host-name d\nset / interface ethernet-1/3 subinterface 0 description \"to c\"\ncommit now\n",
			kinds:  "NNNNNN"},
		{name: "not modelled", device: "d", igp: "ospf",
			config: "set / network-instance mgmt protocols ospf instance main overload active true\nset / network-instance default protocols bgp admin-state enable\nset / interface ethernet-1/3 mtu 9000\nset / network-instance default protocols isis instance main interface ethernet-1/3.0\ndiscard now\nset / interface ethernet-1/3 admin-state disable mtu 9000\nset / routing-policy policy x default-action policy-result accept\ninterface ethernet-1/3 { admin-state disable }\n",
			kinds:  "XXXXXXXX"},
		{name: "unknown interface", device: "d", igp: "ospf", config: "set / interface ethernet-1/9 admin-state disable\n", kinds: "M",
			diags: []string{`p.yaml:10: interface "ethernet-1/9" of d is on no link of the topology, so the gate cannot tell what this line changes (hint: d's interfaces in the topology: e1-4, e1-5.7, eth0, ethernet-1/3, ethernet-1/3.100)`}},
	})
}
