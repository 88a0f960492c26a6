package finding

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/changegate/changegate/diag"
)

// WriteGitHub writes r as GitHub Actions workflow commands, one line per
// finding, which the runner turns into annotations on the file:
//
//	::error file=plans/a.yaml,line=3,col=5,title=plan/unknown-link::message%0Ahint: ...
//
// Warnings use ::warning and notes ::notice. The title is the rule ID and
// the hint follows the message on a new line. file, line and col are left
// out when unknown. Values are escaped as the runner requires (% CR LF in
// the message; also : and , in properties), so no text can end the
// command or start another one; other control, bidirectional and
// invisible characters are written as escapes (\u202e), so none can
// reorder or hide an annotation's text. Cases that pass print nothing.
func WriteGitHub(w io.Writer, r *Report) error {
	s, err := prepare(r)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, e := range s.findings {
		b.WriteString("::")
		b.WriteString(githubCommand(e.Severity))
		var props []string
		if e.File != "" {
			props = append(props, "file="+escapeProperty(e.File))
			if line, col := e.lineCol(); line > 0 {
				props = append(props, "line="+strconv.Itoa(line))
				if col > 0 {
					props = append(props, "col="+strconv.Itoa(col))
				}
			}
		}
		props = append(props, "title="+escapeProperty(e.Rule))
		b.WriteByte(' ')
		b.WriteString(strings.Join(props, ","))
		b.WriteString("::")
		msg := e.Message
		if e.Hint != "" {
			msg += "\nhint: " + e.Hint
		}
		b.WriteString(escapeData(msg))
		b.WriteByte('\n')
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write github: %w", err)
	}
	return nil
}

// githubCommand is the workflow command for a severity.
func githubCommand(s Severity) string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "notice"
}

var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// escapeData escapes a workflow command's message, as the runner's
// toolkit does (escapeData in @actions/core), after visibleCRLF.
func escapeData(s string) string { return dataEscaper.Replace(visibleCRLF(s)) }

// escapeProperty escapes a workflow command's property value
// (escapeProperty in @actions/core), after visibleCRLF.
func escapeProperty(s string) string {
	return propertyEscaper.Replace(visibleCRLF(s))
}

// visibleCRLF writes every control, bidirectional or invisible character
// of s but line feeds and carriage returns as an escape (\u202e, as
// diag.Escape does), so that an annotation cannot reorder or hide its
// text; line feeds and carriage returns are left to the runner's escapes.
func visibleCRLF(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			b.WriteString(diag.Escape(s))
			return b.String()
		}
		b.WriteString(diag.Escape(s[:i]))
		b.WriteByte(s[i])
		s = s[i+1:]
	}
}
