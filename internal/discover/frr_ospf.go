package discover

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/changegate/changegate/diag"
)

// The FRR commands read, as vtysh takes them.
const (
	frrOSPFDatabaseCommand = "show ip ospf database router json"
	frrInterfacesCommand   = "show interface json"
)

const (
	databaseHint   = "give the output of `show ip ospf database router json` from FRR (vtysh), with ospfd running; the text must be the command's JSON, unchanged"
	interfacesHint = "give the output of `show interface json` from FRR (vtysh); the text must be the command's JSON, unchanged"
)

// OSPFDatabase is the router-LSAs of one router's OSPF link-state
// database, and the router that printed it.
type OSPFDatabase struct {
	// Self is the router id of the router that printed the database.
	Self netip.Addr `json:"self"`
	// LSAs are the router-LSAs of every area, sorted by area and then
	// advertising router.
	LSAs []RouterLSA `json:"lsas"`
}

// RouterLSA is one router's router-LSA in one area.
type RouterLSA struct {
	Area   string     `json:"area"`
	Router netip.Addr `json:"router"` // the advertising router
	// Links are the LSA's links in the order the router lists them.
	Links []LSALink `json:"links"`
	Pos   diag.Pos  `json:"-"`
}

// The kinds of link a router-LSA lists (RFC 2328 A.4.2).
const (
	LinkPointToPoint = "point-to-point"
	LinkTransit      = "transit"
	LinkStub         = "stub"
	LinkVirtual      = "virtual"
)

// LSALink is one link of a router-LSA.
type LSALink struct {
	Kind string `json:"kind"`
	// Neighbor is the neighbour's router id (point-to-point, virtual).
	Neighbor netip.Addr `json:"neighbor,omitzero"`
	// Local is the advertising router's interface address
	// (point-to-point; for an unnumbered interface its ifindex, written
	// 0.0.0.N).
	Local netip.Addr `json:"local,omitzero"`
	// Network is a stub network.
	Network netip.Prefix `json:"network,omitzero"`
	// Metric is the cost out of the router on this link (tos0Metric).
	Metric int64    `json:"metric"`
	Pos    diag.Pos `json:"-"`
}

// frrDatabase is `show ip ospf database router json` as FRR 8 prints it.
type frrDatabase struct {
	RouterID         *string `json:"routerId"`
	RouterLinkStates *struct {
		Areas map[string][]frrLSA `json:"areas"`
	} `json:"routerLinkStates"`
}

type frrLSA struct {
	LSAType           string                 `json:"lsaType"`
	AdvertisingRouter string                 `json:"advertisingRouter"`
	RouterLinks       map[string]frrLSALinks `json:"routerLinks"`
}

type frrLSALinks struct {
	LinkType               string `json:"linkType"`
	NeighborRouterID       string `json:"neighborRouterId"`
	RouterInterfaceAddress string `json:"routerInterfaceAddress"`
	NetworkAddress         string `json:"networkAddress"`
	NetworkMask            string `json:"networkMask"`
	DesignatedRouter       string `json:"designatedRouterAddress"`
	Tos0Metric             *int64 `json:"tos0Metric"`
}

// ParseFRROSPFDatabase reads the output of FRR's `show ip ospf database
// router json` (FRR 8): {"routerId": ..., "routerLinkStates": {"areas":
// {area: [router-LSA, ...]}}}, each LSA with advertisingRouter and
// routerLinks, an object whose keys are link0, link1, ... Fields it does
// not use are ignored; those it uses must have the right type. name says
// where the text came from (such as `p1 "show ip ospf database router
// json"`) and is the file of every problem's position. The error lists
// every problem found.
func ParseFRROSPFDatabase(name string, data []byte) (*OSPFDatabase, error) {
	l, raw, ds := locateAs[frrDatabase](name, data, frrOSPFDatabaseCommand, databaseHint)
	if l == nil {
		return nil, ds.Err()
	}
	db := &OSPFDatabase{}
	switch {
	case raw.RouterID == nil:
		ds.Add(l.posOf(), "is ospfd running? FRR prints the router's routerId first", "show ip ospf database router json: no routerId")
	default:
		a, err := netip.ParseAddr(*raw.RouterID)
		if err != nil || !a.Is4() {
			ds.Add(l.posOf("routerId"), "OSPF router ids are written as IPv4 addresses, such as 198.18.0.1", "routerId %s is not a router id", diag.Excerpt(*raw.RouterID))
		}
		db.Self = a
	}
	if raw.RouterLinkStates == nil {
		ds.Add(l.posOf(), "is ospfd running, in at least one area? FRR prints the LSAs under routerLinkStates", "show ip ospf database router json: no routerLinkStates")
		return nil, ds.Err()
	}
	areas := make([]string, 0, len(raw.RouterLinkStates.Areas))
	for a := range raw.RouterLinkStates.Areas {
		areas = append(areas, a)
	}
	slices.Sort(areas)
	for _, area := range areas {
		seen := map[netip.Addr]bool{}
		for i, lsa := range raw.RouterLinkStates.Areas[area] {
			at := []string{"routerLinkStates", "areas", area, strconv.Itoa(i)}
			if lsa.LSAType != "" && lsa.LSAType != "router-LSA" {
				continue
			}
			rtr, err := netip.ParseAddr(lsa.AdvertisingRouter)
			if err != nil || !rtr.Is4() {
				ds.Add(l.posOf(append(at, "advertisingRouter")...), "each LSA names its advertising router as an IPv4 address", "area %s LSA %d: advertisingRouter %s is not a router id", diag.Clip(area), i+1, diag.Excerpt(lsa.AdvertisingRouter))
				continue
			}
			if seen[rtr] {
				ds.Add(l.posOf(at...), "a database holds one router-LSA per router and area", "area %s: a second router-LSA of %s", diag.Clip(area), rtr)
				continue
			}
			seen[rtr] = true
			out := RouterLSA{Area: area, Router: rtr, Pos: l.posOf(at...)}
			keys, ok := linkKeys(l, &ds, lsa.RouterLinks, at)
			if !ok {
				continue
			}
			for _, k := range keys {
				lk, ok := readLSALink(l, &ds, lsa.RouterLinks[k], append(slices.Clip(at), "routerLinks", k), fmt.Sprintf("router %s %s", rtr, k))
				if ok {
					out.Links = append(out.Links, lk)
				}
			}
			db.LSAs = append(db.LSAs, out)
		}
	}
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	slices.SortStableFunc(db.LSAs, func(a, b RouterLSA) int {
		if c := strings.Compare(a.Area, b.Area); c != 0 {
			return c
		}
		return a.Router.Compare(b.Router)
	})
	return db, nil
}

// linkKeys returns the keys of routerLinks (link0, link1, ...) in their
// numeric order.
func linkKeys(l *located, ds *diag.Diagnostics, links map[string]frrLSALinks, at []string) ([]string, bool) {
	keys := make([]string, 0, len(links))
	num := make(map[string]int, len(links))
	ok := true
	for k := range links {
		n, err := strconv.Atoi(strings.TrimPrefix(k, "link"))
		if !strings.HasPrefix(k, "link") || err != nil || n < 0 {
			ds.Add(l.posOf(append(slices.Clip(at), "routerLinks", k)...), "FRR names a router-LSA's links link0, link1, ...", "routerLinks key %s is not linkN", diag.Excerpt(k))
			ok = false
			continue
		}
		keys = append(keys, k)
		num[k] = n
	}
	slices.SortFunc(keys, func(a, b string) int { return num[a] - num[b] })
	return keys, ok
}

func readLSALink(l *located, ds *diag.Diagnostics, raw frrLSALinks, at []string, what string) (LSALink, bool) {
	addr := func(field, s, hint string) (netip.Addr, bool) {
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is4() {
			ds.Add(l.posOf(append(slices.Clip(at), field)...), hint, "%s: %s %s is not an IPv4 address", what, field, diag.Excerpt(s))
			return netip.Addr{}, false
		}
		return a, true
	}
	lk := LSALink{Pos: l.posOf(at...)}
	if raw.Tos0Metric == nil {
		ds.Add(lk.Pos, "FRR gives every link's cost as tos0Metric", "%s has no tos0Metric", what)
		return lk, false
	}
	lk.Metric = *raw.Tos0Metric
	if lk.Metric < 0 || lk.Metric > 0xFFFF {
		ds.Add(l.posOf(append(slices.Clip(at), "tos0Metric")...), "an OSPF metric is 0 to 65535", "%s: tos0Metric %d is out of range", what, lk.Metric)
		return lk, false
	}
	ok := true
	switch t := strings.ToLower(raw.LinkType); {
	case strings.Contains(t, "point-to-point"):
		lk.Kind = LinkPointToPoint
		lk.Neighbor, ok = addr("neighborRouterId", raw.NeighborRouterID, "a point-to-point link names the neighbour's router id")
		if a, good := addr("routerInterfaceAddress", raw.RouterInterfaceAddress, "a point-to-point link names the router's interface address"); good {
			lk.Local = a
		} else {
			ok = false
		}
	case strings.Contains(t, "stub"):
		lk.Kind = LinkStub
		a, good := addr("networkAddress", raw.NetworkAddress, "a stub link names its network address")
		m, mgood := addr("networkMask", raw.NetworkMask, "a stub link names its network mask, such as 255.255.255.254")
		if !good || !mgood {
			return lk, false
		}
		bits, valid := maskBits(m)
		if !valid {
			ds.Add(l.posOf(append(slices.Clip(at), "networkMask")...), "a mask's ones come first, such as 255.255.255.254", "%s: networkMask %s is not a mask", what, m)
			return lk, false
		}
		lk.Network = netip.PrefixFrom(a, bits).Masked()
	case strings.Contains(t, "transit"):
		lk.Kind = LinkTransit
	case strings.Contains(t, "virtual"):
		lk.Kind = LinkVirtual
		lk.Neighbor, ok = addr("neighborRouterId", raw.NeighborRouterID, "a virtual link names the neighbour's router id")
	default:
		ds.Add(l.posOf(append(slices.Clip(at), "linkType")...), `FRR's link types are "another Router (point-to-point)", "a Transit Network", "Stub Network" and "a Virtual Link"`, "%s: unknown linkType %s", what, diag.Excerpt(raw.LinkType))
		return lk, false
	}
	return lk, ok
}

// maskBits returns the prefix length of a netmask.
func maskBits(m netip.Addr) (int, bool) {
	b := m.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	n := 0
	for n < 32 && v&(1<<(31-n)) != 0 {
		n++
	}
	if v<<n != 0 && n < 32 {
		return 0, false
	}
	return n, true
}
