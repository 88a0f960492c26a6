package topology

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// matrixMinDemands is the number of demands above which Write uses a
// demand_matrix instead of a list, when the matrix is representable and
// dense enough (see Write).
const matrixMinDemands = 1000

// matrixMaxCellsPerDemand bounds how sparse a written matrix may be.
const matrixMaxCellsPerDemand = 4

// Write writes n as topology YAML (docs/topology.md). For a valid network,
// Parse reads the output back to an equal Network (positions and Files
// aside). The output is deterministic: items keep their order, default
// values are left out (metric 1, state up, drained false, empty fields
// such as a node without a loopback,
// link ids equal to the loader's default), rates are written exactly.
//
// More than 1000 demands are written as a demand_matrix when that gives
// back the same list: every rate above 0, no demand from a node to itself
// or repeated, the demands in row order for the node order chosen (the
// order of n.Nodes, else the order of first appearance in the demands),
// and at most 4 matrix cells per demand. The matrix unit is the one of T,
// G, M, k and bps in which every rate is exact and the text shortest.
// Otherwise demands are written as a list.
func Write(w io.Writer, n *Network) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if n.Name != "" {
		fmt.Fprintf(bw, "name: %s\n", quote(n.Name))
	}
	if n.IGP != "" {
		fmt.Fprintf(bw, "igp: %s\n", n.IGP)
	}
	writeNodes(bw, n.Nodes)
	writeLinks(bw, n.Links)
	if names := matrixOrder(n); names != nil {
		writeMatrix(bw, names, n.Demands)
	} else if len(n.Demands) > 0 {
		bw.WriteString("demands:\n")
		for _, d := range n.Demands {
			fmt.Fprintf(bw, "  - {src: %s, dst: %s, rate: %s}\n", quote(d.Src), quote(d.Dst), FormatRateExact(d.RateBps))
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write topology: %w", err)
	}
	return nil
}

func writeNodes(w *bufio.Writer, nodes []Node) {
	if len(nodes) == 0 {
		w.WriteString("nodes: []\n")
		return
	}
	w.WriteString("nodes:\n")
	for _, nd := range nodes {
		fmt.Fprintf(w, "  - name: %s\n", quote(nd.Name))
		for _, f := range [...]struct{ k, v string }{{"role", nd.Role}, {"site", nd.Site}, {"zone", nd.Zone}} {
			if f.v != "" {
				fmt.Fprintf(w, "    %s: %s\n", f.k, quote(f.v))
			}
		}
		if nd.Drained {
			w.WriteString("    drained: true\n")
		}
		if nd.Loopback != "" {
			fmt.Fprintf(w, "    loopback: %s\n", quote(nd.Loopback))
		}
		if p := nd.Position; p != nil {
			fmt.Fprintf(w, "    position: {lat: %s, lon: %s}\n", number(p.Lat), number(p.Lon))
		}
	}
}

func writeLinks(w *bufio.Writer, links []Link) {
	if len(links) == 0 {
		return
	}
	omit := defaultIDs(links)
	w.WriteString("links:\n")
	for i, l := range links {
		w.WriteString("  - ")
		if !omit[i] {
			fmt.Fprintf(w, "id: %s\n    ", quote(l.ID))
		}
		fmt.Fprintf(w, "a: %s\n", quote(endpoint(l.A, l.AInterface)))
		fmt.Fprintf(w, "    b: %s\n", quote(endpoint(l.B, l.BInterface)))
		fmt.Fprintf(w, "    capacity: %s\n", FormatRateExact(l.CapacityBps))
		switch {
		case l.MetricAB != l.MetricBA:
			fmt.Fprintf(w, "    metric: {ab: %d, ba: %d}\n", l.MetricAB, l.MetricBA)
		case l.MetricAB != 1:
			fmt.Fprintf(w, "    metric: %d\n", l.MetricAB)
		}
		if !l.Up {
			w.WriteString("    state: down\n")
		}
		if l.Class != "" {
			fmt.Fprintf(w, "    class: %s\n", quote(l.Class))
		}
		if len(l.SRLG) > 0 {
			q := make([]string, len(l.SRLG))
			for j, g := range l.SRLG {
				q[j] = quote(g)
			}
			fmt.Fprintf(w, "    srlg: [%s]\n", strings.Join(q, ", "))
		}
	}
}

func endpoint(node, iface string) string {
	if iface == "" {
		return node
	}
	return node + ":" + iface
}

// defaultIDs says which link ids may be left out because the loader
// (AssignLinkIDs) would give the same id back.
func defaultIDs(links []Link) []bool {
	omit := make([]bool, len(links))
	for i, l := range links {
		base := DefaultLinkID(l)
		omit[i] = l.ID == base || strings.HasPrefix(l.ID, base+"#")
	}
	trial := make([]Link, len(links))
	for {
		copy(trial, links)
		for i := range trial {
			if omit[i] {
				trial[i].ID = ""
			}
		}
		AssignLinkIDs(trial)
		changed := false
		for i := range links {
			if omit[i] && trial[i].ID != links[i].ID {
				omit[i], changed = false, true
			}
		}
		if !changed {
			return omit
		}
	}
}

// matrixOrder returns the node order of the demand matrix to write, or
// nil when the demands are to be written as a list.
func matrixOrder(n *Network) []string {
	ds := n.Demands
	if len(ds) <= matrixMinDemands {
		return nil
	}
	used := make(map[string]bool)
	var appearance []string
	for _, d := range ds {
		if !(d.RateBps > 0) || math.IsInf(d.RateBps, 0) || d.Src == d.Dst {
			return nil
		}
		for _, s := range [2]string{d.Src, d.Dst} {
			if !used[s] {
				used[s] = true
				appearance = append(appearance, s)
			}
		}
	}
	if len(appearance)*len(appearance) > matrixMaxCellsPerDemand*len(ds) {
		return nil
	}
	byNodes := make([]string, 0, len(appearance))
	in := make(map[string]bool, len(appearance))
	for _, nd := range n.Nodes {
		if used[nd.Name] && !in[nd.Name] {
			in[nd.Name] = true
			byNodes = append(byNodes, nd.Name)
		}
	}
	for _, s := range appearance {
		if !in[s] {
			byNodes = append(byNodes, s)
		}
	}
	for _, order := range [2][]string{byNodes, appearance} {
		if rowMajor(order, ds) {
			return order
		}
	}
	return nil
}

// rowMajor reports whether ds lists each (src, dst) at most once, in the
// order in which the matrix over names yields them.
func rowMajor(names []string, ds []Demand) bool {
	idx := make(map[string]int, len(names))
	for i, s := range names {
		idx[s] = i
	}
	prev := -1
	for _, d := range ds {
		k := idx[d.Src]*len(names) + idx[d.Dst]
		if k <= prev {
			return false
		}
		prev = k
	}
	return true
}

func writeMatrix(w *bufio.Writer, names []string, ds []Demand) {
	unit, mult := matrixUnit(ds)
	w.WriteString("demand_matrix:\n")
	if unit != "" {
		fmt.Fprintf(w, "  unit: %s\n", unit)
	}
	w.WriteString("  nodes: [")
	for i, s := range names {
		if i > 0 {
			w.WriteString(", ")
		}
		w.WriteString(quote(s))
	}
	w.WriteString("]\n  rows:\n")
	idx := make(map[string]int, len(names))
	for i, s := range names {
		idx[s] = i
	}
	k := 0
	buf := make([]byte, 0, 64)
	for i := range names {
		w.WriteString("    - [")
		for j := range names {
			if j > 0 {
				w.WriteString(", ")
			}
			if k < len(ds) && idx[ds[k].Src] == i && idx[ds[k].Dst] == j {
				buf = appendNumber(buf[:0], ds[k].RateBps/mult)
				w.Write(buf)
				k++
			} else {
				w.WriteByte('0')
			}
		}
		w.WriteString("]\n")
	}
}

// matrixUnit returns the unit for the matrix cells: among T, G, M, k and
// bps ("") those in which every rate is written exactly, the one giving
// the shortest text, the larger unit on a tie.
func matrixUnit(ds []Demand) (string, float64) {
	best, bestMult, bestLen := "", 1.0, -1
	buf := make([]byte, 0, 64)
	for _, u := range [...]struct {
		s string
		m float64
	}{{"T", 1e12}, {"G", 1e9}, {"M", 1e6}, {"k", 1e3}, {"", 1}} {
		total := 0
		for _, d := range ds {
			buf = appendNumber(buf[:0], d.RateBps/u.m)
			// The parser computes ParseRate(cell + unit), which is
			// ParseFloat(cell) * multiplier.
			back, err := strconv.ParseFloat(string(buf), 64)
			if err != nil || back*u.m != d.RateBps {
				total = -1
				break
			}
			total += len(buf)
		}
		if total >= 0 && (bestLen < 0 || total < bestLen) {
			best, bestMult, bestLen = u.s, u.m, total
		}
	}
	return best, bestMult
}

// number writes a float so that strconv.ParseFloat gives it back exactly.
func number(v float64) string { return string(appendNumber(nil, v)) }

func appendNumber(b []byte, v float64) []byte {
	if a := math.Abs(v); a == 0 || a >= 1e-4 && a < 1e21 {
		return strconv.AppendFloat(b, v, 'f', -1, 64)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// quote returns s as a YAML scalar: plain when that is safe (in block and
// flow context alike), double-quoted otherwise.
func quote(s string) string {
	if plainSafe(s) {
		return s
	}
	return strconv.Quote(s)
}

func plainSafe(s string) bool {
	switch s {
	case "", "~", "null", "Null", "NULL":
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_':
		case c == '.' || c == '/' || c == '+':
		case c == '-' || c == '@':
			if i == 0 {
				return false
			}
		case c == ':':
			if i == 0 || i == len(s)-1 {
				return false
			}
		case c == '#':
			if i == 0 || s[i-1] == ' ' {
				return false
			}
		case c == ' ':
			if i == 0 || i == len(s)-1 || s[i-1] == ' ' || s[i-1] == ':' {
				return false
			}
		default:
			return false
		}
	}
	return true
}
