package session

import (
	"regexp"
	"strings"
	"testing"

	"github.com/changegate/changegate/devices"
)

// TestPlatformDefinitions loads every platform's scrapligo definition
// (changegate's own YAML or scrapligo's embedded one), so a definition
// that scrapligo cannot load, or a known platform it does not ship,
// fails here rather than when dialling a device.
func TestPlatformDefinitions(t *testing.T) {
	for _, p := range devices.Platforms() {
		t.Run(p.Name, func(t *testing.T) {
			def, err := lookupPlatform(p.Name)
			if err != nil {
				t.Fatal(err)
			}
			if (def.yaml != nil) != p.Custom {
				t.Errorf("custom %v but own definition %v", p.Custom, def.yaml != nil)
			}
			drv, err := def.driver(&devices.Device{Name: "x", Platform: p.Name, Host: "127.0.0.1", Port: 22, Timeouts: devices.Timeouts{Connect: 1, Command: 1}}, &sshTransport{}, newTranscript(nil))
			if err != nil {
				t.Fatalf("scrapligo cannot load it: %v", err)
			}
			if len(drv.FailedWhenContains) == 0 {
				t.Error("no failure strings: refused commands would pass")
			}
			if _, ok := drv.PrivilegeLevels[drv.DefaultDesiredPriv]; !ok {
				t.Errorf("default privilege level %q is not defined", drv.DefaultDesiredPriv)
			}
			g, ok := PlatformGuarantees(p.Name)
			if !ok || g.Platform != p.Name || g.Method == "" {
				t.Errorf("guarantees %+v", g)
			}
			if g.ConfirmedCommit && (def.config.confirm == nil || def.config.commit == nil) {
				t.Error("claims confirmed commits without a way to confirm")
			}
			if (def.config.enter == nil) != (g.Tested == "scrapligo's definition loads") {
				t.Errorf("configurable %v but tested %q", def.config.enter != nil, g.Tested)
			}
			if g.Atomic && def.config.abort == nil {
				t.Error("claims atomic commits without a way to discard")
			}
		})
	}
}

// TestFRRPrompts checks changegate's FRR definition against prompts FRR
// 8.4's vtysh prints.
func TestFRRPrompts(t *testing.T) {
	def, _ := lookupPlatform("frr_vtysh")
	drv, err := def.driver(&devices.Device{Name: "x", Platform: "frr_vtysh", Host: "127.0.0.1", Port: 22, Timeouts: devices.Timeouts{Connect: 1, Command: 1}}, &sshTransport{}, newTranscript(nil))
	if err != nil {
		t.Fatal(err)
	}
	level := func(prompt string) []string {
		var out []string
		for name, p := range drv.PrivilegeLevels {
			if regexp.MustCompile(p.Pattern).MatchString(prompt) {
				out = append(out, name)
			}
		}
		return out
	}
	for prompt, want := range map[string]string{
		"p1#":                    "exec",
		"edge-1.lab#":            "exec",
		"p1(config)#":            "configuration",
		"p1(config-router)#":     "configuration",
		"p1(config-if)#":         "configuration",
		"p1(config-router-af)# ": "configuration",
		"p1(config-route-map)#":  "configuration",
		"p1(config-if)# ":        "configuration",
		"Password:":              "",
		"cg-lab@host:~$":         "",
	} {
		got := level(prompt)
		if want == "" && len(got) != 0 || want != "" && (len(got) != 1 || got[0] != want) {
			t.Errorf("prompt %q is %v, want %q", prompt, got, want)
		}
	}
	// vtysh applies each line as it is typed: no guarantee may be claimed.
	if g, _ := PlatformGuarantees("frr_vtysh"); g.Atomic || g.ConfirmedCommit || g.Rollback {
		t.Errorf("frr_vtysh claims guarantees it lacks: %+v", g)
	}
}

// TestFRRFailureStrings: vtysh's answers that a command was refused, or
// names what does not exist, fail the command; answers that say a table
// lacks an entry, which a check may expect, and ordinary output do not.
func TestFRRFailureStrings(t *testing.T) {
	def, _ := lookupPlatform("frr_vtysh")
	drv, err := def.driver(&devices.Device{Name: "x", Platform: "frr_vtysh", Host: "127.0.0.1", Port: 22, Timeouts: devices.Timeouts{Connect: 1, Command: 1}}, &sshTransport{}, newTranscript(nil))
	if err != nil {
		t.Fatal(err)
	}
	failed := func(answer string) string {
		for _, s := range drv.FailedWhenContains {
			if strings.Contains(answer, s) {
				return s
			}
		}
		return ""
	}
	for answer, want := range map[string]string{
		"% Unknown command: show ip ospf neighbour": "% Unknown command",
		"% Can't find interface eth9":               "% Can't find",
		"% No such VRF blue":                        "% No such",
		"% Unknown VRF blue":                        "% Unknown",
		"% Command incomplete: show ip route vrf":   "% Command incomplete",
		"% Network not in table":                    "",
		"Interface eth1 is up, line protocol is up": "",
		"  5 input errors, 0% dropped":              "",
	} {
		if got := failed(answer); got != want {
			t.Errorf("%q fails on %q, want %q", answer, got, want)
		}
	}
}
