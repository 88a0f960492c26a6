package plans

import (
	"strings"
	"testing"

	"github.com/changegate/changegate/diag"
)

// TestParseRefusesUnsafeCharacters: the values of a plan that reach a
// device or a report hold no control characters, bidirectional controls,
// invisible characters or look-alike letters (issue 12, item 9); each
// case is refused at the value, naming the character and its offset.
func TestParseRefusesUnsafeCharacters(t *testing.T) {
	drain := "    effects: [{type: drain, node: p1}]"
	tests := []struct {
		name string
		in   []byte
		want string // the one diagnostic, as printed
	}{
		{"carriage return in a config block",
			withSteps("  - name: a", "    device: p1", `    config: "interface eth1\r\n ip ospf cost 10\n"`, drain),
			`p.yaml:5:13: step "a": config line 1: "interface eth1\r" holds U+000D CARRIAGE RETURN, a control character, at offset 14 (hint: give one line: a line break would send what follows as another command; write configuration lines as a block (config: |), split on line feeds only)`},
		{"carriage return in a config item",
			withSteps("  - name: a", "    device: p1", "    config:", `      - "interface eth1\r"`, drain),
			`p.yaml:6:9: step "a": config line 1 holds a line break (hint: give one line per item, or write the lines as a block string (config: | and the lines below it))`},
		{"carriage return in rollback_config",
			withSteps("  - name: a", "    device: p1", "    config: [hostname x]", `    rollback_config: "no hostname\r"`, drain),
			`p.yaml:6:22: step "a": rollback_config line 1: "no hostname\r" holds U+000D CARRIAGE RETURN, a control character, at offset 11 (hint: give one line: a line break would send what follows as another command; write configuration lines as a block (config: |), split on line feeds only)`},
		{"bidi override in a config line of a literal block, at its line",
			withSteps("  - name: a", "    device: p1", "    config: |", "      interface eth1", "       description \u202Eknil-pu", drain),
			`p.yaml:7:7: step "a": config line 2: " description \u202eknil-pu" holds U+202E RIGHT-TO-LEFT OVERRIDE, a bidirectional control, at offset 13 (hint: remove it: bidirectional controls make text display in another order than it is read)`},
		{"tab in a config line",
			withSteps("  - name: a", "    device: p1", "    config: [\"show\\tversion\"]", drain),
			`p.yaml:5:14: step "a": config line 1: "show\tversion" holds U+0009 CHARACTER TABULATION, a control character, at offset 4 (hint: remove it: a line break, carriage return, tab or other control character could send another command to a device or rewrite what a terminal shows)`},
		{"bidi override in a step name",
			withSteps("  - name: \"drain p1\u202E2p\"", drain),
			`p.yaml:3:11: step 1: name: "drain p1\u202e2p" holds U+202E RIGHT-TO-LEFT OVERRIDE, a bidirectional control, at offset 8 (hint: remove it: bidirectional controls make text display in another order than it is read)`},
		{"Cyrillic a in a Latin device name",
			withSteps("  - name: a", "    device: pаris", "    config: [hostname x]", drain),
			`p.yaml:4:13: step "a": device: "pаris" holds U+0430 CYRILLIC SMALL LETTER A, a Cyrillic character among Latin ones, at offset 1 (hint: write the name in one script: U+0430 CYRILLIC SMALL LETTER A looks like a Latin letter but is not, so the name looks like another one)`},
		{"zero-width space in a devices item",
			withSteps("  - name: a", "    devices: [p1, \"p\u200B2\"]", "    config: [hostname x]", drain),
			`p.yaml:4:19: step "a": devices item: "p\u200b2" holds U+200B ZERO WIDTH SPACE, an invisible character, at offset 1 (hint: remove it: an invisible character makes a value differ from one that looks the same)`},
		{"line feed in a node of an effect",
			withSteps("  - name: a", `    effects: [{type: drain, node: "p1\nhostname x"}]`),
			`p.yaml:4:35: step "a" effect 1: node: "p1\nhostname x" holds U+000A LINE FEED, a control character, at offset 2 (hint: remove it: a line break, carriage return, tab or other control character could send another command to a device or rewrite what a terminal shows)`},
		{"line feed in a check command",
			withSteps("  - name: a", "    device: p1", "    config: [hostname x]", drain,
				`    checks: [{name: c, command: "show version\nconfigure terminal", expect: {contains: x}}]`),
			`p.yaml:7:33: step "a" check "c": command: "show version\nconfigure terminal" holds U+000A LINE FEED, a control character, at offset 12 (hint: give one line: a line break would send what follows as another command; write configuration lines as a block (config: |), split on line feeds only)`},
		{"bidi isolate in a check name",
			withSteps("  - name: a", "    device: p1", "    config: [hostname x]", drain,
				"    checks: [{name: \"ospf\u2066 up\", command: show ip ospf, expect: {contains: Full}}]"),
			`p.yaml:7:21: step "a" check 1: name: "ospf\u2066 up" holds U+2066 LEFT-TO-RIGHT ISOLATE, a bidirectional control, at offset 4 (hint: remove it: bidirectional controls make text display in another order than it is read)`},
		{"carriage return in the description",
			plan("title: t", `description: "one\r\ntwo"`, "steps:", oneStep),
			`p.yaml:2:14: plan: description: "one\r\ntwo" holds U+000D CARRIAGE RETURN, a control character, at offset 3 (hint: remove it: a line break, carriage return, tab or other control character could send another command to a device or rewrite what a terminal shows)`},
		{"bidi override in the title",
			plan("title: \"Drain \u202Ep1\"", "steps:", oneStep),
			`p.yaml:1:8: plan: title: "Drain \u202ep1" holds U+202E RIGHT-TO-LEFT OVERRIDE, a bidirectional control, at offset 6 (hint: remove it: bidirectional controls make text display in another order than it is read)`},
		{"look-alike ticket",
			plan("title: t", "ticket: СHG-1", "steps:", oneStep),
			`p.yaml:2:9: plan: ticket: "СHG-1" holds U+0421 CYRILLIC CAPITAL LETTER ES, a Cyrillic character among Latin ones, at offset 0 (hint: write the name in one script: U+0421 CYRILLIC CAPITAL LETTER ES looks like a Latin letter but is not, so the name looks like another one)`},
		{"look-alike author",
			plan("title: t", "author: аlice@example.com", "steps:", oneStep),
			`p.yaml:2:9: plan: author: "аlice@example.com" holds U+0430 CYRILLIC SMALL LETTER A, a Cyrillic character among Latin ones, at offset 0 (hint: write the name in one script: U+0430 CYRILLIC SMALL LETTER A looks like a Latin letter but is not, so the name looks like another one)`},
		{"full-width letters in the plan id",
			plan("title: t", "id: ＣＨＧ-1", "steps:", oneStep),
			`p.yaml:2:5: plan: id: "ＣＨＧ-1" holds U+FF23 FULLWIDTH LATIN CAPITAL LETTER C, a compatibility character, at offset 0 (hint: write it in plain form: "CHG-1")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ds := Parse("p.yaml", tt.in)
			if p != nil {
				t.Fatalf("the plan parses:\n%s", tt.in)
			}
			errs := ds.Errors()
			if len(errs) != 1 || errs[0].String() != tt.want {
				t.Fatalf("got %v\nwant %s", ds, tt.want)
			}
		})
	}
}

// TestParseWarnsAboutFreeText: a title only reaches people, so what
// could mislead them there is a warning, not a refusal.
func TestParseWarnsAboutFreeText(t *testing.T) {
	for _, title := range []string{"Drain\u200Bp1", "Drain pаris"} {
		p, ds := Parse("p.yaml", plan("title: "+title, "steps:", oneStep))
		if p == nil {
			t.Fatalf("title %q refused: %v", title, ds)
		}
		if w := ds.Warnings(); len(w) != 1 || !strings.HasPrefix(w[0].String(), "p.yaml:1:8: warning: plan: title:") {
			t.Errorf("title %q: got %v, want one warning at the title", title, ds)
		}
	}
}

// TestParseKeepsFreeTextAndOtherScripts: what the check allows stays
// allowed: tabs and line feeds in a description, other scripts word by
// word in configuration, accents in names.
func TestParseKeepsFreeTextAndOtherScripts(t *testing.T) {
	p, ds := Parse("p.yaml", plan("title: Débit vers Москва",
		"description: \"first\\tline\\nsecond line\"",
		"author: Zoë Müller <zoe@example.net>",
		"steps:",
		"  - name: drain zürich",
		"    device: zürich-pe1",
		"    config: |",
		"      interface eth1",
		"       description uplink to Москва",
		"    effects: [{type: drain, node: zürich-pe1}]"))
	if p == nil || len(ds) != 0 {
		t.Fatalf("got %v", ds)
	}
	if got := p.Steps[0].Config; len(got) != 2 || got[1] != " description uplink to Москва" {
		t.Errorf("config = %q", got)
	}
}

// TestParseDiagnosticsQuoteNothingRaw: whatever a plan holds, its
// diagnostics print no control or bidirectional character raw.
func TestParseDiagnosticsQuoteNothingRaw(t *testing.T) {
	_, ds := Parse("p.yaml", plan("title: \"\\e[2J\\u202E\"", "risk: \"\\u202Ehigh\"", "steps:", "  - {name: \"a\\rb\", effects: [{type: reboot, node: p1}]}"))
	if !ds.HasErrors() {
		t.Fatal("no errors")
	}
	for _, d := range ds {
		s := d.String()
		if diag.Escape(s) != s {
			t.Errorf("diagnostic holds unsafe characters raw: %q", s)
		}
	}
}
