package plans

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/changegate/changegate/diag"
)

// deviceRule says whether a check must name its device.
type deviceRule int

const (
	// deviceRequired: plan-level checks always name their device.
	deviceRequired deviceRule = iota
	// deviceFromStep: a step's check without a device runs on the step's devices.
	deviceFromStep
	// deviceStepHasNone: the step names no device, so its checks must.
	deviceStepHasNone
)

// checks parses a list of checks; what names the list and prefix its
// checks in messages ("plan: pre_checks" and "pre_checks", `step "a":
// checks` and `step "a"`).
func (ps *parser) checks(v *yaml.Node, what, prefix string, rule deviceRule) []Check {
	items, _ := ps.list(v, what)
	var out []Check
	names := map[string]*yaml.Node{}
	for i, it := range items {
		c, nameNode := ps.check(it, fmt.Sprintf("%s check %d", prefix, i+1), prefix, rule)
		if nameNode != nil {
			if first, dup := names[c.Name]; dup {
				ps.y.Errorf(nameNode, fmt.Sprintf("the first is at line %d; give each check its own name", first.Line),
					"%s: duplicate check name %q", prefix, c.Name)
			} else {
				names[c.Name] = nameNode
			}
		}
		out = append(out, c)
	}
	return out
}

// check parses one check. It returns the name node when the check has a
// valid name, for the duplicate check.
func (ps *parser) check(n *yaml.Node, label, prefix string, rule deviceRule) (Check, *yaml.Node) {
	c := Check{Interval: DefaultCheckInterval, Timeout: DefaultCheckTimeout, Pos: ps.y.Pos(n)}
	f, ok := ps.mapping(n, label, "name", "device", "command", "expect", "retries", "interval", "timeout")
	if !ok {
		return c, nil
	}
	var nameNode *yaml.Node
	if v, ok := f.Vals["name"]; ok {
		c.Name = ps.checked(v, label+": name", "give the check a short name, unique within its list", diag.KindLine)
		if c.Name != "" {
			nameNode = v
			label = fmt.Sprintf("%s check %q", prefix, c.Name)
		}
	} else {
		ps.y.Errorf(n, "add name: a short name, unique within its list", "%s: missing field %q", label, "name")
	}
	if v, ok := f.Vals["device"]; ok {
		c.Device, c.DevicePos = ps.text(v, label+": device", "give the name of the device the check runs on"), ps.y.Pos(v)
	} else {
		switch rule {
		case deviceRequired:
			ps.y.Errorf(n, "add device: the device the check runs on", "%s: missing field %q", label, "device")
		case deviceStepHasNone:
			ps.y.Errorf(n, "add device: the device the check runs on (a step's check without one runs on the step's devices, and this step has none)",
				"%s: names no device", label)
		}
	}
	if v, ok := f.Vals["command"]; ok {
		c.Command = ps.checked(v, label+": command", "give the command whose output is checked, such as show bgp summary", diag.KindLine)
	} else {
		ps.y.Errorf(n, "add command: the command whose output is checked, such as show bgp summary", "%s: missing field %q", label, "command")
	}
	if v, ok := f.Vals["expect"]; ok {
		c.Expect = ps.expect(f.Keys["expect"], v, label)
	} else {
		ps.y.Errorf(n, "add expect: with one of "+expectForms, "%s: missing field %q", label, "expect")
	}
	if v, ok := f.Vals["retries"]; ok {
		if r, ok := ps.y.Int(v, label+": retries"); ok {
			if r < 0 || r > 1<<31-1 {
				ps.y.Errorf(v, "use 0 (try once) or more", "%s: retries %d is out of range", label, r)
			} else {
				c.Retries = int(r)
			}
		}
	}
	if v, ok := f.Vals["interval"]; ok {
		if d, ok := ps.duration(v, label+": interval", "use 0 or more, such as 5s"); ok {
			c.Interval = d
		}
	}
	if v, ok := f.Vals["timeout"]; ok {
		d, ok := ps.duration(v, label+": timeout", "give how long one try may take, such as 30s")
		switch {
		case ok && d == 0:
			ps.y.Errorf(v, "give how long one try may take, such as 30s", "%s: timeout must be greater than zero", label)
		case ok:
			c.Timeout = d
		}
	}
	return c, nameNode
}

// expectForms lists the forms of expect, for hints.
const expectForms = "contains: TEXT, regex: RE, json: EXPR or textfsm: {template: FILE, rego: EXPR}"

// expect parses the expect mapping of a check: exactly one of the kinds.
func (ps *parser) expect(k, v *yaml.Node, label string) Expect {
	const hint = "give one of " + expectForms
	e := Expect{Pos: ps.y.Pos(v)}
	if diag.IsNull(v) {
		ps.y.Errorf(k, hint, "%s: expect is empty", label)
		return e
	}
	names := make([]string, 0, len(ExpectKinds()))
	for _, kind := range ExpectKinds() {
		names = append(names, string(kind))
	}
	f, ok := ps.mapping(v, label+": expect", names...)
	if !ok {
		return e
	}
	var given []string
	for _, name := range names {
		if _, ok := f.Keys[name]; ok {
			given = append(given, name)
		}
	}
	switch len(given) {
	case 0:
		if len(v.Content) == 0 { // otherwise its unknown keys were reported
			ps.y.Errorf(v, hint, "%s: expect names no test", label)
		}
		return e
	case 1:
	default:
		sort.Slice(given, func(i, j int) bool { return before(f.Keys[given[i]], f.Keys[given[j]]) })
		for _, name := range given[1:] {
			ps.y.Errorf(f.Keys[name], fmt.Sprintf("keep one: a check tests its output one way; to test it %s and %s as well, add another check", given[0], name),
				"%s: expect has both %s and %s", label, given[0], name)
		}
		return e
	}
	e.Kind = ExpectKind(given[0])
	val := f.Vals[given[0]]
	what := fmt.Sprintf("%s: expect %s", label, e.Kind)
	switch e.Kind {
	case ExpectContains:
		e.Value = ps.checked(val, what, "give the text the output must contain", diag.KindBlock)
	case ExpectRegex:
		e.Value = ps.checked(val, what, "give a regular expression the output must match, such as 'Established|Full'", diag.KindBlock)
		if e.Value != "" {
			if _, err := regexp.Compile(e.Value); err != nil {
				ps.y.Errorf(val, "fix the regular expression (Go RE2 syntax: https://pkg.go.dev/regexp/syntax); in YAML, quote it with ' so backslashes stay as written",
					"%s: %s", what, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
				e.Value = ""
			}
		}
	case ExpectJSON:
		e.Value = ps.checked(val, what, "give a Rego expression over output that must be true, such as output.state == \"Established\"", diag.KindBlock)
	case ExpectTextFSM:
		ps.textFSM(f.Keys[given[0]], val, what, &e)
	}
	return e
}

// before reports whether a comes before b in the file.
func before(a, b *yaml.Node) bool {
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return a.Column < b.Column
}

const durationHint = "write a duration with a unit, such as 30s, 5m or 1h30m"

// duration parses a Go duration of 0 or more ("0" is allowed without a
// unit); negHint is the hint for a negative one. ok is false when the
// value was reported.
func (ps *parser) duration(v *yaml.Node, what, negHint string) (time.Duration, bool) {
	s, ok := ps.y.String(v, what)
	if !ok {
		return 0, false
	}
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "-") {
		ps.y.Errorf(v, negHint, "%s: %q is negative", what, s)
		return 0, false
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		ps.y.Errorf(v, durationHint, "%s: %q is not a duration", what, s)
		return 0, false
	}
	return d, true
}
