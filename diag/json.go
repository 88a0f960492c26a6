package diag

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// JSON decodes a JSON document a tool wrote and a person may have edited
// (an approval, a reviewed verdict) strictly, reporting what is wrong at
// its file:line: exactly one object; no key given twice in it or in the
// members named in Nested (the last would win silently); no field that v
// does not have; values of the types v has. Content is quoted as an
// Excerpt at most.
type JSON struct {
	File string
	// Nested names members of the object that are objects themselves,
	// whose keys are checked for duplicates and located too.
	Nested []string
}

// JSONError is a problem in a JSON document, at its position.
type JSONError struct {
	Pos Pos
	Msg string
}

func (e *JSONError) Error() string { return e.Pos.String() + ": " + e.Msg }

// Decode decodes data into v and returns the line of each key of the
// object ("" is the line where it starts; "member.key" for the members in
// Nested). Every error is a *JSONError.
func (j JSON) Decode(data []byte, v any) (map[string]int, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // a byte order mark, as some editors write
	at := func(off int64) *JSONError { return &JSONError{Pos: offsetPos(j.File, data, off)} }
	lines, err := jsonKeyLines(data, j.Nested...)
	if err != nil {
		var se *json.SyntaxError
		var de *dupKeyError
		var she *shapeError
		switch {
		case errors.As(err, &she):
			e := at(she.off)
			e.Msg = she.msg
			return nil, e
		case errors.As(err, &se):
			// The whole-document scanner places a syntax error exactly
			// (its Offset is just past the byte it is about); the token
			// walk may place it a token early.
			var whole any
			if err := json.Unmarshal(data, &whole); errors.As(err, &se) {
				e := at(se.Offset - 1)
				e.Msg = se.Error()
				return nil, e
			}
			e := at(se.Offset - 1)
			e.Msg = se.Error()
			return nil, e
		case errors.As(err, &de):
			return nil, &JSONError{Pos: Pos{File: j.File, Line: de.line}, Msg: fmt.Sprintf("duplicate key %s (the first is at line %d)", Excerpt(de.key), de.first)}
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			e := at(int64(len(data)))
			e.Msg = "the file ends before its JSON does"
			return nil, e
		}
		return nil, &JSONError{Pos: Pos{File: j.File, Line: 1}, Msg: Escape(clip(err.Error(), argRunes))}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			kind, _, _ := strings.Cut(te.Value, " ") // "number 1e400": the kind only
			field := te.Field
			if field == "" {
				field = "the document"
			}
			pos := Pos{File: j.File, Line: lines[te.Field]} // the key's line; else where the value ends
			if pos.Line == 0 {
				pos.Line = lineOf(data, te.Offset)
			}
			field = clip(field, ExcerptRunes)
			if want := jsonKind(te.Type.Kind().String()); want != kind {
				return nil, &JSONError{Pos: pos, Msg: fmt.Sprintf("%s is %s, not %s", field, article(kind), article(want))}
			}
			return nil, &JSONError{Pos: pos, Msg: fmt.Sprintf("%s is a %s out of range", field, kind)}
		}
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			name = strings.Trim(name, `"`)
			line := lines[name]
			for _, n := range j.Nested {
				if l, ok := lines[n+"."+name]; ok && line == 0 {
					line = l
				}
			}
			return nil, &JSONError{Pos: Pos{File: j.File, Line: max(line, 1)}, Msg: fmt.Sprintf("unknown field %s", Excerpt(name))}
		}
		return nil, &JSONError{Pos: Pos{File: j.File, Line: 1}, Msg: Escape(clip(err.Error(), argRunes))}
	}
	return lines, nil
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

// offsetPos is the position of the byte at off in data, the column in
// characters.
func offsetPos(file string, data []byte, off int64) Pos {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	col := utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return Pos{File: file, Line: lineOf(data, off), Col: col}
}
