package finding

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/changegate/changegate/diag"
)

// Format names an output format, as given to --format.
type Format string

// The formats every writer in this package offers.
const (
	Text   Format = "text"   // people: one line per finding and a summary
	JSON   Format = "json"   // scripts: a versioned JSON document
	JUnit  Format = "junit"  // test reporters: JUnit XML
	SARIF  Format = "sarif"  // code scanning: SARIF 2.1.0
	GitHub Format = "github" // GitHub Actions: workflow commands that annotate files
)

// Formats lists every format, in the order help text shows them.
func Formats() []Format {
	return []Format{Text, JSON, JUnit, SARIF, GitHub}
}

// ParseFormat checks a --format value against the formats a command
// offers (allowed; every format of this package's writers when none are
// given). An unknown name is an error that lists them and suggests the
// close ones. It is the one format type of every command: report's
// views offer Text and JSON, check and validate all of Formats.
func ParseFormat(s string, allowed ...Format) (Format, error) {
	if len(allowed) == 0 {
		allowed = Formats()
	}
	names := make([]string, 0, len(allowed))
	var best []string
	lower := strings.ToLower(s)
	for _, f := range allowed {
		if string(f) == s {
			return f, nil
		}
		names = append(names, string(f))
		if best == nil && strings.HasPrefix(lower, string(f)) {
			best = []string{string(f)}
		}
	}
	if best == nil {
		best = diag.Near(lower, names)
	}
	switch {
	case lower == "xml" && slices.Contains(allowed, JUnit):
		best = []string{string(JUnit)}
	case (lower == "actions" || lower == "gha" || lower == "annotations") && slices.Contains(allowed, GitHub):
		best = []string{string(GitHub)}
	}
	msg := fmt.Sprintf("unknown format %q: use one of %s", s, strings.Join(names, ", "))
	if h := diag.DidYouMean(best); h != "" {
		msg += " (" + h + ")"
	}
	return "", errors.New(msg)
}

// Write writes r in format f.
func Write(w io.Writer, f Format, r *Report) error {
	switch f {
	case Text:
		return WriteText(w, r)
	case JSON:
		return WriteJSON(w, r)
	case JUnit:
		return WriteJUnit(w, r)
	case SARIF:
		return WriteSARIF(w, r)
	case GitHub:
		return WriteGitHub(w, r)
	}
	_, err := ParseFormat(string(f))
	return err
}
