package observe

import (
	"encoding/json"
	"fmt"
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
type source struct{ *diag.Source }

func newSource(name string, data []byte) source { return source{diag.NewSource(name, data)} }

// readJSON reads data as one JSON value. A syntax error is returned as a
// diagnostic at its position, with hint; text that is not JSON at all
// (a router's "% Unknown command") is quoted in the message.
func (s source) readJSON(what, hint string) (*jval, diag.Diagnostics) {
	var v *jval
	ds := s.ReadJSON(what, hint, func(t string) string { return fmt.Sprintf("%q", clip(t, 80)) }, func(dec *json.Decoder) error {
		var err error
		v, err = s.value(dec, 0)
		return err
	})
	if len(ds) > 0 {
		return nil, ds
	}
	return v, nil
}

func (s source) value(dec *json.Decoder, depth int) (*jval, error) {
	start := s.SkipJSONSpace(int(dec.InputOffset()))
	if depth > maxDepth {
		return nil, &diag.JSONOffsetError{Off: start, Msg: fmt.Sprintf("nested more than %d levels deep", maxDepth)}
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, diag.JSONSyntaxAt(start, err)
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
				kpos := s.SkipJSONSpace(int(dec.InputOffset()))
				k, err := dec.Token()
				if err != nil {
					return nil, diag.JSONSyntaxAt(kpos, err)
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
			return nil, &diag.JSONOffsetError{Off: start, Msg: fmt.Sprintf("unexpected %q", string(t))}
		}
		end := s.SkipJSONSpace(int(dec.InputOffset()))
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, diag.JSONSyntaxAt(end, err)
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
