package discover

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/observe"
)

// The commands read on the platforms other than FRR, on OSPF networks
// (the IS-IS commands are in ios_isis.go, eos_isis.go, junos_isis.go and srl_isis.go). Where the
// platform prints the output as structured data (Junos, EOS's interfaces,
// SR Linux) it is read as JSON; IOS-XE's and IOS-XR's outputs, and EOS's
// router-LSAs, as text. docs/discovery.md says where each format was
// taken from: none has been read from a real router here.
const (
	iosxeOSPFDatabaseCommand = "show ip ospf database router"
	iosxrOSPFDatabaseCommand = "show ospf database router"
	iosInterfacesCommand     = "show interfaces"
	eosOSPFDatabaseCommand   = "show ip ospf database router"
	eosInterfacesCommand     = "show interfaces | json"
	junosOSPFDatabaseCommand = "show ospf database router extensive | display json"
	junosInterfacesCommand   = "show interfaces | display json"
	srlOSPFDatabaseCommand   = "info from state network-instance default protocols ospf | as json"
	srlInterfacesCommand     = "info from state interface * | as json"
)

// platformReader is how discovery reads one platform other than FRR: the
// command that prints the OSPF router-LSAs and the one that prints the
// interfaces, and their parsers; on the platforms read on IS-IS networks
// too, the command that prints the IS-IS database and its parser.
type platformReader struct {
	databaseCommand   string
	database          func(name string, data []byte) (*OSPFDatabase, error)
	interfacesCommand string
	interfaces        func(name string, data []byte) ([]Interface, error)
	isisCommand       string
	isis              func(name string, data []byte) ([]observe.LSP, error)
}

// readers are the platforms read by platformReader, by registry name.
var readers = map[string]platformReader{
	"cisco_iosxe":   {iosxeOSPFDatabaseCommand, ParseIOSOSPFDatabase, iosInterfacesCommand, ParseIOSInterfaces, iosISISDatabaseCommand, ParseIOSISISDatabase},
	"cisco_iosxr":   {iosxrOSPFDatabaseCommand, ParseIOSOSPFDatabase, iosInterfacesCommand, ParseIOSInterfaces, iosISISDatabaseCommand, ParseIOSISISDatabase},
	"arista_eos":    {eosOSPFDatabaseCommand, ParseIOSOSPFDatabase, eosInterfacesCommand, ParseEOSInterfaces, eosISISDatabaseCommand, ParseEOSISISDatabase},
	"juniper_junos": {junosOSPFDatabaseCommand, ParseJunosOSPFDatabase, junosInterfacesCommand, ParseJunosInterfaces, junosISISDatabaseCommand, ParseJunosISISDatabase},
	"nokia_srl":     {srlOSPFDatabaseCommand, ParseSRLOSPFDatabase, srlInterfacesCommand, ParseSRLInterfaces, srlISISDatabaseCommand, ParseSRLISISDatabase},
}

// areaID writes an OSPF area id as a dotted quad, the form FRR prints, so
// that the copies of a database printed by routers of different
// platforms compare equal: IOS prints area 0 as "0", Junos as "0.0.0.0".
func areaID(s string) (string, bool) {
	if a, err := netip.ParseAddr(s); err == nil && a.Is4() {
		return a.String(), true
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return "", false
	}
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}).String(), true
}

// lsaLink makes one link of a router-LSA from its fields as RFC 2328
// A.4.2 names them (Link ID, Link Data, metric), kind being one of
// LinkPointToPoint, LinkStub, LinkTransit, LinkVirtual. Unnumbered
// point-to-point links give their ifindex as the link data; a number is
// written 0.0.0.N, as FRR does. The string is the problem, if any.
func lsaLink(kind, linkID, linkData string, metric int64) (LSALink, string) {
	lk := LSALink{Kind: kind, Metric: metric}
	if metric < 0 || metric > 0xFFFF {
		return lk, fmt.Sprintf("metric %d is out of range (0 to 65535)", metric)
	}
	addr := func(what, s string) (netip.Addr, string) {
		a, err := netip.ParseAddr(s)
		if err == nil && a.Is4() {
			return a, ""
		}
		if n, err := strconv.ParseUint(s, 10, 32); err == nil && what == "link data" {
			return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), ""
		}
		return netip.Addr{}, fmt.Sprintf("%s %s is not an IPv4 address", what, diag.Excerpt(s))
	}
	var bad string
	switch kind {
	case LinkPointToPoint:
		if lk.Neighbor, bad = addr("link id", linkID); bad != "" {
			return lk, bad
		}
		lk.Local, bad = addr("link data", linkData)
	case LinkStub:
		var a, m netip.Addr
		if a, bad = addr("link id", linkID); bad != "" {
			return lk, bad
		}
		if m, bad = addr("mask", linkData); bad != "" {
			return lk, bad
		}
		bits, ok := maskBits(m)
		if !ok {
			return lk, fmt.Sprintf("mask %s is not a mask", m)
		}
		lk.Network = netip.PrefixFrom(a, bits).Masked()
	case LinkVirtual:
		lk.Neighbor, bad = addr("link id", linkID)
	case LinkTransit:
	default:
		return lk, fmt.Sprintf("unknown link type %s", diag.Excerpt(kind))
	}
	return lk, bad
}

// sortLSAs sorts a database's LSAs as ParseFRROSPFDatabase does.
func sortLSAs(db *OSPFDatabase) {
	slices.SortStableFunc(db.LSAs, func(a, b RouterLSA) int {
		if c := strings.Compare(a.Area, b.Area); c != 0 {
			return c
		}
		return a.Router.Compare(b.Router)
	})
}

// speedMbps reads a speed written with a unit (Junos "1000mbps",
// "10Gbps"; SR Linux "25G", "100M"): 0 when it is none of those
// ("Unlimited", "Auto").
func speedMbps(s string) int64 {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimSuffix(s, "bps")
	mult := int64(0)
	switch {
	case strings.HasSuffix(s, "t"):
		mult = 1_000_000
	case strings.HasSuffix(s, "g"):
		mult = 1000
	case strings.HasSuffix(s, "m"):
		mult = 1
	default:
		return 0
	}
	n, err := strconv.ParseInt(s[:len(s)-1], 10, 64)
	if err != nil || n < 0 || n > 1<<40 {
		return 0
	}
	return n * mult
}
