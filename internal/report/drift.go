package report

import (
	"io"

	"github.com/changegate/changegate/internal/topology"
)

// DriftDoc is the JSON form of `topology diff`: the two sides compared,
// whether they are equal, and every difference (docs/discovery.md).
type DriftDoc struct {
	Model       string                `json:"model"`
	Other       string                `json:"other"`
	Equal       bool                  `json:"equal"`
	Differences []topology.Difference `json:"differences"`
}

// DriftDocument builds the JSON form of a comparison of model (a file)
// with other (a file, or "network" for the live one).
func DriftDocument(model, other string, diffs []topology.Difference) DriftDoc {
	if diffs == nil {
		diffs = []topology.Difference{}
	}
	return DriftDoc{Model: model, Other: other, Equal: len(diffs) == 0, Differences: diffs}
}

// DriftText writes the differences one a line, the two sides named
// model and other, and a last line that counts them.
func DriftText(w io.Writer, model, other string, diffs []topology.Difference) error {
	ew := &errWriter{w: w}
	for _, d := range diffs {
		ew.printf("%s\n", d.Describe(model, other))
	}
	if len(diffs) == 0 {
		ew.printf("%s and %s are equal\n", model, other)
	} else {
		ew.printf("%s between %s and %s\n", plural(len(diffs), "difference"), model, other)
	}
	return ew.err
}
