package health

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/changegate/changegate/plans"
)

// Platforms the built-in checks know, as named in plans (Plan.Platform):
// a platform of the registry (internal/platform), or a Linux shell.
const (
	// PlatformFRR is FRR's vtysh (8.x JSON output).
	PlatformFRR = "frr_vtysh"
	// PlatformLinux is a Linux shell with iproute2 and iputils ping.
	PlatformLinux = "linux"
)

// The built-in checks return a plans.Check with Name, Device, Command and
// Expect set, no retries and the plan defaults for Interval and Timeout;
// set the rest on the value returned. Every argument that ends up in a
// command is validated first (addresses and prefixes are parsed, names
// are limited to the characters interface names use), so nothing a
// caller passes can add to the command. Each returns an error for a
// platform it has no command for, naming those it has.

func newCheck(name, device, command, expr string) plans.Check {
	return plans.Check{
		Name: name, Device: device, Command: command,
		Expect:   plans.Expect{Kind: plans.ExpectJSON, Value: expr},
		Interval: plans.DefaultCheckInterval,
		Timeout:  plans.DefaultCheckTimeout,
	}
}

func noPlatform(check, platform string, known ...string) error {
	return fmt.Errorf("built-in check %s has no command for platform %q (known: %s)", check, platform, strings.Join(known, ", "))
}

var ifaceName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,63}$`)

func checkName(what, s string) error {
	if !ifaceName.MatchString(s) {
		return fmt.Errorf("%s %q: want letters, digits and . _ : / @ - (at most 64, starting with a letter or digit)", what, s)
	}
	return nil
}

// quote writes s as a Rego (JSON) string literal.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// set writes a Rego set literal of ss, sorted.
func set(ss []string) string {
	s := slices.Clone(ss)
	sort.Strings(s)
	s = slices.Compact(s)
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = quote(x)
	}
	return "{" + strings.Join(q, ", ") + "}"
}

// InterfaceUp checks that interface iface is up, administratively and
// operationally.
//
//   - frr_vtysh: `show interface IFACE json`; administrativeStatus and
//     operationalStatus are "up".
//   - linux: `ip -json link show dev IFACE`; its flags include UP and
//     LOWER_UP (operstate is UNKNOWN on some up interfaces, such as lo).
func InterfaceUp(platform, device, iface string) (plans.Check, error) {
	if err := checkName("interface", iface); err != nil {
		return plans.Check{}, err
	}
	name := fmt.Sprintf("interface %s up", iface)
	switch platform {
	case PlatformFRR:
		return newCheck(name, device, fmt.Sprintf("show interface %s json", iface),
			fmt.Sprintf("output[%[1]s].administrativeStatus == \"up\"\noutput[%[1]s].operationalStatus == \"up\"", quote(iface))), nil
	case PlatformLinux:
		return newCheck(name, device, fmt.Sprintf("ip -json link show dev %s", iface),
			`{"UP", "LOWER_UP"} - {f | some f in output[0].flags} == set()`), nil
	}
	return plans.Check{}, noPlatform("interface-up", platform, PlatformFRR, PlatformLinux)
}

// ospfState is an FRR OSPF adjacency's state: nbrState in FRR 8.x,
// state before (and beside it in some 8.x releases), such as "Full/DR".
const ospfState = `object.get(a, "nbrState", object.get(a, "state", ""))`

// OSPFNeighborsFull checks OSPF adjacencies (frr_vtysh only:
// `show ip ospf neighbor json`). With router IDs, each of those
// neighbours has a Full adjacency; without, there is at least one
// neighbour and every adjacency is Full. On a broadcast segment,
// DROther neighbours stay in 2-Way: name the neighbours to check there.
func OSPFNeighborsFull(platform, device string, routerIDs ...string) (plans.Check, error) {
	if platform != PlatformFRR {
		return plans.Check{}, noPlatform("ospf-neighbors-full", platform, PlatformFRR)
	}
	for _, id := range routerIDs {
		if a, err := netip.ParseAddr(id); err != nil || !a.Is4() {
			return plans.Check{}, fmt.Errorf("OSPF router ID %q: want a dotted quad such as 198.18.0.2", id)
		}
	}
	const cmd = "show ip ospf neighbor json"
	if len(routerIDs) == 0 {
		return newCheck("ospf neighbors full", device, cmd,
			"count(output.neighbors) > 0\n"+
				"[sprintf(\"%s is %s\", [id, st]) | some id, adjs in output.neighbors; some a in adjs; st := "+ospfState+"; not startswith(st, \"Full\")] == []"), nil
	}
	return newCheck("ospf neighbors full: "+strings.Join(routerIDs, ", "), device, cmd,
		set(routerIDs)+" - {id | some id, adjs in output.neighbors; some a in adjs; startswith("+ospfState+", \"Full\")} == set()"), nil
}

// BGPEstablished checks BGP sessions (frr_vtysh only: `show bgp summary
// json`, every address family it lists). With peers (addresses, or
// interface names for unnumbered sessions), each of them is Established
// in some address family; without, there is at least one peer and every
// session is Established.
func BGPEstablished(platform, device string, peers ...string) (plans.Check, error) {
	if platform != PlatformFRR {
		return plans.Check{}, noPlatform("bgp-established", platform, PlatformFRR)
	}
	for _, p := range peers {
		if _, err := netip.ParseAddr(p); err != nil {
			if err := checkName("BGP peer", p); err != nil {
				return plans.Check{}, err
			}
		}
	}
	const cmd = "show bgp summary json"
	if len(peers) == 0 {
		return newCheck("bgp sessions established", device, cmd,
			"count([p | some af in output; some p, _ in af.peers]) > 0\n"+
				"[sprintf(\"%s is %s\", [p, s.state]) | some af in output; some p, s in af.peers; s.state != \"Established\"] == []"), nil
	}
	return newCheck("bgp established: "+strings.Join(peers, ", "), device, cmd,
		set(peers)+` - {p | some af in output; some p, s in af.peers; s.state == "Established"} == set()`), nil
}

// RoutePresent checks that the selected route to prefix is there
// (frr_vtysh only: `show ip route PREFIX json`, or `show ipv6 route` for
// an IPv6 prefix) and, when nextHops are given, that the next hops it has
// in the FIB are exactly those addresses.
func RoutePresent(platform, device, prefix string, nextHops ...string) (plans.Check, error) {
	if platform != PlatformFRR {
		return plans.Check{}, noPlatform("route-present", platform, PlatformFRR)
	}
	p, err := netip.ParsePrefix(prefix)
	if err != nil {
		return plans.Check{}, fmt.Errorf("route prefix %q: %w", prefix, err)
	}
	if p.Masked() != p {
		return plans.Check{}, fmt.Errorf("route prefix %q has host bits set: did you mean %s?", prefix, p.Masked())
	}
	var nhs []string
	for _, nh := range nextHops {
		a, err := netip.ParseAddr(nh)
		if err != nil {
			return plans.Check{}, fmt.Errorf("next hop %q: %w", nh, err)
		}
		if a.Is4() != p.Addr().Is4() {
			return plans.Check{}, fmt.Errorf("next hop %s is not in the address family of %s", nh, p)
		}
		nhs = append(nhs, a.String())
	}
	family := "ip"
	if p.Addr().Is6() {
		family = "ipv6"
	}
	cmd := fmt.Sprintf("show %s route %s json", family, p)
	routes := fmt.Sprintf("output[%s]", quote(p.String()))
	if len(nhs) == 0 {
		return newCheck(fmt.Sprintf("route %s present", p), device, cmd,
			fmt.Sprintf("[r | some r in %s; r.selected == true] != []", routes)), nil
	}
	return newCheck(fmt.Sprintf("route %s via %s", p, strings.Join(nhs, ", ")), device, cmd,
		fmt.Sprintf("{nh.ip | some r in %s; r.selected == true; some nh in r.nexthops; nh.fib == true} == %s", routes, set(nhs))), nil
}

// Ping checks that addr answers pings from the device, with no loss
// (linux only: `ping -c 3 -W 1 ADDR`, iputils or busybox output).
func Ping(platform, device, addr string) (plans.Check, error) {
	if platform != PlatformLinux {
		return plans.Check{}, noPlatform("ping", platform, PlatformLinux)
	}
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return plans.Check{}, fmt.Errorf("ping address %q: %w", addr, err)
	}
	c := newCheck("ping "+a.String(), device, "ping -c 3 -W 1 "+a.String(), "")
	// The space or comma before keeps 100% and 10% loss from matching.
	c.Expect = plans.Expect{Kind: plans.ExpectRegex, Value: `[ ,]0(\.0+)?% packet loss`}
	return c, nil
}
