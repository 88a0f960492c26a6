package finding

import (
	"fmt"
	"io"
	"strings"
	"unicode"
)

// WriteText writes r for people: one line per finding,
//
//	file:line:col: error: message (rule)
//	    hint: what to do
//
// sorted by file, line, column and rule, then a summary line:
//
//	5 cases checked, 1 failed: 2 errors, 1 warning, 0 notes
//
// A finding without a location starts with its severity. Control characters
// in the report's text print as U+FFFD, so a file's content cannot drive
// the terminal.
func WriteText(w io.Writer, r *Report) error {
	s, err := prepare(r)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, e := range s.findings {
		writeLine(&b, e.Finding)
	}
	sum := s.Summary()
	fmt.Fprintf(&b, "%s checked, %d failed: %s, %s, %s\n", plural(sum.Cases, "case"), sum.Failed,
		plural(sum.Errors, "error"), plural(sum.Warnings, "warning"), plural(sum.Notes, "note"))
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write text: %w", err)
	}
	return nil
}

// writeLine writes f as text: location, severity, message and rule on one
// line, and the hint indented below. A message or hint that spans lines
// continues indented, so every finding starts at column 0.
func writeLine(b *strings.Builder, f *Finding) {
	if loc := f.Location(); loc != "" {
		b.WriteString(printable(loc, ""))
		b.WriteString(": ")
	}
	b.WriteString(string(f.Severity))
	b.WriteString(": ")
	b.WriteString(printable(f.Message, "    "))
	b.WriteString(" (")
	b.WriteString(printable(f.Rule, ""))
	b.WriteString(")\n")
	if f.Hint != "" {
		b.WriteString("    hint: ")
		b.WriteString(printable(f.Hint, "    "))
		b.WriteByte('\n')
	}
}

// printable makes s safe to print on a terminal: invalid UTF-8, control
// characters and bidirectional overrides become U+FFFD, tabs become
// spaces, and each line break becomes a newline followed by indent (or a
// space when indent is empty).
func printable(s, indent string) string {
	if indent == "" {
		indent = " "
	} else {
		indent = "\n" + indent
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r':
			b.WriteString(indent)
		case r == '\t':
			b.WriteByte(' ')
		case unicode.In(r, unicode.Cc, unicode.Bidi_Control):
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
