package discover

import (
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/observe"
)

// iosISISDatabaseCommand prints the IS-IS database with every LSP's TLVs
// on IOS-XE and IOS-XR.
const iosISISDatabaseCommand = "show isis database detail"

const iosISISHint = "give the output of `show isis database detail` from IOS-XE or IOS-XR, unchanged"

var (
	// The level's header: IOS-XE "IS-IS Level-2 Link State Database:",
	// IOS-XR "IS-IS CORE (Level-2) Link State Database".
	iosISISLevelRE = regexp.MustCompile(`^\s*IS-IS\s+(?:(\S+)\s+\(Level-([12])\)|Level-([12]))\s+Link State Database:?\s*$`)
	// IOS-XE's instance line, "Tag CORE:".
	iosISISTagRE = regexp.MustCompile(`^\s*Tag\s+(\S+):\s*$`)
	// An LSP's line: id, own mark, sequence number, checksum, holdtime
	// ("519/*", "578  /*", "1115 /1200", "1200") and ATT/P/OL.
	iosISISLSPRE = regexp.MustCompile(`^\s*(\S+\.[0-9A-Fa-f]{2}-[0-9A-Fa-f]{2})\s+(\*\s+)?0x([0-9A-Fa-f]{1,8})\s+0x[0-9A-Fa-f]{1,8}\s+\(?\d+\)?\s*(?:/\s*(?:\*|\d+))?\s+([01])/([01])/([01])\s*$`)
	// "Metric: 10  IS-Extended b.00", "Metric: 10  IP 198.19.0.0/31",
	// "Metric: 10  IP-Extended 198.19.0.0/31", "Metric: 10  IP 198.19.0.0 255.255.255.254".
	iosISISMetricRE  = regexp.MustCompile(`^\s*Metric:\s*(\d+)\s+(\S+)\s+(\S+)(?:\s+(\S+))?\s*$`)
	iosISISValueRE   = regexp.MustCompile(`^\s*(Hostname|Router ID|IP Address):\s*(\S+)\s*$`)
	iosISISSkipRE    = regexp.MustCompile(`^\s*(LSPID\s+LSP Seq Num.*|Total (Level-[12] )?LSP count:.*|\S+#.*|show\s.*|[A-Z][a-z]{2} [A-Z][a-z]{2} +\d+ [0-9:.]+ \S+)$`)
	iosISISRefusedRE = regexp.MustCompile(`^\s*%`)
)

// ParseIOSISISDatabase reads `show isis database detail` as IOS-XE and
// IOS-XR print it: per level a header ("IS-IS Level-2 Link State
// Database:" on IOS-XE, "IS-IS TAG (Level-2) Link State Database" on
// IOS-XR) and a table of LSPs, each a line with its id ("b.00-00", the
// system its dynamic hostname), "*" on the router's own, sequence
// number, checksum, holdtime and ATT/P/OL, followed by its TLVs, of which
// these are read: "Hostname:", "Router ID:" (the TE router id), "IP
// Address:" (the router's IPv4 interface address, taken as its router id
// when there is no TE router id), "Metric: M IS-Extended b.00" and
// "Metric: M IS b.00" (the neighbours), "Metric: M IP P/N", "Metric: M
// IP-Extended P/N" and "Metric: M IP A MASK" (the IPv4 prefixes); other
// TLVs (areas, NLPID, topologies, multi-topology and IPv6 entries,
// inter-area prefixes) are skipped, as are IOS-XR's timestamp line, the
// echoed command and the LSP counts. Indentation is not relied on (some
// published outputs have the TLVs at the LSP lines' indentation). A refused command, a line outside
// an LSP that is none of these, an LSP outside a level and a second
// IS-IS instance are errors at their line. name is as for
// ParseFRROSPFDatabase.
func ParseIOSISISDatabase(name string, data []byte) ([]observe.LSP, error) {
	var ds diag.Diagnostics
	out := []observe.LSP{}
	level, cur := 0, -1
	instance := ""
	var teIDs, ifAddrs []netip.Addr
	pos := func(line int) diag.Pos { return diag.Pos{File: name, Line: line, Col: 1} }
	endLSP := func() {
		if cur >= 0 {
			out[cur].RouterID = teIDs[cur]
			if !out[cur].RouterID.IsValid() {
				out[cur].RouterID = ifAddrs[cur]
			}
		}
	}
	setInstance := func(n int, tag string) {
		if instance != "" && tag != instance {
			ds.Add(pos(n), "discovery reads one IS-IS instance: the network's", "a second IS-IS instance (%s), not %s", diag.Excerpt(tag), diag.Excerpt(instance))
		}
		instance = tag
	}
	for i, line := range strings.Split(string(data), "\n") {
		n := i + 1
		line = strings.TrimRight(line, "\r")
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			continue
		case iosISISRefusedRE.MatchString(line):
			ds.Add(pos(n), iosISISHint, "the router refused the command: %s", diag.Excerpt(trimmed))
			continue
		case iosISISSkipRE.MatchString(line):
			continue
		}
		if m := iosISISTagRE.FindStringSubmatch(line); m != nil {
			endLSP()
			cur = -1
			setInstance(n, m[1])
			continue
		}
		if m := iosISISLevelRE.FindStringSubmatch(line); m != nil {
			endLSP()
			cur = -1
			if m[1] != "" {
				setInstance(n, m[1])
			}
			level, _ = strconv.Atoi(m[2] + m[3])
			continue
		}
		if m := iosISISLSPRE.FindStringSubmatch(line); m != nil {
			endLSP()
			cur = -1
			lsp, ok := parseLSPID(m[1])
			if !ok {
				ds.Add(pos(n), iosISISHint, "LSP id %s does not read as SYSTEM.PN-FR", diag.Excerpt(m[1]))
				continue
			}
			if level == 0 {
				ds.Add(pos(n), iosISISHint+" (with the level's header line)", "LSP %s outside a level's database", diag.Excerpt(m[1]))
				continue
			}
			seq, _ := strconv.ParseUint(m[3], 16, 32)
			lsp.Level, lsp.Own, lsp.Seq, lsp.Overload, lsp.Pos = level, m[2] != "", uint32(seq), m[6] == "1", pos(n)
			out = append(out, lsp)
			teIDs, ifAddrs = append(teIDs, netip.Addr{}), append(ifAddrs, netip.Addr{})
			cur = len(out) - 1
			continue
		}
		if cur < 0 {
			ds.Add(pos(n), iosISISHint, "line %s is neither an LSP, one of its TLVs, nor a level's header", diag.Excerpt(trimmed))
			continue
		}
		lsp := &out[cur]
		if m := iosISISValueRE.FindStringSubmatch(line); m != nil {
			switch m[1] {
			case "Hostname":
				lsp.Hostname = m[2]
			case "Router ID", "IP Address":
				a, err := netip.ParseAddr(m[2])
				if err != nil || !a.Is4() {
					ds.Add(pos(n), iosISISHint, "LSP %s: %s %s is not an IPv4 address", lsp.ID, m[1], diag.Excerpt(m[2]))
					continue
				}
				if m[1] == "Router ID" {
					teIDs[cur] = a
				} else if !ifAddrs[cur].IsValid() {
					ifAddrs[cur] = a
				}
			}
			continue
		}
		m := iosISISMetricRE.FindStringSubmatch(line)
		if m == nil {
			continue // a TLV not read
		}
		metric, ok := isisMetric(m[1])
		if !ok {
			ds.Add(pos(n), "an IS-IS metric is 0 to 16777215", "LSP %s: metric %s is out of range", lsp.ID, diag.Excerpt(m[1]))
			continue
		}
		switch m[2] {
		case "IS-Extended", "IS":
			if m[4] != "" {
				continue
			}
			if _, ok := parseLSPID(m[3] + "-00"); !ok {
				ds.Add(pos(n), iosISISHint, "LSP %s: neighbour %s does not read as SYSTEM.PN", lsp.ID, diag.Excerpt(m[3]))
				continue
			}
			lsp.Neighbors = append(lsp.Neighbors, observe.ISReach{Neighbor: m[3], Metric: metric})
		case "IP", "IP-Extended", "IP-Internal", "IP-External":
			p, ok := iosISISPrefix(m[3], m[4])
			if !ok {
				ds.Add(pos(n), iosISISHint, "LSP %s: %s is not an IPv4 prefix", lsp.ID, diag.Excerpt(strings.TrimSpace(m[3]+" "+m[4])))
				continue
			}
			lsp.Prefixes = append(lsp.Prefixes, p)
			lsp.PrefixMetrics = append(lsp.PrefixMetrics, metric)
		}
	}
	endLSP()
	if len(out) == 0 && !ds.HasErrors() {
		ds.Add(pos(1), iosISISHint+"; is IS-IS running?", "no LSP in the output: %s", diag.Excerpt(strings.TrimSpace(string(data))))
	}
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	return out, nil
}

// iosISISPrefix reads a prefix written P/N, or A MASK.
func iosISISPrefix(s, mask string) (netip.Prefix, bool) {
	if mask == "" {
		p, err := netip.ParsePrefix(s)
		return p, err == nil && p.Addr().Is4()
	}
	a, err1 := netip.ParseAddr(s)
	m, err2 := netip.ParseAddr(mask)
	if err1 != nil || err2 != nil || !a.Is4() || !m.Is4() {
		return netip.Prefix{}, false
	}
	bits, ok := maskBits(m)
	if !ok {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, bits), true
}
