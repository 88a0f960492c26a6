package fakedev

import (
	"cmp"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

type level struct{ name, pattern string }

// scrapliLevels are scrapligo v1.4.3's privilege-level prompt patterns,
// copied from $GOMODCACHE/github.com/scrapli/scrapligo@v1.4.3/assets/platforms/<platform>.yaml
// (TestScrapliYAML checks the copies while the module is in the cache).
// frr_vtysh is not a scrapligo platform: its patterns are cumulus_vtysh.yaml's,
// with configuration widened to sub-modes such as "r1(config-router)#",
// which cumulus_vtysh's pattern does not match.
var scrapliLevels = map[string][]level{
	"cisco_iosxe": { // cisco_iosxe.yaml
		{"exec", `(?im)^[\w.\-@/:]{1,63}>$`},
		{"privilege-exec", `(?im)^[\w.\-@/:]{1,63}#$`},
		{"configuration", `(?im)^[\w.\-@/:]{1,63}\([\+\w.\-@/:+]{0,32}\)#$`},
		{"tclsh", `(?im)^([\w.\-@/+>:]+\(tcl\)[>#]|\+>)$`},
	},
	"cisco_iosxr": { // cisco_iosxr.yaml
		{"exec", `(?im)^[\w.\-@/:]{1,63}#\s?$`},
		{"configuration", `(?im)^[\w.\-@/:]{1,63}\(config[\+\w.\-@/:]{0,32}\)#\s?$`},
		{"configuration-exclusive", `(?im)^[\w.\-@/:]{1,63}\(config[\w.\-@/:]{0,32}\)#\s?$`},
		{"run", `(?im)^\[[^]]+\]\$\s*$`},
	},
	"juniper_junos": { // juniper_junos.yaml
		{"exec", `(?im)^({\w+:\d}\n){0,1}[\w\-@()/:\.]{1,63}>\s?$`},
		{"configuration", `(?im)^({\w+:\d}\[edit\]\n){0,1}[\w\-@()/:\.]{1,63}#\s?$`},
		{"configuration-exclusive", `(?im)^({\w+:\d}\[edit\]\n){0,1}[\w\-@()/:\.]{1,63}#\s?$`},
		{"configuration-private", `(?im)^({\w+:\d}\[edit\]\n){0,1}[\w\-@()/:\.]{1,63}#\s?$`},
		{"shell", `(?im)^.*[%$]\s?$`},
		{"root-shell", `(?im)^.*root@[[:ascii:]]*?:?[[:ascii:]]*?[%#]\s?$`},
	},
	"arista_eos": { // arista_eos.yaml
		{"exec", `(?im)^[\w.\-@()/: ]{1,63}>\s?$`},
		{"privilege-exec", `(?im)^[\w.\-@()/: ]{1,63}#\s?$`},
		{"configuration", `(?im)^[\w.\-@()/: ]{1,63}\(config[\w.\-@/:]{0,63}\)#\s?$`},
	},
	"nokia_srl": { // nokia_srl.yaml
		{"exec", `(?im)^--{(\s\[[\w\s]+\]){0,5}[\+\*\s]{1,}running\s}--\[.+?\]--\s*\n[abcd]:\S+#\s*$`},
		{"configuration", `(?im)^--{(\s\[[\w\s]+\]){0,5}[\+\*\!\s]{1,}candidate[\-\w\s]+}--\[.+?\]--\s*\n[abcd]:\S+#\s*$`},
	},
	"frr_vtysh": { // cumulus_vtysh.yaml, configuration widened
		{"exec", `(?im)^[\w\.\-]+#\s*$`},
		{"configuration", `(?im)^[\w\.\-]+\(config[\w.\-]*\)#\s*$`},
	},
}

// scrapliFailed are the platforms' failed-when-contains lists, from the same
// files (frr_vtysh: cumulus_vtysh.yaml's).
var scrapliFailed = map[string][]string{
	"cisco_iosxe":   {"% Ambiguous command", "% Incomplete command", "% Invalid input detected", "% Unknown command"},
	"cisco_iosxr":   {"% Ambiguous command", "% Incomplete command", "% Invalid input detected", "% Unknown command"},
	"juniper_junos": {"is ambiguous", "No valid completions", "unknown command", "syntax error"},
	"arista_eos":    {"% Ambiguous command", "% Error", "% Incomplete command", "% Invalid input", "% Cannot commit", "% Unavailable command"},
	"nokia_srl":     {"Error:", "error:"},
	"frr_vtysh":     {"Permission denied", "ERROR:", "% Unknown command", "% Command incomplete"},
}

// TestScrapliYAML checks the copied patterns against scrapligo's files when
// the module is in the module cache.
func TestScrapliYAML(t *testing.T) {
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Skipf("go env GOMODCACHE: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "github.com/scrapli/scrapligo@v1.4.3/assets/platforms")
	for platform := range scrapliLevels {
		file := platform
		if platform == "frr_vtysh" {
			file = "cumulus_vtysh"
		}
		t.Run(platform, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, file+".yaml"))
			if err != nil {
				t.Skipf("scrapligo v1.4.3 not in the module cache: %v", err)
			}
			var y struct {
				Default struct {
					Levels map[string]struct {
						Pattern string `yaml:"pattern"`
					} `yaml:"privilege-levels"`
					Failed []string `yaml:"failed-when-contains"`
				} `yaml:"default"`
			}
			if err := yaml.Unmarshal(b, &y); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(y.Default.Failed, scrapliFailed[platform]) {
				t.Errorf("failed-when-contains: file has %q, test table %q", y.Default.Failed, scrapliFailed[platform])
			}
			for _, lv := range scrapliLevels[platform] {
				if platform == "frr_vtysh" && lv.name == "configuration" {
					continue // widened on purpose
				}
				if got := y.Default.Levels[lv.name].Pattern; got != lv.pattern {
					t.Errorf("%s: file has %q, test table %q", lv.name, got, lv.pattern)
				}
			}
		})
	}
}

// TestPrompts drives each platform into each mode and checks the prompt
// byte for byte, that scrapligo's pattern for that privilege level matches
// it, and that no other level's pattern does (except where scrapligo's own
// patterns overlap).
func TestPrompts(t *testing.T) {
	tests := []struct {
		platform, host string
		steps          []string
		level          string
		prompt         string
		overlaps       []string // other levels scrapligo's patterns also match
	}{
		{"frr_vtysh", "r1", nil, "exec", "r1#", nil},
		{"frr_vtysh", "r1", []string{"configure terminal"}, "configuration", "r1(config)#", nil},
		{"frr_vtysh", "r1", []string{"configure terminal", "router ospf"}, "configuration", "r1(config-router)#", nil},
		{"cisco_iosxe", "r1", nil, "privilege-exec", "r1#", nil},
		{"cisco_iosxe", "r1", []string{"disable"}, "exec", "r1>", nil},
		{"cisco_iosxe", "r1", []string{"configure terminal"}, "configuration", "r1(config)#", nil},
		{"cisco_iosxe", "r1", []string{"configure terminal", "interface Gi1"}, "configuration", "r1(config-if)#", nil},
		{"cisco_iosxr", "r1", nil, "exec", "RP/0/RP0/CPU0:r1#", nil},
		{"cisco_iosxr", "r1", []string{"configure terminal"}, "configuration",
			"RP/0/RP0/CPU0:r1(config)#", []string{"configuration-exclusive"}},
		{"cisco_iosxr", "r1", []string{"configure", "router ospf 1"}, "configuration",
			"RP/0/RP0/CPU0:r1(config-ospf)#", []string{"configuration-exclusive"}},
		{"juniper_junos", "r1", nil, "exec", "admin@r1> ", nil},
		{"juniper_junos", "r1", []string{"configure"}, "configuration",
			"[edit]\r\nadmin@r1# ", []string{"configuration-exclusive", "configuration-private"}},
		{"juniper_junos", "r1", []string{"configure private"}, "configuration-private",
			"[edit]\r\nadmin@r1# ", []string{"configuration", "configuration-exclusive"}},
		{"arista_eos", "sw1", nil, "privilege-exec", "sw1#", nil},
		{"arista_eos", "sw1", []string{"disable"}, "exec", "sw1>", nil},
		{"arista_eos", "sw1", []string{"configure terminal"}, "configuration", "sw1(config)#", []string{"privilege-exec"}},
		{"arista_eos", "sw1", []string{"configure session change-42"}, "configuration",
			"sw1(config-s-change)#", []string{"privilege-exec"}},
		{"arista_eos", "sw1", []string{"configure session c1", "interface Ethernet1"}, "configuration",
			"sw1(config-s-c1-if)#", []string{"privilege-exec"}},
		{"nokia_srl", "srl1", nil, "exec", "--{ running }--[  ]--\r\nA:srl1# ", nil},
		{"nokia_srl", "srl1", []string{"enter candidate private"}, "configuration",
			"--{ candidate private private-admin }--[  ]--\r\nA:srl1# ", nil},
		{"nokia_srl", "srl1", []string{"enter candidate private", "set / system information location lab"}, "configuration",
			"--{ * candidate private private-admin }--[  ]--\r\nA:srl1# ", nil},
	}
	for _, tt := range tests {
		name := tt.platform + "/" + cmp.Or(strings.Join(tt.steps, ","), "login")
		t.Run(name, func(t *testing.T) {
			srv := start(t, tt.platform, tt.host, Options{})
			tm, out := login(t, srv, tt.platform)
			for _, s := range tt.steps {
				out = tm.cmd(s)
			}
			if !strings.HasSuffix(out, tt.prompt) {
				t.Fatalf("answer %q does not end with prompt %q", out, tt.prompt)
			}
			prompt := strings.ReplaceAll(tt.prompt, "\r", "") // scrapligo drops "\r" before matching
			for _, lv := range scrapliLevels[tt.platform] {
				want := lv.name == tt.level || slices.Contains(tt.overlaps, lv.name)
				if got := regexp.MustCompile(lv.pattern).MatchString(prompt); got != want {
					t.Errorf("level %s pattern %s: match %q = %v, want %v", lv.name, lv.pattern, prompt, got, want)
				}
			}
		})
	}
}

// TestErrors checks the error texts for unknown commands and rejected
// configuration lines, and that scrapligo's failed-when-contains catches them.
func TestErrors(t *testing.T) {
	tests := []struct {
		platform, host string
		toConfig       string
		unknown        string // answer to "bogus command" outside configuration
		rejected       string // answer to a rejected configuration line
	}{
		{"frr_vtysh", "r1", "configure terminal",
			"% Unknown command: bogus command",
			"% Unknown command: ip route 0.0.0.0/0 bad"},
		{"cisco_iosxe", "r1", "configure terminal",
			sp(len("r1#")) + "^\r\n% Invalid input detected at '^' marker.",
			sp(len("r1(config)#")) + "^\r\n% Invalid input detected at '^' marker."},
		{"cisco_iosxr", "r1", "configure",
			sp(len("RP/0/RP0/CPU0:r1#")) + "^\r\n% Invalid input detected at '^' marker.",
			sp(len("RP/0/RP0/CPU0:r1(config)#")) + "^\r\n% Invalid input detected at '^' marker."},
		{"juniper_junos", "r1", "configure",
			sp(len("admin@r1> ")) + "^\r\nunknown command.",
			sp(len("admin@r1# ")) + "^\r\nsyntax error."},
		{"arista_eos", "sw1", "configure session s1", "% Invalid input", "% Invalid input"},
		{"nokia_srl", "srl1", "enter candidate private",
			"Error: Unknown token 'bogus'.",
			"Error: Parsing error: Unknown token 'bad'."},
	}
	for _, tt := range tests {
		t.Run(tt.platform, func(t *testing.T) {
			srv := start(t, tt.platform, tt.host, Options{Reject: regexp.MustCompile(`bad$`)})
			tm, _ := login(t, srv, tt.platform)
			check := func(line, want string) {
				t.Helper()
				out := tm.cmd(line)
				wantPrefix := line + "\r\n" + want + "\r\n"
				if !strings.HasPrefix(out, wantPrefix) {
					t.Errorf("%q: got %q, want it to start with %q", line, out, wantPrefix)
				}
				if !slices.ContainsFunc(scrapliFailed[tt.platform], func(s string) bool { return strings.Contains(out, s) }) {
					t.Errorf("%q: answer %q contains none of failed-when-contains %q", line, out, scrapliFailed[tt.platform])
				}
			}
			check("bogus command", tt.unknown)
			tm.cmd(tt.toConfig)
			line := "ip route 0.0.0.0/0 bad"
			if tt.platform == "juniper_junos" || tt.platform == "nokia_srl" {
				line = "set routing-options bad"
			}
			check(line, tt.rejected)
			if got := srv.Committed(); len(got) != 0 {
				t.Errorf("rejected line was committed: %q", got)
			}
		})
	}
}

func sp(n int) string { return strings.Repeat(" ", n) }

func TestPlatform(t *testing.T) {
	if _, err := Platform("cisco_nxos", "r1"); err == nil || !strings.Contains(err.Error(), "frr_vtysh") {
		t.Errorf("unknown platform: err = %v, want it to list the known ones", err)
	}
	if _, err := Platform("cisco_iosxe", "bad host"); err == nil {
		t.Error("hostname with a space: no error")
	}
	for _, name := range PlatformNames() {
		p, err := Platform(name, "r1")
		if err != nil {
			t.Fatal(err)
		}
		if err := p.check(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if _, ok := scrapliLevels[name]; !ok {
			t.Errorf("%s: no prompt patterns in the test table", name)
		}
	}
}

func TestRespond(t *testing.T) {
	p, err := Platform("cisco_iosxe", "r1")
	if err != nil {
		t.Fatal(err)
	}
	p.Respond("show version", "Cisco IOS XE Software, Version 17.9.4\nuptime is 1 day")
	p.Respond("show clock", "*10:00:00.000 UTC Thu Jan 1 2026", ModeConfig)
	srv := start(t, "", "", Options{Personality: p})
	tm, _ := login(t, srv, "cisco_iosxe")
	if out, want := tm.cmd("show version"), "show version\r\nCisco IOS XE Software, Version 17.9.4\r\nuptime is 1 day\r\nr1#"; out != want {
		t.Errorf("show version: got %q, want %q", out, want)
	}
	if out := tm.cmd("show clock"); !strings.Contains(out, "% Invalid input") {
		t.Errorf("show clock outside its mode: got %q, want an error", out)
	}
	tm.cmd("configure terminal")
	if out := tm.cmd("show clock"); !strings.Contains(out, "UTC") {
		t.Errorf("show clock in configuration: got %q", out)
	}
}
