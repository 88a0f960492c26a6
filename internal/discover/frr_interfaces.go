package discover

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/changegate/changegate/diag"
)

// Interface is one interface of a router, as `show interface json`
// reports it.
type Interface struct {
	Name string `json:"name"`
	// AdminUp is the administrative state (shutdown or not); OperUp the
	// operational one (carrier, and the interface up).
	AdminUp bool `json:"admin_up"`
	OperUp  bool `json:"oper_up"`
	// SpeedMbps is the speed the interface reports; BandwidthMbps the
	// bandwidth configured on it, 0 when none is.
	SpeedMbps     int64 `json:"speed_mbps"`
	BandwidthMbps int64 `json:"bandwidth_mbps,omitempty"`
	// Addrs are its IPv4 addresses with their prefix lengths.
	Addrs       []netip.Prefix `json:"addrs"`
	Description string         `json:"description,omitempty"`
	Pos         diag.Pos       `json:"-"`
}

// CapacityBps is the interface's capacity: the configured bandwidth, or
// else its speed; 0 when it reports neither.
func (i Interface) CapacityBps() float64 {
	if i.BandwidthMbps > 0 {
		return float64(i.BandwidthMbps) * 1e6
	}
	return float64(max(i.SpeedMbps, 0)) * 1e6
}

type frrInterface struct {
	AdministrativeStatus *string `json:"administrativeStatus"`
	OperationalStatus    string  `json:"operationalStatus"`
	Speed                *int64  `json:"speed"`
	Bandwidth            *int64  `json:"bandwidth"`
	Description          string  `json:"description"`
	IPAddresses          []struct {
		Address string `json:"address"`
	} `json:"ipAddresses"`
}

// ParseFRRInterfaces reads the output of FRR's `show interface json`
// (FRR 8): an object from interface name to administrativeStatus,
// operationalStatus, speed (Mbit/s), bandwidth (Mbit/s, when configured),
// description and ipAddresses. IPv6 addresses are skipped. name is as
// for ParseFRROSPFDatabase. Interfaces come out sorted by name.
func ParseFRRInterfaces(name string, data []byte) ([]Interface, error) {
	l, raw, ds := locateAs[map[string]frrInterface](name, data, frrInterfacesCommand, interfacesHint)
	if l == nil {
		return nil, ds.Err()
	}
	out := make([]Interface, 0, len(raw))
	for ifname, r := range raw {
		at := l.posOf(ifname)
		what := "interface " + diag.Excerpt(ifname)
		if ifname == "" {
			ds.Add(at, "FRR keys every interface by its name", "an interface without a name")
			continue
		}
		if r.AdministrativeStatus == nil {
			ds.Add(at, "FRR 8 gives every interface's administrativeStatus", "%s has no administrativeStatus", what)
			continue
		}
		it := Interface{Name: ifname, AdminUp: *r.AdministrativeStatus == "up", Description: r.Description, Pos: at}
		// An interface that is administratively down has no
		// operationalStatus in FRR 8.4's output.
		it.OperUp = it.AdminUp && r.OperationalStatus == "up"
		if r.Speed != nil {
			it.SpeedMbps = *r.Speed
		}
		if r.Bandwidth != nil {
			it.BandwidthMbps = *r.Bandwidth
		}
		for k, a := range r.IPAddresses {
			p, err := netip.ParsePrefix(a.Address)
			if err != nil {
				ds.Add(l.posOf(ifname, "ipAddresses", itoa(k), "address"), "an address with its prefix length, such as 198.19.0.0/31", "%s: address %s is not a prefix", what, diag.Excerpt(a.Address))
				continue
			}
			if p.Addr().Is4() {
				it.Addrs = append(it.Addrs, p)
			}
		}
		out = append(out, it)
	}
	return byName(out, ds)
}

// byName ends an interface parser: its problems, if it found any, else
// the interfaces in name order.
func byName(out []Interface, ds diag.Diagnostics) ([]Interface, error) {
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	slices.SortStableFunc(out, func(a, b Interface) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
