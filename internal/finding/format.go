package finding

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/changegate/changegate/internal/diag"
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

// ParseFormat checks a --format value. An unknown name is an error that
// lists the formats and suggests the close ones.
func ParseFormat(s string) (Format, error) {
	names := make([]string, 0, len(Formats()))
	var best []string
	lower := strings.ToLower(s)
	for _, f := range Formats() {
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
	switch lower {
	case "xml":
		best = []string{string(JUnit)}
	case "actions", "gha", "annotations":
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
