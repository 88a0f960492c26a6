package devices

import (
	"slices"
	"strings"
	"testing"
)

func TestNornirErrors(t *testing.T) {
	tests := []struct {
		name                    string
		hosts, groups, defaults string
		want                    []string
	}{
		{"unknown field", "r1: {hostname: a, platform: ios, hostnmae: b}\n", "", "",
			[]string{`hosts.yaml:1:34: Nornir host r1: unknown field "hostnmae" (hint: did you mean "hostname"?)`}},
		{"unmapped platform", "r1: {hostname: a, platform: fortios}\n", "", "",
			[]string{`hosts.yaml:1:29: host r1: platform "fortios" has no changegate equivalent`}},
		{"platform typo", "r1: {hostname: a, platform: junso}\n", "", "",
			[]string{`hosts.yaml:1:29: host r1: platform "junso" has no changegate equivalent (hint: did you mean "junos"?)`}},
		{"unknown group with suggestion", "r1: {hostname: a, groups: [cor]}\n", "core: {platform: eos}\n", "",
			[]string{`hosts.yaml:1:28: host r1: unknown group "cor" (hint: did you mean "core"?)`, `groups.yaml:1:1: warning: group core is used by no device`}},
		{"group cycle", "r1: {hostname: a, groups: [a]}\n", "a: {groups: [b], platform: eos}\nb: {groups: [a]}\n", "",
			[]string{`groups.yaml:2:14: group b: groups inherit in a cycle: a -> b -> a`}},
		{"missing hostname", "r1: {platform: eos}\n", "", "",
			[]string{`hosts.yaml:1:1: host r1 has no host (hint: set host: (an address or DNS name) on one of: host r1, defaults)`}},
		{"wrong type", "r1: {hostname: a, platform: eos, port: [22]}\n", "", "port: x\n",
			[]string{`defaults.yaml:1:7: defaults: port: "x" is not an integer`, `hosts.yaml:1:40: host r1: port must be a scalar value, found a list`}},
		{"defaults has no groups", "r1: {hostname: a, platform: eos}\n", "", "groups: [x]\n",
			[]string{`defaults.yaml:1:1: Nornir defaults: unknown field "groups"`}},
		{"no hosts", "{}\n", "", "",
			[]string{`hosts.yaml:1:1: no hosts in the Nornir hosts file`}},
		{"password is not copied", "r1: {hostname: a, platform: eos, password: \"hunter2\"}\n", "", "",
			[]string{`hosts.yaml:1:44: warning: host r1: the password is stored in plain text in hosts.yaml`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := func(path, data string) NornirFile {
				if data == "" {
					return NornirFile{}
				}
				return NornirFile{Path: path, Data: []byte(data)}
			}
			inv, ds := ParseNornir(f("hosts.yaml", tt.hosts), f("groups.yaml", tt.groups), f("defaults.yaml", tt.defaults))
			if ds.HasErrors() != (inv == nil) {
				t.Fatalf("inventory %v with %v", inv != nil, ds)
			}
			var got []string
			for _, d := range ds {
				got = append(got, d.String())
				if strings.Contains(d.String(), "hunter2") {
					t.Errorf("diagnostic quotes the password: %s", d)
				}
			}
			for _, w := range tt.want {
				if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, w) }) {
					t.Errorf("missing %q\ngot:\n  %s", w, strings.Join(got, "\n  "))
				}
			}
		})
	}
}

func TestNornirPlatformMapping(t *testing.T) {
	for from, want := range map[string]string{"ios": "cisco_iosxe", "iosxr": "cisco_iosxr", "junos": "juniper_junos", "eos": "arista_eos",
		"nxos": "cisco_nxos", "nxos_ssh": "cisco_nxos", "cisco_iosxe": "cisco_iosxe", "EOS": "arista_eos", "nokia_srl": "nokia_srl"} {
		if got, ok := mapNornirPlatform(from); !ok || got != want {
			t.Errorf("%s -> %s, %v; want %s", from, got, ok, want)
		}
	}
}

func TestContainerlabErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"no topology", "name: x\n", []string{`lab.clab.yml:1:1: no topology section`}},
		{"no nodes", "name: x\ntopology: {links: []}\n", []string{`lab.clab.yml:2:1: the topology has no nodes`}},
		{"nothing to manage", "name: x\ntopology:\n  nodes:\n    b: {kind: bridge}\n", []string{`lab.clab.yml:1: the containerlab topology has no nodes that are devices`}},
		{"node not a mapping", "name: x\ntopology:\n  nodes:\n    r1: [1]\n", []string{`lab.clab.yml:4:9: node r1 must be a mapping, found a list`}},
		{"no kind", "name: x\ntopology:\n  nodes:\n    r1: {}\n    r2: {kind: srl}\n", []string{`lab.clab.yml:4:5: warning: node r1 has no kind; skipped`}},
		{"bad platform label", "name: x\ntopology:\n  nodes:\n    r1: {kind: linux, labels: {changegate.platform: frr}}\n",
			[]string{`lab.clab.yml:4:53: node r1: unknown platform "frr" (hint: did you mean "frr_vtysh"?)`}},
		{"merge loop guard", "name: x\ntopology:\n  defaults: &d\n    kind: srl\n  nodes:\n    r1: {<<: *d}\n", nil},
		{"management address not an address", "name: x\ntopology:\n  nodes:\n    r1: {kind: srl, mgmt-ipv4: 172.20.20.311}\n",
			[]string{`lab.clab.yml:4:32: node r1: mgmt-ipv4: "172.20.20.311" is not an IPv4 address`}},
		{"IPv6 given as mgmt-ipv4", "name: x\ntopology:\n  nodes:\n    r1: {kind: srl, mgmt-ipv4: \"3fff::11\"}\n",
			[]string{`lab.clab.yml:4:32: node r1: mgmt-ipv4: "3fff::11" is not an IPv4 address`}},
		{"IPv4 given as mgmt-ipv6", "name: x\ntopology:\n  nodes:\n    r1: {kind: srl, mgmt-ipv6: 172.20.20.11}\n",
			[]string{`lab.clab.yml:4:32: node r1: mgmt-ipv6: "172.20.20.11" is not an IPv6 address`}},
		{"a long kind is clipped", "name: x\ntopology:\n  nodes:\n    r1: {kind: " + strings.Repeat("k", 500) + "}\n",
			[]string{`lab.clab.yml:4:16: warning: node r1: changegate has no platform for kind "` + strings.Repeat("k", 48) + `…"; skipped`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, ds := ParseContainerlab("lab.clab.yml", []byte(tt.src))
			if ds.HasErrors() != (inv == nil) {
				t.Fatalf("inventory %v with %v", inv != nil, ds)
			}
			var got []string
			for _, d := range ds {
				got = append(got, d.String())
			}
			for _, w := range tt.want {
				if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, w) }) {
					t.Errorf("missing %q\ngot:\n  %s", w, strings.Join(got, "\n  "))
				}
			}
		})
	}
}

func TestFRRImages(t *testing.T) {
	for image, want := range map[string]bool{
		"quay.io/frrouting/frr:10.2.1": true, "frrouting/frr": true, "frr:latest": true, "localhost:5000/frr": true,
		"ghcr.io/hellt/network-multitool": false, "alpine:3": false, "": false, "myfrrtool:1": false,
	} {
		if got := isFRRImage(image); got != want {
			t.Errorf("isFRRImage(%q) = %v", image, got)
		}
	}
}
