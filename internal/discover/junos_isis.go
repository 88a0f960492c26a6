package discover

import (
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/observe"
)

// junosISISDatabaseCommand prints Junos's IS-IS database with every
// LSP's neighbours, prefixes and header.
const junosISISDatabaseCommand = "show isis database extensive | display json"

const junosISISHint = "give the output of `show isis database extensive | display json` from Junos, unchanged"

type junosISISDatabase struct {
	Info []struct {
		Database []struct {
			Level   junosLeaf `json:"level"`
			Entries []struct {
				LSPID     junosLeaf `json:"lsp-id"`
				Neighbors []struct {
					ID     junosLeaf `json:"is-neighbor-id"`
					Metric junosLeaf `json:"metric"`
				} `json:"isis-neighbor"`
				Prefixes []struct {
					Protocol junosLeaf `json:"protocol-name"`
					Prefix   junosLeaf `json:"address-prefix"`
					Metric   junosLeaf `json:"metric"`
				} `json:"isis-prefix"`
				Header []struct {
					RouterID junosLeaf `json:"router-id"`
				} `json:"isis-header"`
				Packet []struct {
					Attributes junosLeaf `json:"lsp-attributes"`
				} `json:"isis-packet"`
				TLV []struct {
					Hostname []struct {
						Hostname junosLeaf `json:"hostname"`
					} `json:"hostname-tlv"`
					Address []struct {
						Address junosLeaf `json:"address"`
					} `json:"ipaddress-tlv"`
				} `json:"isis-tlv"`
			} `json:"isis-database-entry"`
		} `json:"isis-database"`
	} `json:"isis-database-information"`
}

// lspIDRE is an LSP id as routers print it: the system (a dynamic
// hostname, or the system id when the router sends none), the
// pseudonode and the fragment, both hex.
var lspIDRE = regexp.MustCompile(`^(\S+)\.([0-9A-Fa-f]{2})-([0-9A-Fa-f]{2})$`)

// parseLSPID reads an LSP id ("b.00-00", "1980.1800.0002.00-00").
func parseLSPID(s string) (observe.LSP, bool) {
	m := lspIDRE.FindStringSubmatch(s)
	if m == nil {
		return observe.LSP{}, false
	}
	pn, _ := strconv.ParseUint(m[2], 16, 8)
	fr, _ := strconv.ParseUint(m[3], 16, 8)
	return observe.LSP{ID: s, System: m[1], Pseudonode: int(pn), Fragment: int(fr)}, true
}

// isisMetric reads a wide IS-IS metric (0 to 2^24-1).
func isisMetric(s string) (int64, bool) {
	m, err := strconv.ParseInt(s, 10, 64)
	return m, err == nil && m >= 0 && m < 1<<24
}

// ParseJunosISISDatabase reads `show isis database extensive | display
// json` as Junos prints it: {"isis-database-information": [{
// "isis-database": [per level {"level", "isis-database-entry": [LSP,
// ...]}]}]}, each LSP with lsp-id ("b.00-00", its system the dynamic
// hostname), isis-neighbor's is-neighbor-id and metric (the IS
// reachability entries), isis-prefix's address-prefix and metric (IP
// prefixes; only protocol IP is read), isis-header's router-id (the TE
// router id; 0.0.0.0 when none is sent), isis-packet's lsp-attributes
// ("0x7 <L1 L2 Overload>": the overload bit is 0x4) and isis-tlv's
// ipaddress-tlv (the router's IPv4 interface address, taken as its
// router id when the header has none). Junos does not mark the
// router's own LSP: ReadPlatforms finds it by its address (ownByAddress).
// A "{master:0}" line after the JSON is skipped. name is as for
// ParseFRROSPFDatabase.
func ParseJunosISISDatabase(name string, data []byte) ([]observe.LSP, error) {
	l, raw, ds := locateAs[junosISISDatabase](name, junosTrim(data), junosISISDatabaseCommand, junosISISHint)
	if l == nil {
		return nil, ds.Err()
	}
	if len(raw.Info) != 1 {
		ds.Add(l.posOf(), junosISISHint+"; is IS-IS running?", "show isis database: %d isis-database-information objects, want 1", len(raw.Info))
		return nil, ds.Err()
	}
	out := []observe.LSP{}
	for di, db := range raw.Info[0].Database {
		dat := []string{"isis-database-information", "0", "isis-database", strconv.Itoa(di)}
		level, err := strconv.Atoi(db.Level.String())
		if err != nil || (level != 1 && level != 2) {
			ds.Add(l.posOf(append(dat, "level")...), junosISISHint, "level %s is not 1 or 2", diag.Excerpt(db.Level.String()))
			continue
		}
		for ei, e := range db.Entries {
			at := append(slices.Clip(dat), "isis-database-entry", strconv.Itoa(ei))
			lsp, ok := parseLSPID(e.LSPID.String())
			if !ok {
				ds.Add(l.posOf(append(at, "lsp-id")...), junosISISHint, "lsp-id %s does not read as SYSTEM.PN-FR", diag.Excerpt(e.LSPID.String()))
				continue
			}
			lsp.Level, lsp.Pos = level, l.posOf(at...)
			for _, p := range e.Packet {
				if a := p.Attributes.String(); a != "" {
					hex, _, _ := strings.Cut(a, " ")
					v, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(hex), "0x"), 16, 8)
					if !strings.HasPrefix(strings.ToLower(hex), "0x") || err != nil {
						ds.Add(l.posOf(append(at, "isis-packet", "0", "lsp-attributes")...), junosISISHint, "LSP %s: lsp-attributes %s is not a hex byte", lsp.ID, diag.Excerpt(a))
						continue
					}
					lsp.Overload = v&0x4 != 0
				}
			}
			for _, h := range e.Header {
				if a, err := netip.ParseAddr(h.RouterID.String()); err == nil && a.Is4() && !a.IsUnspecified() {
					lsp.RouterID = a
				}
			}
			for _, t := range e.TLV {
				for _, h := range t.Hostname {
					lsp.Hostname = h.Hostname.String()
				}
				for _, a := range t.Address {
					if ip, err := netip.ParseAddr(a.Address.String()); err == nil && ip.Is4() && !lsp.RouterID.IsValid() {
						lsp.RouterID = ip
					}
				}
			}
			for k, n := range e.Neighbors {
				nat := append(slices.Clip(at), "isis-neighbor", strconv.Itoa(k))
				m, ok := isisMetric(n.Metric.String())
				if !ok {
					ds.Add(l.posOf(append(nat, "metric")...), "an IS-IS wide metric is 0 to 16777215", "LSP %s: metric %s of neighbour %s is not a metric", lsp.ID, diag.Excerpt(n.Metric.String()), diag.Excerpt(n.ID.String()))
					continue
				}
				if n.ID.String() == "" {
					ds.Add(l.posOf(nat...), junosISISHint, "LSP %s: a neighbour without is-neighbor-id", lsp.ID)
					continue
				}
				lsp.Neighbors = append(lsp.Neighbors, observe.ISReach{Neighbor: n.ID.String(), Metric: m})
			}
			for k, p := range e.Prefixes {
				pat := append(slices.Clip(at), "isis-prefix", strconv.Itoa(k))
				if p.Protocol.String() != "IP" {
					continue
				}
				px, err := netip.ParsePrefix(p.Prefix.String())
				if err != nil || !px.Addr().Is4() {
					ds.Add(l.posOf(append(pat, "address-prefix")...), junosISISHint, "LSP %s: address-prefix %s is not an IPv4 prefix", lsp.ID, diag.Excerpt(p.Prefix.String()))
					continue
				}
				m, ok := isisMetric(p.Metric.String())
				if !ok {
					ds.Add(l.posOf(append(pat, "metric")...), "an IS-IS wide metric is 0 to 16777215", "LSP %s: metric %s of %s is not a metric", lsp.ID, diag.Excerpt(p.Metric.String()), px)
					continue
				}
				lsp.Prefixes = append(lsp.Prefixes, px)
				lsp.PrefixMetrics = append(lsp.PrefixMetrics, m)
			}
			out = append(out, lsp)
		}
	}
	if len(out) == 0 && !ds.HasErrors() {
		ds.Add(l.posOf(), junosISISHint+"; is IS-IS running?", "show isis database: no LSP in the output")
	}
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	return out, nil
}

// ownByAddress marks the router's own LSPs in a database that does not
// mark them (Junos): the level-2 LSPs of the system whose router id (TE
// router id, or IPv4 interface address) is an address of one of the
// router's interfaces. It does nothing when some LSP is marked already.
func ownByAddress(lsps []observe.LSP, ifs []Interface) {
	for _, l := range lsps {
		if l.Own {
			return
		}
	}
	mine := map[netip.Addr]bool{}
	for _, it := range ifs {
		for _, a := range it.Addrs {
			mine[a.Addr()] = true
		}
	}
	var own string
	for _, l := range lsps {
		if l.Pseudonode == 0 && l.Fragment == 0 && l.RouterID.IsValid() && mine[l.RouterID] {
			own = l.System
			break
		}
	}
	if own == "" {
		return
	}
	for i := range lsps {
		if lsps[i].System == own {
			lsps[i].Own = true
		}
	}
}
