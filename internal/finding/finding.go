package finding

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Severity says how much a finding matters: an Error fails the run, a
// Warning and a Note only inform. The values are the words every format
// prints ("error", "warning", "note").
type Severity string

// The severities, most severe first.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Note    Severity = "note"
)

// rank orders severities, most severe first; an unknown one ranks last.
func (s Severity) rank() int {
	switch s {
	case Error:
		return 0
	case Warning:
		return 1
	case Note:
		return 2
	}
	return 3
}

// Finding is one problem or remark about something that was checked.
type Finding struct {
	Severity Severity
	// Rule is a stable identifier such as "changegate.capacity" or
	// "plan/unknown-link"; it is required.
	Rule string
	// Message is one line a person understands at a glance.
	Message string
	// Hint says what to do about it; it may be empty.
	Hint string
	// File is the path as the user gave it, relative to the repository
	// root or the working directory. Empty means the finding is about its
	// case as a whole: writers then locate it at the case's File, with no
	// line, and only when that is empty too does it have no location.
	// Line and Col are ignored without a File.
	File string
	// Line and Col are 1-based; zero (or less) means unknown. Col is
	// ignored when Line is unknown.
	Line, Col int
	// Facts is extra structured data (numbers, names); only the JSON
	// format carries it, so it must marshal with encoding/json.
	Facts map[string]any
}

// Location renders where the finding is as "file:line:col", "file:line"
// or "file", and "" when it has no file.
func (f *Finding) Location() string {
	switch {
	case f.File == "":
		return ""
	case f.Line > 0 && f.Col > 0:
		return f.File + ":" + strconv.Itoa(f.Line) + ":" + strconv.Itoa(f.Col)
	case f.Line > 0:
		return f.File + ":" + strconv.Itoa(f.Line)
	default:
		return f.File
	}
}

// lineCol returns f's line and column with unknown values as 0, and a column
// only where the line is known.
func (f *Finding) lineCol() (line, col int) {
	if f.File == "" || f.Line <= 0 {
		return 0, 0
	}
	return f.Line, max(f.Col, 0)
}

// compare orders findings by file, line, column, rule, severity, message
// and hint: the order every writer prints them in.
func compare(a, b *Finding) int {
	al, ac := a.lineCol()
	bl, bc := b.lineCol()
	return cmp.Or(
		strings.Compare(a.File, b.File),
		cmp.Compare(al, bl),
		cmp.Compare(ac, bc),
		strings.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Severity.rank(), b.Severity.rank()),
		strings.Compare(a.Message, b.Message),
		strings.Compare(a.Hint, b.Hint),
	)
}

// Case is one thing that was checked: a file, or a policy over a plan. It
// shows as a test case in JUnit even when it has no findings.
type Case struct {
	// Suite groups cases, for example by file or as "policies".
	Suite string
	// Name names the check within its suite.
	Name string
	// File is the file the case is about; it may be empty.
	File string
	// Time is how long the check took; zero when not measured.
	Time time.Duration
	// Findings are the case's results; none means it passed.
	Findings []Finding
}

// Failed reports whether the case has an error finding.
func (c *Case) Failed() bool {
	for i := range c.Findings {
		if c.Findings[i].Severity == Error {
			return true
		}
	}
	return false
}

// Rule describes a rule for SARIF's tool.driver.rules. Findings may name
// rules that have no Rule; SARIF then lists them by ID alone.
type Rule struct {
	// ID is the Finding.Rule this describes.
	ID string
	// Title is a one-line description (SARIF shortDescription).
	Title string
	// Description is the full description (SARIF fullDescription).
	Description string
	// HelpURI is an absolute URL documenting the rule; it may be empty.
	HelpURI string
	// Severity is the rule's default level in SARIF. Empty means the most
	// severe level among the rule's findings in the report, or Warning
	// when it has none.
	Severity Severity
}

// Report is everything one command run checked and found.
type Report struct {
	// Tool and Version name the program, e.g. "changegate" and "0.4.0".
	Tool, Version string
	// URI is the tool's home page (SARIF informationUri); it may be empty.
	URI string
	// Rules describe the rules the findings refer to; IDs must be unique.
	Rules []Rule
	// Cases are the things that were checked, in any order.
	Cases []Case
}

// Failed reports whether any finding is an error: the run should fail.
func (r *Report) Failed() bool {
	for i := range r.Cases {
		if r.Cases[i].Failed() {
			return true
		}
	}
	return false
}

// Summary counts cases and findings.
type Summary struct {
	Cases    int `json:"cases"`
	Failed   int `json:"failed"` // cases with at least one error
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Notes    int `json:"notes"`
}

// Summary counts the report's cases, failed cases and findings by severity.
func (r *Report) Summary() Summary {
	var s Summary
	for i := range r.Cases {
		c := &r.Cases[i]
		s.Cases++
		if c.Failed() {
			s.Failed++
		}
		for j := range c.Findings {
			switch c.Findings[j].Severity {
			case Error:
				s.Errors++
			case Warning:
				s.Warnings++
			case Note:
				s.Notes++
			}
		}
	}
	return s
}

// entry is a finding with the case it belongs to.
type entry struct {
	*Finding
	c *Case
}

// sorted is a Report put in output order: cases by suite, name and file,
// each case's findings by location, and all findings by location.
type sorted struct {
	*Report
	cases    []Case
	findings []entry
}

// prepare checks r and puts a copy of it in output order, with findings
// that have no file located at their case's file. A nil report is an
// empty one.
func prepare(r *Report) (*sorted, error) {
	if r == nil {
		r = &Report{}
	}
	seen := make(map[string]bool, len(r.Rules))
	for _, rule := range r.Rules {
		switch {
		case rule.ID == "":
			return nil, fmt.Errorf("finding: a rule has no ID (title %q)", rule.Title)
		case seen[rule.ID]:
			return nil, fmt.Errorf("finding: rule %q is described twice", rule.ID)
		case rule.Severity != "" && rule.Severity.rank() > 2:
			return nil, fmt.Errorf("finding: rule %q: unknown severity %q: use error, warning or note", rule.ID, rule.Severity)
		}
		seen[rule.ID] = true
	}
	s := &sorted{Report: r, cases: make([]Case, len(r.Cases))}
	for i, c := range r.Cases {
		c.Findings = slices.Clone(c.Findings)
		for j := range c.Findings {
			f := &c.Findings[j]
			if f.Severity.rank() > 2 {
				return nil, fmt.Errorf("finding: %s %s: unknown severity %q: use error, warning or note", c.Suite, c.Name, f.Severity)
			}
			if f.Rule == "" {
				return nil, fmt.Errorf("finding: %s %s: finding %q has no rule", c.Suite, c.Name, f.Message)
			}
			if f.File == "" {
				f.File, f.Line, f.Col = c.File, 0, 0
			}
		}
		slices.SortStableFunc(c.Findings, func(a, b Finding) int { return compare(&a, &b) })
		s.cases[i] = c
	}
	slices.SortStableFunc(s.cases, func(a, b Case) int {
		return cmp.Or(strings.Compare(a.Suite, b.Suite), strings.Compare(a.Name, b.Name), strings.Compare(a.File, b.File))
	})
	for i := range s.cases {
		c := &s.cases[i]
		for j := range c.Findings {
			s.findings = append(s.findings, entry{&c.Findings[j], c})
		}
	}
	slices.SortStableFunc(s.findings, func(a, b entry) int { return compare(a.Finding, b.Finding) })
	return s, nil
}

// seconds renders d as seconds with millisecond precision, as JUnit wants.
func seconds(d time.Duration) string {
	return strconv.FormatFloat(max(d, 0).Seconds(), 'f', 3, 64)
}

// plural renders "1 error", "2 errors".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
