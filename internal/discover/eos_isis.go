package discover

import (
	"encoding/json"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/observe"
)

// eosISISDatabaseCommand prints EOS's IS-IS database with every LSP's
// TLVs, as eAPI's JSON.
const eosISISDatabaseCommand = "show isis database detail | json"

const eosISISHint = "give the output of `show isis database detail | json` from EOS, unchanged"

type eosISISDatabase struct {
	VRFs map[string]struct {
		Instances map[string]struct {
			Level map[string]struct {
				LSPs map[string]struct {
					Hostname struct {
						Name string `json:"name"`
					} `json:"hostname"`
					Flags struct {
						Overload bool `json:"dbOverload"`
					} `json:"flags"`
					Sequence           json.Number `json:"sequence"`
					InterfaceAddresses []struct {
						IPv4 string `json:"ipv4Address"`
					} `json:"interfaceAddresses"`
					Neighbors []struct {
						SystemID string      `json:"systemId"`
						Metric   json.Number `json:"metric"`
					} `json:"neighbors"`
					Reachabilities []struct {
						Addr   string      `json:"reachabilityV4Addr"`
						Length json.Number `json:"maskLength"`
						Metric json.Number `json:"metric"`
					} `json:"reachabilities"`
					RouterCapabilities []struct {
						RouterID string `json:"routerId"`
					} `json:"routerCapabilities"`
				} `json:"lsps"`
			} `json:"level"`
		} `json:"isisInstances"`
	} `json:"vrfs"`
}

// ParseEOSISISDatabase reads `show isis database detail | json` as EOS's
// eAPI prints it: vrfs, isisInstances by name, level by number ("2") and
// lsps by LSP id ("1980.1800.0002.00-00"), each LSP with hostname.name,
// flags.dbOverload (the overload bit), interfaceAddresses[].ipv4Address,
// neighbors[] (systemId, with or without its pseudonode, and metric),
// reachabilities[] (reachabilityV4Addr, maskLength, metric: the IPv4
// prefixes) and routerCapabilities[].routerId (the router id; else the
// first interface address). EOS does not mark the router's own LSP:
// ReadPlatforms finds it by its address (ownByAddress). More than one
// IS-IS instance is an error. Systems are renamed by the hostnames the
// database holds, as ParseSRLISISDatabase does. name is as for
// ParseFRROSPFDatabase.
func ParseEOSISISDatabase(name string, data []byte) ([]observe.LSP, error) {
	l, raw, ds := locateAs[eosISISDatabase](name, data, eosISISDatabaseCommand, eosISISHint)
	if l == nil {
		return nil, ds.Err()
	}
	out := []observe.LSP{}
	instances := 0
	for _, vrf := range slices.Sorted(maps.Keys(raw.VRFs)) {
		for _, inst := range slices.Sorted(maps.Keys(raw.VRFs[vrf].Instances)) {
			at := []string{"vrfs", vrf, "isisInstances", inst}
			if instances++; instances == 2 {
				ds.Add(l.posOf(at...), "discovery reads one IS-IS instance: the network's", "a second IS-IS instance (%s in VRF %s)", diag.Excerpt(inst), diag.Excerpt(vrf))
				continue
			}
			levels := raw.VRFs[vrf].Instances[inst].Level
			for _, lv := range slices.Sorted(maps.Keys(levels)) {
				lat := append(slices.Clip(at), "level", lv)
				level, err := strconv.Atoi(lv)
				if err != nil || (level != 1 && level != 2) {
					ds.Add(l.posOf(lat...), eosISISHint, "level %s is not 1 or 2", diag.Excerpt(lv))
					continue
				}
				lsps := levels[lv].LSPs
				for _, id := range slices.Sorted(maps.Keys(lsps)) {
					e := lsps[id]
					eat := append(slices.Clip(lat), "lsps", id)
					lsp, ok := parseLSPID(strings.ToLower(id))
					if !ok {
						ds.Add(l.posOf(eat...), eosISISHint, "LSP id %s does not read as SYSTEM.PN-FR", diag.Excerpt(id))
						continue
					}
					seq, _ := strconv.ParseUint(e.Sequence.String(), 10, 32)
					lsp.Level, lsp.Overload, lsp.Hostname, lsp.Seq, lsp.Pos = level, e.Flags.Overload, e.Hostname.Name, uint32(seq), l.posOf(eat...)
					for _, rc := range e.RouterCapabilities {
						if a, err := netip.ParseAddr(rc.RouterID); err == nil && a.Is4() && !lsp.RouterID.IsValid() {
							lsp.RouterID = a
						}
					}
					for _, ia := range e.InterfaceAddresses {
						if a, err := netip.ParseAddr(ia.IPv4); err == nil && a.Is4() && !lsp.RouterID.IsValid() {
							lsp.RouterID = a
						}
					}
					for k, n := range e.Neighbors {
						nat := append(slices.Clip(eat), "neighbors", strconv.Itoa(k))
						m, ok := isisMetric(n.Metric.String())
						if !ok {
							ds.Add(l.posOf(append(nat, "metric")...), "an IS-IS wide metric is 0 to 16777215", "LSP %s: metric %s is not a metric", id, diag.Excerpt(n.Metric.String()))
							continue
						}
						nb := strings.ToLower(n.SystemID)
						if _, ok := parseLSPID(nb + "-00"); !ok {
							nb += ".00"
						}
						if _, ok := parseLSPID(nb + "-00"); !ok || nb == ".00" {
							ds.Add(l.posOf(append(nat, "systemId")...), eosISISHint, "LSP %s: neighbour systemId %s is not a system id", id, diag.Excerpt(n.SystemID))
							continue
						}
						lsp.Neighbors = append(lsp.Neighbors, observe.ISReach{Neighbor: nb, Metric: m})
					}
					for k, r := range e.Reachabilities {
						rat := append(slices.Clip(eat), "reachabilities", strconv.Itoa(k))
						a, err := netip.ParseAddr(r.Addr)
						bits, err2 := strconv.Atoi(r.Length.String())
						if err != nil || err2 != nil || !a.Is4() || bits < 0 || bits > 32 {
							ds.Add(l.posOf(rat...), eosISISHint, "LSP %s: %s/%s is not an IPv4 prefix", id, diag.Excerpt(r.Addr), diag.Excerpt(r.Length.String()))
							continue
						}
						m, ok := isisMetric(r.Metric.String())
						if !ok {
							ds.Add(l.posOf(append(rat, "metric")...), "an IS-IS wide metric is 0 to 16777215", "LSP %s: metric %s is not a metric", id, diag.Excerpt(r.Metric.String()))
							continue
						}
						lsp.Prefixes = append(lsp.Prefixes, netip.PrefixFrom(a, bits))
						lsp.PrefixMetrics = append(lsp.PrefixMetrics, m)
					}
					out = append(out, lsp)
				}
			}
		}
	}
	if len(out) == 0 && !ds.HasErrors() {
		ds.Add(l.posOf(), eosISISHint+"; is IS-IS running?", "show isis database detail: no LSP in the output")
	}
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	renameByHostname(out)
	return out, nil
}

// renameByHostname names the systems of a database whose LSPs are named
// by system id by the hostnames their LSPs carry: the LSPs' ids and
// systems, and the neighbour entries ("SYSID.PN") naming them.
func renameByHostname(lsps []observe.LSP) {
	names := map[string]string{}
	for _, l := range lsps {
		if l.Hostname != "" && l.Pseudonode == 0 && l.Fragment == 0 {
			names[l.System] = l.Hostname
		}
	}
	for i := range lsps {
		l := &lsps[i]
		if h, ok := names[l.System]; ok {
			l.System = h
			l.ID = h + l.ID[len(l.ID)-6:]
		}
		for k, n := range l.Neighbors {
			if sys, pn, ok := cutPseudonode(n.Neighbor); ok {
				if h, ok := names[sys]; ok {
					l.Neighbors[k].Neighbor = h + "." + pn
				}
			}
		}
	}
}

// cutPseudonode splits "SYSTEM.PN".
func cutPseudonode(s string) (string, string, bool) {
	i := strings.LastIndexByte(s, '.')
	if i < 0 || len(s)-i != 3 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}
