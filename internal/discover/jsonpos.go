package discover

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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
	*diag.Source                // e.g. `a "show interface json"`
	at           map[string]int // path -> offset of the value
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
	l := &located{Source: diag.NewSource(name, data), at: map[string]int{}}
	ds := l.ReadJSON(what, hint, diag.Excerpt, func(dec *json.Decoder) error { return l.walk(dec, nil, 0) })
	if len(ds) > 0 {
		return nil, ds
	}
	return l, nil
}

func (l *located) walk(dec *json.Decoder, keys []string, depth int) error {
	start := l.SkipJSONSpace(int(dec.InputOffset()))
	if depth > maxDepth {
		return &diag.JSONOffsetError{Off: start, Msg: fmt.Sprintf("nested more than %d levels deep", maxDepth)}
	}
	l.at[path(keys...)] = start
	tok, err := dec.Token()
	if err != nil {
		return diag.JSONSyntaxAt(start, err)
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	switch d {
	case '{':
		for dec.More() {
			kpos := l.SkipJSONSpace(int(dec.InputOffset()))
			k, err := dec.Token()
			if err != nil {
				return diag.JSONSyntaxAt(kpos, err)
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
		return &diag.JSONOffsetError{Off: start, Msg: fmt.Sprintf("unexpected %q", string(d))}
	}
	end := l.SkipJSONSpace(int(dec.InputOffset()))
	if _, err := dec.Token(); err != nil {
		return diag.JSONSyntaxAt(end, err)
	}
	return nil
}

// posOf is the position of the value at keys, or of the nearest enclosing
// value found.
func (l *located) posOf(keys ...string) diag.Pos {
	for n := len(keys); n >= 0; n-- {
		if off, ok := l.at[path(keys[:n]...)]; ok {
			return l.Pos(off)
		}
	}
	return l.Pos(0)
}

// locateAs is locate, then decode into a T: the output read as JSON,
// with where each value is, and its content; l is nil when either fails,
// and ds says why.
func locateAs[T any](name string, data []byte, what, hint string) (l *located, v T, ds diag.Diagnostics) {
	if l, ds = locate(name, data, what, hint); l == nil {
		return nil, v, ds
	}
	if !l.decode(&v, &ds, hint) {
		return nil, v, ds
	}
	return l, v, ds
}

// decode unmarshals the whole output into v; a value of the wrong type is
// reported at its position.
func (l *located) decode(v any, ds *diag.Diagnostics, hint string) bool {
	dec := json.NewDecoder(bytes.NewReader(l.Data))
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
		ds.Add(l.Pos(l.valueStart(int(te.Offset))), hint, "%s must be %s, found %s", diag.Clip(field), kindOf(te.Type.Kind().String()), te.Value)
		return false
	}
	ds.Add(l.Pos(0), hint, "%s", diag.Clip(err.Error()))
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
