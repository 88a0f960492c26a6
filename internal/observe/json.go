package observe

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/changegate/changegate/diag"
)

// maxDepth bounds the nesting of the JSON read: FRR's outputs nest four
// levels deep, and a bound keeps hostile input from exhausting the stack.
const maxDepth = 32

// jval is a JSON value with the byte offset where it starts, so that
// every problem can be reported at its line and column.
type jval struct {
	off  int
	kind jkind
	str  string      // jString
	num  json.Number // jNumber
	b    bool        // jBool
	keys []string    // jObject, in order
	kpos []int       // jObject: offset of each key
	vals []*jval     // jObject: the values of keys; jArray: the elements
}

type jkind int

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

func (k jkind) String() string {
	return [...]string{"null", "a boolean", "a number", "a string", "a list", "an object"}[k]
}

// field returns the value of key in an object, or nil.
func (v *jval) field(key string) *jval {
	if v == nil || v.kind != jObject {
		return nil
	}
	for i, k := range v.keys {
		if k == key {
			return v.vals[i]
		}
	}
	return nil
}

// source locates offsets of one command's output in messages.
type source struct {
	name  string // e.g. `p1 "show ip route json"`
	data  []byte
	lines []int // offset of the start of each line after the first
}

func newSource(name string, data []byte) source {
	s := source{name: name, data: data}
	for i, c := range data {
		if c == '\n' {
			s.lines = append(s.lines, i+1)
		}
	}
	return s
}

// pos turns a byte offset into a position (1-based line and column, the
// column counted in bytes).
func (s source) pos(off int) diag.Pos {
	off = min(max(off, 0), len(s.data))
	line, _ := slices.BinarySearch(s.lines, off+1) // lines starting at or before off
	start := 0
	if line > 0 {
		start = s.lines[line-1]
	}
	return diag.Pos{File: s.name, Line: line + 1, Col: off - start + 1}
}

// readJSON reads data as one JSON value. A syntax error is returned as a
// diagnostic at its position, with hint; text that is not JSON at all
// (a router's "% Unknown command") is quoted in the message.
func (s source) readJSON(what, hint string) (*jval, diag.Diagnostics) {
	var ds diag.Diagnostics
	trimmed := bytes.TrimSpace(s.data)
	if len(trimmed) == 0 {
		ds.Add(s.pos(0), hint, "%s: the output is empty", what)
		return nil, ds
	}
	if c := trimmed[0]; c != '{' && c != '[' {
		ds.Add(s.pos(bytes.Index(s.data, trimmed[:1])), hint, "%s: the output is not JSON: %q", what, clip(string(trimmed), 80))
		return nil, ds
	}
	dec := json.NewDecoder(bytes.NewReader(s.data))
	dec.UseNumber()
	v, err := s.value(dec, 0)
	if err == nil {
		off := s.skip(int(dec.InputOffset()))
		if _, terr := dec.Token(); terr != io.EOF {
			err = &offsetError{off: off, msg: "text after the JSON value"}
		}
	}
	if err != nil {
		off := len(s.data)
		var oe *offsetError
		switch {
		case errors.As(err, &oe):
			off = oe.off
		case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
			err = errors.New("the output ends inside a JSON value (cut off?)")
		}
		ds.Add(s.pos(off), hint, "%s: invalid JSON: %s", what, strings.TrimPrefix(err.Error(), "json: "))
		return nil, ds
	}
	return v, nil
}

type offsetError struct {
	off int
	msg string
}

func (e *offsetError) Error() string { return e.msg }

// at places a syntax error of the decoder at off, the start of the token
// it was reading (the decoder's own offsets are not reliably that).
// Running out of input is left as it is.
func at(off int, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &offsetError{off: off, msg: se.Error()}
	}
	return err
}

// skip returns the offset of the next token at or after off: past blanks
// and the separators the decoder consumes with the following token.
func (s source) skip(off int) int {
	for off < len(s.data) {
		switch s.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}

func (s source) value(dec *json.Decoder, depth int) (*jval, error) {
	start := s.skip(int(dec.InputOffset()))
	if depth > maxDepth {
		return nil, &offsetError{off: start, msg: fmt.Sprintf("nested more than %d levels deep", maxDepth)}
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, at(start, err)
	}
	v := &jval{off: start}
	switch t := tok.(type) {
	case nil:
		v.kind = jNull
	case bool:
		v.kind, v.b = jBool, t
	case json.Number:
		v.kind, v.num = jNumber, t
	case string:
		v.kind, v.str = jString, t
	case json.Delim:
		switch t {
		case '{':
			v.kind = jObject
			for dec.More() {
				kpos := s.skip(int(dec.InputOffset()))
				k, err := dec.Token()
				if err != nil {
					return nil, at(kpos, err)
				}
				key, _ := k.(string) // the decoder only returns strings as keys
				val, err := s.value(dec, depth+1)
				if err != nil {
					return nil, err
				}
				v.keys, v.kpos, v.vals = append(v.keys, key), append(v.kpos, kpos), append(v.vals, val)
			}
		case '[':
			v.kind = jArray
			for dec.More() {
				val, err := s.value(dec, depth+1)
				if err != nil {
					return nil, err
				}
				v.vals = append(v.vals, val)
			}
		default:
			return nil, &offsetError{off: start, msg: fmt.Sprintf("unexpected %q", string(t))}
		}
		end := s.skip(int(dec.InputOffset()))
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, at(end, err)
		}
	}
	return v, nil
}

func clip(s string, n int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 && i < n {
		return s[:i] + " ..."
	}
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
