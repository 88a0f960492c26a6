package operation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/digest"
	"github.com/changegate/changegate/internal/gate"
	"github.com/changegate/changegate/internal/report"
	"github.com/changegate/changegate/userfile"
)

// errNotAsChecked refuses a run whose inputs differ from what was checked.
var errNotAsChecked = errors.New("apply refused: what would run is not what was checked")

// checkedVersion is the version of check --format json that apply reads.
const checkedVersion = 1

// matchChecked compares the verdict about to run with the reviewed one
// in file (check --format json): every digest must be the same, and the
// reviewed verdict an allowed one. Every refusal names file:line.
func matchChecked(ctx context.Context, file string, v *gate.Verdict) error {
	data, err := userfile.Read(ctx, file, userfile.Verdict)
	if err != nil {
		return fmt.Errorf("--checked: %w", err)
	}
	doc, lines, err := readChecked(file, data)
	if err != nil {
		return fmt.Errorf("--checked %w", err)
	}
	at := func(key string) string {
		if n := lines[key]; n > 0 {
			return fmt.Sprintf("%s:%d", file, n)
		}
		return fmt.Sprintf("%s:%d", file, max(lines[""], 1))
	}
	var what, diffs []string
	first := ""
	for _, d := range digest.Diff(doc.Digests, v.Digests) {
		key := "digests." + string(d.Name)
		if first == "" {
			first = at(key)
		}
		what = append(what, string(d.Name))
		// The checked digest is content of the file: clipped like an
		// excerpt, and unquoted, as digests are shown.
		diffs = append(diffs, fmt.Sprintf("%s %s (checked: %s, at %s)", d.Name, digest.Show(d.Now), digest.Show(diag.Clip(d.Was)), at(key)))
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%w: %s differs from %s: %s; check the plan again and have the new verdict reviewed", errNotAsChecked, strings.Join(what, ", "), first, strings.Join(diffs, "; "))
	}
	if doc.Verdict != "allowed" {
		return fmt.Errorf("%w: the verdict at %s is %s, not allowed", errNotAsChecked, at("verdict"), diag.Excerpt(doc.Verdict))
	}
	return nil
}

// readChecked reads a verdict (check --format json) strictly (diag.JSON:
// one JSON object, no key given twice at its top level or in its digests,
// values of the right types) and of this version. It returns the verdict
// and the line of each of those keys ("verdict", "digests.plan"; "" is
// the line of the object's start). Its errors begin with file:line.
func readChecked(file string, data []byte) (report.CheckDoc, map[string]int, error) {
	var doc report.CheckDoc
	lines, err := diag.JSON{File: file, Nested: []string{"digests"}}.Decode(data, &doc)
	if err != nil {
		return doc, nil, fmt.Errorf("%w: this is not the JSON of changegate check --format json", err)
	}
	switch {
	case doc.Version == 0:
		return doc, nil, fmt.Errorf("%s:%d: it has no version: this is not the JSON of changegate check --format json", file, max(lines[""], 1))
	case doc.Version != checkedVersion:
		return doc, nil, fmt.Errorf("%s:%d: version %d: this changegate reads verdicts of version %d; check the plan again with this changegate", file, lines["version"], doc.Version, checkedVersion)
	}
	return doc, lines, nil
}
