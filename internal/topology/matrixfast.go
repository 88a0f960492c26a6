package topology

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The fast path for demand_matrix rows. A full matrix of n nodes has n²
// cells; building a YAML node for each (yaml.v3 allocates a node, resolves
// its tag through a regular expression, and so on) was two thirds of the
// time to load a 754-node network. The rows of a matrix as the importers
// and Write lay them out, one flow list per line,
//
//	demand_matrix:
//	  unit: k
//	  nodes: [a, b, c]
//	  rows:
//	    - [0, 52.8, 26.4]
//	    - [52.8, 0, 79.2]   # comments are fine
//	    - [26.4, 79.2, 0]
//
// are cut out of the text before it goes to the YAML parser (the rows
// key then holds an empty flow list, "[]", and every line keeps its
// number) and scanned here, each cell keeping its line and column for
// messages. The YAML parser still reads everything else, and its
// positions confirm that the key found in the text is the rows key of the
// top-level demand_matrix mapping. Anything the scanner does not accept
// exactly (an anchor, a quoted cell, a list across lines, a tab, a line
// break other than \n or \r\n) leaves the whole file to the YAML parser:
// the fast path gives the same network and the same diagnostics, at the
// same positions, or is not taken (FuzzMatrixFast).

// fastMatrix is the rows block of a demand_matrix found in the text.
type fastMatrix struct {
	keyLine, keyCol int // the rows key, 1-based
	phCol           int // column of the "[]" put after "rows:"
	// dashLine and dashCol are where the block list starts (its first
	// "-"), where the YAML parser would place the rows node.
	dashLine, dashCol int
	rows              []fastRow
	nonzero           int // cells other than "0": an upper bound on the demands
	// ph is the placeholder node, once the YAML parser's positions have
	// confirmed it.
	ph *yaml.Node
}

// fastRow is one row: the text between its brackets.
type fastRow struct {
	line, open int    // the '[', 1-based
	text       []byte // between '[' and ']', in the caller's data
}

// cellClass marks the bytes a fast-path cell may hold.
var cellClass = func() (c [256]bool) {
	for b := '0'; b <= '9'; b++ {
		c[b] = true
	}
	for b := 'a'; b <= 'z'; b++ {
		c[b], c[b-'a'+'A'] = true, true
	}
	c['.'], c['_'], c['+'], c['-'] = true, true, true, true
	return c
}()

// cutMatrixRows finds the rows of a top-level demand_matrix in data. It
// returns the text with the rows replaced (same line numbers everywhere)
// and the rows, or nil when the file has no such block or the scanner
// does not accept it.
func cutMatrixRows(data []byte) ([]byte, *fastMatrix) {
	// Line numbers are counted at \n; the YAML parser also breaks lines
	// at a lone \r and at NEL, LS and PS.
	if hasOtherBreaks(data) {
		return nil, nil
	}
	text := data
	// The top-level key, at column 0.
	off, line := 0, 1
	found := false
	for off < len(text) {
		l, next := lineAt(text, off)
		off = next
		line++
		if rest, ok := bytes.CutPrefix(l, []byte("demand_matrix:")); ok && blankOrComment(rest) {
			found = true
			break
		}
	}
	if !found {
		return nil, nil
	}
	// Its keys, at the indentation of the first one; find rows.
	keyIndent := -1
	fm := &fastMatrix{}
	for {
		if off >= len(text) {
			return nil, nil
		}
		l, next := lineAt(text, off)
		ind := indent(l)
		if skippable(l, ind) {
			off = next
			line++
			continue
		}
		if ind == 0 {
			return nil, nil // the block ended without rows
		}
		if keyIndent < 0 {
			keyIndent = ind
		}
		if ind == keyIndent {
			if rest, ok := bytes.CutPrefix(l[ind:], []byte("rows:")); ok {
				if !blankOrComment(rest) {
					return nil, nil // a value, anchor or tag on the key's line
				}
				fm.keyLine, fm.keyCol = line, ind+1
				break
			}
		}
		off = next
		line++
	}
	keyEnd := off + keyIndent + len("rows:") // where " []" goes
	fm.phCol = keyIndent + len("rows:") + 2
	_, off = lineAt(text, off)
	line++
	blockStart := off
	dashIndent := -1
	for off < len(text) {
		l, next := lineAt(text, off)
		ind := indent(l)
		if skippable(l, ind) {
			off = next
			line++
			continue
		}
		if ind <= keyIndent {
			break // the next key, or the end of demand_matrix
		}
		if dashIndent < 0 {
			dashIndent = ind
			fm.dashLine, fm.dashCol = line, ind+1
		}
		row, nz, ok := scanRowLine(l, ind, dashIndent)
		if !ok {
			return nil, nil
		}
		row.line = line
		fm.rows = append(fm.rows, row)
		fm.nonzero += nz
		off = next
		line++
	}
	if len(fm.rows) == 0 {
		return nil, nil
	}
	blockEnd := off
	// What is cut must hold nothing the YAML parser would refuse, in the
	// comments too: printable ASCII only.
	for _, c := range data[keyEnd:blockEnd] {
		if (c < ' ' || c > '~') && c != '\n' && c != '\r' {
			return nil, nil
		}
	}
	// The new text: up to "rows:", the placeholder, then the block's line
	// breaks alone, then the rest.
	breaks := bytes.Count(data[blockStart:blockEnd], []byte{'\n'})
	out := make([]byte, 0, keyEnd+4+(len(data)-blockEnd)+breaks)
	out = append(out, data[:keyEnd]...)
	out = append(out, " []\n"...)
	for range breaks {
		out = append(out, '\n')
	}
	if blockEnd > blockStart && data[blockEnd-1] != '\n' {
		// The block ran to the end of a file without a final break.
		out = append(out, '\n')
	}
	out = append(out, data[blockEnd:]...)
	return out, fm
}

// hasOtherBreaks reports a line break other than \n and \r\n.
func hasOtherBreaks(data []byte) bool {
	for i := 0; ; {
		j := bytes.IndexByte(data[i:], '\r')
		if j < 0 {
			break
		}
		i += j + 1
		if i >= len(data) || data[i] != '\n' {
			return true
		}
	}
	return bytes.Contains(data, []byte("\u0085")) || bytes.Contains(data, []byte("\u2028")) || bytes.Contains(data, []byte("\u2029"))
}

// lineAt is the line starting at off, without its \n (and \r), and
// the offset of the next line.
func lineAt(text []byte, off int) ([]byte, int) {
	l := text[off:]
	next := len(text)
	if i := bytes.IndexByte(l, '\n'); i >= 0 {
		l, next = l[:i], off+i+1
	}
	if n := len(l); n > 0 && l[n-1] == '\r' {
		l = l[:n-1]
	}
	return l, next
}

// indent counts the leading spaces of l.
func indent(l []byte) int {
	i := 0
	for i < len(l) && l[i] == ' ' {
		i++
	}
	return i
}

// skippable: a blank line or a comment line. A tab among the leading
// blanks is for the YAML parser to judge.
func skippable(l []byte, ind int) bool {
	rest := l[ind:]
	return len(rest) == 0 || rest[0] == '#'
}

// blankOrComment: nothing but spaces, then nothing or a comment.
func blankOrComment(s []byte) bool {
	i := indent(s)
	return i == len(s) || i > 0 && s[i] == '#'
}

// scanRowLine accepts "- [cell, cell, ...]" at dashIndent, then blanks
// and an optional comment. A cell is a run of letters, digits and ._+-
// that starts with a digit, '.', '+', or '-' and another character: a
// plain YAML scalar that is never null. It returns the row and how many
// of its cells are not "0".
func scanRowLine(l []byte, ind, dashIndent int) (fastRow, int, bool) {
	if ind != dashIndent {
		return fastRow{}, 0, false
	}
	i := ind
	if i+1 >= len(l) || l[i] != '-' || l[i+1] != ' ' {
		return fastRow{}, 0, false
	}
	i++
	for i < len(l) && l[i] == ' ' {
		i++
	}
	if i >= len(l) || l[i] != '[' {
		return fastRow{}, 0, false
	}
	open := i
	i++
	nonzero := 0
	for {
		for i < len(l) && l[i] == ' ' {
			i++
		}
		if i < len(l) && l[i] == ']' && i == open+1+indent(l[open+1:]) {
			break // an empty row, "[]" or "[ ]"
		}
		start := i
		for i < len(l) && cellClass[l[i]] {
			i++
		}
		cell := l[start:i]
		if !goodCell(cell) {
			return fastRow{}, 0, false
		}
		if len(cell) != 1 || cell[0] != '0' {
			nonzero++
		}
		for i < len(l) && l[i] == ' ' {
			i++
		}
		if i >= len(l) {
			return fastRow{}, 0, false // the list goes on on the next line
		}
		if l[i] == ']' {
			break
		}
		if l[i] != ',' {
			return fastRow{}, 0, false
		}
		i++
	}
	row := fastRow{open: open + 1, text: l[open+1 : i]}
	if !blankOrComment(l[i+1:]) {
		return fastRow{}, 0, false
	}
	return row, nonzero, true
}

func goodCell(c []byte) bool {
	switch {
	case len(c) == 0:
		return false
	case c[0] >= '0' && c[0] <= '9', c[0] == '.', c[0] == '+':
		return true
	case c[0] == '-':
		return len(c) > 1
	}
	return false
}

// confirm checks, with the YAML parser's positions, that the rows key
// the scanner found is the rows key of the top-level demand_matrix
// mapping (the first of each, as Mapping reads them) and holds the
// placeholder.
func (fm *fastMatrix) confirm(root *yaml.Node) bool {
	m := value(root, "demand_matrix")
	if m == nil || m.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Value != "rows" {
			continue
		}
		if k.Line != fm.keyLine || k.Column != fm.keyCol || k.Style != 0 ||
			v.Kind != yaml.SequenceNode || v.Style != yaml.FlowStyle || len(v.Content) != 0 ||
			v.Line != fm.keyLine || v.Column != fm.phCol || v.Anchor != "" || v.Tag != "!!seq" {
			return false
		}
		fm.ph = v
		return true
	}
	return false
}

// value is the value of the first key named key of mapping m.
func value(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// parseFastRows is the loop of parseMatrix over the scanned rows: the same
// checks, in the same order, at the positions the YAML parser would give.
func (p *parser) parseFastRows(fm *fastMatrix, names []string, namesOK bool, unit string, unitOK bool) {
	const what = "demand_matrix"
	at := func(line, col int) *yaml.Node { return &yaml.Node{Line: line, Column: col} }
	if namesOK && len(fm.rows) != len(names) {
		p.y.Errorf(at(fm.dashLine, fm.dashCol), "give one row per node, in the order of nodes", "%s has %d rows for %d nodes", what, len(fm.rows), len(names))
	}
	mult := 1.0
	if unit != "" {
		mult = unitMult(unit)
	}
	if need := len(p.net.Demands) + fm.nonzero; cap(p.net.Demands) < need {
		p.net.Demands = append(make([]Demand, 0, need), p.net.Demands...)
	}
	for i, row := range fm.rows {
		if namesOK {
			if n := countCells(row.text); n != len(names) {
				p.y.Errorf(at(row.line, row.open), "give one rate per node, in the order of nodes", "%s: row %d has %d entries for %d nodes", what, i+1, n, len(names))
			}
		}
		s := row.text
		for j, k := 0, 0; k < len(s); j++ {
			for k < len(s) && s[k] == ' ' {
				k++
			}
			if k == len(s) {
				break // an empty row
			}
			start := k
			plain := true
			for k < len(s) && s[k] != ',' && s[k] != ' ' {
				if c := s[k]; !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
					plain = false
				}
				k++
			}
			cell := s[start:k]
			for k < len(s) && (s[k] == ' ' || s[k] == ',') {
				if s[k] == ',' {
					k++
					break
				}
				k++
			}
			if !unitOK {
				continue
			}
			var r float64
			ok := false
			if len(cell) == 1 && cell[0] == '0' {
				continue // no demand, and nothing to check
			}
			if v, good := parseDecimal(cell); good {
				if v *= mult; !math.IsInf(v, 0) {
					r, ok = v, true
				}
			} else if plain {
				if v, err := strconv.ParseFloat(string(cell), 64); err == nil {
					if v *= mult; !math.IsInf(v, 0) && v >= 0 {
						r, ok = v, true
					}
				}
			}
			if !ok {
				var e *cellErr
				r, e = matrixRate(string(cell), unit, i, j)
				if e != nil {
					p.y.Errorf(at(row.line, row.open+1+start), e.hint, e.format, e.args...)
					continue
				}
			}
			if r == 0 || i >= len(names) || j >= len(names) {
				continue
			}
			if i == j {
				p.y.Errorf(at(row.line, row.open+1+start), "the diagonal is traffic from a node to itself: set it to 0", "%s: row %d (%s) has %s on the diagonal", what, i+1, names[i], FormatRateExact(r))
				continue
			}
			p.net.Demands = append(p.net.Demands, Demand{Src: names[i], Dst: names[j], RateBps: r})
		}
	}
}

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// parseDecimal reads digits with an optional fraction ("52.8", "1000"),
// at most 15 digits in all, as strconv.ParseFloat does: both the digits
// as an integer and the power of ten are exact in a float64, so their
// quotient is the correctly rounded value (the fast path of
// strconv.ParseFloat too, without its generality). ok is false for
// anything else, which the caller gives to strconv.
func parseDecimal(s []byte) (float64, bool) {
	var mant uint64
	digits, frac, dot := 0, 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			mant = mant*10 + uint64(c-'0')
			digits++
			if dot {
				frac++
			}
		case c == '.' && !dot:
			dot = true
		default:
			return 0, false
		}
	}
	if digits == 0 || digits > 15 {
		return 0, false
	}
	return float64(mant) / pow10[frac], true
}

// countCells counts the cells of a scanned row.
func countCells(s []byte) int {
	if indent(s) == len(s) {
		return 0
	}
	n := 1
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			n++
		}
	}
	return n
}

// unitMult is the multiplier of a matrix unit (isRateUnit holds).
func unitMult(unit string) float64 {
	r, err := ParseRate("1" + unit)
	if err != nil {
		return 1
	}
	return r
}

// cellErr is a problem with a matrix cell, for the caller to report at
// the cell.
type cellErr struct {
	hint, format string
	args         []any
}

// matrixRate reads the text of the cell at row i, column j (0-based) of a
// matrix whose cells are in unit ("" for cells with their own units).
func matrixRate(s, unit string, i, j int) (float64, *cellErr) {
	what := func() string { return fmt.Sprintf("demand_matrix: row %d column %d", i+1, j+1) }
	text := s
	if unit != "" {
		if _, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64); err != nil || strings.ContainsAny(s, "xXpP") {
			if _, rerr := ParseRate(s); rerr == nil {
				return 0, &cellErr{fmt.Sprintf("the matrix unit %s applies to every entry: write the number alone", unit), "%s: %q has its own unit", []any{what(), s}}
			}
			return 0, &cellErr{fmt.Sprintf("use a plain number; the matrix unit %s applies", unit), "%s: %q is not a number", []any{what(), s}}
		}
		text = s + unit
	}
	r, err := ParseRate(text)
	if err != nil {
		msg, hint := splitRateErr(err)
		return 0, &cellErr{hint, "%s: %s", []any{what(), msg}}
	}
	return r, nil
}
