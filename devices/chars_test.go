package devices

import (
	"strings"
	"testing"
)

// TestInventoryRefusesUnsafeNames: device and group names, hosts,
// platforms and user names reach SSH sessions and reports, so control
// characters, bidirectional controls, invisible characters and look-alike
// letters are refused at the value, naming the character and its offset
// (issue 12, item 9), in the native format and the imported ones.
func TestInventoryRefusesUnsafeNames(t *testing.T) {
	const bidiHint = "(hint: remove it: bidirectional controls make text display in another order than it is read)"
	const cyrillicHint = "(hint: write the name in one script: U+0430 CYRILLIC SMALL LETTER A looks like a Latin letter but is not, so the name looks like another one)"
	tests := []struct {
		name string
		ds   func() []string
		want string
	}{
		{"bidi override in a device name", native("devices:\n  \"p1\u202E\": {host: 10.0.0.1, platform: frr_vtysh}\n"),
			`inv.yaml:2:3: device name: "p1\u202e" holds U+202E RIGHT-TO-LEFT OVERRIDE, a bidirectional control, at offset 2 ` + bidiHint},
		{"Cyrillic a in a Latin device name", native("devices:\n  pаris: {host: 10.0.0.1, platform: frr_vtysh}\n"),
			`inv.yaml:2:3: device name: "pаris" holds U+0430 CYRILLIC SMALL LETTER A, a Cyrillic character among Latin ones, at offset 1 ` + cyrillicHint},
		{"zero-width space in a group name", native("groups:\n  \"core\u200B\": {port: 22}\ndevices:\n  p1: {host: 10.0.0.1, platform: frr_vtysh}\n"),
			`inv.yaml:2:3: group name: "core\u200b" holds U+200B ZERO WIDTH SPACE, an invisible character, at offset 4`},
		{"carriage return in a host", native("devices:\n  p1: {host: \"10.0.0.1\\r\", platform: frr_vtysh}\n"),
			`inv.yaml:2:14: device p1: host: "10.0.0.1\r" holds U+000D CARRIAGE RETURN, a control character, at offset 8`},
		{"look-alike host", native("devices:\n  p1: {host: rоuter1.example.net, platform: frr_vtysh}\n"),
			`inv.yaml:2:14: device p1: host: "rоuter1.example.net" holds U+043E CYRILLIC SMALL LETTER O, a Cyrillic character among Latin ones, at offset 1`},
		{"invisible character in a platform", native("devices:\n  p1: {host: 10.0.0.1, platform: \"frr_vtysh\u2060\"}\n"),
			`inv.yaml:2:34: device p1: platform: "frr_vtysh\u2060" holds U+2060 WORD JOINER, an invisible character, at offset 9`},
		{"line feed in a user name", native("devices:\n  p1: {host: 10.0.0.1, platform: frr_vtysh, username: \"admin\\nenable\"}\n"),
			`inv.yaml:2:55: device p1: username: "admin\nenable" holds U+000A LINE FEED, a control character, at offset 5`},
		{"bidi override in a Nornir host name", nornir("\"p1\u202E\": {hostname: 10.0.0.1, platform: frr}\n"),
			`hosts.yaml:1:1: device name: "p1\u202e" holds U+202E RIGHT-TO-LEFT OVERRIDE, a bidirectional control, at offset 2 ` + bidiHint},
		{"escape in a Nornir hostname", nornir("p1: {hostname: \"10.0.0.1\\e[2J\", platform: frr}\n"),
			`hosts.yaml:1:16: host p1: hostname: host: "10.0.0.1\x1b[2J" holds U+001B ESCAPE, a control character, at offset 8`},
		{"Cyrillic a in a Nornir platform", nornir("p1: {hostname: 10.0.0.1, platform: frа}\n"),
			`hosts.yaml:1:36: host p1: platform: "frа" holds U+0430 CYRILLIC SMALL LETTER A, a Cyrillic character among Latin ones, at offset 2`},
		{"bidi isolate in a Nornir group name", func() []string {
			inv, ds := ParseNornir(NornirFile{Path: "hosts.yaml", Data: []byte("p1: {hostname: 10.0.0.1, platform: frr}\n")},
				NornirFile{Path: "groups.yaml", Data: []byte("\"core\u2067\": {port: 22}\n")}, NornirFile{})
			return errorStrings(inv, ds.Errors())
		}, `groups.yaml:1:1: group name: "core\u2067" holds U+2067 RIGHT-TO-LEFT ISOLATE, a bidirectional control, at offset 4 ` + bidiHint},
		{"Cyrillic a in a containerlab node name", clab("name: lab\ntopology:\n  nodes:\n    pаris: {kind: srl}\n"),
			`lab.clab.yml:4:5: device name: "pаris" holds U+0430 CYRILLIC SMALL LETTER A, a Cyrillic character among Latin ones, at offset 1 ` + cyrillicHint},
		{"line feed in a containerlab lab name", clab("name: \"lab\\nx\"\ntopology:\n  nodes:\n    p1: {kind: srl}\n"),
			`lab.clab.yml:1:7: name: "lab\nx" holds U+000A LINE FEED, a control character, at offset 3`},
		{"bidi override in a containerlab management address", clab("name: lab\ntopology:\n  nodes:\n    p1: {kind: srl, mgmt-ipv4: \"172.20.20.2\u202E\"}\n"),
			`lab.clab.yml:4:32: node p1 mgmt-ipv4: "172.20.20.2\u202e" holds U+202E RIGHT-TO-LEFT OVERRIDE, a bidirectional control, at offset 11 ` + bidiHint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.ds()
			if len(got) != 1 || !strings.HasPrefix(got[0], tt.want) {
				t.Fatalf("got:\n  %s\nwant one error starting\n  %s", strings.Join(got, "\n  "), tt.want)
			}
		})
	}
}

// native, nornir and clab parse an inventory in each format and return
// its errors, checking that it is nil exactly when there are some.
func native(src string) func() []string {
	return func() []string {
		inv, ds := Parse("inv.yaml", []byte(src))
		return errorStrings(inv, ds.Errors())
	}
}

func nornir(hosts string) func() []string {
	return func() []string {
		inv, ds := ParseNornir(NornirFile{Path: "hosts.yaml", Data: []byte(hosts)}, NornirFile{}, NornirFile{})
		return errorStrings(inv, ds.Errors())
	}
}

func clab(src string) func() []string {
	return func() []string {
		inv, ds := ParseContainerlab("lab.clab.yml", []byte(src))
		return errorStrings(inv, ds.Errors())
	}
}

func errorStrings[D interface{ String() string }](inv *Inventory, ds []D) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.String())
	}
	if (inv == nil) != (len(ds) > 0) {
		out = append(out, "inventory and errors disagree")
	}
	return out
}

// TestInventoryKeepsPlainNames: what the check allows stays allowed.
func TestInventoryKeepsPlainNames(t *testing.T) {
	inv, ds := Parse("inv.yaml", []byte("devices:\n  zürich-pe1: {host: zürich-pe1.example.net, platform: frr_vtysh, username: admin}\n  москва: {host: 10.0.0.2, platform: frr_vtysh}\n"))
	if inv == nil || len(ds) != 0 {
		t.Fatalf("got %v", ds)
	}
}
