package discover

import (
	"cmp"
	"encoding/json"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/changegate/changegate/diag"
)

const (
	junosDatabaseHint   = "give the output of `show ospf database router extensive | display json` from Junos, unchanged"
	junosInterfacesHint = "give the output of `show interfaces | display json` from Junos, unchanged"
)

// junosContextRE is the line Junos prints after a command's output on a
// router with more than one routing engine or a virtual chassis, naming
// the engine the CLI runs on ("{master:0}").
var junosContextRE = regexp.MustCompile(`\n\{(master|backup|primary|linecard)(:[0-9]+)?\}\s*$`)

// junosTrim cuts the routing-engine line from the end of an output, so
// that what is left is the JSON.
func junosTrim(data []byte) []byte {
	if loc := junosContextRE.FindIndex(data); loc != nil {
		return data[:loc[0]+1]
	}
	return data
}

// junosLeaf is a leaf as Junos writes XML in JSON: a list of one object
// whose "data" is the value (and "attributes" its XML attributes).
type junosLeaf []struct {
	Data string `json:"data"`
}

func (l junosLeaf) String() string {
	if len(l) == 0 {
		return ""
	}
	return l[0].Data
}

type junosDatabase struct {
	Info []struct {
		AreaHeader []struct {
			Area junosLeaf `json:"ospf-area"`
		} `json:"ospf-area-header"`
		Database []struct {
			Type      junosLeaf         `json:"lsa-type"`
			Adv       junosLeaf         `json:"advertising-router"`
			OurEntry  []json.RawMessage `json:"our-entry"`
			RouterLSA []struct {
				Links []struct {
					ID       junosLeaf `json:"link-id"`
					Data     junosLeaf `json:"link-data"`
					TypeName junosLeaf `json:"link-type-name"`
					Metric   junosLeaf `json:"metric"`
				} `json:"ospf-link"`
			} `json:"ospf-router-lsa"`
		} `json:"ospf-database"`
	} `json:"ospf-database-information"`
}

// junosLinkKind maps Junos's link-type-name to a kind.
func junosLinkKind(s string) string {
	switch strings.ToLower(s) {
	case "pointtopoint":
		return LinkPointToPoint
	case "stub":
		return LinkStub
	case "transit":
		return LinkTransit
	case "virtual":
		return LinkVirtual
	}
	return ""
}

// ParseJunosOSPFDatabase reads `show ospf database router extensive |
// display json` as Junos prints it: {"ospf-database-information": [{
// "ospf-area-header": [{"ospf-area": ...}], "ospf-database": [LSA, ...]}]},
// each LSA with lsa-type, advertising-router, our-entry on the router's
// own LSA (the router id of the router that printed it), and
// ospf-router-lsa's ospf-link list (link-id, link-data, link-type-name
// PointToPoint, Stub, Transit or Virtual, metric). Junos's JSON groups the
// area headers apart from the LSAs they head, so the output must hold one
// area: more is an error (discovery reads one area on Junos). The line
// naming the routing engine that may follow the JSON ("{master:0}") is
// skipped. name is as for ParseFRROSPFDatabase.
func ParseJunosOSPFDatabase(name string, data []byte) (*OSPFDatabase, error) {
	l, raw, ds := locateAs[junosDatabase](name, junosTrim(data), junosOSPFDatabaseCommand, junosDatabaseHint)
	if l == nil {
		return nil, ds.Err()
	}
	if len(raw.Info) != 1 {
		ds.Add(l.posOf(), junosDatabaseHint+"; is OSPF running?", "show ospf database: %d ospf-database-information objects, want 1", len(raw.Info))
		return nil, ds.Err()
	}
	info := raw.Info[0]
	root := []string{"ospf-database-information", "0"}
	var area string
	switch len(info.AreaHeader) {
	case 0:
		if len(info.Database) > 0 {
			ds.Add(l.posOf(root...), junosDatabaseHint, "no ospf-area-header: which area are the LSAs in?")
		}
	case 1:
		a, ok := areaID(info.AreaHeader[0].Area.String())
		if !ok {
			ds.Add(l.posOf(append(root, "ospf-area-header", "0", "ospf-area")...), junosDatabaseHint, "area %s is not a dotted quad", diag.Excerpt(info.AreaHeader[0].Area.String()))
		}
		area = a
	default:
		ds.Add(l.posOf(append(root, "ospf-area-header", "1")...), "discovery reads one OSPF area on Junos: Junos's JSON lists the area headers apart from the LSAs, so which LSA is in which area cannot be told", "the database has %d areas", len(info.AreaHeader))
	}
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	db := &OSPFDatabase{}
	seen := map[netip.Addr]bool{}
	for i, lsa := range info.Database {
		at := append(slices.Clip(root), "ospf-database", strconv.Itoa(i))
		if t := lsa.Type.String(); t != "Router" {
			continue
		}
		rtr, err := netip.ParseAddr(lsa.Adv.String())
		if err != nil || !rtr.Is4() {
			ds.Add(l.posOf(append(at, "advertising-router")...), junosDatabaseHint, "LSA %d: advertising-router %s is not a router id", i+1, diag.Excerpt(lsa.Adv.String()))
			continue
		}
		if len(lsa.OurEntry) > 0 {
			if db.Self.IsValid() && db.Self != rtr {
				ds.Add(l.posOf(append(at, "our-entry")...), junosDatabaseHint, "two router-LSAs marked our-entry: %s and %s", db.Self, rtr)
			}
			db.Self = rtr
		}
		if seen[rtr] {
			ds.Add(l.posOf(at...), "a database holds one router-LSA per router and area", "area %s: a second router-LSA of %s", area, rtr)
			continue
		}
		seen[rtr] = true
		if len(lsa.RouterLSA) != 1 {
			ds.Add(l.posOf(at...), junosDatabaseHint+" (extensive, so that the links are listed)", "router %s: %d ospf-router-lsa objects, want 1", rtr, len(lsa.RouterLSA))
			continue
		}
		out := RouterLSA{Area: area, Router: rtr, Pos: l.posOf(at...)}
		for k, lk := range lsa.RouterLSA[0].Links {
			lat := append(slices.Clip(at), "ospf-router-lsa", "0", "ospf-link", strconv.Itoa(k))
			kind := junosLinkKind(lk.TypeName.String())
			if kind == "" {
				ds.Add(l.posOf(append(lat, "link-type-name")...), "Junos's link types are PointToPoint, Stub, Transit and Virtual", "router %s: unknown link-type-name %s", rtr, diag.Excerpt(lk.TypeName.String()))
				continue
			}
			m, err := strconv.ParseInt(lk.Metric.String(), 10, 64)
			if err != nil {
				ds.Add(l.posOf(append(lat, "metric")...), "an OSPF metric is 0 to 65535", "router %s: metric %s is not a number", rtr, diag.Excerpt(lk.Metric.String()))
				continue
			}
			link, bad := lsaLink(kind, lk.ID.String(), lk.Data.String(), m)
			if bad != "" {
				ds.Add(l.posOf(lat...), junosDatabaseHint, "router %s: %s", rtr, bad)
				continue
			}
			link.Pos = l.posOf(lat...)
			out.Links = append(out.Links, link)
		}
		db.LSAs = append(db.LSAs, out)
	}
	if !db.Self.IsValid() && !ds.HasErrors() {
		ds.Add(l.posOf(root...), junosDatabaseHint+"; is OSPF running?", "no router-LSA is marked our-entry: whose database is this?")
	}
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	sortLSAs(db)
	return db, nil
}

type junosInterfaces struct {
	Info []struct {
		Physical []struct {
			Name        junosLeaf `json:"name"`
			AdminStatus junosLeaf `json:"admin-status"`
			OperStatus  junosLeaf `json:"oper-status"`
			Speed       junosLeaf `json:"speed"`
			Description junosLeaf `json:"description"`
			Logical     []struct {
				Name        junosLeaf                    `json:"name"`
				Description junosLeaf                    `json:"description"`
				Flags       []map[string]json.RawMessage `json:"if-config-flags"`
				Families    []struct {
					Name      junosLeaf `json:"address-family-name"`
					Addresses []struct {
						Local       junosLeaf `json:"ifa-local"`
						Destination junosLeaf `json:"ifa-destination"`
					} `json:"interface-address"`
				} `json:"address-family"`
			} `json:"logical-interface"`
		} `json:"physical-interface"`
	} `json:"interface-information"`
}

// ParseJunosInterfaces reads `show interfaces | display json` as Junos
// prints it: per physical interface its name, admin-status, oper-status,
// speed ("1000mbps", "10Gbps") and description, and its logical
// interfaces (units), each with its name, if-config-flags and, in the
// inet family, interface-address entries (ifa-local, and ifa-destination,
// the subnet, which gives the prefix length, its address perhaps cut
// short as Junos writes it, "10.10.50/24"; an address without one is a
// /32). The interfaces are the logical ones, which hold the addresses
// OSPF advertises: admin state is the physical interface's; a unit is up
// when its physical interface is and its flags do not say iff-down; its
// speed is its physical interface's. A "{master:0}" line after the JSON
// is skipped. name is as for ParseFRROSPFDatabase.
func ParseJunosInterfaces(name string, data []byte) ([]Interface, error) {
	l, raw, ds := locateAs[junosInterfaces](name, junosTrim(data), junosInterfacesCommand, junosInterfacesHint)
	if l == nil {
		return nil, ds.Err()
	}
	if len(raw.Info) != 1 {
		ds.Add(l.posOf(), junosInterfacesHint, "show interfaces: %d interface-information objects, want 1", len(raw.Info))
		return nil, ds.Err()
	}
	out := []Interface{}
	for i, phy := range raw.Info[0].Physical {
		at := []string{"interface-information", "0", "physical-interface", strconv.Itoa(i)}
		pname := phy.Name.String()
		if pname == "" {
			ds.Add(l.posOf(at...), junosInterfacesHint, "a physical interface without a name")
			continue
		}
		admin := phy.AdminStatus.String() == "up"
		oper := admin && phy.OperStatus.String() == "up"
		for k, lg := range phy.Logical {
			lat := append(slices.Clip(at), "logical-interface", strconv.Itoa(k))
			lname := lg.Name.String()
			if lname == "" {
				ds.Add(l.posOf(lat...), junosInterfacesHint, "a logical interface of %s without a name", diag.Excerpt(pname))
				continue
			}
			it := Interface{Name: lname, AdminUp: admin, OperUp: oper, SpeedMbps: speedMbps(phy.Speed.String()), Description: cmp.Or(lg.Description.String(), phy.Description.String()), Pos: l.posOf(lat...)}
			for _, f := range lg.Flags {
				if _, down := f["iff-down"]; down {
					it.OperUp = false
				}
			}
			for fi, fam := range lg.Families {
				if fam.Name.String() != "inet" {
					continue
				}
				for ai, a := range fam.Addresses {
					aat := append(slices.Clip(lat), "address-family", strconv.Itoa(fi), "interface-address", strconv.Itoa(ai))
					addr, err := netip.ParseAddr(a.Local.String())
					if err != nil || !addr.Is4() {
						ds.Add(l.posOf(append(aat, "ifa-local")...), junosInterfacesHint, "%s: ifa-local %s is not an IPv4 address", lname, diag.Excerpt(a.Local.String()))
						continue
					}
					bits := 32
					if d := a.Destination.String(); d != "" {
						var ok bool
						if bits, ok = junosPrefixLen(d); !ok {
							ds.Add(l.posOf(append(aat, "ifa-destination")...), junosInterfacesHint, "%s: ifa-destination %s is not an IPv4 subnet", lname, diag.Excerpt(d))
							continue
						}
					}
					it.Addrs = append(it.Addrs, netip.PrefixFrom(addr, bits))
				}
			}
			out = append(out, it)
		}
	}
	return byName(out, ds)
}

// junosPrefixLen is the prefix length of a subnet as Junos writes it in
// ifa-destination, where the network address may be cut short after the
// octets the mask covers ("10.10.50/24").
func junosPrefixLen(d string) (int, bool) {
	net, length, ok := strings.Cut(d, "/")
	n, err := strconv.Atoi(length)
	if !ok || err != nil || n < 0 || n > 32 || net == "" || strings.Count(net, ".") > 3 {
		return 0, false
	}
	for _, o := range strings.Split(net, ".") {
		if v, err := strconv.Atoi(o); err != nil || v < 0 || v > 255 {
			return 0, false
		}
	}
	return n, true
}
