package finding

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// JSONVersion is the version of the JSON document WriteJSON writes. It
// changes only when a key is removed or changes meaning; new keys may
// appear in the same version.
const JSONVersion = 1

// jsonReport is the JSON document; docs/ci-formats.md describes each key.
type jsonReport struct {
	Version  int           `json:"version"`
	Tool     jsonTool      `json:"tool"`
	Failed   bool          `json:"failed"`
	Summary  Summary       `json:"summary"`
	Cases    []jsonCase    `json:"cases"`
	Findings []jsonFinding `json:"findings"`
}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type jsonCase struct {
	Suite    string  `json:"suite"`
	Name     string  `json:"name"`
	File     string  `json:"file"`
	Seconds  float64 `json:"time_seconds"`
	Failed   bool    `json:"failed"`
	Errors   int     `json:"errors"`
	Warnings int     `json:"warnings"`
	Notes    int     `json:"notes"`
}

type jsonFinding struct {
	Severity Severity       `json:"severity"`
	Rule     string         `json:"rule"`
	Message  string         `json:"message"`
	Hint     string         `json:"hint"`
	File     string         `json:"file"`
	Line     int            `json:"line"`
	Column   int            `json:"column"`
	Suite    string         `json:"suite"`
	Case     string         `json:"case"`
	Facts    map[string]any `json:"facts,omitempty"`
}

// WriteJSON writes r as the versioned JSON document described in
// docs/ci-formats.md: {"version", "tool", "failed", "summary", "cases",
// "findings"}, with cases and findings sorted as WriteText sorts them and
// every key in snake_case.
func WriteJSON(w io.Writer, r *Report) error {
	s, err := prepare(r)
	if err != nil {
		return err
	}
	doc := jsonReport{
		Version:  JSONVersion,
		Tool:     jsonTool{Name: s.Tool, Version: s.Version},
		Failed:   s.Failed(),
		Summary:  s.Summary(),
		Cases:    make([]jsonCase, 0, len(s.cases)),
		Findings: make([]jsonFinding, 0, len(s.findings)),
	}
	for i := range s.cases {
		c := &s.cases[i]
		one := (&Report{Cases: []Case{*c}}).Summary()
		doc.Cases = append(doc.Cases, jsonCase{
			Suite: c.Suite, Name: c.Name, File: c.File,
			Seconds: max(c.Time, 0).Seconds(),
			Failed:  c.Failed(), Errors: one.Errors, Warnings: one.Warnings, Notes: one.Notes,
		})
	}
	for _, e := range s.findings {
		line, col := e.lineCol()
		doc.Findings = append(doc.Findings, jsonFinding{
			Severity: e.Severity, Rule: e.Rule, Message: e.Message, Hint: e.Hint,
			File: e.File, Line: line, Column: col,
			Suite: e.c.Suite, Case: e.c.Name,
			Facts: e.Facts,
		})
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}
