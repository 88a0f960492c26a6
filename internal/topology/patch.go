package topology

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/changegate/changegate/diag"
)

// Patch returns src, the text of the topology file file, with the
// parameters a plan changes set to those of to: each link's metric in
// each direction, its admin state and its capacity, and each node's
// drained state. Every other byte of src is kept as it is: comments,
// blank lines, the order of keys, flow or block style, quoting, demands
// and demand_files, positions, classes and shared-risk groups. A value
// that is written is replaced where it stands; one that is not (metric
// 1, state up, drained false by default) is added to its item, after its
// last one-line field (or at the end of a {...} item).
//
// src must parse to the nodes and links of from (TopologyDigest: the
// file is still the model the change was checked against), and to must
// be from after the change (dryrun.Undo's After): the same nodes and
// links in the same order, but for those parameters. The result is parsed back and must give exactly
// to's nodes and links (TopologyDigest); what cannot be edited in place
// (a changed value under a YAML anchor or reached through an alias, a
// block scalar, a tag) is an error naming file:line, and the caller may
// write the network whole instead (Write), losing the file's comments.
func Patch(file string, src []byte, from, to *Network) ([]byte, error) {
	was, root, ds := parse(file, src, ParseOptions{}, true)
	if ds.HasErrors() {
		return nil, fmt.Errorf("patch %s: %w", file, ds.Err())
	}
	if d := was.TopologyDigest(); d != from.TopologyDigest() {
		return nil, fmt.Errorf("patch %s: the file is no longer the model the change was checked against (its digest is %s, not %s)", file, d, from.TopologyDigest())
	}
	from = was // positions and order as in the file
	if err := sameExceptState(from, to); err != nil {
		return nil, fmt.Errorf("patch %s: %w", file, err)
	}
	p := &patcher{file: file, src: src, lines: lineStarts(src)}
	if err := p.plan(root, from, to); err != nil {
		return nil, fmt.Errorf("patch %s: %w", file, err)
	}
	out := p.apply()
	back, _, ds := parse(file, out, ParseOptions{}, true)
	switch {
	case ds.HasErrors():
		return nil, fmt.Errorf("patch %s: the edited text does not parse (%w); the file is written whole instead", file, ds.Err())
	case back.TopologyDigest() != to.TopologyDigest():
		return nil, fmt.Errorf("patch %s: the edited text does not give the model after the change (%s, not %s)", file, back.TopologyDigest(), to.TopologyDigest())
	}
	return out, nil
}

// sameExceptState reports how to differs from from in anything but
// links' metrics, states and capacities and nodes' drained states.
func sameExceptState(from, to *Network) error {
	if len(from.Nodes) != len(to.Nodes) || len(from.Links) != len(to.Links) {
		return fmt.Errorf("the model has %d nodes and %d links, the file %d and %d", len(to.Nodes), len(to.Links), len(from.Nodes), len(from.Links))
	}
	like := &Network{Name: to.Name, IGP: to.IGP, Nodes: slices.Clone(to.Nodes), Links: slices.Clone(to.Links)}
	for i := range like.Nodes {
		if like.Nodes[i].Name != from.Nodes[i].Name {
			return fmt.Errorf("node %d is %q in the model, %q in the file", i+1, like.Nodes[i].Name, from.Nodes[i].Name)
		}
		like.Nodes[i].Drained = from.Nodes[i].Drained
	}
	for i := range like.Links {
		l, f := &like.Links[i], from.Links[i]
		if l.ID != f.ID {
			return fmt.Errorf("link %d is %q in the model, %q in the file", i+1, l.ID, f.ID)
		}
		l.MetricAB, l.MetricBA, l.Up, l.CapacityBps = f.MetricAB, f.MetricBA, f.Up, f.CapacityBps
	}
	if like.TopologyDigest() != from.TopologyDigest() {
		return errors.New("the model differs from the file in more than metrics, link states, capacities and drained nodes")
	}
	return nil
}

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
}

type patcher struct {
	file  string
	src   []byte
	lines []int // the offset at which each line starts
	edits []edit
}

func lineStarts(src []byte) []int {
	out := []int{0}
	for i, c := range src {
		if c == '\n' {
			out = append(out, i+1)
		}
	}
	return out
}

// plan finds the edits that turn from into to.
func (p *patcher) plan(root *yaml.Node, from, to *Network) error {
	nodes, nodesShared := rootField(root, "nodes")
	links, linksShared := rootField(root, "links")
	for i, want := range to.Nodes {
		if want.Drained == from.Nodes[i].Drained {
			continue
		}
		it, shared := item(nodes, i)
		if shared || nodesShared {
			return p.sharedErr(it, "node "+want.Name)
		}
		if err := p.set(it, it.Style&yaml.FlowStyle != 0, "drained", strconv.FormatBool(want.Drained)); err != nil {
			return err
		}
	}
	for i, want := range to.Links {
		was := from.Links[i]
		if want.MetricAB == was.MetricAB && want.MetricBA == was.MetricBA && want.Up == was.Up && want.CapacityBps == was.CapacityBps {
			continue
		}
		it, shared := item(links, i)
		if shared || linksShared {
			return p.sharedErr(it, "link "+want.ID)
		}
		flow := it.Style&yaml.FlowStyle != 0
		if want.Up != was.Up {
			if err := p.set(it, flow, "state", map[bool]string{true: "up", false: "down"}[want.Up]); err != nil {
				return err
			}
		}
		if want.CapacityBps != was.CapacityBps {
			if err := p.set(it, flow, "capacity", FormatRateExact(want.CapacityBps)); err != nil {
				return err
			}
		}
		if want.MetricAB != was.MetricAB || want.MetricBA != was.MetricBA {
			if err := p.metric(it, flow, was, want); err != nil {
				return err
			}
		}
	}
	return nil
}

// rootField returns the value of key in the mapping m, and whether it is
// shared (an alias, or anchored for aliases elsewhere).
func rootField(m *yaml.Node, key string) (*yaml.Node, bool) {
	_, v := pair(m, key)
	return diag.Deref(v), shared(v)
}

// item returns the i-th item of the sequence seq, and whether it is
// shared.
func item(seq *yaml.Node, i int) (*yaml.Node, bool) {
	if seq == nil || i >= len(seq.Content) {
		return nil, true
	}
	it := seq.Content[i]
	return diag.Deref(it), shared(it)
}

func shared(n *yaml.Node) bool { return n != nil && (n.Kind == yaml.AliasNode || n.Anchor != "") }

func (p *patcher) sharedErr(n *yaml.Node, what string) error {
	return fmt.Errorf("%s: %s is shared through a YAML anchor or alias: changing it in place would change more", p.pos(n), what)
}

func (p *patcher) pos(n *yaml.Node) diag.Pos {
	if n == nil {
		return diag.Pos{File: p.file}
	}
	return diag.Pos{File: p.file, Line: n.Line, Col: n.Column}
}

// pair returns the key and value nodes of key in the mapping m.
func pair(m *yaml.Node, key string) (k, v *yaml.Node) {
	m = diag.Deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// set gives key the scalar text in the mapping m: in place when it is
// there, else added.
func (p *patcher) set(m *yaml.Node, flow bool, key, text string) error {
	if _, v := pair(m, key); v != nil {
		return p.replace(v, flow, text)
	}
	return p.insert(m, flow, key, text)
}

// metric writes a link's metrics: in the form the file has them (one
// number, or ab and ba), except that a number becomes {ab: x, ba: y} when
// they differ, and {ab: x, ba: y} on one line becomes a number when they
// are equal again.
func (p *patcher) metric(it *yaml.Node, flow bool, was, want Link) error {
	both := strconv.FormatInt(want.MetricAB, 10)
	if want.MetricAB != want.MetricBA {
		both = fmt.Sprintf("{ab: %d, ba: %d}", want.MetricAB, want.MetricBA)
	}
	_, v := pair(it, "metric")
	if v == nil {
		return p.insert(it, flow, "metric", both)
	}
	if shared(v) {
		return p.sharedErr(v, "the metric of link "+want.ID)
	}
	if v.Kind != yaml.MappingNode {
		return p.replace(v, flow, both)
	}
	if v.Style&yaml.FlowStyle != 0 && want.MetricAB == want.MetricBA {
		// {ab: 1000, ba: 10} on one line, equal again: one number, as
		// the file most likely had it before.
		start := p.offsetOf(v)
		end, err := p.flowEnd(v)
		if err == nil && !bytes.ContainsAny(p.src[start:end], "\n#&*!") {
			p.edits = append(p.edits, edit{start, end, both})
			return nil
		}
	}
	flow = flow || v.Style&yaml.FlowStyle != 0
	for _, d := range []struct {
		key       string
		was, want int64
	}{{"ab", was.MetricAB, want.MetricAB}, {"ba", was.MetricBA, want.MetricBA}} {
		if d.was == d.want {
			continue
		}
		_, dv := pair(v, d.key)
		if dv == nil {
			return fmt.Errorf("%s: the metric of link %s has no %s", p.pos(v), want.ID, d.key)
		}
		if err := p.replace(dv, flow, strconv.FormatInt(d.want, 10)); err != nil {
			return err
		}
	}
	return nil
}

// replace replaces the scalar v with text, in the quotes v has.
func (p *patcher) replace(v *yaml.Node, flow bool, text string) error {
	if shared(v) {
		return p.sharedErr(v, "the value")
	}
	if v.Kind != yaml.ScalarNode || v.Style&(yaml.LiteralStyle|yaml.FoldedStyle|yaml.TaggedStyle) != 0 {
		return fmt.Errorf("%s: only a plain or quoted value can be changed in place", p.pos(v))
	}
	start, end, err := p.scalar(v, flow)
	if err != nil {
		return err
	}
	switch {
	case v.Style&yaml.DoubleQuotedStyle != 0:
		text = `"` + text + `"`
	case v.Style&yaml.SingleQuotedStyle != 0:
		text = "'" + text + "'"
	}
	p.edits = append(p.edits, edit{start, end, text})
	return nil
}

// insert adds "key: text" to the mapping m: at the end of a flow mapping,
// or on a line of its own after the last pair of a block mapping whose
// value is on the key's line.
func (p *patcher) insert(m *yaml.Node, flow bool, key, text string) error {
	if m == nil || m.Kind != yaml.MappingNode || len(m.Content) < 2 {
		return fmt.Errorf("%s: cannot add %s: not a mapping with fields", p.pos(m), key)
	}
	if flow || m.Style&yaml.FlowStyle != 0 {
		end, err := p.valueEnd(m.Content[len(m.Content)-1], true)
		if err != nil {
			return err
		}
		p.edits = append(p.edits, edit{end, end, ", " + key + ": " + text})
		return nil
	}
	indent := m.Content[0].Column - 1
	for i := len(m.Content) - 2; i >= 0; i -= 2 {
		k, v := m.Content[i], m.Content[i+1]
		if v.Line != k.Line || k.Column-1 != indent {
			continue
		}
		end, err := p.valueEnd(v, false)
		if err != nil || bytes.IndexByte(p.src[p.offsetOf(v):end], '\n') >= 0 {
			continue
		}
		nl := "\n"
		at := bytes.IndexByte(p.src[end:], '\n')
		var before string
		if at < 0 { // the last line, without a newline
			at, before = len(p.src), nl
		} else {
			if at > 0 && p.src[end+at-1] == '\r' {
				nl = "\r\n"
			}
			at += end + 1
		}
		p.edits = append(p.edits, edit{at, at, before + spaces(indent) + key + ": " + text + nl})
		return nil
	}
	return fmt.Errorf("%s: cannot add %s: no field of this item is written on one line", p.pos(m), key)
}

func spaces(n int) string { return string(bytes.Repeat([]byte{' '}, n)) }

// offsetOf is the offset of n's first character in src.
func (p *patcher) offsetOf(n *yaml.Node) int {
	if n.Line < 1 || n.Line > len(p.lines) {
		return len(p.src)
	}
	off := p.lines[n.Line-1]
	for c := 1; c < n.Column && off < len(p.src) && p.src[off] != '\n'; c++ {
		_, w := utf8.DecodeRune(p.src[off:]) // yaml counts columns in characters
		off += w
	}
	return off
}

// valueEnd is the offset after the value v: a scalar, or a flow
// collection.
func (p *patcher) valueEnd(v *yaml.Node, flow bool) (int, error) {
	switch {
	case v.Kind == yaml.ScalarNode && v.Style&(yaml.LiteralStyle|yaml.FoldedStyle|yaml.TaggedStyle) == 0:
		_, end, err := p.scalar(v, flow)
		return end, err
	case (v.Kind == yaml.MappingNode || v.Kind == yaml.SequenceNode) && v.Style&yaml.FlowStyle != 0 && v.Anchor == "":
		return p.flowEnd(v)
	}
	return 0, fmt.Errorf("%s: cannot tell where this value ends", p.pos(v))
}

// scalar returns where the scalar v is written in src.
func (p *patcher) scalar(v *yaml.Node, flow bool) (start, end int, err error) {
	start = p.offsetOf(v)
	src := p.src
	switch {
	case v.Style&yaml.DoubleQuotedStyle != 0:
		if start >= len(src) || src[start] != '"' {
			break
		}
		for i := start + 1; i < len(src); i++ {
			switch src[i] {
			case '\\':
				i++
			case '"':
				return start, i + 1, nil
			}
		}
	case v.Style&yaml.SingleQuotedStyle != 0:
		if start >= len(src) || src[start] != '\'' {
			break
		}
		for i := start + 1; i < len(src); i++ {
			if src[i] == '\'' {
				if i+1 < len(src) && src[i+1] == '\'' {
					i++
					continue
				}
				return start, i + 1, nil
			}
		}
	default:
		end = start
		for end < len(src) {
			c := src[end]
			if c == '\n' || c == '\r' || c == '#' && end > start && (src[end-1] == ' ' || src[end-1] == '\t') || flow && (c == ',' || c == '}' || c == ']') {
				break
			}
			end++
		}
		for end > start && (src[end-1] == ' ' || src[end-1] == '\t') {
			end--
		}
		if string(src[start:end]) == v.Value {
			return start, end, nil
		}
	}
	return 0, 0, fmt.Errorf("%s: cannot find where %q is written", p.pos(v), v.Value)
}

// flowEnd returns the offset after the flow collection v.
func (p *patcher) flowEnd(v *yaml.Node) (int, error) {
	src := p.src
	start := p.offsetOf(v)
	if start >= len(src) || src[start] != '{' && src[start] != '[' {
		return 0, fmt.Errorf("%s: cannot find where this value starts", p.pos(v))
	}
	depth := 0
	for i := start; i < len(src); i++ {
		switch c := src[i]; c {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1, nil
			}
		case '"', '\'':
			j := i + 1
			for ; j < len(src); j++ {
				if c == '"' && src[j] == '\\' {
					j++
					continue
				}
				if src[j] == c {
					if c == '\'' && j+1 < len(src) && src[j+1] == '\'' {
						j++
						continue
					}
					break
				}
			}
			i = j
		case '#':
			if i > 0 && (src[i-1] == ' ' || src[i-1] == '\t' || src[i-1] == '\n') {
				for i < len(src) && src[i] != '\n' {
					i++
				}
			}
		}
	}
	return 0, fmt.Errorf("%s: this value does not end", p.pos(v))
}

// apply returns src with the edits made.
func (p *patcher) apply() []byte {
	es := slices.Clone(p.edits)
	slices.SortStableFunc(es, func(a, b edit) int { return a.start - b.start })
	var out bytes.Buffer
	out.Grow(len(p.src) + 64*len(es))
	at := 0
	for _, e := range es {
		if e.start < at {
			continue // cannot happen: every edit is of its own value; the check after catches it
		}
		out.Write(p.src[at:e.start])
		out.WriteString(e.text)
		at = e.end
	}
	out.Write(p.src[at:])
	return out.Bytes()
}
