package finding

import (
	"errors"
	"fmt"
	"io"
	"strings"
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
// lists the formats and suggests the closest one.
func ParseFormat(s string) (Format, error) {
	names := make([]string, 0, len(Formats()))
	best, bestDist := "", 3
	for _, f := range Formats() {
		if string(f) == s {
			return f, nil
		}
		names = append(names, string(f))
		lower := strings.ToLower(s)
		if strings.HasPrefix(lower, string(f)) {
			best, bestDist = string(f), 0
		}
		if d := distance(lower, string(f)); d < bestDist {
			best, bestDist = string(f), d
		}
	}
	switch strings.ToLower(s) {
	case "xml":
		best = string(JUnit)
	case "actions", "gha", "annotations":
		best = string(GitHub)
	}
	msg := fmt.Sprintf("unknown format %q: use one of %s", s, strings.Join(names, ", "))
	if best != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", best)
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

// distance is the Levenshtein distance between a and b, in bytes; the
// names it compares are ASCII.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
