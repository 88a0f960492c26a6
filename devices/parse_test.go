package devices

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// diagStrings renders diagnostics one per line, for comparisons.
func diagStrings(t *testing.T, src string) (*Inventory, []string) {
	t.Helper()
	inv, ds := Parse("inv.yaml", []byte(src))
	var out []string
	for _, d := range ds {
		out = append(out, d.String())
	}
	if ds.HasErrors() != (inv == nil) {
		t.Fatalf("inventory %v with diagnostics %v", inv != nil, ds)
	}
	return inv, out
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // each must begin one of the diagnostics
	}{
		{"yaml syntax", "devices: [1,\n", []string{"inv.yaml:1: invalid YAML"}},
		{"empty file", "", []string{"inv.yaml:1: no YAML document found"}},
		{"not a mapping", "- a\n", []string{"inv.yaml:1:1: inventory must be a mapping"}},
		{"no devices field", "defaults: {port: 22}\n", []string{`inv.yaml:1:1: inventory has no devices field`}},
		{"unknown top-level field", "device: {}\ndevices: {}\n", []string{`inv.yaml:1:1: inventory: unknown field "device" (hint: did you mean "devices"?)`}},
		{"unknown device field", "devices:\n  r1: {host: a, platfrom: frr_vtysh}\n",
			[]string{`inv.yaml:2:17: device r1: unknown field "platfrom" (hint: did you mean "platform"?)`, `inv.yaml:2:3: device r1 has no platform`}},
		{"unknown group field", "groups:\n  g: {hots: a}\ndevices:\n  r1: {host: a, platform: frr_vtysh, groups: [g]}\n",
			[]string{`inv.yaml:2:7: group g: unknown field "hots" (hint: did you mean "host"?)`}},
		{"groups in defaults", "defaults: {groups: [g]}\ndevices: {}\n",
			[]string{`inv.yaml:1:12: defaults: unknown field "groups"`}},
		{"duplicate device", "devices:\n  r1: {host: a, platform: frr_vtysh}\n  r1: {host: b, platform: frr_vtysh}\n",
			[]string{`inv.yaml:3:3: devices: "r1" is declared twice (hint: remove one of them (the first is at line 2))`}},
		{"duplicate key", "devices:\n  r1: {host: a, host: b, platform: frr_vtysh}\n",
			[]string{`inv.yaml:2:17: device r1: duplicate key "host"`}},
		{"device name with colon", "devices:\n  \"r1:x\": {host: a, platform: frr_vtysh}\n",
			[]string{`inv.yaml:2:3: device name "r1:x" contains ':'`}},
		{"wrong type port", "devices:\n  r1: {host: a, platform: frr_vtysh, port: twenty}\n",
			[]string{`inv.yaml:2:44: device r1: port: "twenty" is not an integer`}},
		{"port out of range", "devices:\n  r1: {host: a, platform: frr_vtysh, port: 70000}\n",
			[]string{`inv.yaml:2:44: device r1: port 70000 is out of range`}},
		{"host is a list", "devices:\n  r1: {host: [a], platform: frr_vtysh}\n",
			[]string{`inv.yaml:2:14: device r1: host must be a scalar value, found a list`}},
		{"host with scheme", "devices:\n  r1: {host: \"ssh://a\", platform: frr_vtysh}\n",
			[]string{`inv.yaml:2:14: device r1: host "ssh://a" is not an address or DNS name`}},
		{"host with a port", "devices:\n  r1: {host: \"10.0.0.4:22\", platform: frr_vtysh}\n",
			[]string{`inv.yaml:2:14: device r1: host "10.0.0.4:22" has a port in it (hint: write host: 10.0.0.4 and port: 22)`}},
		{"IPv6 host with a port", "devices:\n  r1: {host: \"[2001:db8::1]:830\", platform: frr_vtysh}\n",
			[]string{`inv.yaml:2:14: device r1: host "[2001:db8::1]:830" has a port in it (hint: write host: 2001:db8::1 and port: 830)`}},
		{"IPv6 host in brackets", "devices:\n  r1: {host: \"[2001:db8::1]\", platform: frr_vtysh}\n",
			[]string{`inv.yaml:2:14: device r1: host "[2001:db8::1]" is in brackets`}},
		{"platform of another tool", "devices:\n  r1: {host: a, platform: junos}\n",
			[]string{`inv.yaml:2:27: device r1: unknown platform "junos" (hint: did you mean "juniper_junos"?)`}},
		{"unknown platform", "devices:\n  r1: {host: a, platform: cisco_ios}\n",
			[]string{`inv.yaml:2:27: device r1: unknown platform "cisco_ios" (hint: did you mean "cisco_iosxe"?)`}},
		{"a vendor's name lists its platforms", "devices:\n  r1: {host: a, platform: cisco}\n",
			[]string{`inv.yaml:2:27: device r1: unknown platform "cisco" (hint: did you mean one of: "cisco_iosxe", "cisco_iosxr", "cisco_nxos"?)`}},
		{"two platforms equally close", "devices:\n  r1: {host: a, platform: cisco_iosx}\n",
			[]string{`inv.yaml:2:27: device r1: unknown platform "cisco_iosx" (hint: did you mean one of: "cisco_iosxe", "cisco_iosxr"?)`}},
		{"missing host and platform", "devices:\n  r1: {}\n  r2:\n",
			[]string{"inv.yaml:2:3: device r1 has no platform (hint: set platform: (such as frr_vtysh or cisco_iosxe) on one of: device r1, defaults)",
				"inv.yaml:2:3: device r1 has no host", "inv.yaml:3:3: device r2 has no platform", "inv.yaml:3:3: device r2 has no host"}},
		{"missing after inheritance names the chain", "groups:\n  g: {port: 2}\ndevices:\n  r1: {host: a, groups: [g]}\n",
			[]string{"inv.yaml:4:3: device r1 has no platform (hint: set platform: (such as frr_vtysh or cisco_iosxe) on one of: device r1, group g, defaults)"}},
		{"unknown group", "groups:\n  core: {}\ndevices:\n  r1: {host: a, platform: frr_vtysh, groups: [core, coer, zzzzzzzz]}\n",
			[]string{`inv.yaml:4:53: device r1: unknown group "coer" (hint: did you mean "core"?)`, `inv.yaml:4:59: device r1: unknown group "zzzzzzzz" (hint: declare it under groups)`}},
		{"group listed twice", "groups:\n  g: {}\ndevices:\n  r1: {host: a, platform: frr_vtysh, groups: [g, g]}\n",
			[]string{`inv.yaml:4:50: device r1: group "g" is listed twice`}},
		{"group cycle", "groups:\n  a: {groups: [b]}\n  b: {groups: [c]}\n  c: {groups: [a]}\n  self: {groups: [self]}\ndevices:\n  r1: {host: x, platform: frr_vtysh, groups: [a, self]}\n",
			[]string{`inv.yaml:4:16: group c: groups inherit in a cycle: a -> b -> c -> a`, `inv.yaml:5:19: group self: groups inherit in a cycle: self -> self`}},
		{"unused group is a warning", "groups:\n  spare: {port: 2}\ndevices:\n  r1: {host: a, platform: frr_vtysh}\n",
			[]string{`inv.yaml:2:3: warning: group spare is used by no device`}},
		{"plain-text password", "devices:\n  r1: {host: a, platform: frr_vtysh, password: hunter2}\n",
			[]string{`inv.yaml:2:48: device r1: password is written in plain text (hint: write password: {env: NET_PASSWORD}, {file: path} or {prompt: true}; an inventory holds references to secrets, never the secrets)`}},
		{"plain-text passphrase in defaults", "defaults: {passphrase: hunter2}\ndevices: {}\n",
			[]string{`inv.yaml:1:24: defaults: passphrase is written in plain text`}},
		{"key as a bare path", "devices:\n  r1: {host: a, platform: frr_vtysh, key: ~/.ssh/id}\n",
			[]string{`inv.yaml:2:43: device r1: key is written in plain text (hint: write key: {file: ~/.ssh/id_ed25519} or key: {agent: true})`}},
		{"two references", "defaults:\n  password: {env: A, file: b}\ndevices: {}\n",
			[]string{`inv.yaml:2:13: defaults: password: give one reference, found 2 (hint: keep one of env, file)`}},
		{"empty reference", "defaults:\n  password: {}\ndevices: {}\n",
			[]string{`inv.yaml:2:13: defaults: password: the reference is empty`}},
		{"unknown reference", "defaults:\n  password: {vault: x}\ndevices: {}\n",
			[]string{`inv.yaml:2:14: defaults: password: unknown field "vault" (hint: known fields: agent, env, file, prompt)`}},
		{"bad env name", "defaults:\n  password: {env: $PW}\ndevices: {}\n",
			[]string{`inv.yaml:2:19: defaults: password: "$PW" is not an environment variable name`}},
		{"agent for a password", "defaults:\n  password: {agent: true}\ndevices: {}\n",
			[]string{`inv.yaml:2:21: defaults: password: agent is only for key`}},
		{"prompt for a key", "defaults:\n  key: {prompt: true}\ndevices: {}\n",
			[]string{`inv.yaml:2:17: defaults: key: a key file cannot be typed in`}},
		{"prompt false", "defaults:\n  password: {prompt: false}\ndevices: {}\n",
			[]string{`inv.yaml:2:22: defaults: password: prompt: false gives no value`}},
		{"insecure without reason", "defaults:\n  host_key: {insecure_ignore: true}\ndevices: {}\n",
			[]string{`inv.yaml:2:31: defaults: host_key: insecure_ignore needs a reason (hint: say why it is safe here: reason: "containerlab lab, rebuilt daily")`}},
		{"insecure with empty reason", "defaults:\n  host_key: {insecure_ignore: yes, reason: \"  \"}\ndevices: {}\n",
			[]string{`inv.yaml:2:31: defaults: host_key: insecure_ignore needs a reason`}},
		{"insecure and known_hosts", "defaults:\n  host_key: {insecure_ignore: true, reason: lab, known_hosts: k}\ndevices: {}\n",
			[]string{`inv.yaml:2:13: defaults: host_key: known_hosts and insecure_ignore: true contradict each other`}},
		{"reason alone", "defaults:\n  host_key: {reason: lab}\ndevices: {}\n",
			[]string{`inv.yaml:2:13: defaults: host_key: reason without insecure_ignore: true`}},
		{"empty host_key", "defaults:\n  host_key: {}\ndevices: {}\n",
			[]string{`inv.yaml:2:13: defaults: host_key: give known_hosts or insecure_ignore`}},
		{"insecure with reason is a warning", "defaults:\n  host_key: {insecure_ignore: true, reason: lab}\ndevices: {}\n",
			[]string{`inv.yaml:2:31: warning: defaults: host key verification is off (reason: lab)`}},
		{"timeout without unit", "defaults:\n  timeouts: {connect: 10}\ndevices: {}\n",
			[]string{`inv.yaml:2:23: defaults: timeouts: connect: "10" is not a duration (hint: use a duration with a unit, such as 10s, 1m30s or 500ms)`}},
		{"timeout zero", "defaults:\n  timeouts: {command: 0s}\ndevices: {}\n",
			[]string{`inv.yaml:2:23: defaults: timeouts: command: 0s is out of range`}},
		{"timeout typo", "defaults:\n  timeouts: {comand: 1s}\ndevices: {}\n",
			[]string{`inv.yaml:2:14: defaults: timeouts: unknown field "comand" (hint: did you mean "command"?)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := diagStrings(t, tt.src)
			for _, w := range tt.want {
				if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, w) }) {
					t.Errorf("missing diagnostic %q\ngot:\n  %s", w, strings.Join(got, "\n  "))
				}
			}
		})
	}
}

func TestEveryProblemAtOnce(t *testing.T) {
	src := `defaults:
  password: hunter2
  host_key: {insecure_ignore: true}
groups:
  a: {groups: [a], platfrom: x}
devices:
  r1: {port: 0, groups: [b]}
  r2: {host: h, platform: nope, timeouts: {connect: soon}}
`
	_, got := diagStrings(t, src)
	if len(got) < 9 {
		t.Fatalf("got %d diagnostics, want at least 9:\n  %s", len(got), strings.Join(got, "\n  "))
	}
	for _, g := range got {
		if !strings.HasPrefix(g, "inv.yaml:") || strings.Contains(g, "hunter2") {
			t.Errorf("diagnostic without position, or quoting the secret: %s", g)
		}
	}
}

// TestInheritance checks each rule of inheritance: device over its
// groups, groups in the order listed, a group before the groups it
// inherits from, groups over defaults, defaults over built-ins, and
// timeouts merged field by field.
func TestInheritance(t *testing.T) {
	src := `defaults:
  platform: cisco_iosxe
  port: 2000
  username: root
  timeouts: {connect: 1s, command: 2s}
groups:
  first: {port: 1001, groups: [parent], username: first}
  second: {port: 1002, platform: arista_eos, username: second}
  parent: {port: 1003, platform: juniper_junos, timeouts: {command: 3s}}
  diamond: {groups: [parent, first]}
devices:
  own:       {host: h, port: 1, groups: [first, second]}
  order:     {host: h, groups: [first, second]}
  reorder:   {host: h, groups: [second, first]}
  parentfirst: {host: h, groups: [first]}
  defaults:  {host: h}
  diamond:   {host: h, groups: [diamond]}
  timeouts:  {host: h, groups: [parent], timeouts: {connect: 4s}}
`
	inv, got := diagStrings(t, src)
	if inv == nil {
		t.Fatalf("parse failed: %v", got)
	}
	tests := []struct {
		device, field string
		want          any
		layer         string
	}{
		{"own", FieldPort, 1, "device own"},
		{"order", FieldPort, 1001, "group first"},
		{"order", FieldUsername, "first", "group first"},
		{"reorder", FieldPort, 1002, "group second"},
		{"reorder", FieldPlatform, "arista_eos", "group second"},
		// first has no platform; its parent comes before second.
		{"order", FieldPlatform, "juniper_junos", "group parent"},
		{"parentfirst", FieldPlatform, "juniper_junos", "group parent"},
		{"defaults", FieldPlatform, "cisco_iosxe", "defaults"},
		{"defaults", FieldPort, 2000, "defaults"},
		{"diamond", FieldPort, 1003, "group parent"},
		{"diamond", FieldUsername, "first", "group first"},
		{"timeouts", FieldConnectTimeout, 4 * time.Second, "device timeouts"},
		{"timeouts", FieldCommandTimeout, 3 * time.Second, "group parent"},
		{"defaults", FieldCommandTimeout, 2 * time.Second, "defaults"},
		{"defaults", FieldHostKey, DefaultKnownHosts, BuiltinLayer},
	}
	for _, tt := range tests {
		t.Run(tt.device+"/"+tt.field, func(t *testing.T) {
			d, ok := inv.Device(tt.device)
			if !ok {
				t.Fatalf("no device %s", tt.device)
			}
			var got any
			switch tt.field {
			case FieldPort:
				got = d.Port
			case FieldPlatform:
				got = d.Platform
			case FieldUsername:
				got = d.Username.String()
			case FieldConnectTimeout:
				got = d.Timeouts.Connect
			case FieldCommandTimeout:
				got = d.Timeouts.Command
			case FieldHostKey:
				got = d.HostKey.KnownHosts
			}
			if got != tt.want {
				t.Errorf("%s = %v, want %v", tt.field, got, tt.want)
			}
			if s, _ := d.Source(tt.field); s.Layer != tt.layer {
				t.Errorf("%s comes from %q, want %q", tt.field, s.Layer, tt.layer)
			}
		})
	}
	d, _ := inv.Device("diamond")
	if want := "device diamond, group diamond, group parent, group first, defaults"; strings.Join(d.Inherits, ", ") != want {
		t.Errorf("inherits %v, want %s", d.Inherits, want)
	}
}

func TestBuiltinDefaults(t *testing.T) {
	inv, got := diagStrings(t, "devices:\n  r1: {host: a, platform: frr_vtysh}\n")
	if inv == nil {
		t.Fatal(got)
	}
	d, _ := inv.Device("r1")
	if d.Port != 22 || d.Timeouts.Connect != 10*time.Second || d.Timeouts.Command != 30*time.Second ||
		d.HostKey != (HostKeyPolicy{KnownHosts: "~/.ssh/known_hosts"}) || !d.Password.IsZero() {
		t.Errorf("defaults: %+v", d)
	}
	for _, f := range []string{FieldPort, FieldHostKey, FieldConnectTimeout, FieldCommandTimeout} {
		if s, ok := d.Source(f); !ok || s.Layer != BuiltinLayer || s.String() != BuiltinLayer {
			t.Errorf("source of %s = %v", f, s)
		}
	}
	if s, _ := d.Source(FieldHost); s.String() != "device r1 at inv.yaml:2:14" {
		t.Errorf("source of host = %s", s)
	}
}

func TestHostKeyOverride(t *testing.T) {
	src := `groups:
  lab: {host_key: {insecure_ignore: true, reason: lab}}
devices:
  r1: {host: a, platform: frr_vtysh, groups: [lab]}
  r2: {host: a, platform: frr_vtysh, groups: [lab], host_key: {insecure_ignore: false}}
  r3: {host: a, platform: frr_vtysh, host_key: {known_hosts: kh}}
`
	inv, got := diagStrings(t, src)
	if inv == nil {
		t.Fatal(got)
	}
	r1, _ := inv.Device("r1")
	r2, _ := inv.Device("r2")
	r3, _ := inv.Device("r3")
	if !r1.HostKey.InsecureIgnore || r1.HostKey.Reason != "lab" || !strings.HasPrefix(r1.HostKey.String(), "INSECURE") {
		t.Errorf("r1: %v", r1.HostKey)
	}
	if _, err := r1.HostKey.KnownHostsPath(); err == nil {
		t.Error("KnownHostsPath of an insecure policy succeeded")
	}
	if r2.HostKey != (HostKeyPolicy{KnownHosts: DefaultKnownHosts}) {
		t.Errorf("r2: %v", r2.HostKey)
	}
	if r3.HostKey.KnownHosts != "kh" { // Parse's file has no directory
		t.Errorf("r3: %v", r3.HostKey)
	}
	inv2, _ := Parse("/etc/cg/inv.yaml", []byte("devices:\n  r: {host: a, platform: frr_vtysh, host_key: {known_hosts: kh}, password: {file: pw}}\n"))
	d, _ := inv2.Device("r")
	if d.HostKey.KnownHosts != "/etc/cg/kh" || d.Password.Ref != "/etc/cg/pw" {
		t.Errorf("relative paths not joined to the inventory's directory: %v %v", d.HostKey, d.Password)
	}
}

func TestDeviceIsACopy(t *testing.T) {
	inv, _ := Parse("inv.yaml", []byte("devices:\n  r1: {host: a, platform: frr_vtysh, groups: []}\n"))
	d, _ := inv.Device("r1")
	d.Host = "changed"
	d.Sources[FieldHost] = Source{Layer: "x"}
	again, _ := inv.Device("r1")
	if again.Host != "a" || again.Sources[FieldHost].Layer != "device r1" {
		t.Errorf("changing a Device changed the inventory: %+v", again)
	}
	if _, ok := inv.Device("nope"); ok {
		t.Error("found an unknown device")
	}
	if n := inv.Names(); len(n) != 1 || n[0] != "r1" || len(inv.Devices()) != 1 {
		t.Errorf("names %v", n)
	}
}

func TestCheck(t *testing.T) {
	inv, _ := Parse("inv.yaml", []byte("devices:\n  r1: {host: a, platform: frr_vtysh}\n  ams-core1: {host: b, platform: frr_vtysh}\n  zzz: {host: c, platform: frr_vtysh}\n"))
	ds := inv.Check(map[string]bool{"r1": true, "ams-core-1": true, "fra": true})
	var got []string
	for _, d := range ds {
		got = append(got, d.String())
	}
	want := []string{
		`inv.yaml:3:3: device ams-core1 is not a node of the topology (hint: did you mean "ams-core-1"?)`,
		`inv.yaml:4:3: device zzz is not a node of the topology (hint: name devices after the topology's nodes, or add the node to the topology)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	inv.devices[0].Platform = "cisco_ios"
	ds = inv.Check(map[string]bool{"r1": true, "ams-core1": true, "zzz": true})
	if len(ds) != 1 || !strings.Contains(ds[0].String(), `inv.yaml:2:27: device r1: unknown platform "cisco_ios" (hint: did you mean "cisco_iosxe"?)`) {
		t.Errorf("platform check: %v", ds)
	}
}

func TestPlatforms(t *testing.T) {
	ps := Platforms()
	for i, p := range ps {
		if i > 0 && ps[i-1].Name >= p.Name {
			t.Errorf("platforms not sorted at %s", p.Name)
		}
		if !KnownPlatform(p.Name) {
			t.Errorf("%s not known", p.Name)
		}
	}
	for _, n := range []string{"frr_vtysh", "arista_eos", "cisco_iosxe", "cisco_iosxr", "cisco_nxos", "juniper_junos", "nokia_srl", "nokia_sros"} {
		if !KnownPlatform(n) {
			t.Errorf("%s not known", n)
		}
	}
	if KnownPlatform("ruijie_rgos") || KnownPlatform("") {
		t.Error("unknown platform reported known")
	}
	for _, m := range []map[string]string{NornirPlatforms(), ContainerlabKinds()} {
		for from, to := range m {
			if !KnownPlatform(to) {
				t.Errorf("%s maps to unknown platform %s", from, to)
			}
		}
	}
}
