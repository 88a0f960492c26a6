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

// srlISISDatabaseCommand prints SR Linux's IS-IS state: the instance's
// system id and, per level, the link-state database.
const srlISISDatabaseCommand = "info from state network-instance default protocols isis | as json"

const srlISISHint = "give the output of `info from state network-instance default protocols isis | as json` from SR Linux, unchanged"

// systemIDRE is an IS-IS system id as routers print it.
var systemIDRE = regexp.MustCompile(`^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$`)

// srlPath is a path of member names and list indexes in a JSON value.
type srlPath []string

func (p srlPath) with(keys ...string) srlPath { return append(slices.Clip(p), keys...) }

// srlList is obj's member k as a list (a lone object is a list of one),
// with the member's key as written, or nil.
func srlList(obj map[string]any, k string) ([]any, string) {
	v, key, ok := member(obj, k)
	if !ok {
		return nil, ""
	}
	switch v := v.(type) {
	case []any:
		return v, key
	case map[string]any:
		return []any{v}, key
	}
	return nil, key
}

// srlObj is obj's member k as an object, with its key, or nil.
func srlObj(obj map[string]any, k string) (map[string]any, string) {
	v, key, _ := member(obj, k)
	o, _ := v.(map[string]any)
	return o, key
}

// srlStrings is obj's leaf-list member k as strings (a lone value is a
// list of one).
func srlStrings(obj map[string]any, k string) []string {
	v, _, ok := member(obj, k)
	if !ok {
		return nil
	}
	vs, isList := v.([]any)
	if !isList {
		vs = []any{v}
	}
	var out []string
	for _, e := range vs {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// ParseSRLISISDatabase reads the state of SR Linux's IS-IS
// (srl_nokia-isis and srl_nokia-isis-lsdb, `info from state
// network-instance default protocols isis | as json`) wherever in the
// JSON it is rooted: the instance's oper-system-id is the system id of
// the router that printed it; each level (level-number) has a
// link-state-database whose lsp list holds the LSPs: lsp-id
// ("1980.1800.0002.00-00"), flags (a leaf-list: "overload" is the
// overload bit) and tlvs/tlv[type], of which these are read:
// extended-is-reachability (neighbors/neighbor[system-id]/instances/
// instance[id]/metric: one instance per adjacency, so parallel links are
// listed), extended-ipv4-reachability (prefixes/prefix[prefix] with
// metric), ipv4-internal-reachability (narrow: default-metric/metric),
// dynamic-name (hostname/hostname), ipv4-te-router-id (router-id) and
// ipv4-interface-addresses (address, the router id when there is no TE
// router id). Module prefixes on names and identities are allowed.
//
// SR Linux names systems by system id; where the database holds a
// system's hostname, its LSPs and the neighbour entries naming it are
// written with the hostname, as FRR and Junos print them, so that the
// copies of one database read from routers of different platforms
// compare equal. name is as for ParseFRROSPFDatabase.
func ParseSRLISISDatabase(name string, data []byte) ([]observe.LSP, error) {
	l, root, ds := locateAs[any](name, data, srlISISDatabaseCommand, srlISISHint)
	if l == nil {
		return nil, ds.Err()
	}
	var self string
	out := []observe.LSP{}
	var visit func(v any, path srlPath, level int, inDB bool, depth int)
	visit = func(v any, path srlPath, level int, inDB bool, depth int) {
		if depth > maxDepth {
			return
		}
		switch v := v.(type) {
		case []any:
			for i, e := range v {
				visit(e, path.with(strconv.Itoa(i)), level, inDB, depth+1)
			}
		case map[string]any:
			if s, ok := str(v, "oper-system-id"); ok {
				s = strings.ToLower(s)
				switch {
				case !systemIDRE.MatchString(s):
					ds.Add(l.posOf(path.with("oper-system-id")...), srlISISHint, "oper-system-id %s is not a system id", diag.Excerpt(s))
				case self != "" && self != s:
					ds.Add(l.posOf(path...), "discovery reads one IS-IS instance: the network's", "a second IS-IS instance with system id %s, not %s", s, self)
				default:
					self = s
				}
			}
			if n, ok := str(v, "level-number"); ok {
				lv, err := strconv.Atoi(n)
				if err != nil || (lv != 1 && lv != 2) {
					ds.Add(l.posOf(path.with("level-number")...), srlISISHint, "level-number %s is not 1 or 2", diag.Excerpt(n))
					return
				}
				level = lv
			}
			if inDB {
				if _, ok := str(v, "lsp-id"); ok {
					if lsp, ok := srlLSP(l, &ds, v, path, level); ok {
						out = append(out, lsp)
					}
					return
				}
			}
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				visit(v[k], path.with(k), level, inDB || yangName(k) == "link-state-database", depth+1)
			}
		}
	}
	visit(root, nil, 0, false, 0)
	switch {
	case ds.HasErrors():
	case self == "":
		ds.Add(l.posOf(), srlISISHint+"; is IS-IS running?", "no IS-IS instance with an oper-system-id in the output")
	case len(out) == 0:
		ds.Add(l.posOf(), srlISISHint+"; a router's database holds at least its own LSP (is the level's link-state-database in the output?)", "no LSP in the output")
	}
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	for i := range out {
		out[i].Own = out[i].System == self
		for k := range out[i].Neighbors {
			out[i].Neighbors[k].Neighbor += ".00"
		}
	}
	renameByHostname(out)
	return out, nil
}

// srlLSP reads one LSP of level (obj, at path).
func srlLSP(l *located, ds *diag.Diagnostics, obj map[string]any, path srlPath, level int) (observe.LSP, bool) {
	id, _ := str(obj, "lsp-id")
	lsp, ok := parseLSPID(strings.ToLower(id))
	if !ok || !systemIDRE.MatchString(lsp.System) {
		ds.Add(l.posOf(path.with("lsp-id")...), srlISISHint, "lsp-id %s does not read as SYSTEM-ID.PN-FR (1980.1800.0002.00-00)", diag.Excerpt(id))
		return lsp, false
	}
	if level == 0 {
		ds.Add(l.posOf(path...), srlISISHint, "LSP %s outside any level", id)
		return lsp, false
	}
	lsp.Level, lsp.Pos = level, l.posOf(path...)
	lsp.Overload = slices.Contains(srlStrings(obj, "flags"), "overload")
	bad := false
	problem := func(at srlPath, format string, args ...any) {
		ds.Add(l.posOf(at...), srlISISHint, "LSP %s: "+format, append([]any{id}, args...)...)
		bad = true
	}
	metric := func(o map[string]any, at srlPath) (int64, bool) {
		s, _ := str(o, "metric")
		m, ok := isisMetric(s)
		if !ok {
			problem(at.with("metric"), "metric %s is not an IS-IS metric (0 to 16777215)", diag.Excerpt(s))
		}
		return m, ok
	}
	tlvs, tk := srlObj(obj, "tlvs")
	list, lk := srlList(tlvs, "tlv")
	var teID, ifAddr netip.Addr
	for i, e := range list {
		at := path.with(tk, lk, strconv.Itoa(i))
		tlv, ok := e.(map[string]any)
		if !ok {
			problem(at, "a tlv is not an object")
			continue
		}
		t, _ := str(tlv, "type")
		container := yangName(t)
		if container == "dynamic-name" {
			container = "hostname"
		}
		body, bk := srlObj(tlv, container)
		bat := at.with(bk)
		switch yangName(t) {
		case "extended-is-reachability":
			nbs, nk := srlObj(body, "neighbors")
			nl, nlk := srlList(nbs, "neighbor")
			for k, ne := range nl {
				nat := bat.with(nk, nlk, strconv.Itoa(k))
				nb, _ := ne.(map[string]any)
				sys, _ := str(nb, "system-id")
				sys = strings.ToLower(sys)
				if !systemIDRE.MatchString(sys) {
					problem(nat.with("system-id"), "neighbour system-id %s is not a system id", diag.Excerpt(sys))
					continue
				}
				insts, ik := srlObj(nb, "instances")
				il, ilk := srlList(insts, "instance")
				if len(il) == 0 {
					problem(nat, "neighbour %s has no instances (its adjacencies' metrics)", sys)
				}
				for j, ie := range il {
					in, _ := ie.(map[string]any)
					if m, ok := metric(in, nat.with(ik, ilk, strconv.Itoa(j))); ok {
						lsp.Neighbors = append(lsp.Neighbors, observe.ISReach{Neighbor: sys, Metric: m})
					}
				}
			}
		case "extended-ipv4-reachability", "ipv4-internal-reachability":
			pxs, pk := srlObj(body, "prefixes")
			pl, plk := srlList(pxs, "prefix")
			for k, pe := range pl {
				pat := bat.with(pk, plk, strconv.Itoa(k))
				po, _ := pe.(map[string]any)
				s, _ := str(po, "prefix")
				px, err := netip.ParsePrefix(s)
				if err != nil || !px.Addr().Is4() {
					problem(pat.with("prefix"), "prefix %s is not an IPv4 prefix", diag.Excerpt(s))
					continue
				}
				mo, mat := po, pat
				if yangName(t) == "ipv4-internal-reachability" {
					var dk string
					mo, dk = srlObj(po, "default-metric")
					mat = pat.with(dk)
				}
				if m, ok := metric(mo, mat); ok {
					lsp.Prefixes = append(lsp.Prefixes, px)
					lsp.PrefixMetrics = append(lsp.PrefixMetrics, m)
				}
			}
		case "dynamic-name":
			if hs := srlStrings(body, "hostname"); len(hs) > 0 {
				lsp.Hostname = hs[0]
			}
		case "ipv4-te-router-id":
			for _, s := range srlStrings(body, "router-id") {
				if a, err := netip.ParseAddr(s); err == nil && a.Is4() && !teID.IsValid() {
					teID = a
				}
			}
		case "ipv4-interface-addresses":
			for _, s := range srlStrings(body, "address") {
				if a, err := netip.ParseAddr(s); err == nil && a.Is4() && !ifAddr.IsValid() {
					ifAddr = a
				}
			}
		}
	}
	lsp.RouterID = teID
	if !teID.IsValid() {
		lsp.RouterID = ifAddr
	}
	return lsp, !bad
}
