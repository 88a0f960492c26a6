package discover

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/changegate/changegate/diag"
)

// maxDepth bounds the nesting of the JSON read: FRR's outputs nest five
// levels deep, and a bound keeps hostile input from exhausting the stack.
const maxDepth = 32

// located is one command's output as JSON, with the byte offset of every
// value by its path, so that a problem found after decoding is reported
// at its line and column.
type located struct {
	name  string // e.g. `a "show interface json"`
	data  []byte
	lines []int          // offset of the start of each line after the first
	at    map[string]int // path -> offset of the value
}

// sep joins the keys of a path: interface names and LSDB keys never hold
// a NUL.
const sep = "\x00"

// path joins keys (object keys, or list indices written as numbers) into
// a key of located.at.
func path(keys ...string) string { return strings.Join(keys, sep) }

// locate reads data as one JSON value and records where each value
// starts. A syntax error is a diagnostic at its position; text that is
// not JSON at all (a router's "% Unknown command") is quoted.
func locate(name string, data []byte, what, hint string) (*located, diag.Diagnostics) {
	l := &located{name: name, data: data, at: map[string]int{}}
	for i, c := range data {
		if c == '\n' {
			l.lines = append(l.lines, i+1)
		}
	}
	var ds diag.Diagnostics
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		ds.Add(l.pos(0), hint, "%s: the output is empty", what)
		return nil, ds
	}
	if c := trimmed[0]; c != '{' && c != '[' {
		ds.Add(l.pos(bytes.Index(data, trimmed[:1])), hint, "%s: the output is not JSON: %s", what, diag.Excerpt(string(trimmed)))
		return nil, ds
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	err := l.walk(dec, nil, 0)
	if err == nil {
		off := l.skip(int(dec.InputOffset()))
		if _, terr := dec.Token(); terr != io.EOF {
			err = &offsetError{off: off, msg: "text after the JSON value"}
		}
	}
	if err != nil {
		off := len(data)
		var oe *offsetError
		switch {
		case errors.As(err, &oe):
			off = oe.off
		case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
			err = errors.New("the output ends inside a JSON value (cut off?)")
		}
		ds.Add(l.pos(off), hint, "%s: invalid JSON: %s", what, strings.TrimPrefix(err.Error(), "json: "))
		return nil, ds
	}
	return l, nil
}

type offsetError struct {
	off int
	msg string
}

func (e *offsetError) Error() string { return e.msg }

// syntaxAt places a syntax error of the decoder at off, the start of the
// token it was reading.
func syntaxAt(off int, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &offsetError{off: off, msg: se.Error()}
	}
	return err
}

// skip returns the offset of the next token at or after off.
func (l *located) skip(off int) int {
	for off < len(l.data) {
		switch l.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}

func (l *located) walk(dec *json.Decoder, keys []string, depth int) error {
	start := l.skip(int(dec.InputOffset()))
	if depth > maxDepth {
		return &offsetError{off: start, msg: fmt.Sprintf("nested more than %d levels deep", maxDepth)}
	}
	l.at[path(keys...)] = start
	tok, err := dec.Token()
	if err != nil {
		return syntaxAt(start, err)
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	switch d {
	case '{':
		for dec.More() {
			kpos := l.skip(int(dec.InputOffset()))
			k, err := dec.Token()
			if err != nil {
				return syntaxAt(kpos, err)
			}
			key, _ := k.(string)
			if err := l.walk(dec, append(slices.Clip(keys), key), depth+1); err != nil {
				return err
			}
		}
	case '[':
		for i := 0; dec.More(); i++ {
			if err := l.walk(dec, append(slices.Clip(keys), strconv.Itoa(i)), depth+1); err != nil {
				return err
			}
		}
	default:
		return &offsetError{off: start, msg: fmt.Sprintf("unexpected %q", string(d))}
	}
	end := l.skip(int(dec.InputOffset()))
	if _, err := dec.Token(); err != nil {
		return syntaxAt(end, err)
	}
	return nil
}

// pos turns a byte offset into a position (1-based line and column, the
// column counted in bytes).
func (l *located) pos(off int) diag.Pos {
	off = min(max(off, 0), len(l.data))
	line, _ := slices.BinarySearch(l.lines, off+1)
	start := 0
	if line > 0 {
		start = l.lines[line-1]
	}
	return diag.Pos{File: l.name, Line: line + 1, Col: off - start + 1}
}

// posOf is the position of the value at keys, or of the nearest enclosing
// value found.
func (l *located) posOf(keys ...string) diag.Pos {
	for n := len(keys); n >= 0; n-- {
		if off, ok := l.at[path(keys[:n]...)]; ok {
			return l.pos(off)
		}
	}
	return l.pos(0)
}

// decode unmarshals the whole output into v; a value of the wrong type is
// reported at its position.
func (l *located) decode(v any, ds *diag.Diagnostics, hint string) bool {
	dec := json.NewDecoder(bytes.NewReader(l.data))
	dec.UseNumber()
	err := dec.Decode(v)
	if err == nil {
		return true
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "the output"
		}
		ds.Add(l.pos(l.valueStart(int(te.Offset))), hint, "%s must be %s, found %s", diag.Clip(field), kindOf(te.Type.Kind().String()), te.Value)
		return false
	}
	ds.Add(l.pos(0), hint, "%s", diag.Clip(err.Error()))
	return false
}

// valueStart finds the value a type error's offset (just past it) is
// about: the last recorded value starting before off.
func (l *located) valueStart(off int) int {
	best := 0
	for _, o := range l.at {
		if o < off && o > best {
			best = o
		}
	}
	return best
}

func kindOf(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "map", "struct":
		return "an object"
	case "slice", "array":
		return "a list"
	}
	return "a number"
}

func itoa(i int) string { return strconv.Itoa(i) }
