package platform

import (
	"strings"
	"testing"
)

func TestCheckReadOnly(t *testing.T) {
	reg := Builtin()
	tests := []struct {
		platform, command string
		ok                bool
		why               string // part of the refusal
	}{
		{"frr_vtysh", "show ip ospf neighbor", true, ""},
		{"frr_vtysh", "  SHOW  ip route json", true, ""},
		{"frr_vtysh", "show running-config | include router", true, ""},
		{"frr_vtysh", "configure terminal", false, `start with "show"`},
		{"frr_vtysh", "clear ip ospf process", false, "does not start with a read-only prefix"},
		{"frr_vtysh", "showx", false, "read-only prefix"},
		{"cisco_iosxe", "sh ip int brief", false, `"show"`},
		{"cisco_iosxe", "show running-config | redirect flash:x", false, `"| redirect"`},
		{"cisco_iosxe", "show running-config |", false, `"|"`},
		{"arista_eos", "show running-config > flash:x", false, "redirection"},
		{"arista_eos", "show version; reload", false, "separator"},
		{"juniper_junos", "show configuration | display set", true, ""},
		{"juniper_junos", "show configuration | save /var/tmp/x", false, `"| save"`},
		{"juniper_junos", "show route | match 198.18 | count", true, ""},
		{"nokia_srl", "info from state network-instance default", true, ""},
		{"nokia_srl", "info network-instance default", false, `"show", "info from state" or "info from running"`},
		{"nokia_srl", "show version | as json", true, ""},
		{"huawei_vrp", "display ip routing-table", true, ""},
		{"huawei_vrp", "show ip route", false, `"display"`},
		{"hp_comware", "system-view", false, `"display"`},
		{"vyatta_vyos", "show interfaces", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.platform+"/"+tt.command, func(t *testing.T) {
			p, ok := reg.Lookup(tt.platform)
			if !ok {
				t.Fatalf("no platform %s", tt.platform)
			}
			err := p.CheckReadOnly(tt.command)
			if tt.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tt.why) {
				t.Errorf("error %q does not say %q", err, tt.why)
			}
		})
	}
}

// Every platform has read-only prefixes, and none of them enters a
// configuration mode.
func TestReadOnlyPrefixes(t *testing.T) {
	for _, p := range Builtin().All() {
		pre := p.ReadOnlyPrefixes()
		if len(pre) == 0 {
			t.Errorf("%s: no read-only prefixes", p.Name)
		}
		for _, r := range pre {
			for _, e := range p.Config.Enter {
				if strings.HasPrefix(e, r) {
					t.Errorf("%s: read-only prefix %q starts the configuration command %q", p.Name, r, e)
				}
			}
		}
	}
}

func FuzzCheckReadOnly(f *testing.F) {
	for _, s := range []string{"show ip route", "show x | include y", "configure", "show a; b", "show a > b", "info from state x | as json", ""} {
		f.Add(s)
	}
	p, _ := Builtin().Lookup("nokia_srl")
	f.Fuzz(func(t *testing.T, command string) {
		if p.CheckReadOnly(command) != nil {
			return
		}
		if strings.ContainsAny(command, ";>") {
			t.Fatalf("accepted %q with a separator or redirection", command)
		}
		first := strings.ToLower(strings.Fields(strings.Split(command, "|")[0])[0])
		if first != "show" && first != "info" {
			t.Fatalf("accepted %q", command)
		}
	})
}
