package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/changegate/changegate/internal/diag"
	"github.com/changegate/changegate/internal/gate"
	"github.com/changegate/changegate/internal/report"
	"github.com/changegate/changegate/internal/userfile"
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
	for _, d := range []struct{ what, was, now string }{
		{"plan", doc.Digests.Plan, v.Digests.Plan},
		{"topology", doc.Digests.Topology, v.Digests.Topology},
		{"traffic", doc.Digests.Traffic, v.Digests.Traffic},
		{"policy", doc.Digests.Policy, v.Digests.Policy},
	} {
		if d.was == d.now {
			continue
		}
		key := "digests." + d.what
		if first == "" {
			first = at(key)
		}
		what = append(what, d.what)
		// The checked digest is content of the file: clipped like an
		// excerpt, and unquoted, as digests are shown.
		diffs = append(diffs, fmt.Sprintf("%s %s (checked: %s, at %s)", d.what, d.now, diag.Clip(d.was), at(key)))
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%w: %s differs from %s: %s; check the plan again and have the new verdict reviewed", errNotAsChecked, strings.Join(what, ", "), first, strings.Join(diffs, "; "))
	}
	if doc.Verdict != "allowed" {
		return fmt.Errorf("%w: the verdict at %s is %s, not allowed", errNotAsChecked, at("verdict"), diag.Excerpt(doc.Verdict))
	}
	return nil
}

// readChecked reads a verdict (check --format json) strictly: one JSON
// object, no key given twice at its top level or in its digests, values
// of the right types, this version. It returns the verdict and the line
// of each of those keys ("verdict", "digests.plan"; "" is the line of the
// object's start). Its errors begin with file:line.
func readChecked(file string, data []byte) (report.CheckDoc, map[string]int, error) {
	var doc report.CheckDoc
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // a byte order mark, as some editors write
	bad := func(at, format string, args ...any) error {
		return fmt.Errorf("%s: %s: this is not the JSON of changegate check --format json", at, fmt.Sprintf(format, args...))
	}
	line := func(n int) string { return fmt.Sprintf("%s:%d", file, max(n, 1)) }
	lines, err := jsonKeyLines(data, "digests")
	if err != nil {
		var se *json.SyntaxError
		var de *dupKeyError
		var she *shapeError
		switch {
		case errors.As(err, &she):
			return doc, nil, bad(jsonPos(file, data, she.off), "%s", she.msg)
		case errors.As(err, &se): // Offset is just past the byte it is about
			return doc, nil, bad(jsonPos(file, data, se.Offset-1), "%s", se.Error())
		case errors.As(err, &de):
			return doc, nil, fmt.Errorf("%s: duplicate key %s (the first is at line %d): a reviewed verdict says one thing once", line(de.line), diag.Excerpt(de.key), de.first)
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			return doc, nil, bad(jsonPos(file, data, int64(len(data))), "the file ends before its JSON does")
		}
		return doc, nil, bad(line(1), "%v", err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			kind, _, _ := strings.Cut(te.Value, " ") // "number 1e400": the kind only
			field := te.Field
			if field == "" {
				field = "the verdict"
			}
			at := line(lines[te.Field]) // the key's line; else where the value ends
			if lines[te.Field] == 0 {
				at = line(lineOf(data, te.Offset))
			}
			field = diag.Clip(field)
			if want := jsonKind(te.Type.Kind().String()); want != kind {
				return doc, nil, bad(at, "%s is %s, not %s", field, article(kind), article(want))
			}
			return doc, nil, bad(at, "%s is a %s out of range", field, kind)
		}
		return doc, nil, bad(line(1), "%v", err)
	}
	switch {
	case doc.Version == 0:
		return doc, nil, bad(line(lines[""]), "it has no version")
	case doc.Version != checkedVersion:
		return doc, nil, fmt.Errorf("%s:%d: version %d: this changegate reads verdicts of version %d; check the plan again with this changegate", file, lines["version"], doc.Version, checkedVersion)
	}
	return doc, lines, nil
}

// article puts "a" or "an" before a JSON kind.
func article(kind string) string {
	if strings.IndexByte("aeiou", kind[0]) >= 0 {
		return "an " + kind
	}
	return "a " + kind
}

// jsonKind names a Go kind as JSON has it.
func jsonKind(goKind string) string {
	switch {
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"), strings.HasPrefix(goKind, "float"):
		return "number"
	case goKind == "struct" || goKind == "map":
		return "object"
	case goKind == "slice" || goKind == "array":
		return "list"
	case goKind == "bool":
		return "boolean"
	}
	return goKind
}

// dupKeyError is a key given twice in one object, at line (the first
// at line first).
type dupKeyError struct {
	key         string
	line, first int
}

func (e *dupKeyError) Error() string { return "duplicate key " + e.key }

// jsonKeyLines walks data, which must be exactly one JSON object, and
// returns the line of each key of the object and of its members named in
// nested (as "member.key"); "" is the line where the object starts. A
// key given twice in one of those objects is a *dupKeyError; a syntax
// error is a *json.SyntaxError.
func jsonKeyLines(data []byte, nested ...string) (map[string]int, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // numbers are skipped, not converted
	lines := map[string]int{}
	line := func() int { return lineOf(data, dec.InputOffset()) }
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, &shapeError{off: dec.InputOffset() - 1, msg: "it is not a JSON object"}
	}
	lines[""] = line()
	var object func(prefix string) error
	object = func(prefix string) error {
		seen := map[string]int{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := tok.(string)
			n := line()
			if first, dup := seen[key]; dup {
				return &dupKeyError{key: key, line: n, first: first}
			}
			seen[key] = n
			lines[prefix+key] = n
			if prefix == "" && slices.Contains(nested, key) {
				tok, err := dec.Token()
				if err != nil {
					return err
				}
				if d, ok := tok.(json.Delim); ok && d == '{' {
					if err := object(key + "."); err != nil {
						return err
					}
					continue
				}
				if err := skipValue(dec, tok); err != nil {
					return err
				}
				continue
			}
			tok, err = dec.Token()
			if err != nil {
				return err
			}
			if err := skipValue(dec, tok); err != nil {
				return err
			}
		}
		_, err := dec.Token() // the closing brace
		return err
	}
	if err := object(""); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &shapeError{off: dec.InputOffset() - 1, msg: "more follows the JSON object"}
	}
	return lines, nil
}

// shapeError is JSON that is not one object, at the byte at off.
type shapeError struct {
	off int64
	msg string
}

func (e *shapeError) Error() string { return e.msg }

// skipValue reads the rest of the value that tok starts.
func skipValue(dec *json.Decoder, tok json.Token) error {
	d, ok := tok.(json.Delim)
	if !ok || d == '}' || d == ']' {
		return nil
	}
	for depth := 1; depth > 0; {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

// lineOf is the line (1-based) of the byte at off in data.
func lineOf(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return 1 + bytes.Count(data[:off], []byte{'\n'})
}

// jsonPos is file:line:column of the byte at off in data, the column in
// characters.
func jsonPos(file string, data []byte, off int64) string {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	col := utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return fmt.Sprintf("%s:%d:%d", file, lineOf(data, off), col)
}
