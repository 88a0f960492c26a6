package diag

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
)

// Source is text that positions are reported in: a file, or the output
// of a command (Name says which, e.g. `p1 "show ip route json"`).
type Source struct {
	Name  string
	Data  []byte
	lines []int // offset of the start of each line after the first
}

// NewSource returns data as a Source named name.
func NewSource(name string, data []byte) *Source {
	s := &Source{Name: name, Data: data}
	for i, c := range data {
		if c == '\n' {
			s.lines = append(s.lines, i+1)
		}
	}
	return s
}

// Pos turns a byte offset into a position (1-based line and column, the
// column counted in bytes).
func (s *Source) Pos(off int) Pos {
	off = min(max(off, 0), len(s.Data))
	line, _ := slices.BinarySearch(s.lines, off+1) // lines starting at or before off
	start := 0
	if line > 0 {
		start = s.lines[line-1]
	}
	return Pos{File: s.Name, Line: line + 1, Col: off - start + 1}
}

// SkipJSONSpace returns the offset of the next JSON token at or after
// off: past blanks and the separators a json.Decoder consumes with the
// following token.
func (s *Source) SkipJSONSpace(off int) int {
	for off < len(s.Data) {
		switch s.Data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}

// JSONOffsetError is a problem found reading JSON, at byte offset Off of
// the Source.
type JSONOffsetError struct {
	Off int
	Msg string
}

func (e *JSONOffsetError) Error() string { return e.Msg }

// JSONSyntaxAt places a syntax error of a json.Decoder at off, the start
// of the token it was reading (the decoder's own offsets are not reliably
// that). Running out of input is left as it is.
func JSONSyntaxAt(off int, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &JSONOffsetError{Off: off, Msg: se.Error()}
	}
	return err
}

// ReadJSON reads Data as one JSON value with read, which takes the value
// from dec (numbers as json.Number); read reports a problem at a place
// with a *JSONOffsetError. Empty text, text that is not JSON at all (a
// router's "% Unknown command", shown through excerpt), a syntax error,
// text after the value and a value cut off are diagnostics at their
// position, with hint; what names the text in their messages.
func (s *Source) ReadJSON(what, hint string, excerpt func(string) string, read func(dec *json.Decoder) error) Diagnostics {
	var ds Diagnostics
	trimmed := bytes.TrimSpace(s.Data)
	if len(trimmed) == 0 {
		ds.Add(s.Pos(0), hint, "%s: the output is empty", what)
		return ds
	}
	if c := trimmed[0]; c != '{' && c != '[' {
		ds.Add(s.Pos(bytes.Index(s.Data, trimmed[:1])), hint, "%s: the output is not JSON: %s", what, excerpt(string(trimmed)))
		return ds
	}
	dec := json.NewDecoder(bytes.NewReader(s.Data))
	dec.UseNumber()
	err := read(dec)
	if err == nil {
		off := s.SkipJSONSpace(int(dec.InputOffset()))
		if _, terr := dec.Token(); terr != io.EOF {
			err = &JSONOffsetError{Off: off, Msg: "text after the JSON value"}
		}
	}
	if err != nil {
		off := len(s.Data)
		var oe *JSONOffsetError
		switch {
		case errors.As(err, &oe):
			off = oe.Off
		case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
			err = errors.New("the output ends inside a JSON value (cut off?)")
		}
		ds.Add(s.Pos(off), hint, "%s: invalid JSON: %s", what, strings.TrimPrefix(err.Error(), "json: "))
	}
	return ds
}
