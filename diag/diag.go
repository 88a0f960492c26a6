package diag

import (
	"fmt"
	"sort"
	"strings"
)

// Severity says whether a Diagnostic blocks (Error) or only informs (Warning).
type Severity int

const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Pos is a position in a source file. Line and Col are 1-based; zero means unknown.
type Pos struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"column,omitempty"`
}

func (p Pos) String() string {
	switch {
	case p.Line > 0 && p.Col > 0:
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	case p.Line > 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	default:
		return p.File
	}
}

// Or is p when it is known (has a line), else fallback: the position of
// a value, say, or of what holds it when the value's is not known.
func (p Pos) Or(fallback Pos) Pos {
	if p.Line > 0 {
		return p
	}
	return fallback
}

// Diagnostic is one problem in a user's file.
type Diagnostic struct {
	Pos      Pos      `json:"pos"`
	Severity Severity `json:"-"`
	Msg      string   `json:"message"`
	Hint     string   `json:"hint,omitempty"`
}

// String writes the diagnostic on one line: position, message and hint.
// Characters that could drive a terminal or mislead a reader (see
// EscapeLines) are escaped, should a message quote them raw.
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.Pos.String())
	b.WriteString(": ")
	if d.Severity == Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(d.Msg)
	if d.Hint != "" {
		b.WriteString(" (hint: ")
		b.WriteString(d.Hint)
		b.WriteString(")")
	}
	return EscapeLines(b.String())
}

// Diagnostics is an ordered collection of problems. The zero value is ready to use.
type Diagnostics []Diagnostic

// Add appends an error. Arguments are made safe to show (clipArgs): one
// formatted with %q is taken for content of a user's file and quoted as an
// Excerpt at most; other strings are made printable and clipped.
func (ds *Diagnostics) Add(pos Pos, hint, format string, args ...any) {
	*ds = append(*ds, Diagnostic{Pos: pos, Severity: Error, Msg: fmt.Sprintf(format, clipArgs(format, args)...), Hint: hint})
}

// Warn appends a warning.
func (ds *Diagnostics) Warn(pos Pos, hint, format string, args ...any) {
	*ds = append(*ds, Diagnostic{Pos: pos, Severity: Warning, Msg: fmt.Sprintf(format, clipArgs(format, args)...), Hint: hint})
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Errors returns only the error diagnostics.
func (ds Diagnostics) Errors() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == Error {
			out = append(out, d)
		}
	}
	return out
}

// Warnings returns only the warning diagnostics.
func (ds Diagnostics) Warnings() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == Warning {
			out = append(out, d)
		}
	}
	return out
}

// Sort orders diagnostics by file, line and column, keeping insertion order for ties.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Pos, ds[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// Err returns nil when there are no errors, otherwise an *Error holding
// every diagnostic (warnings included, for context).
func (ds Diagnostics) Err() error {
	if !ds.HasErrors() {
		return nil
	}
	return &ListError{Diags: ds}
}

// ListError is the error returned by Diagnostics.Err. Its message lists
// every problem, one per line.
type ListError struct {
	Diags Diagnostics
}

func (e *ListError) Error() string {
	errs := e.Diags.Errors()
	var b strings.Builder
	if len(errs) == 1 {
		b.WriteString("1 problem:")
	} else {
		fmt.Fprintf(&b, "%d problems:", len(errs))
	}
	for _, d := range e.Diags {
		b.WriteString("\n  ")
		b.WriteString(d.String())
	}
	return b.String()
}
