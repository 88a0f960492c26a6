package lab

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/changegate/changegate/internal/topology"
)

// Address plan, inside 198.18.0.0/15 (RFC 2544 benchmarking space):
// node i (0-based, model order) has the loopback the topology gives it
// (which must be an IPv4 address in 198.18.0.0/15 that no link uses), or
// else 198.18.0.0 + i + 1; link j (model order, down links included so
// addresses do not move when a link changes state) has the /31
// 198.19.0.0 + 2j, end a taking the even address and end b the odd one.
var (
	labPrefix    = netip.MustParsePrefix("198.18.0.0/15")
	loopbackBase = netip.MustParseAddr("198.18.0.0")
	linkBase     = netip.MustParseAddr("198.19.0.0")
)

const (
	maxNodes = 1<<16 - 2 // loopbacks 198.18.0.1 .. 198.18.255.254
	maxLinks = 1 << 15   // /31s in 198.19.0.0/16
	// MaxOSPFCost is the largest OSPF interface cost; larger model metrics
	// cannot be represented in an OSPF lab.
	MaxOSPFCost = 65535
	// MaxISISMetric is the largest IS-IS wide interface metric a link can
	// carry and still be used: 2^24-1 takes the link out of SPF (RFC 5305).
	MaxISISMetric = 1<<24 - 2
	// ifNameMax is Linux's IFNAMSIZ minus the terminating NUL.
	ifNameMax = 15
	// DefaultCapacityScale divides model capacities for tc: 10G becomes
	// 10 Mbit/s, 100G 100 Mbit/s.
	DefaultCapacityScale = 1000
	// minShapedBps is the lowest rate tc is given.
	minShapedBps = 10_000
)

// Layout is the lab built for a network: every name, address, cost and
// rate, decided before anything is created. It is deterministic: the same
// network and options give the same layout.
type Layout struct {
	// IGP is what the routers run, the topology's igp: IGPOSPF (ospfd) or
	// IGPISIS (isisd, the default). A state file without it is an OSPF
	// lab (the lab ran only OSPF before).
	IGP   string       `json:"igp,omitempty"`
	Nodes []NodeLayout `json:"nodes"`
	Links []LinkLayout `json:"links"`
	// Skipped lists the ids of links left out because they are down.
	Skipped []string `json:"skipped,omitempty"`
}

// NodeLayout is one router.
type NodeLayout struct {
	Name      string     `json:"name"`      // node name in the model
	Namespace string     `json:"namespace"` // network namespace, prefix + sanitised name
	Hostname  string     `json:"hostname"`  // FRR hostname (vtysh prompt)
	Loopback  netip.Addr `json:"loopback"`  // /32 on lo, the OSPF router id and the IS-IS system id (SystemID): the node's loopback, or LoopbackAddr(i)
	Drained   bool       `json:"drained"`   // OSPF max-metric router-lsa administrative, IS-IS set-overload-bit
	SSHPort   int        `json:"ssh_port"`  // 127.0.0.1 port landing in this router's vtysh
}

// LinkLayout is one veth pair.
type LinkLayout struct {
	ID        string  `json:"id"` // link id in the model
	A         End     `json:"a"`
	B         End     `json:"b"`
	ShapedBps float64 `json:"shaped_bps"` // tc tbf rate on both ends (capacity / scale)
}

// End is one side of a veth pair.
type End struct {
	Node      string       `json:"node"`
	Model     string       `json:"model_interface,omitempty"` // interface name in the model, if any
	Interface string       `json:"interface"`                 // Linux name, at most 15 characters
	Addr      netip.Prefix `json:"addr"`                      // /31
	Cost      int64        `json:"cost"`                      // IGP metric out of this end: OSPF cost or IS-IS metric
}

// LoopbackAddr returns the loopback address node i gets when the topology
// gives it none.
func LoopbackAddr(i int) netip.Addr { return addrAdd(loopbackBase, uint32(i+1)) }

// LinkAddrs returns the /31 addresses of ends a and b of link j.
func LinkAddrs(j int) (a, b netip.Prefix) {
	x := addrAdd(linkBase, uint32(2*j))
	return netip.PrefixFrom(x, 31), netip.PrefixFrom(addrAdd(x, 1), 31)
}

func addrAdd(a netip.Addr, n uint32) netip.Addr {
	b := a.As4()
	v := binary.BigEndian.Uint32(b[:]) + n
	binary.BigEndian.PutUint32(b[:], v)
	return netip.AddrFrom4(b)
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9-]+`)

// sanitize lowers s and replaces anything but [a-z0-9-] with "-".
func sanitize(s string) string {
	s = unsafeChars.ReplaceAllString(strings.ToLower(s), "-")
	return strings.Trim(s, "-")
}

// PlanLayout decides the lab for n: namespaces prefix+node, veth names
// "cg-<peer>" (shortened and numbered to stay unique per node within 15
// characters), addresses (a node's loopback is the topology's when given,
// see loopbacks), the IGP (the topology's, IS-IS by default), OSPF costs
// or IS-IS metrics from the metrics and tc rates from the
// capacities divided by scale. ports gives each node's SSH port, in node
// order; nil leaves them 0. Every problem is reported in one error.
func PlanLayout(n *topology.Network, prefix string, scale float64, ports []int) (*Layout, error) {
	if scale <= 0 {
		return nil, fmt.Errorf("capacity scale must be greater than 0, got %g", scale)
	}
	if !strings.HasPrefix(prefix, "cg-") || sanitize(prefix) != strings.TrimSuffix(prefix, "-") {
		return nil, fmt.Errorf("namespace prefix %q must start with \"cg-\" and use only a-z, 0-9 and -", prefix)
	}
	if len(n.Nodes) > maxNodes {
		return nil, fmt.Errorf("%d nodes: the lab's address plan holds at most %d", len(n.Nodes), maxNodes)
	}
	if len(n.Links) > maxLinks {
		return nil, fmt.Errorf("%d links: the lab's address plan holds at most %d", len(n.Links), maxLinks)
	}
	if ports != nil && len(ports) != len(n.Nodes) {
		return nil, fmt.Errorf("%d ssh ports for %d nodes", len(ports), len(n.Nodes))
	}
	problems := loopbackProblems(n)
	lay := &Layout{IGP: igpOf(n)}
	maxCost, costName := int64(MaxOSPFCost), "OSPF's interface cost range"
	if lay.IGP == topology.IGPISIS {
		maxCost, costName = MaxISISMetric, "the IS-IS wide metric range"
	}
	idx := n.NodeIndex()
	usedNS := map[string]string{}
	for i, nd := range n.Nodes {
		base := sanitize(nd.Name)
		if base == "" {
			base = fmt.Sprintf("n%d", i+1)
		}
		ns := prefix + base
		for k := 2; usedNS[ns] != ""; k++ {
			ns = fmt.Sprintf("%s%s-%d", prefix, base, k)
		}
		usedNS[ns] = nd.Name
		nl := NodeLayout{Name: nd.Name, Namespace: ns, Hostname: strings.TrimPrefix(ns, prefix), Loopback: nodeLoopback(nd, i), Drained: nd.Drained}
		if ports != nil {
			nl.SSHPort = ports[i]
		}
		lay.Nodes = append(lay.Nodes, nl)
	}
	usedIf := map[string]map[string]bool{} // node -> interface names
	ifName := func(node, peer string) string {
		used := usedIf[node]
		if used == nil {
			used = map[string]bool{}
			usedIf[node] = used
		}
		p := lay.Nodes[idx[peer]].Hostname
		name := truncate("cg-"+p, ifNameMax)
		for k := 2; used[name]; k++ {
			suf := fmt.Sprintf("-%d", k)
			name = truncate("cg-"+p, ifNameMax-len(suf)) + suf
		}
		used[name] = true
		return name
	}
	for j, l := range n.Links {
		if !l.Up {
			lay.Skipped = append(lay.Skipped, l.ID)
			continue
		}
		for _, m := range []int64{l.MetricAB, l.MetricBA} {
			if m < 1 || m > maxCost {
				problems = append(problems, fmt.Sprintf("link %q: metric %d is outside %s 1..%d", l.ID, m, costName, maxCost))
				break
			}
		}
		a, b := LinkAddrs(j)
		rate := l.CapacityBps / scale
		if rate < minShapedBps {
			rate = minShapedBps
		}
		lay.Links = append(lay.Links, LinkLayout{
			ID:        l.ID,
			A:         End{Node: l.A, Model: l.AInterface, Interface: ifName(l.A, l.B), Addr: a, Cost: l.MetricAB},
			B:         End{Node: l.B, Model: l.BInterface, Interface: ifName(l.B, l.A), Addr: b, Cost: l.MetricBA},
			ShapedBps: rate,
		})
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("topology cannot be built as a lab:\n  %s", strings.Join(problems, "\n  "))
	}
	return lay, nil
}

// igpOf is the IGP the lab runs for n: the topology's, IS-IS when it
// names none (as the model drains then).
func igpOf(n *topology.Network) string {
	if n.IGP == "" {
		return topology.IGPISIS
	}
	return n.IGP
}

// igp is the IGP the lab's routers run ("" in a state file written before
// the lab ran IS-IS: OSPF).
func (l *Layout) igp() string {
	if l.IGP == "" {
		return topology.IGPOSPF
	}
	return l.IGP
}

// maxCost is the largest metric the lab's IGP takes on an interface.
func (l *Layout) maxCost() int64 {
	if l.igp() == topology.IGPISIS {
		return MaxISISMetric
	}
	return MaxOSPFCost
}

// SystemID is the IS-IS system id of the router whose loopback is a: the
// address's four octets written with three digits each and regrouped in
// fours (198.18.0.1 -> 198.018.000.001 -> 1980.1800.0001), the usual convention.
func SystemID(a netip.Addr) string {
	b := a.As4()
	d := fmt.Sprintf("%03d%03d%03d%03d", b[0], b[1], b[2], b[3])
	return d[0:4] + "." + d[4:8] + "." + d[8:12]
}

// NET is the IS-IS network entity title of the router whose loopback is
// a: area 49.0001, its SystemID, selector 00.
func NET(a netip.Addr) string { return "49.0001." + SystemID(a) + ".00" }

// nodeLoopback is node i's loopback in the lab: the topology's, or the
// lab's own numbering when it gives none (loopbackProblems has checked
// the topology's).
func nodeLoopback(nd topology.Node, i int) netip.Addr {
	if a := nd.LoopbackAddr(); a.IsValid() {
		return a
	}
	return LoopbackAddr(i)
}

// loopbackProblems checks the loopbacks the topology gives: each must be
// an IPv4 address inside 198.18.0.0/15 (the lab never uses any other
// address), not one of the lab's link addresses, and not the loopback of
// another node, whether given or numbered by the lab.
func loopbackProblems(n *topology.Network) []string {
	var problems []string
	linkEnd := addrAdd(linkBase, uint32(2*len(n.Links))) // first address after the links'
	owner := make(map[netip.Addr]int, len(n.Nodes))
	describe := func(i int) string {
		if n.Nodes[i].Loopback == "" {
			return fmt.Sprintf("node %q (numbered by the lab, as it gives no loopback)", n.Nodes[i].Name)
		}
		return fmt.Sprintf("node %q", n.Nodes[i].Name)
	}
	for i, nd := range n.Nodes {
		if nd.Loopback == "" {
			continue
		}
		a := nd.LoopbackAddr()
		switch {
		case !a.IsValid():
			problems = append(problems, fmt.Sprintf("node %q: loopback %q is not an IP address", nd.Name, nd.Loopback))
		case !a.Is4():
			problems = append(problems, fmt.Sprintf("node %q: loopback %s is not IPv4: the lab's OSPF router ids and IS-IS system ids are made of IPv4 loopbacks; give an address inside %s, or remove loopback: to let the lab number the node", nd.Name, a, labPrefix))
		case !labPrefix.Contains(a):
			problems = append(problems, fmt.Sprintf("node %q: loopback %s is outside %s, the only addresses the lab uses: give one inside it (198.18.0.1 to 198.18.255.254 are never link addresses), or remove loopback: to let the lab number the node", nd.Name, a, labPrefix))
		case a.Compare(linkBase) >= 0 && a.Less(linkEnd):
			j := int(addrDiff(a, linkBase) / 2)
			problems = append(problems, fmt.Sprintf("node %q: loopback %s is an address of link %q in the lab (links take two addresses each from %s up): give one in 198.18.0.0/16", nd.Name, a, n.Links[j].ID, linkBase))
		default:
			owner[a] = i
		}
	}
	// owner holds the last node given each address: an earlier node with
	// the same address, or a node the lab numbers onto it, clashes.
	for i, nd := range n.Nodes {
		a := nd.LoopbackAddr()
		if nd.Loopback == "" {
			a = LoopbackAddr(i)
		}
		if j, taken := owner[a]; taken && j != i {
			problems = append(problems, fmt.Sprintf("%s: loopback %s is also the loopback of %s", describe(j), a, describe(i)))
		}
	}
	return problems
}

// addrDiff returns a - b for IPv4 addresses a >= b.
func addrDiff(a, b netip.Addr) uint32 {
	x, y := a.As4(), b.As4()
	return binary.BigEndian.Uint32(x[:]) - binary.BigEndian.Uint32(y[:])
}

func truncate(s string, n int) string {
	if len(s) > n {
		return strings.TrimRight(s[:n], "-")
	}
	return s
}

// Node returns the layout of the node named name.
func (l *Layout) Node(name string) (NodeLayout, bool) {
	for _, n := range l.Nodes {
		if n.Name == name {
			return n, true
		}
	}
	return NodeLayout{}, false
}

// Ends returns the ends of the veths on node name, in link order, each
// with its link.
func (l *Layout) Ends(name string) []NodeEnd {
	var out []NodeEnd
	for _, lk := range l.Links {
		if lk.A.Node == name {
			out = append(out, NodeEnd{Link: lk, End: lk.A, Peer: lk.B})
		}
		if lk.B.Node == name {
			out = append(out, NodeEnd{Link: lk, End: lk.B, Peer: lk.A})
		}
	}
	return out
}

// NodeEnd is one veth end seen from its node.
type NodeEnd struct {
	Link LinkLayout
	End  End
	Peer End
}

// igpDaemon is the FRR daemon that runs igp.
func igpDaemon(igp string) string {
	if igp == topology.IGPISIS {
		return "isisd"
	}
	return "ospfd"
}

// igpName is igp as messages write it.
func igpName(igp string) string {
	if igp == topology.IGPISIS {
		return "IS-IS"
	}
	return "OSPF"
}

// connected returns the routers other than name that the lab's links
// connect name to, directly or not, in node order.
func (l *Layout) connected(name string) []string {
	seen := map[string]bool{name: true}
	queue := []string{name}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, e := range l.Ends(n) {
			if !seen[e.Peer.Node] {
				seen[e.Peer.Node] = true
				queue = append(queue, e.Peer.Node)
			}
		}
	}
	var out []string
	for _, nd := range l.Nodes {
		if nd.Name != name && seen[nd.Name] {
			out = append(out, nd.Name)
		}
	}
	return out
}
