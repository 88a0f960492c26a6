package observe

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/changegate/changegate/diag"
)

// The FRR commands read on an IS-IS network, as vtysh takes them. FRR
// 8.4 prints the database's JSON without its TLVs (one LSP, no
// reachability), so the database is read as text.
const (
	frrISISNeighborsCommand = "show isis neighbor detail json"
	frrISISDatabaseCommand  = "show isis database detail"
)

const (
	isisNeighborsHint = "give the output of `show isis neighbor detail json` from FRR (vtysh), with isisd running; the text must be the command's JSON, unchanged"
	isisDatabaseHint  = "give the output of `show isis database detail` from FRR (vtysh), unchanged"
)

// ParseFRRISISNeighbors reads the output of FRR's `show isis neighbor
// detail json` (FRR 8.4): {"areas": [{"area": "1", "circuits": [...]}]},
// each circuit with an adjacency giving adj (the neighbour's dynamic
// hostname, or its system id when it sends none), level and an interface
// object with name, state and ipv4-address (an object whose "ipv4" keys,
// repeated, hold the neighbour's addresses on the link; a list of
// addresses is read too). Circuits without an adjacency (FRR lists the
// passive loopback as {"circuit": 0}) are skipped; so is the plain form's
// interface given as a name, whose neighbours then have no address. name
// is as for ParseFRRRoutes. Neighbours come out sorted by system, then
// address, then interface; RouterID is not known from this output.
func ParseFRRISISNeighbors(name string, data []byte) ([]Neighbor, error) {
	src := newSource(name, data)
	root, ds := src.readJSON("show isis neighbor detail json", isisNeighborsHint)
	if root == nil {
		return nil, ds.Err()
	}
	r := reader{src: src, ds: &ds}
	if !r.expect(root, jObject, "the neighbour table", `an object {"areas": [...]}`) {
		return nil, ds.Err()
	}
	areas := root.field("areas")
	if areas == nil {
		ds.Add(src.Pos(root.off), `is IS-IS running? FRR prints {"areas":[...]} with one entry per area`, "show isis neighbor detail json: no \"areas\" list")
		return nil, ds.Err()
	}
	if !r.expect(areas, jArray, "areas", "a list of areas") {
		return nil, ds.Err()
	}
	out := []Neighbor{}
	for i, av := range areas.vals {
		what := fmt.Sprintf("area %d", i+1)
		if !r.expect(av, jObject, what, `an object with "area" and "circuits"`) {
			continue
		}
		if an, good := r.str(av.field("area"), what+": area"); good && an != "" {
			what = fmt.Sprintf("area %s", an)
		}
		circuits := av.field("circuits")
		if circuits == nil {
			continue
		}
		if !r.expect(circuits, jArray, what+": circuits", "a list of circuits") {
			continue
		}
		for j, cv := range circuits.vals {
			cwhat := fmt.Sprintf("%s circuit %d", what, j+1)
			if !r.expect(cv, jObject, cwhat, `an object with "adj", "interface" and "level"`) {
				continue
			}
			adj := cv.field("adj")
			if adj == nil {
				continue // no adjacency on this circuit
			}
			system, good := r.str(adj, cwhat+": adj")
			if !good {
				continue
			}
			if system == "" {
				ds.Add(src.Pos(adj.off), "adj names the neighbour: its hostname or system id", "%s: adj is empty", cwhat)
				continue
			}
			nb := Neighbor{System: system, Pos: src.Pos(cv.off)}
			cwhat = fmt.Sprintf("%s (adjacency %s)", cwhat, diag.Clip(system))
			nb.Level = int(r.integer(cv.field("level"), cwhat+": level"))
			nb.State, _ = r.str(cv.field("state"), cwhat+": state")
			switch iv := cv.field("interface"); {
			case iv == nil:
			case iv.kind == jString:
				nb.Interface = iv.str
			case r.expect(iv, jObject, cwhat+": interface", "the interface's name, or an object with name, state and ipv4-address (the detail form)"):
				nb.Interface, _ = r.str(iv.field("name"), cwhat+": interface name")
				if st := iv.field("state"); st != nil {
					nb.State, _ = r.str(st, cwhat+": interface state")
				}
				addrs, ok := r.isisAddrs(iv.field("ipv4-address"), cwhat+": ipv4-address")
				if !ok {
					continue
				}
				nb.Addresses = addrs
			}
			if len(nb.Addresses) > 0 {
				nb.Address = nb.Addresses[0]
			}
			out = append(out, nb)
		}
	}
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	sortISISNeighbors(out)
	return out, nil
}

// isisAddrs reads a neighbour's IPv4 addresses: FRR 8.4's object with a
// key "ipv4" per address, or a list of addresses.
func (r reader) isisAddrs(v *jval, what string) ([]netip.Addr, bool) {
	if v == nil {
		return nil, true
	}
	var vals []*jval
	switch v.kind {
	case jObject:
		vals = v.vals
	case jArray:
		vals = v.vals
	default:
		r.expect(v, jObject, what, `an object {"ipv4": "198.19.0.1", ...} or a list of addresses`)
		return nil, false
	}
	var out []netip.Addr
	ok := true
	for _, e := range vals {
		s, good := r.str(e, what)
		if !good {
			ok = false
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is4() {
			r.ds.Add(r.src.Pos(e.off), "the neighbour's IPv4 address on the link, such as 198.19.0.1", "%s: %q is not an IPv4 address", what, s)
			ok = false
			continue
		}
		out = append(out, a)
	}
	return out, ok
}

func sortISISNeighbors(ns []Neighbor) {
	less := func(a, b Neighbor) bool {
		if a.System != b.System {
			return a.System < b.System
		}
		if c := a.Address.Compare(b.Address); c != 0 {
			return c < 0
		}
		return a.Interface < b.Interface
	}
	for i := 1; i < len(ns); i++ { // insertion sort: a router has few neighbours
		for j := i; j > 0 && less(ns[j], ns[j-1]); j-- {
			ns[j], ns[j-1] = ns[j-1], ns[j]
		}
	}
}

// LSP is one link-state PDU of an IS-IS database, as `show isis database
// detail` prints it: its header and the TLVs observe uses.
type LSP struct {
	// Level is the database it is in (1 or 2).
	Level int `json:"level"`
	// ID is the LSP id as printed, "b.00-00" or "1980.1800.0002.00-00":
	// System (the router's dynamic hostname, or its system id when it
	// sends none), pseudonode and fragment.
	ID         string `json:"id"`
	System     string `json:"system"`
	Pseudonode int    `json:"pseudonode"`
	Fragment   int    `json:"fragment"`
	// Own marks the router's own LSP (the * column).
	Own bool `json:"own,omitempty"`
	// Seq is the sequence number; Overload the OL bit of ATT/P/OL.
	Seq      uint32 `json:"seq"`
	Overload bool   `json:"overload,omitempty"`
	Hostname string `json:"hostname,omitempty"`
	// RouterID is the TE router id TLV (FRR sends the router's zebra
	// router id, its loopback); not valid when absent.
	RouterID netip.Addr `json:"router_id,omitzero"`
	// Neighbors are the IS reachability entries (one per adjacency, as
	// system id and pseudonode, "1980.1800.0002.00") with their metrics.
	Neighbors []ISReach `json:"neighbors,omitempty"`
	// Prefixes are the IPv4 prefixes the router advertises (extended
	// and narrow IP reachability).
	Prefixes []netip.Prefix `json:"prefixes,omitempty"`
	// PrefixMetrics are the metrics Prefixes are advertised at, in the
	// same order (for a connected subnet, its interface's metric).
	PrefixMetrics []int64  `json:"prefix_metrics,omitempty"`
	Pos           diag.Pos `json:"-"`
}

// ISReach is one IS reachability entry of an LSP.
type ISReach struct {
	Neighbor string `json:"neighbor"`
	Metric   int64  `json:"metric"`
}

var (
	isisLevelRE = regexp.MustCompile(`^IS-IS Level-([12]) link-state database:\s*$`)
	// An LSP header: id, own mark, PDU length, sequence number, checksum,
	// holdtime (in parentheses once expired) and ATT/P/OL, which is
	// "none" for an LSP known only from a sequence-number PDU (sequence
	// number 0, just after an adjacency comes up).
	isisLSPRE    = regexp.MustCompile(`^(\S+)\.([0-9A-Fa-f]{2})-([0-9A-Fa-f]{2})\s+(\*\s+)?(\d+)\s+0x([0-9A-Fa-f]{1,8})\s+0x[0-9A-Fa-f]{1,4}\s+\(?\d+\)?\s+(?:([01])/([01])/([01])|none)\s*$`)
	isisReachRE  = regexp.MustCompile(`^(\S+) \(Metric: (\d+)\)`)
	isisIgnoreRE = regexp.MustCompile(`^(Area \S+:|LSP ID\s+PduLen|\s*\d+ LSPs?$)`)
)

// ParseFRRISISDatabase reads the output of FRR's `show isis database
// detail` (text; FRR 8.4): per area and level a table of LSPs, each
// header line followed by its TLVs, indented. It keeps, per LSP, the
// header (id, own mark, sequence number, overload bit), the hostname,
// the TE router id, the IS reachability (extended and narrow) and the
// IPv4 reachability (extended and narrow); other TLVs are skipped. A
// header or a kept TLV that does not read is an error at its line and
// column; so is a TLV line outside any LSP. name is as for
// ParseFRRRoutes. LSPs come out in the order printed.
func ParseFRRISISDatabase(name string, data []byte) ([]LSP, error) {
	src := newSource(name, data)
	var ds diag.Diagnostics
	text := string(data)
	if strings.TrimSpace(text) == "" {
		ds.Add(src.Pos(0), isisDatabaseHint, "show isis database detail: the output is empty")
		return nil, ds.Err()
	}
	out := []LSP{}
	level := 0
	cur := -1 // index in out of the LSP whose TLVs are being read
	off := 0
	sawHeader := false
	for ln := 1; off <= len(text); ln++ {
		end := strings.IndexByte(text[off:], '\n')
		line := text[off:]
		if end >= 0 {
			line = text[off : off+end]
		}
		lineOff := off
		if end < 0 {
			off = len(text) + 1
		} else {
			off += end + 1
		}
		line = strings.TrimRight(line, "\r")
		trimmed := strings.TrimSpace(line)
		at := func(col int) diag.Pos { return src.Pos(lineOff + col) }
		switch {
		case trimmed == "":
			cur = -1
			continue
		case isisIgnoreRE.MatchString(line):
			cur = -1
			continue
		}
		if m := isisLevelRE.FindStringSubmatch(trimmed); m != nil {
			level, _ = strconv.Atoi(m[1])
			cur = -1
			sawHeader = true
			continue
		}
		if line[0] != ' ' && line[0] != '\t' {
			m := isisLSPRE.FindStringSubmatch(line)
			if m == nil && !sawHeader {
				// Not a database at all: "% Unknown command", "isisd is
				// not running".
				ds.Add(at(0), isisDatabaseHint, "show isis database detail: the output is not a link-state database: %q", clip(strings.TrimSpace(text[lineOff:]), 80))
				return nil, ds.Err()
			}
			if m == nil {
				ds.Add(at(0), "an LSP line reads ID.PN-FR, *, PduLen, SeqNumber, Chksum, Holdtime and ATT/P/OL, such as \"b.00-00   111   0x00000004  0x20ad   1160   0/0/0\"", "line %d is not an LSP header: %q", ln, clip(trimmed, 80))
				cur = -1
				continue
			}
			if level == 0 {
				ds.Add(at(0), "each table starts with \"IS-IS Level-N link-state database:\"", "LSP %s outside a level's database", diag.Clip(m[1]))
			}
			pn, _ := strconv.ParseUint(m[2], 16, 8)
			fr, _ := strconv.ParseUint(m[3], 16, 8)
			seq, _ := strconv.ParseUint(m[6], 16, 32)
			out = append(out, LSP{Level: level, ID: m[1] + "." + m[2] + "-" + m[3], System: m[1], Pseudonode: int(pn), Fragment: int(fr),
				Own: m[4] != "", Seq: uint32(seq), Overload: m[9] == "1", Pos: at(0)})
			cur = len(out) - 1
			continue
		}
		key, val, ok := strings.Cut(trimmed, ": ")
		if !ok {
			key, val = strings.TrimSuffix(trimmed, ":"), ""
		}
		col := strings.Index(line, trimmed)
		valCol := col + len(key) + 2
		if cur < 0 {
			if isisKept[key] {
				ds.Add(at(col), "TLVs follow the header line of their LSP", "%s outside an LSP", diag.Clip(key))
			}
			continue
		}
		l := &out[cur]
		switch key {
		case "Hostname":
			l.Hostname = val
		case "TE Router ID":
			a, err := netip.ParseAddr(val)
			if err != nil || !a.Is4() {
				ds.Add(at(valCol), "the TE router id is an IPv4 address, such as 198.18.0.1", "LSP %s: TE Router ID %q is not an IPv4 address", l.ID, clip(val, 40))
				continue
			}
			l.RouterID = a
		case "Extended Reachability", "IS Reachability":
			m := isisReachRE.FindStringSubmatch(val)
			if m == nil {
				ds.Add(at(valCol), "an IS reachability entry reads SYSTEM-ID.PN (Metric: N)", "LSP %s: %s %q does not read", l.ID, key, clip(val, 40))
				continue
			}
			metric, err := strconv.ParseInt(m[2], 10, 64)
			if err != nil {
				ds.Add(at(valCol), "the metric is a whole number", "LSP %s: %s metric %q is too large", l.ID, key, m[2])
				continue
			}
			l.Neighbors = append(l.Neighbors, ISReach{Neighbor: m[1], Metric: metric})
		case "Extended IP Reachability", "IP Reachability":
			m := isisReachRE.FindStringSubmatch(val)
			var p netip.Prefix
			var err error
			if m != nil {
				p, err = netip.ParsePrefix(m[1])
			}
			var metric int64
			if m != nil && err == nil {
				metric, err = strconv.ParseInt(m[2], 10, 64)
			}
			if m == nil || err != nil || !p.Addr().Is4() {
				ds.Add(at(valCol), "an IP reachability entry reads PREFIX (Metric: N), such as 198.18.0.1/32 (Metric: 0)", "LSP %s: %s %q does not read", l.ID, key, clip(val, 40))
				continue
			}
			l.Prefixes = append(l.Prefixes, p)
			l.PrefixMetrics = append(l.PrefixMetrics, metric)
		}
	}
	if !sawHeader && !ds.HasErrors() {
		ds.Add(src.Pos(0), isisDatabaseHint+"; is IS-IS running?", "show isis database detail: no link-state database in the output: %q", clip(strings.TrimSpace(text), 80))
	}
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	return out, nil
}

// isisKept are the TLVs ParseFRRISISDatabase reads.
var isisKept = map[string]bool{"Hostname": true, "TE Router ID": true, "Extended Reachability": true, "IS Reachability": true,
	"Extended IP Reachability": true, "IP Reachability": true}
