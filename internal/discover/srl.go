package discover

import (
	"cmp"
	"encoding/json"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/changegate/changegate/diag"
)

const (
	srlDatabaseHint   = "give the output of `info from state network-instance default protocols ospf | as json` from SR Linux, unchanged"
	srlInterfacesHint = "give the output of `info from state interface * | as json` from SR Linux, unchanged"
)

// yangName is a JSON member name without its YANG module prefix
// ("srl_nokia-ospf:ospf" is "ospf").
func yangName(k string) string {
	if i := strings.LastIndexByte(k, ':'); i >= 0 {
		return k[i+1:]
	}
	return k
}

// member returns obj's member named k, with or without a module prefix.
func member(obj map[string]any, k string) (any, string, bool) {
	if v, ok := obj[k]; ok {
		return v, k, true
	}
	for key, v := range obj {
		if yangName(key) == k {
			return v, key, true
		}
	}
	return nil, "", false
}

// str is a string or number member of obj, as text.
func str(obj map[string]any, k string) (string, bool) {
	v, _, ok := member(obj, k)
	if !ok {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	}
	return "", false
}

// ParseSRLOSPFDatabase reads the state of SR Linux's OSPF
// (srl_nokia-ospf, `info from state network-instance default protocols
// ospf | as json`) wherever in the JSON it is rooted: an OSPFv2 instance
// (an object with router-id and an area list; OSPFv3 instances are
// skipped) gives the router id of the router that printed it; each area
// (area-id) its LSDB, whose LSAs with a router-lsa container
// (advertising-router, router-lsa's links: type router-lsa-p2p,
// -stub-network, -transit-network or -virtual-link, link-id, link-data,
// metric) are the router-LSAs. Module prefixes on names are allowed.
// More than one OSPFv2 instance with different router ids is an error,
// as is an output without router-LSAs.
// name is as for ParseFRROSPFDatabase.
func ParseSRLOSPFDatabase(name string, data []byte) (*OSPFDatabase, error) {
	l, root, ds := locateAs[any](name, data, srlOSPFDatabaseCommand, srlDatabaseHint)
	if l == nil {
		return nil, ds.Err()
	}
	db := &OSPFDatabase{}
	seen := map[string]bool{}
	instances := 0
	var visit func(v any, path []string, area string, depth int)
	visit = func(v any, path []string, area string, depth int) {
		if depth > maxDepth {
			return
		}
		switch v := v.(type) {
		case []any:
			for i, e := range v {
				visit(e, append(slices.Clip(path), strconv.Itoa(i)), area, depth+1)
			}
			return
		case map[string]any:
			if ver, ok := str(v, "version"); ok && strings.HasSuffix(ver, "ospf-v3") {
				return
			}
			if _, _, hasArea := member(v, "area"); hasArea {
				if rid, ok := str(v, "router-id"); ok {
					instances++
					a, err := netip.ParseAddr(rid)
					switch {
					case err != nil || !a.Is4():
						ds.Add(l.posOf(append(path, "router-id")...), srlDatabaseHint, "router-id %s is not a router id", diag.Excerpt(rid))
					case db.Self.IsValid() && db.Self != a:
						ds.Add(l.posOf(path...), "discovery reads one OSPF instance: the network's", "a second OSPF instance with router id %s, not %s", a, db.Self)
					default:
						db.Self = a
					}
				}
			}
			if id, ok := str(v, "area-id"); ok {
				a, good := areaID(id)
				if !good {
					ds.Add(l.posOf(path...), srlDatabaseHint, "area-id %s is not a dotted quad", diag.Excerpt(id))
					return
				}
				area = a
			}
			if rl, key, ok := member(v, "router-lsa"); ok {
				if hasMember(v, "advertising-router") {
					srlLSA(l, &ds, db, seen, v, rl, append(slices.Clip(path), key), path, area)
					return
				}
			}
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				visit(v[k], append(slices.Clip(path), k), area, depth+1)
			}
		}
	}
	visit(root, nil, "", 0)
	switch {
	case ds.HasErrors():
	case instances == 0:
		ds.Add(l.posOf(), srlDatabaseHint+"; is OSPF running, with a router-id?", "no OSPFv2 instance with a router-id in the output")
	case len(db.LSAs) == 0:
		ds.Add(l.posOf(), srlDatabaseHint+"; a router's database holds at least its own router-LSA (is the area's lsdb in the output?)", "no router-LSA in the output")
	}
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	sortLSAs(db)
	return db, nil
}

func hasMember(obj map[string]any, k string) bool {
	_, _, ok := member(obj, k)
	return ok
}

// srlLinkKind maps a router-LSA link type identity to a kind.
func srlLinkKind(s string) string {
	switch yangName(s) {
	case "router-lsa-p2p":
		return LinkPointToPoint
	case "router-lsa-stub-network":
		return LinkStub
	case "router-lsa-transit-network":
		return LinkTransit
	case "router-lsa-virtual-link":
		return LinkVirtual
	}
	return ""
}

// srlLSA reads one LSA (obj, at path) whose router-lsa container is rl
// (at rlPath) into db.
func srlLSA(l *located, ds *diag.Diagnostics, db *OSPFDatabase, seen map[string]bool, obj map[string]any, rl any, rlPath, path []string, area string) {
	advS, _ := str(obj, "advertising-router")
	rtr, err := netip.ParseAddr(advS)
	if err != nil || !rtr.Is4() {
		ds.Add(l.posOf(append(slices.Clip(path), "advertising-router")...), srlDatabaseHint, "advertising-router %s is not a router id", diag.Excerpt(advS))
		return
	}
	if area == "" {
		ds.Add(l.posOf(path...), srlDatabaseHint, "router-LSA of %s outside any area", rtr)
		return
	}
	if seen[area+" "+rtr.String()] {
		ds.Add(l.posOf(path...), "a database holds one router-LSA per router and area", "area %s: a second router-LSA of %s", area, rtr)
		return
	}
	seen[area+" "+rtr.String()] = true
	out := RouterLSA{Area: area, Router: rtr, Pos: l.posOf(path...)}
	body, ok := rl.(map[string]any)
	if !ok {
		ds.Add(l.posOf(rlPath...), srlDatabaseHint, "router %s: router-lsa is not an object", rtr)
		return
	}
	links, key, _ := member(body, "links")
	list, ok := links.([]any)
	if links != nil && !ok {
		ds.Add(l.posOf(append(slices.Clip(rlPath), key)...), srlDatabaseHint, "router %s: links is not a list", rtr)
		return
	}
	for i, e := range list {
		at := append(slices.Clip(rlPath), key, strconv.Itoa(i))
		lk, ok := e.(map[string]any)
		if !ok {
			ds.Add(l.posOf(at...), srlDatabaseHint, "router %s: link %d is not an object", rtr, i+1)
			continue
		}
		t, _ := str(lk, "type")
		kind := srlLinkKind(t)
		if kind == "" {
			ds.Add(l.posOf(append(slices.Clip(at), "type")...), "SR Linux's link types are router-lsa-p2p, router-lsa-stub-network, router-lsa-transit-network and router-lsa-virtual-link", "router %s: unknown link type %s", rtr, diag.Excerpt(t))
			continue
		}
		ms, _ := str(lk, "metric")
		m, err := strconv.ParseInt(ms, 10, 64)
		if err != nil {
			ds.Add(l.posOf(append(slices.Clip(at), "metric")...), "an OSPF metric is 0 to 65535", "router %s: metric %s is not a number", rtr, diag.Excerpt(ms))
			continue
		}
		id, _ := str(lk, "link-id")
		ld, _ := str(lk, "link-data")
		link, bad := lsaLink(kind, id, ld, m)
		if bad != "" {
			ds.Add(l.posOf(at...), srlDatabaseHint, "router %s: %s", rtr, bad)
			continue
		}
		link.Pos = l.posOf(at...)
		out.Links = append(out.Links, link)
	}
	db.LSAs = append(db.LSAs, out)
}

// ParseSRLInterfaces reads the state of SR Linux's interfaces
// (srl_nokia-interfaces, `info from state interface * | as json`): an
// object whose interface list holds, per interface, name, admin-state
// (enable, disable), oper-state, description, ethernet's port-speed
// ("25G") and the subinterface list: per subinterface its name (else the
// interface's name and its index), admin-state, oper-state and ipv4's
// address list (ip-prefix). The interfaces are the subinterfaces, which
// hold the addresses OSPF advertises; a subinterface is shut when it or
// its interface is disabled, and up when both are up. name is as for
// ParseFRROSPFDatabase.
func ParseSRLInterfaces(name string, data []byte) ([]Interface, error) {
	l, root, ds := locateAs[map[string]any](name, data, srlInterfacesCommand, srlInterfacesHint)
	if l == nil {
		return nil, ds.Err()
	}
	ifs, key, ok := member(root, "interface")
	list, isList := ifs.([]any)
	if !ok || !isList {
		ds.Add(l.posOf(), srlInterfacesHint, "info from state interface: no interface list")
		return nil, ds.Err()
	}
	out := []Interface{}
	for i, e := range list {
		at := []string{key, strconv.Itoa(i)}
		obj, ok := e.(map[string]any)
		iname, _ := str(obj, "name")
		if !ok || iname == "" {
			ds.Add(l.posOf(at...), srlInterfacesHint, "interface %d has no name", i+1)
			continue
		}
		adminS, _ := str(obj, "admin-state")
		operS, _ := str(obj, "oper-state")
		admin := adminS != "disable"
		oper := admin && operS == "up"
		speed := int64(0)
		if eth, _, ok := member(obj, "ethernet"); ok {
			if em, ok := eth.(map[string]any); ok {
				ps, _ := str(em, "port-speed")
				speed = speedMbps(ps)
			}
		}
		desc, _ := str(obj, "description")
		subs, skey, _ := member(obj, "subinterface")
		sl, _ := subs.([]any)
		for k, se := range sl {
			sat := append(slices.Clip(at), skey, strconv.Itoa(k))
			sub, ok := se.(map[string]any)
			if !ok {
				ds.Add(l.posOf(sat...), srlInterfacesHint, "%s: subinterface %d is not an object", iname, k+1)
				continue
			}
			sname, _ := str(sub, "name")
			if sname == "" {
				idx, ok := str(sub, "index")
				if !ok {
					ds.Add(l.posOf(sat...), srlInterfacesHint, "%s: a subinterface without a name or index", iname)
					continue
				}
				sname = iname + "." + idx
			}
			sa, _ := str(sub, "admin-state")
			so, hasOper := str(sub, "oper-state")
			sdesc, _ := str(sub, "description")
			it := Interface{Name: sname, AdminUp: admin && sa != "disable", SpeedMbps: speed, Description: cmp.Or(sdesc, desc), Pos: l.posOf(sat...)}
			it.OperUp = it.AdminUp && oper && (!hasOper || so == "up")
			if v4, v4key, ok := member(sub, "ipv4"); ok {
				v4m, _ := v4.(map[string]any)
				addrs, akey, _ := member(v4m, "address")
				al, _ := addrs.([]any)
				for ai, ae := range al {
					aat := append(slices.Clip(sat), v4key, akey, strconv.Itoa(ai))
					am, _ := ae.(map[string]any)
					ps, _ := str(am, "ip-prefix")
					p, err := netip.ParsePrefix(ps)
					if err != nil || !p.Addr().Is4() {
						ds.Add(l.posOf(aat...), srlInterfacesHint, "%s: ip-prefix %s is not an IPv4 address with its prefix length", sname, diag.Excerpt(ps))
						continue
					}
					it.Addrs = append(it.Addrs, p)
				}
			}
			out = append(out, it)
		}
	}
	return byName(out, ds)
}
