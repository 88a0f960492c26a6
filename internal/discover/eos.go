package discover

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"

	"github.com/changegate/changegate/diag"
)

const eosInterfacesHint = "give the output of `show interfaces | json` from EOS, unchanged"

type eosInterfaces struct {
	Interfaces *map[string]eosInterface `json:"interfaces"`
}

type eosIP struct {
	Address string      `json:"address"`
	MaskLen json.Number `json:"maskLen"`
}

type eosInterface struct {
	InterfaceStatus    *string      `json:"interfaceStatus"`
	LineProtocolStatus string       `json:"lineProtocolStatus"`
	Bandwidth          *json.Number `json:"bandwidth"`
	Description        string       `json:"description"`
	InterfaceAddress   []struct {
		PrimaryIP               *eosIP  `json:"primaryIp"`
		SecondaryIPsOrderedList []eosIP `json:"secondaryIpsOrderedList"`
	} `json:"interfaceAddress"`
}

// ParseEOSInterfaces reads `show interfaces | json` as EOS prints it:
// {"interfaces": {NAME: {...}}}, each with interfaceStatus ("disabled"
// when shut down, "connected" when up), lineProtocolStatus, bandwidth
// (bit/s), description and interfaceAddress (primaryIp and
// secondaryIpsOrderedList, each an address and maskLen; 0.0.0.0/0 is no
// address). name is as for ParseFRROSPFDatabase.
func ParseEOSInterfaces(name string, data []byte) ([]Interface, error) {
	l, raw, ds := locateAs[eosInterfaces](name, data, eosInterfacesCommand, eosInterfacesHint)
	if l == nil {
		return nil, ds.Err()
	}
	if raw.Interfaces == nil {
		ds.Add(l.posOf(), eosInterfacesHint, "show interfaces | json: no \"interfaces\" object")
		return nil, ds.Err()
	}
	out := make([]Interface, 0, len(*raw.Interfaces))
	for ifname, r := range *raw.Interfaces {
		at := l.posOf("interfaces", ifname)
		what := "interface " + diag.Excerpt(ifname)
		if ifname == "" {
			ds.Add(at, "EOS keys every interface by its name", "an interface without a name")
			continue
		}
		if r.InterfaceStatus == nil {
			ds.Add(at, eosInterfacesHint, "%s has no interfaceStatus", what)
			continue
		}
		it := Interface{Name: ifname, AdminUp: *r.InterfaceStatus != "disabled", Description: r.Description, Pos: at}
		it.OperUp = it.AdminUp && r.LineProtocolStatus == "up"
		if r.Bandwidth != nil {
			bps, err := r.Bandwidth.Float64()
			if err != nil || bps < 0 || bps > 1e18 {
				ds.Add(l.posOf("interfaces", ifname, "bandwidth"), "bandwidth is in bit/s", "%s: bandwidth %s is out of range", what, r.Bandwidth.String())
				continue
			}
			it.SpeedMbps = int64(bps / 1e6)
		}
		for k, a := range r.InterfaceAddress {
			ips := slices.Clone(a.SecondaryIPsOrderedList)
			if a.PrimaryIP != nil {
				ips = append([]eosIP{*a.PrimaryIP}, ips...)
			}
			for _, ip := range ips {
				p, err := netip.ParsePrefix(fmt.Sprintf("%s/%s", ip.Address, ip.MaskLen))
				if err != nil || !p.Addr().Is4() {
					ds.Add(l.posOf("interfaces", ifname, "interfaceAddress", itoa(k)), eosInterfacesHint, "%s: address %s/%s is not an IPv4 address and mask length", what, diag.Excerpt(ip.Address), ip.MaskLen)
					continue
				}
				if p.Addr().IsUnspecified() {
					continue
				}
				it.Addrs = append(it.Addrs, p)
			}
		}
		out = append(out, it)
	}
	return byName(out, ds)
}
