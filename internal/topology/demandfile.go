package topology

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"
	"strings"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/userfile"
)

// maxCSVProblems caps the problems reported for one demand file, so that
// a wrong file of millions of lines does not drown the report.
const maxCSVProblems = 100

// LoadDemandFile reads one demand CSV file on its own (the format of
// demand_files, docs/topology.md), a file the user gave, checking every
// demand against nodes: a name that is not one of them is an error with
// "did you mean". The error is for I/O only (the file cannot be opened or
// read); every problem with the content is a diagnostic. The demands are
// nil when the diagnostics hold an error, and an empty, non-nil slice for
// a file with a header and no demands.
func LoadDemandFile(ctx context.Context, path string, nodes []Node) ([]Demand, diag.Diagnostics, error) {
	f, err := userfile.Open(ctx, path, userfile.Demands)
	if err != nil {
		return nil, nil, err // a *userfile.Error names the file and says why
	}
	defer f.Close()
	demands, ds, err := ReadDemands(path, f, nodes)
	if err != nil {
		return nil, ds, fmt.Errorf("load demand file %s: %w", path, err)
	}
	return demands, ds, nil
}

// ReadDemands is LoadDemandFile for a reader; file names it in
// diagnostics. The error is for read failures only.
func ReadDemands(file string, r io.Reader, nodes []Node) ([]Demand, diag.Diagnostics, error) {
	var ds diag.Diagnostics
	p := &parser{
		y:     diag.YAML{File: file, Diags: &ds},
		net:   &Network{Demands: []Demand{}},
		known: make(map[string]string, len(nodes)),
	}
	for _, n := range nodes {
		if _, dup := p.known[n.Name]; !dup && n.Name != "" {
			p.known[n.Name] = n.Name
			p.names = append(p.names, n.Name)
		}
	}
	cr := csvReader{p: p, file: file, col: [3]int{-1, -1, -1}}
	if err := cr.readAll(r); err != nil {
		ds.Sort()
		return nil, ds, err
	}
	ds.Sort()
	if ds.HasErrors() {
		return nil, ds, nil
	}
	return p.net.Demands, ds, nil
}

// csvColumns are the columns of a demand file, in any order.
var csvColumns = [3]string{"src", "dst", "rate"}

// csvReader reads one demand file: a header naming the columns src, dst
// and rate, then one demand per line; blank lines and lines starting with
// # are skipped. Demands are checked as they are read (names must be
// declared nodes, src differs from dst, the rate parses), each problem
// reported at file:line:column. Node names are shared with the declared
// nodes, so a good line costs no allocation.
type csvReader struct {
	p        *parser
	file     string
	line     int
	problems int
	header   bool
	col      [3]int // field index of src, dst and rate; -1 when missing
	ncols    int
	fields   [][]byte
	starts   []int
	hints    map[string]string // unknown name -> hint, computed once
	size     int64             // file size when known, to size the demand slice
	read     int64             // bytes read so far
}

// sizeAfter is the number of demands read before the demand slice is
// grown once to the size the file suggests, avoiding repeated copies of
// a slice of millions of demands.
const sizeAfter = 4096

// room reports whether another problem will be shown; expensive hints
// are computed only then.
func (c *csvReader) room() bool { return c.problems < maxCSVProblems }

func (c *csvReader) report(col int, hint, format string, args ...any) {
	if c.room() {
		c.p.y.Diags.Add(diag.Pos{File: c.file, Line: c.line, Col: col}, hint, format, args...)
	}
	c.problems++
}

// readAll streams r; the error is for read failures only.
func (c *csvReader) readAll(r io.Reader) error {
	if st, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := st.Stat(); err == nil && fi.Mode().IsRegular() {
			c.size = fi.Size()
		}
	}
	br := bufio.NewReaderSize(r, 1<<20)
	first := len(c.p.net.Demands)
	for {
		if c.size > 0 && len(c.p.net.Demands)-first == sizeAfter {
			c.grow(first)
		}
		line, err := br.ReadSlice('\n')
		c.read += int64(len(line))
		if err == bufio.ErrBufferFull {
			c.line++
			c.report(1, "a demand line is src,dst,rate", "line is longer than %d bytes", br.Size())
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			continue
		}
		if err != nil && err != io.EOF {
			return err
		}
		if len(line) > 0 {
			c.line++
			c.parseLine(line)
		}
		if err == io.EOF {
			break
		}
	}
	if !c.header {
		c.line++
		c.report(1, "start the file with the header line src,dst,rate", "demand file has no header line")
	}
	if c.problems > maxCSVProblems {
		c.p.y.Diags.Add(diag.Pos{File: c.file}, "fix the problems shown and run again", "%d more problems in this file not shown", c.problems-maxCSVProblems)
	}
	return nil
}

// grow makes room for the demands the rest of the file likely holds,
// judging by the bytes per demand so far (plus 5%).
func (c *csvReader) grow(first int) {
	ds := c.p.net.Demands
	perLine := float64(c.read) / float64(len(ds)-first)
	more := int(float64(c.size-c.read)/perLine*1.05) + 16
	if more > 0 && cap(ds)-len(ds) < more {
		c.p.net.Demands = append(make([]Demand, 0, len(ds)+more), ds...)
	}
}

func (c *csvReader) parseLine(line []byte) {
	if c.line == 1 {
		line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
	}
	for len(line) > 0 && (line[len(line)-1] == '\n' || line[len(line)-1] == '\r') {
		line = line[:len(line)-1]
	}
	rest := bytes.TrimLeft(line, " \t")
	if len(rest) == 0 || rest[0] == '#' {
		return
	}
	var ok bool
	c.fields, c.starts, ok = splitCSV(line, c.fields[:0], c.starts[:0])
	switch {
	case !ok:
		c.report(1, "close the quote, and keep each demand on one line", "malformed quoted field")
	case !c.header:
		c.header = true
		c.parseHeader()
	case c.col[0] >= 0 && c.col[1] >= 0 && c.col[2] >= 0:
		c.parseDemand()
	}
}

// splitCSV splits line at commas, trimming blanks around each field, and
// returns each field's 0-based start column. A line with a double quote
// goes through encoding/csv (columns are then unknown and given as 0).
func splitCSV(line []byte, fields [][]byte, starts []int) ([][]byte, []int, bool) {
	if bytes.IndexByte(line, '"') >= 0 {
		r := csv.NewReader(bytes.NewReader(line))
		r.TrimLeadingSpace = true
		rec, err := r.Read()
		if err != nil {
			return fields, starts, false
		}
		for _, f := range rec {
			fields = append(fields, []byte(strings.TrimSpace(f)))
			starts = append(starts, 0)
		}
		return fields, starts, true
	}
	start := 0
	for {
		end := len(line)
		i := bytes.IndexByte(line[start:], ',')
		if i >= 0 {
			end = start + i
		}
		s, e := start, end
		for s < e && (line[s] == ' ' || line[s] == '\t') {
			s++
		}
		for e > s && (line[e-1] == ' ' || line[e-1] == '\t') {
			e--
		}
		fields = append(fields, line[s:e])
		starts = append(starts, s)
		if i < 0 {
			return fields, starts, true
		}
		start = end + 1
	}
}

func (c *csvReader) parseHeader() {
	c.ncols = len(c.fields)
	matched := 0
	for i, f := range c.fields {
		if k := columnIndex(f); k >= 0 && c.col[k] < 0 {
			c.col[k] = i
			matched++
		}
	}
	if matched == 0 {
		c.report(1, "start the file with the header line src,dst,rate", "first line %q is not a header naming the columns src, dst and rate", clip(c.fields))
		return
	}
	seen := [3]bool{}
	for i, f := range c.fields {
		k := columnIndex(f)
		switch {
		case k < 0:
			hint := "the columns are src, dst and rate"
			if h := diag.DidYouMean(diag.Near(strings.ToLower(string(f)), csvColumns[:])); h != "" {
				hint = h
			}
			c.report(col(c.starts[i]), hint, "unknown column %q in header", string(f))
		case seen[k]:
			c.report(col(c.starts[i]), "name each column once", "column %q appears twice in header", csvColumns[k])
		}
		if k >= 0 {
			seen[k] = true
		}
	}
	for k, name := range csvColumns {
		if !seen[k] {
			c.report(1, "the header line is src,dst,rate", "header has no %s column", name)
		}
	}
}

func col(start int) int { return start + 1 }

func columnIndex(f []byte) int {
	for k, name := range csvColumns {
		if len(f) == len(name) && asciiEqualFold(f, name) {
			return k
		}
	}
	return -1
}

func clip(fields [][]byte) string {
	s := string(bytes.Join(fields, []byte(",")))
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}

func (c *csvReader) parseDemand() {
	if len(c.fields) != c.ncols {
		c.report(1, "write src,dst,rate in the order of the header", "line has %d fields, the header has %d", len(c.fields), c.ncols)
		return
	}
	var ends [2]string
	good := true
	for k := range 2 {
		f := c.fields[c.col[k]]
		name, ok := c.p.known[string(f)] // the lookup does not allocate
		switch {
		case len(f) == 0:
			c.report(col(c.starts[c.col[k]]), "give a node name", "empty %s", csvColumns[k])
			good = false
		case !ok:
			hint := ""
			if c.room() {
				hint = c.unknownHint(string(f))
			}
			c.report(col(c.starts[c.col[k]]), hint, "unknown %s node %q", csvColumns[k], string(f))
			good = false
		}
		ends[k] = name
	}
	if good && ends[0] == ends[1] {
		c.report(col(c.starts[c.col[1]]), "a demand needs two different nodes", "demand from %q to itself", ends[0])
		good = false
	}
	rate, err := parseRateBytes(c.fields[c.col[2]])
	if err != nil {
		msg, hint := splitRateErr(err)
		c.report(col(c.starts[c.col[2]]), hint, "rate: %s", msg)
		return
	}
	if good {
		c.p.net.Demands = append(c.p.net.Demands, Demand{Src: ends[0], Dst: ends[1], RateBps: rate})
	}
}

func (c *csvReader) unknownHint(name string) string {
	if h, ok := c.hints[name]; ok {
		return h
	}
	if c.hints == nil {
		c.hints = map[string]string{}
	}
	h := c.p.unknownHint(name)
	c.hints[name] = h
	return h
}

// parseRateBytes is ParseRate for a byte slice, without allocating for
// the common forms ("10G", "2.5M", "1000"). Anything unusual goes through
// ParseRate itself, so both accept exactly the same inputs.
func parseRateBytes(b []byte) (float64, error) {
	num, mult := b, 1.0
	for _, u := range rateUnits {
		if len(b) >= len(u.suffix) && asciiEqualFold(b[len(b)-len(u.suffix):], u.suffix) {
			num, mult = bytes.TrimRight(b[:len(b)-len(u.suffix)], " \t"), u.mult
			break
		}
	}
	plain := len(num) > 0 && len(num) <= 24
	for _, c := range num {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+') {
			plain = false
			break
		}
	}
	if plain {
		if v, err := strconv.ParseFloat(string(num), 64); err == nil {
			if v *= mult; !math.IsInf(v, 0) {
				return v, nil
			}
		}
	}
	return ParseRate(string(b))
}

// asciiEqualFold compares b with the lower-case ASCII string lower,
// ignoring the case of b.
func asciiEqualFold(b []byte, lower string) bool {
	for i := range len(lower) {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
