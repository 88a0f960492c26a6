package plans

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/userfile"
)

// oneStep is a valid steps list of one step, for tests of the top level.
const oneStep = "  - {name: a, effects: [{type: drain, node: p1}]}"

// TestParseFullFormatProblems has one case per rule of the fields beyond
// the first plan format; each plan breaks exactly that rule.
func TestParseFullFormatProblems(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string // the one diagnostic, as printed
	}{
		{"risk typo",
			plan("title: t", "risk: hgih", "steps:", oneStep),
			`p.yaml:2:7: plan: unknown risk "hgih" (hint: did you mean "high"?)`},
		{"risk in capitals",
			plan("title: t", "risk: High", "steps:", oneStep),
			`p.yaml:2:7: plan: unknown risk "High" (hint: did you mean "high"?)`},
		{"risk far from all",
			plan("title: t", "risk: critical", "steps:", oneStep),
			`p.yaml:2:7: plan: unknown risk "critical" (hint: use low, medium or high)`},
		{"blank description",
			plan("title: t", `description: " "`, "steps:", oneStep),
			`p.yaml:2:14: plan: description is empty (hint: say what the change does and why, or remove description)`},
		{"empty author",
			plan("title: t", `author: ""`, "steps:", oneStep),
			`p.yaml:2:9: plan: author is empty (hint: give who wrote the plan, or remove author)`},
		{"author as free text",
			plan("title: t", `author: Jane Doe`, "steps:", oneStep),
			`p.yaml:2:9: plan: author "Jane Doe" names no identity (hint: write the author's e-mail address (Jane Doe <jane@example.net>, or jane@example.net) or principal in the allowed signers: approvals by the author do not count, and the gate finds them by it)`},
		{"author with an unclosed address",
			plan("title: t", `author: Jane Doe <jane@example.net`, "steps:", oneStep),
			`p.yaml:2:9: plan: author "Jane Doe <jane@example.net" names no identity (hint: write the author's e-mail address (Jane Doe <jane@example.net>, or jane@example.net) or principal in the allowed signers: approvals by the author do not count, and the gate finds them by it)`},
		{"ticket not a scalar",
			plan("title: t", "ticket: [NET-1]", "steps:", oneStep),
			`p.yaml:2:9: plan: ticket must be a scalar value, found a list (hint: give a single value)`},
		{"empty traffic",
			plan("title: t", `traffic: ""`, "steps:", oneStep),
			`p.yaml:2:10: plan: traffic is empty (hint: give the path of a demand CSV file, relative to the plan file, or remove traffic to use the topology's demands)`},
		{"empty inventory",
			plan("title: t", `inventory: ""`, "steps:", oneStep),
			`p.yaml:2:12: plan: inventory is empty (hint: give the path of the device inventory, relative to the plan file, or remove inventory)`},
		{"window not a mapping",
			plan("title: t", "window: tonight", "steps:", oneStep),
			`p.yaml:2:9: plan: window must be a mapping, found "tonight" (hint: write it as key: value pairs)`},
		{"window without start",
			plan("title: t", "window: {end: 2024-05-02T02:00}", "steps:", oneStep),
			`p.yaml:2:9: plan: window: missing field "start" (hint: add start: the time the change may begin, such as 2024-05-01T22:00)`},
		{"window without end",
			plan("title: t", "window: {start: 2024-05-01T22:00}", "steps:", oneStep),
			`p.yaml:2:9: plan: window: missing field "end" (hint: add end: the time the change must be over by, such as 2024-05-02T02:00)`},
		{"window time not parseable",
			plan("title: t", "window:", `  start: "01/05/2024 22:00"`, "  end: 2024-05-02T02:00", "steps:", oneStep),
			`p.yaml:3:10: plan: window: start: "01/05/2024 22:00" is not a time (hint: write 2024-05-01T22:00, 2024-05-01 22:00 or 2024-05-01T22:00:00 (read in the window's timezone), or RFC 3339 with an offset such as 2024-05-01T22:00:00+02:00 or 2024-05-01T20:00:00Z)`},
		{"window date without time",
			plan("title: t", "window:", "  start: 2024-05-01", "  end: 2024-05-02T02:00", "steps:", oneStep),
			`p.yaml:3:10: plan: window: start: "2024-05-01" is not a time (hint: write 2024-05-01T22:00, 2024-05-01 22:00 or 2024-05-01T22:00:00 (read in the window's timezone), or RFC 3339 with an offset such as 2024-05-01T22:00:00+02:00 or 2024-05-01T20:00:00Z)`},
		{"window unknown zone",
			plan("title: t", "window:", "  start: 2024-05-01T22:00", "  end: 2024-05-02T02:00", "  timezone: Europe/Amsterdan", "steps:", oneStep),
			`p.yaml:5:13: plan: window: unknown time zone "Europe/Amsterdan" (hint: use an IANA time zone name such as UTC, Europe/Amsterdam or America/New_York (names are case-sensitive))`},
		{"window Local zone",
			plan("title: t", "window:", "  start: 2024-05-01T22:00", "  end: 2024-05-02T02:00", "  timezone: Local", "steps:", oneStep),
			`p.yaml:5:13: plan: window: time zone "Local" depends on the machine (hint: use an IANA time zone name such as UTC, Europe/Amsterdam or America/New_York; Local would mean the zone of whichever machine reads the plan)`},
		{"window ends before it starts",
			plan("title: t", "window:", "  start: 2024-05-02T02:00", "  end: 2024-05-01T22:00", "steps:", oneStep),
			`p.yaml:4:8: plan: window: end 2024-05-01T22:00:00Z is not after start 2024-05-02T02:00:00Z (hint: the window must end after it starts: check the dates, and the offsets if you gave any)`},
		{"window ends when it starts, other offset",
			plan("title: t", "window:", "  start: 2024-05-01T22:00:00Z", "  end: 2024-05-02T00:00:00+02:00", "steps:", oneStep),
			`p.yaml:4:8: plan: window: end 2024-05-01T22:00:00Z is not after start 2024-05-01T22:00:00Z (hint: the window must end after it starts: check the dates, and the offsets if you gave any)`},
		{"window unknown field",
			plan("title: t", "window:", "  start: 2024-05-01T22:00", "  end: 2024-05-02T02:00", "  timzone: UTC", "steps:", oneStep),
			`p.yaml:5:3: plan: window: unknown field "timzone" (hint: did you mean "timezone"?)`},
		{"pre-check without device",
			plan("title: t", "pre_checks:", "  - {name: c, command: show version, expect: {contains: FRRouting}}", "steps:", oneStep),
			`p.yaml:3:5: pre_checks check "c": missing field "device" (hint: add device: the device the check runs on)`},
		{"pre_checks not a list",
			plan("title: t", "pre_checks: {name: c}", "steps:", oneStep),
			`p.yaml:2:13: plan: pre_checks must be a list, found a mapping (hint: write it as a list (- item))`},
		{"duplicate post-check names",
			plan("title: t", "steps:", oneStep, "post_checks:", "  - {name: c, device: p1, command: show version, expect: {contains: FRR}}", "  - {name: c, device: p2, command: show version, expect: {contains: FRR}}"),
			`p.yaml:6:12: post_checks: duplicate check name "c" (hint: the first is at line 5; give each check its own name)`},
		{"device and devices",
			withSteps("  - name: a", "    device: p1", "    devices: [p2]", "    effects: [{type: drain, node: p1}]"),
			`p.yaml:5:5: step "a": both device and devices (hint: use device: for one device or devices: for several, not both)`},
		{"empty devices",
			withSteps("  - name: a", "    devices: []", "    effects: [{type: drain, node: p1}]"),
			`p.yaml:4:5: step "a": devices is empty (hint: list the devices the step configures, such as devices: [r1, r2], or remove devices)`},
		{"devices as a string",
			withSteps("  - name: a", "    devices: p1", "    effects: [{type: drain, node: p1}]"),
			`p.yaml:4:14: step "a": devices must be a list, found "p1" (hint: write devices: [p1, ...], or device: p1 for one device)`},
		{"device listed twice",
			withSteps("  - name: a", "    devices: [p1, p2, p1]", "    effects: [{type: drain, node: p1}]"),
			`p.yaml:4:23: step "a": device "p1" listed twice (hint: list each device once (the first is at p.yaml:4:15))`},
		{"empty device",
			withSteps("  - name: a", `    device: ""`, "    effects: [{type: drain, node: p1}]"),
			`p.yaml:4:13: step "a": device is empty (hint: give the name of the device the step configures)`},
		{"wave with device",
			withSteps("  - name: a", "    device: p1", "    wave: {batch: 1}", "    effects: [{type: drain, node: p1}]"),
			`p.yaml:5:5: step "a": wave without devices (hint: a wave rolls a step out over several devices: list them under devices:, or remove wave)`},
		{"wave without devices",
			withSteps("  - name: a", "    wave: {batch: 1}", "    effects: [{type: drain, node: p1}]"),
			`p.yaml:4:5: step "a": wave without devices (hint: a wave rolls a step out over several devices: list them under devices:, or remove wave)`},
		{"wave batch zero",
			withSteps("  - name: a", "    devices: [p1, p2]", "    wave: {batch: 0}", "    effects: [{type: drain, node: p1}]"),
			`p.yaml:5:19: step "a": wave: batch 0 is less than 1 (hint: use 1 or more: how many devices are changed at a time)`},
		{"wave batch above the devices",
			withSteps("  - name: a", "    devices: [p1, p2]", "    wave: {batch: 3}", "    effects: [{type: drain, node: p1}]"),
			`p.yaml:5:19: step "a": wave: batch 3 is larger than the 2 devices of the step (hint: use a batch from 1 to 2, the number of devices of the step)`},
		{"wave negative max_failures",
			withSteps("  - name: a", "    devices: [p1, p2]", "    wave: {max_failures: -1}", "    effects: [{type: drain, node: p1}]"),
			`p.yaml:5:26: step "a": wave: max_failures -1 is out of range (hint: use 0 (stop at the first failure) or more)`},
		{"wave unknown field",
			withSteps("  - name: a", "    devices: [p1, p2]", "    wave: {batches: 2}", "    effects: [{type: drain, node: p1}]"),
			`p.yaml:5:12: step "a": wave: unknown field "batches" (hint: did you mean "batch"?)`},
		{"config without device",
			withSteps("  - name: a", "    config: [hostname p1]", "    effects: []"),
			`p.yaml:4:5: step "a": config without a device (hint: add device: NAME (or devices: [NAME, ...]) to say which device the configuration is sent to)`},
		{"empty config list",
			withSteps("  - name: a", "    device: p1", "    config: []", "    effects: [{type: drain, node: p1}]"),
			`p.yaml:5:5: step "a": config is empty (hint: give the configuration lines sent to the device, or remove config)`},
		{"null config",
			withSteps("  - name: a", "    device: p1", "    config:", "    effects: [{type: drain, node: p1}]"),
			`p.yaml:5:5: step "a": config is empty (hint: give the configuration lines sent to the device, or remove config)`},
		{"blank config string",
			withSteps("  - name: a", "    device: p1", `    config: "  "`, "    effects: [{type: drain, node: p1}]"),
			`p.yaml:5:13: step "a": config is empty (hint: give the configuration lines sent to the device, or remove config)`},
		{"config as a mapping",
			withSteps("  - name: a", "    device: p1", "    config: {interface: eth1}", "    effects: [{type: drain, node: p1}]"),
			`p.yaml:5:13: step "a": config must be lines of text, found a mapping (hint: write the lines as a block string (config: | and the lines below it, indented) or as a list of strings)`},
		{"config item with a line break",
			withSteps("  - name: a", "    device: p1", "    config:", `      - "interface eth1\n ip ospf cost 10"`, "    effects: [{type: drain, node: p1}]"),
			`p.yaml:6:9: step "a": config line 1 holds a line break (hint: give one line per item, or write the lines as a block string (config: | and the lines below it))`},
		{"config item not a scalar",
			withSteps("  - name: a", "    device: p1", "    config:", "      - [interface eth1]", "    effects: [{type: drain, node: p1}]"),
			`p.yaml:6:9: step "a": config line 1 must be a scalar value, found a list (hint: give a single value)`},
		{"rollback_config without config",
			withSteps("  - name: a", "    device: p1", "    rollback_config: [no hostname]", "    effects: [{type: drain, node: p1}]"),
			`p.yaml:5:5: step "a": rollback_config without config (hint: rollback_config undoes config: add config, or remove rollback_config)`},
		{"empty rollback_config",
			withSteps("  - name: a", "    device: p1", "    config: [hostname p1]", "    rollback_config: []", "    effects: [{type: drain, node: p1}]"),
			`p.yaml:6:5: step "a": rollback_config is empty (hint: give the configuration lines that undo config, or remove rollback_config)`},
		{"null effects with config",
			withSteps("  - name: a", "    device: p1", "    config: [hostname p1]", "    effects:"),
			`p.yaml:6:5: step "a": effects is empty (hint: list what the step changes in the model under effects:, such as - {type: link_down, link: p1-p2}, or write effects: [] if the configuration does not change forwarding)`},
		{"soak not a duration",
			withSteps("  - name: a", "    effects: [{type: drain, node: p1}]", "    soak: 5 minutes"),
			`p.yaml:5:11: step "a": soak: "5 minutes" is not a duration (hint: write a duration with a unit, such as 30s, 5m or 1h30m)`},
		{"soak without unit",
			withSteps("  - name: a", "    effects: [{type: drain, node: p1}]", "    soak: 30"),
			`p.yaml:5:11: step "a": soak: "30" is not a duration (hint: write a duration with a unit, such as 30s, 5m or 1h30m)`},
		{"negative soak",
			withSteps("  - name: a", "    effects: [{type: drain, node: p1}]", "    soak: -5m"),
			`p.yaml:5:11: step "a": soak: "-5m" is negative (hint: use 0 or more, such as 5m)`},
		{"check without name",
			withSteps("  - name: a", "    device: p1", "    effects: [{type: drain, node: p1}]", "    checks:", "      - {command: show version, expect: {contains: FRR}}"),
			`p.yaml:7:9: step "a" check 1: missing field "name" (hint: add name: a short name, unique within its list)`},
		{"check without command",
			withSteps("  - name: a", "    device: p1", "    effects: [{type: drain, node: p1}]", "    checks:", "      - {name: c, expect: {contains: FRR}}"),
			`p.yaml:7:9: step "a" check "c": missing field "command" (hint: add command: the command whose output is checked, such as show bgp summary)`},
		{"blank command",
			withSteps("  - name: a", "    device: p1", "    effects: [{type: drain, node: p1}]", "    checks:", `      - {name: c, command: " ", expect: {contains: FRR}}`),
			`p.yaml:7:28: step "a" check "c": command is empty (hint: give the command whose output is checked, such as show bgp summary)`},
		{"check without expect",
			withSteps("  - name: a", "    device: p1", "    effects: [{type: drain, node: p1}]", "    checks:", "      - {name: c, command: show version}"),
			`p.yaml:7:9: step "a" check "c": missing field "expect" (hint: add expect: with one of contains: TEXT, regex: RE, json: EXPR or textfsm: {template: FILE, rego: EXPR})`},
		{"null expect",
			withSteps("  - name: a", "    device: p1", "    effects: [{type: drain, node: p1}]", "    checks:", "      - name: c", "        command: show version", "        expect:"),
			`p.yaml:9:9: step "a" check "c": expect is empty (hint: give one of contains: TEXT, regex: RE, json: EXPR or textfsm: {template: FILE, rego: EXPR})`},
		{"expect without a test",
			withSteps("  - name: a", "    device: p1", "    effects: [{type: drain, node: p1}]", "    checks:", "      - {name: c, command: show version, expect: {}}"),
			`p.yaml:7:50: step "a" check "c": expect names no test (hint: give one of contains: TEXT, regex: RE, json: EXPR or textfsm: {template: FILE, rego: EXPR})`},
		{"expect with two tests",
			withSteps("  - name: a", "    device: p1", "    effects: [{type: drain, node: p1}]", "    checks:", "      - {name: c, command: show version, expect: {contains: FRR, regex: 'FRR.*'}}"),
			`p.yaml:7:66: step "a" check "c": expect has both contains and regex (hint: keep one: a check tests its output one way; to test it contains and regex as well, add another check)`},
		{"unknown expect kind",
			withSteps("  - name: a", "    device: p1", "    effects: [{type: drain, node: p1}]", "    checks:", "      - {name: c, command: show version, expect: {contain: FRR}}"),
			`p.yaml:7:51: step "a" check "c": expect: unknown field "contain" (hint: did you mean "contains"?)`},
		{"bad regex",
			withSteps("  - name: a", "    device: p1", "    effects: [{type: drain, node: p1}]", "    checks:", "      - {name: c, command: show version, expect: {regex: 'FRR (.*'}}"),
			"p.yaml:7:58: step \"a\" check \"c\": expect regex: missing closing ): `FRR (.*` (hint: fix the regular expression (Go RE2 syntax: https://pkg.go.dev/regexp/syntax); in YAML, quote it with ' so backslashes stay as written)"},
		{"empty contains",
			withSteps("  - name: a", "    device: p1", "    effects: [{type: drain, node: p1}]", "    checks:", `      - {name: c, command: show version, expect: {contains: ""}}`),
			`p.yaml:7:61: step "a" check "c": expect contains is empty (hint: give the text the output must contain)`},
		{"empty json",
			withSteps("  - name: a", "    device: p1", "    effects: [{type: drain, node: p1}]", "    checks:", "      - {name: c, command: show version json, expect: {json: }}"),
			`p.yaml:7:62: step "a" check "c": expect json must be a scalar value, found an empty value (hint: give a single value)`},
		{"negative retries",
			withSteps("  - name: a", "    device: p1", "    effects: [{type: drain, node: p1}]", "    checks:", "      - {name: c, command: show version, expect: {contains: FRR}, retries: -1}"),
			`p.yaml:7:76: step "a" check "c": retries -1 is out of range (hint: use 0 (try once) or more)`},
		{"retries not a number",
			withSteps("  - name: a", "    device: p1", "    effects: [{type: drain, node: p1}]", "    checks:", "      - {name: c, command: show version, expect: {contains: FRR}, retries: many}"),
			`p.yaml:7:76: step "a" check "c": retries: "many" is not an integer (hint: use a whole number such as 10)`},
		{"bad interval",
			withSteps("  - name: a", "    device: p1", "    effects: [{type: drain, node: p1}]", "    checks:", "      - {name: c, command: show version, expect: {contains: FRR}, interval: 5 s}"),
			`p.yaml:7:77: step "a" check "c": interval: "5 s" is not a duration (hint: write a duration with a unit, such as 30s, 5m or 1h30m)`},
		{"zero timeout",
			withSteps("  - name: a", "    device: p1", "    effects: [{type: drain, node: p1}]", "    checks:", "      - {name: c, command: show version, expect: {contains: FRR}, timeout: 0s}"),
			`p.yaml:7:76: step "a" check "c": timeout must be greater than zero (hint: give how long one try may take, such as 30s)`},
		{"negative timeout",
			withSteps("  - name: a", "    device: p1", "    effects: [{type: drain, node: p1}]", "    checks:", "      - {name: c, command: show version, expect: {contains: FRR}, timeout: -1s}"),
			`p.yaml:7:76: step "a" check "c": timeout: "-1s" is negative (hint: give how long one try may take, such as 30s)`},
		{"check misspelt field",
			withSteps("  - name: a", "    device: p1", "    effects: [{type: drain, node: p1}]", "    checks:", "      - {name: c, comand: show version, command: show version, expect: {contains: FRR}}"),
			`p.yaml:7:19: step "a" check 1: unknown field "comand" (hint: did you mean "command"?)`},
		{"step check without device in a step without devices",
			withSteps("  - name: a", "    effects: [{type: drain, node: p1}]", "    checks:", "      - {name: c, command: show version, expect: {contains: FRR}}"),
			`p.yaml:6:9: step "a" check "c": names no device (hint: add device: the device the check runs on (a step's check without one runs on the step's devices, and this step has none))`},
		{"duplicate step check names",
			withSteps("  - name: a", "    device: p1", "    effects: [{type: drain, node: p1}]", "    checks:", "      - {name: c, command: show version, expect: {contains: FRR}}", "      - {name: c, command: show version, expect: {contains: FRR}}"),
			`p.yaml:8:16: step "a": duplicate check name "c" (hint: the first is at line 7; give each check its own name)`},
		{"checks not a list",
			withSteps("  - name: a", "    device: p1", "    effects: [{type: drain, node: p1}]", "    checks: {name: c}"),
			`p.yaml:6:13: step "a": checks must be a list, found a mapping (hint: write it as a list (- item))`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantOneError(t, tt.in, tt.want) })
	}
}

func TestParseFullPlan(t *testing.T) {
	in := plan(
		"id: CHG-7",                        // 1
		"title: Cost out p2",               // 2
		"description: |",                   // 3
		"  Two lines",                      // 4
		"  of description.",                // 5
		"author: Jane",                     // 6
		"ticket: NET-1",                    // 7
		"risk: high",                       // 8
		"window:",                          // 9
		"  start: 2024-05-01 22:00",        // 10
		"  end: 2024-05-02T01:30:00+02:00", // 11
		"  timezone: Europe/Amsterdam",     // 12
		"topology: net/topo.yaml",          // 13
		"traffic: peak.csv",                // 14
		"inventory: /etc/inventory.yaml",   // 15
		"pre_checks:",                      // 16
		"  - {name: up, device: p2, command: show version, expect: {contains: FRRouting}}", // 17
		"steps:",                     // 18
		"  - name: cost out",         // 19
		"    device: p2",             // 20
		"    config: |",              // 21
		"      interface eth4",       // 22
		"       ip ospf cost 500",    // 23
		"    rollback_config:",       // 24
		"      - interface eth4",     // 25
		"      - ' ip ospf cost 10'", // 26
		"    effects:",               // 27
		"      - {type: set_metric, link: p2-p4, metric: 500, from: p2}", // 28
		"    checks:",        // 29
		"      - name: cost", // 30
		"        command: show ip ospf interface eth4",     // 31
		"        expect: {regex: 'Cost: 500\\b'}",          // 32
		"        retries: 2",                               // 33
		"        interval: 1m",                             // 34
		"        timeout: 90s",                             // 35
		"    soak: 1h30m",                                  // 36
		"  - name: bfd",                                    // 37
		"    devices: [p1, p2, p3]",                        // 38
		"    wave: {batch: 2, max_failures: 1}",            // 39
		"    config: [router ospf, ' bfd all-interfaces']", // 40
		"    effects: []",                                  // 41
		"    rollback: []",                                 // 42
		"    checks:",                                      // 43
		"      - name: bfd up",                             // 44
		"        device: p4",                               // 45
		"        command: show bfd peers json",             // 46
		"        expect:",                                  // 47
		"          json: count(output) >= 3",               // 48
		"post_checks:",                                     // 49
		"  - {name: down, device: p4, command: show int eth4, expect: {contains: ' 0 bits/sec'}}", // 50
	)
	pos := func(line, col int) diag.Pos { return diag.Pos{File: "dir/p.yaml", Line: line, Col: col} }
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	want := &Plan{
		ID: "CHG-7", Title: "Cost out p2", Description: "Two lines\nof description.", Author: "Jane", Ticket: "NET-1",
		Risk: RiskHigh,
		Window: &Window{
			Start:    time.Date(2024, 5, 1, 22, 0, 0, 0, ams),
			End:      time.Date(2024, 5, 2, 1, 30, 0, 0, ams),
			TimeZone: "Europe/Amsterdam", Pos: pos(10, 3),
		},
		Topology: "net/topo.yaml", Traffic: "peak.csv", Inventory: "/etc/inventory.yaml",
		TopologyPos: pos(13, 11), TrafficPos: pos(14, 10), InventoryPos: pos(15, 12),
		PreChecks: []Check{{
			Name: "up", Device: "p2", Command: "show version",
			Expect:   Expect{Kind: ExpectContains, Value: "FRRouting", Pos: pos(17, 59)},
			Interval: 5 * time.Second, Timeout: 30 * time.Second, DevicePos: pos(17, 24), Pos: pos(17, 5),
		}},
		Steps: []Step{
			{
				Name: "cost out", Devices: []string{"p2"}, DevicePos: map[string]diag.Pos{"p2": pos(20, 13)},
				Config:            []string{"interface eth4", " ip ospf cost 500"},
				RollbackConfig:    []string{"interface eth4", " ip ospf cost 10"},
				ConfigPos:         []diag.Pos{pos(22, 7), pos(23, 7)},
				RollbackConfigPos: []diag.Pos{pos(25, 9), pos(26, 9)},
				Effects:           []Effect{{Type: SetMetric, Link: "p2-p4", Metric: 500, From: "p2", LinkPos: pos(28, 34), FromPos: pos(28, 60), Pos: pos(28, 9)}},
				Checks: []Check{{
					Name: "cost", Command: "show ip ospf interface eth4",
					Expect:  Expect{Kind: ExpectRegex, Value: `Cost: 500\b`, Pos: pos(32, 17)},
					Retries: 2, Interval: time.Minute, Timeout: 90 * time.Second, Pos: pos(30, 9),
				}},
				Soak: 90 * time.Minute,
				Pos:  pos(19, 5),
			},
			{
				Name: "bfd", Devices: []string{"p1", "p2", "p3"}, DevicePos: map[string]diag.Pos{"p1": pos(38, 15), "p2": pos(38, 19), "p3": pos(38, 23)},
				Wave:        &Wave{Batch: 2, MaxFailures: 1, Pos: pos(39, 11)},
				Config:      []string{"router ospf", " bfd all-interfaces"},
				ConfigPos:   []diag.Pos{pos(40, 14), pos(40, 27)},
				Effects:     []Effect{},
				HasRollback: true,
				Checks: []Check{{
					Name: "bfd up", Device: "p4", Command: "show bfd peers json",
					Expect:   Expect{Kind: ExpectJSON, Value: "count(output) >= 3", Pos: pos(48, 11)},
					Interval: 5 * time.Second, Timeout: 30 * time.Second, DevicePos: pos(45, 17), Pos: pos(44, 9),
				}},
				Pos: pos(37, 5),
			},
		},
		PostChecks: []Check{{
			Name: "down", Device: "p4", Command: "show int eth4",
			Expect:   Expect{Kind: ExpectContains, Value: " 0 bits/sec", Pos: pos(50, 62)},
			Interval: 5 * time.Second, Timeout: 30 * time.Second, DevicePos: pos(50, 26), Pos: pos(50, 5),
		}},
		File: "dir/p.yaml", Pos: pos(1, 1),
	}
	got, ds := Parse("dir/p.yaml", in)
	if len(ds) != 0 {
		t.Fatalf("unexpected diagnostics: %v", ds)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plan mismatch (-want +got):\n%s", diff)
	}
	if got.Window.Start.Location().String() != "Europe/Amsterdam" || got.Window.End.Location().String() != "Europe/Amsterdam" {
		t.Errorf("window times are in %v and %v, want the window's zone", got.Window.Start.Location(), got.Window.End.Location())
	}
	if diff := cmp.Diff([]string{"p1", "p2", "p3", "p4"}, got.Devices()); diff != "" {
		t.Errorf("Devices() (-want +got):\n%s", diff)
	}
	for _, c := range []struct{ got, want string }{
		{got.TopologyPath(), filepath.Join("dir", "net", "topo.yaml")},
		{got.TrafficPath(), filepath.Join("dir", "peak.csv")},
		{got.InventoryPath(), "/etc/inventory.yaml"},
	} {
		if c.got != c.want {
			t.Errorf("path %q, want %q", c.got, c.want)
		}
	}
}

func TestDevicesOfAPlanWithoutDevices(t *testing.T) {
	p := parsed(t, string(withSteps(oneStep)))
	if d := p.Devices(); d == nil || len(d) != 0 {
		t.Errorf("Devices() = %#v, want an empty slice", d)
	}
	if p.TrafficPath() != "" || p.InventoryPath() != "" {
		t.Errorf("paths of a plan that names none: %q, %q", p.TrafficPath(), p.InventoryPath())
	}
}

// TestConfigForms checks that every way of writing configuration lines
// gives the lines as written, indentation included.
func TestConfigForms(t *testing.T) {
	want := []string{"interface eth4", " ip ospf cost 500", "", " ip ospf bfd"}
	tests := []struct {
		name  string
		lines []string
		want  []string
	}{
		{"block string", []string{"    config: |", "      interface eth4", "       ip ospf cost 500", "", "       ip ospf bfd"}, want},
		{"block string without final line break", []string{"    config: |-", "      interface eth4", "       ip ospf cost 500", "", "       ip ospf bfd"}, want},
		{"block string with explicit indentation", []string{"    config: |2", "       interface eth4", "        ip ospf cost 500", "", "        ip ospf bfd"},
			[]string{" interface eth4", "  ip ospf cost 500", "", "  ip ospf bfd"}},
		{"list", []string{"    config:", "      - interface eth4", "      - ' ip ospf cost 500'", "      - ''", "      - ' ip ospf bfd'"}, want},
		{"flow list", []string{`    config: [interface eth4, " ip ospf cost 500", "", " ip ospf bfd"]`}, want},
		{"quoted string", []string{`    config: "interface eth4\n ip ospf cost 500\n\n ip ospf bfd\n"`}, want},
		{"one line", []string{"    config: hostname p1"}, []string{"hostname p1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := append([]string{"  - name: a", "    device: p1"}, tt.lines...)
			lines = append(lines, "    effects: []")
			p, ds := Parse("p.yaml", withSteps(lines...))
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			if diff := cmp.Diff(tt.want, p.Steps[0].Config); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWindowForms checks every accepted way of writing a window time, in
// both the string and the !!timestamp forms YAML gives them.
func TestWindowForms(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2011, 4, 21, 0, 30, 0, 0, ny) // 04:30 UTC
	tests := []struct {
		start, timezone string
	}{
		{"2011-04-21T00:30", "America/New_York"},
		{"2011-04-21 00:30", "America/New_York"},
		{"2011-04-21T00:30:00", "America/New_York"},
		{"2011-04-21 00:30:00", "America/New_York"}, // YAML tags it !!timestamp
		{`"2011-04-21T00:30:00"`, "America/New_York"},
		{"2011-04-21T00:30:00-04:00", "America/New_York"}, // !!timestamp, offset used as is
		{"2011-04-21T04:30:00Z", "America/New_York"},
		{"'2011-04-21T06:30:00+02:00'", "America/New_York"},
		{"2011-04-21T04:30", ""}, // UTC by default
		{"2011-04-21T04:30:00Z", "UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.start+" "+tt.timezone, func(t *testing.T) {
			lines := []string{"title: t", "window:", "  start: " + tt.start, "  end: 2011-04-21T09:00:00Z"}
			if tt.timezone != "" {
				lines = append(lines, "  timezone: "+tt.timezone)
			}
			p, ds := Parse("p.yaml", plan(append(lines, "steps:", oneStep)...))
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			if !p.Window.Start.Equal(start) {
				t.Errorf("start = %v, want %v", p.Window.Start, start.UTC())
			}
			zone := tt.timezone
			if zone == "" {
				zone = "UTC"
			}
			if p.Window.TimeZone != zone || p.Window.Start.Location().String() != zone {
				t.Errorf("zone %q, start in %v; want %q", p.Window.TimeZone, p.Window.Start.Location(), zone)
			}
		})
	}
}

func TestParseDefaults(t *testing.T) {
	p := parsed(t, string(withSteps(
		"  - name: a",
		"    devices: [p1, p2]",
		"    wave: {}",
		"    effects: [{type: drain, node: p1}]",
		"    soak: 0",
		"    checks: [{name: c, command: show version, expect: {contains: FRR}}]",
	)))
	s := p.Steps[0]
	if s.Wave == nil || s.Wave.Batch != 1 || s.Wave.MaxFailures != 0 {
		t.Errorf("wave = %+v, want batch 1, max_failures 0", s.Wave)
	}
	c := s.Checks[0]
	if c.Retries != 0 || c.Interval != DefaultCheckInterval || c.Timeout != DefaultCheckTimeout || c.Device != "" {
		t.Errorf("check = %+v, want the defaults", c)
	}
	if s.Soak != 0 || s.HasRollback || s.Effects == nil {
		t.Errorf("step = %+v", s)
	}
	if p.Risk != "" || p.Window != nil || p.PreChecks != nil {
		t.Errorf("plan = %+v, want no risk, window or pre-checks", p)
	}
}

// TestFullPlanReportsAllProblemsAtOnce checks that problems in the new
// fields do not hide one another or the old ones.
func TestFullPlanReportsAllProblemsAtOnce(t *testing.T) {
	_, ds := Parse("p.yaml", plan(
		"title: t",
		"risk: hihg",
		"window: {start: tonight, end: 2024-05-01T22:00, timezone: Mars/Olympus}",
		"steps:",
		"  - name: a",
		"    devices: [p1, p1]",
		"    wave: {batch: 0}",
		"    rollback_config: [x]",
		"    effects: [{type: set_metrc, link: p1-p2, metric: 1}]",
		"    checks: [{name: c, command: x, expect: {regex: '('}, timeout: 0s}]",
		"    soak: soon",
	))
	var got []string
	for _, d := range ds {
		got = append(got, d.Pos.String())
	}
	want := []string{"p.yaml:2:7", "p.yaml:3:17", "p.yaml:3:59", "p.yaml:6:19", "p.yaml:7:19", "p.yaml:8:5",
		"p.yaml:9:22", "p.yaml:10:52", "p.yaml:10:67", "p.yaml:11:11"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("positions mismatch (-want +got):\n%s\nall: %v", diff, ds)
	}
}

// TestJSON checks the JSON form: durations in seconds, window times in
// UTC, and a round trip that keeps the plan (but for positions).
func TestJSON(t *testing.T) {
	p, ds, err := LoadFile(context.Background(), "testdata/good-full-plan.yaml", userfile.Scope{})
	if err != nil || ds.HasErrors() {
		t.Fatal(err, ds)
	}
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		`"window":{"start":"2011-04-21T04:30:00Z","end":"2011-04-21T08:00:00Z","timezone":"America/New_York"}`,
		`"soak_seconds":300`, `"soak_seconds":90`, `"interval_seconds":10,"timeout_seconds":30`,
		`"expect":{"kind":"json","value":"count(output.neighbors) \u003e= 4"}`,
		`"devices":["p1","p2","p3","p4"],"wave":{"batch":2,"max_failures":0}`,
	} {
		if !strings.Contains(string(data), w) {
			t.Errorf("JSON lacks %s:\n%s", w, data)
		}
	}
	if strings.Contains(string(data), `"Pos"`) || strings.Contains(string(data), "good-full-plan") {
		t.Errorf("JSON holds positions or the file name:\n%s", data)
	}
	var back Plan
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	ignore := cmpopts.IgnoreFields(Plan{}, "File", "Pos", "TopologyPos", "TrafficPos", "InventoryPos")
	noPos := cmp.FilterPath(func(p cmp.Path) bool { return strings.HasSuffix(p.Last().String(), "Pos") }, cmp.Ignore())
	if diff := cmp.Diff(p, &back, ignore, noPos); diff != "" {
		t.Errorf("round trip (-parsed +back):\n%s", diff)
	}
	if back.Window.Start.Location().String() != "America/New_York" {
		t.Errorf("window start back in %v", back.Window.Start.Location())
	}
	if back.Digest() != p.Digest() {
		t.Error("round trip changed the digest")
	}
}
