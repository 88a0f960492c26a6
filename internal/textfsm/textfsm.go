package textfsm

import (
	"bufio"
	"fmt"
	"maps"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/sirikothe/gotextfsm"

	"github.com/changegate/changegate/diag"
)

// Template is a compiled TextFSM template. Its methods may be called from
// any number of goroutines.
type Template struct {
	fsm    gotextfsm.TextFSM
	values []string // Value names, in template order
}

// Error is a problem with a template, at Line (1-based) of its text, or
// with no line (0) when it is about the template as a whole, such as a
// missing Start state.
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// maxLine bounds one line of output (and of a template); bufio's default,
// 64 KiB, is short for some show commands on one line.
const maxLine = 1 << 20

// Compile parses a template. A problem with it is an *Error.
func Compile(text string) (t *Template, err error) {
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, &Error{Msg: "the TextFSM parser failed on this template: " + clipMsg(fmt.Sprint(r))}
		}
	}()
	if strings.TrimSpace(text) == "" {
		return nil, &Error{Line: 1, Msg: "the template is empty"}
	}
	lines := splitLines(text)
	if err := checkValueNames(lines); err != nil {
		return nil, err
	}
	t = &Template{}
	if err := t.fsm.ParseScanner(scanner(text)); err != nil {
		return nil, templateError(text, err)
	}
	if err := t.valueNames(lines); err != nil {
		return nil, err
	}
	if err := checkReferences(lines, t.fsm.Values); err != nil {
		return nil, err
	}
	return t, nil
}

// Values returns the names of the template's Values, in template order.
func (t *Template) Values() []string { return append([]string(nil), t.values...) }

// Parse runs the template over text and returns the records it makes, in
// order. In a record every Value of the template has a value: a string,
// or for a List Value a []any of strings (of map[string]any, for a List
// whose regex has named groups); a Value whose regex has named groups
// (and is not a List) is a map[string]any of the groups. An error is the
// template's Error action, or a line of text over 1 MiB.
func (t *Template) Parse(text string) (records []map[string]any, err error) {
	defer func() {
		if r := recover(); r != nil {
			records, err = nil, fmt.Errorf("the TextFSM parser failed on this output: %v", r)
		}
	}()
	// gotextfsm keeps the record being built in the template's Values:
	// each parse gets its own copy of them.
	fsm := t.fsm
	fsm.Values = maps.Clone(t.fsm.Values)
	var out gotextfsm.ParserOutput
	out.Reset(fsm)
	if err := out.ParseTextScanner(scanner(text), fsm, true); err != nil {
		return nil, outputError(err)
	}
	records = make([]map[string]any, len(out.Dict))
	for i, d := range out.Dict {
		r := make(map[string]any, len(d))
		for k, v := range d {
			r[k] = plain(v)
		}
		records[i] = r
	}
	return records, nil
}

// plain turns gotextfsm's values into the types encoding/json and OPA
// read: strings, []any and map[string]any.
func plain(v any) any {
	switch v := v.(type) {
	case []string:
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		return out
	case map[string]string:
		out := make(map[string]any, len(v))
		for k, s := range v {
			out[k] = s
		}
		return out
	case []map[string]string:
		out := make([]any, len(v))
		for i, m := range v {
			out[i] = plain(m)
		}
		return out
	case nil:
		return ""
	}
	return v
}

func scanner(text string) *bufio.Scanner {
	s := bufio.NewScanner(strings.NewReader(text))
	s.Buffer(nil, maxLine)
	return s
}

// splitLines splits text as bufio.ScanLines does, so that line numbers
// agree with gotextfsm's.
func splitLines(text string) []string {
	var ls []string
	s := scanner(text)
	for s.Scan() {
		ls = append(ls, s.Text())
	}
	return ls
}

// valueNames records the names of the Value lines of a compiled template,
// in order, and reports a name declared twice (gotextfsm keeps the last).
func (t *Template) valueNames(lines []string) *Error {
	first := map[string]int{}
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			break
		}
		if !strings.HasPrefix(l, "Value ") {
			continue
		}
		f := strings.Fields(l)
		if len(f) < 3 {
			continue // gotextfsm refuses it
		}
		name := f[1]
		if !strings.HasPrefix(f[2], "(") {
			name = f[2]
		}
		if at, dup := first[name]; dup {
			return &Error{Line: i + 1, Msg: fmt.Sprintf("Value %s is declared twice (first at line %d)", name, at)}
		}
		first[name] = i + 1
		t.values = append(t.values, name)
	}
	return nil
}

// valueName is what a Value's name may be, as Python's TextFSM has it:
// letters, digits and underscores, at most maxValueName of them. gotextfsm
// takes any name, and one with a regular expression's characters breaks
// the rules it is put in.
var valueName = regexp.MustCompile(`^\w+$`)

const maxValueName = 48

// checkValueNames reports the first Value line (in the block of Value
// lines that starts the template) whose name is not a valueName.
func checkValueNames(lines []string) *Error {
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			break
		}
		f := strings.Fields(l)
		if len(f) < 3 || f[0] != "Value" {
			continue // gotextfsm says what is wrong with it
		}
		name := f[1]
		if !strings.HasPrefix(f[2], "(") {
			name = f[2] // Value OPTIONS NAME (REGEX)
		}
		if !valueName.MatchString(name) || len(name) > maxValueName {
			return &Error{Line: i + 1, Msg: fmt.Sprintf("Value name %s: use at most %d letters, digits and underscores", diag.Excerpt(name), maxValueName)}
		}
	}
	return nil
}

var (
	// gotextfsm writes the line of a problem in three ways.
	lineFirst = regexp.MustCompile(`^(\d+) Line: (.*)$`)
	lineAfter = regexp.MustCompile(`^Line (\d+): (.*)$`)
	lineLast  = regexp.MustCompile(`^(.*?)\.? Line: (\d+)\.?$`)
	missing   = regexp.MustCompile(`^State '(\w+)' not found, referenced in state '(\w+)'$`)
)

// What gotextfsm's messages quote of the template: a regex, a rule or a
// name between single quotes (followed by a space, a full stop or the
// end, as a regex may hold quotes), and in the regexp package's errors
// that it quotes, an expression between backquotes.
var (
	quoted     = regexp.MustCompile(`'(.*?)'([ .]|$)`)
	backquoted = regexp.MustCompile("`([^`]*)`")
)

// clipMsg clips what a message of gotextfsm (or of the regexp package
// under it) quotes of the template, and every other word longer than an
// excerpt, so that no more of the template is shown than diag.Excerpt
// shows.
func clipMsg(msg string) string {
	msg = backquoted.ReplaceAllStringFunc(msg, func(m string) string {
		return "`" + diag.Clip(m[1:len(m)-1]) + "`"
	})
	msg = quoted.ReplaceAllStringFunc(msg, func(m string) string {
		sm := quoted.FindStringSubmatch(m)
		if strings.Contains(sm[1], "`") {
			return m // a regexp error, whose expression is clipped
		}
		return "'" + diag.Clip(sm[1]) + "'" + sm[2]
	})
	words := strings.Split(msg, " ")
	for i, w := range words {
		if !strings.Contains(w, "…") {
			words[i] = diag.Clip(w)
		}
	}
	return strings.Join(words, " ")
}

// templateError turns gotextfsm's error into an *Error with the line it
// names, or the line it is about when the message names none. What the
// message quotes of the template is clipped (clipMsg).
func templateError(text string, err error) *Error {
	e := lineError(text, err)
	e.Msg = clipMsg(e.Msg)
	return e
}

func lineError(text string, err error) *Error {
	msg := err.Error()
	if m := lineFirst.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &Error{Line: n, Msg: m[2]}
	}
	if m := lineAfter.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return &Error{Line: n, Msg: m[2]}
	}
	if m := lineLast.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[2])
		return &Error{Line: n, Msg: m[1]}
	}
	lines := splitLines(text)
	e := &Error{Msg: strings.TrimSuffix(msg, ".")}
	switch {
	case msg == "No Value definitions found.":
		// The first line that is neither a comment nor a Value.
		for i, l := range lines {
			if strings.TrimSpace(l) != "" && !strings.HasPrefix(strings.TrimSpace(l), "#") {
				e.Line = i + 1
				break
			}
		}
		e.Msg = "a template starts with its Value lines (Value NAME (REGEX)), then a blank line"
	case strings.HasPrefix(msg, "Non-Empty '"):
		name, _, _ := strings.Cut(strings.TrimPrefix(msg, "Non-Empty '"), "'")
		e.Line = stateLine(lines, name)
		e.Msg = fmt.Sprintf("state %s must have no rules", name)
	case msg == "No State definition found":
		e.Line = max(len(lines), 1) // where the states should follow
		e.Msg = "the template has no states: after its Value lines, a blank line, then Start and its rules"
	case msg == "Missing state 'Start'.":
		e.Line = 1
		if states := stateNames(lines); len(states) > 0 {
			e.Line = stateLine(lines, states[0])
			e.Msg = fmt.Sprintf("the template has no Start state (its first state is %s)", states[0])
		} else {
			e.Msg = "the template has no Start state"
		}
	default:
		if m := missing.FindStringSubmatch(msg); m != nil {
			e.Line = transitionLine(lines, m[2], m[1])
			e.Msg = fmt.Sprintf("state %s goes to state %s, which the template does not define", m[2], m[1])
			if h := diag.DidYouMeanAs(diag.Near(m[1], stateNames(lines)), func(s string) string { return s }); h != "" {
				e.Msg += " (" + h + ")"
			}
		}
	}
	return e
}

// stateLine returns the line of the state named name, or 0.
func stateLine(lines []string, name string) int {
	for i, l := range lines {
		if strings.TrimRight(l, " \t") == name {
			return i + 1
		}
	}
	return 0
}

// stateNames returns the names of the states of a template that
// gotextfsm compiled but for its transitions: the lines after the Value
// lines that are a name alone.
func stateNames(lines []string) []string {
	var names []string
	inValues := true
	for _, l := range lines {
		if inValues {
			inValues = strings.TrimSpace(l) != ""
			continue
		}
		if l != "" && l == strings.TrimSpace(l) && !strings.HasPrefix(l, "#") {
			names = append(names, l)
		}
	}
	return names
}

// transitionLine returns the line of the first rule of state from that
// goes to state to, or the line of from when none is found.
func transitionLine(lines []string, from, to string) int {
	start := stateLine(lines, from)
	if start == 0 {
		return 0
	}
	for i := start; i < len(lines); i++ {
		l := strings.TrimRight(lines[i], " \t")
		if l == "" {
			break
		}
		if _, action, ok := strings.Cut(l, " -> "); ok {
			f := strings.Fields(action)
			if len(f) > 0 && f[len(f)-1] == to {
				return i + 1
			}
		}
	}
	return start
}

// checkReferences reports a rule that names a Value the template does
// not have (${NAME} or $NAME), which gotextfsm would replace with
// "<no value>", so that the rule never matches. Python's textfsm refuses
// such a template too.
func checkReferences(lines []string, values map[string]gotextfsm.TextFSMValue) *Error {
	names := make([]string, 0, len(values))
	for n := range values {
		names = append(names, n)
	}
	sort.Strings(names)
	inValues := true
	for i, l := range lines {
		if inValues {
			if strings.TrimSpace(l) == "" {
				inValues = false
			}
			continue
		}
		t := strings.TrimLeft(l, " \t")
		if !strings.HasPrefix(t, "^") || len(t) == len(l) {
			continue // a state name, a comment or a blank line
		}
		match, _, _ := strings.Cut(t, " -> ")
		for _, ref := range references(match) {
			if _, ok := values[ref]; ok {
				continue
			}
			msg := fmt.Sprintf("the rule uses $%s, but the template has no Value %s", ref, ref)
			if h := diag.DidYouMeanAs(diag.Near(ref, names), func(s string) string { return "$" + s }); h != "" {
				msg += " (" + h + ")"
			} else if len(names) > 0 {
				msg += " (its Values: " + strings.Join(names, ", ") + ")"
			}
			return &Error{Line: i + 1, Msg: msg}
		}
	}
	return nil
}

// references returns the names a rule's regex substitutes, as Python's
// string.Template reads them: ${NAME} or $NAME; $$ is a literal $.
func references(s string) []string {
	var out []string
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			continue
		}
		switch c := s[i+1]; {
		case c == '$':
			i++
		case c == '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				continue
			}
			out = append(out, s[i+2:i+2+end])
			i += 2 + end
		case isIdentStart(c):
			j := i + 1
			for j < len(s) && (isIdentStart(s[j]) || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			out = append(out, s[i+1:j])
			i = j - 1
		}
	}
	return out
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// outputError rewords gotextfsm's errors about the output.
func outputError(err error) error {
	msg := err.Error()
	if strings.Contains(msg, "token too long") {
		return fmt.Errorf("a line of the output is longer than %d bytes: %w", maxLine, err)
	}
	return fmt.Errorf("the template's Error action: %w", err)
}
