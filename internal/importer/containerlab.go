package importer

import (
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/topology"
)

// ContainerlabOptions says how to fill in what a containerlab file does
// not give.
type ContainerlabOptions struct {
	// DefaultCapacity is the capacity in bps of links without
	// vars.capacity. Zero means none: then such a link is an error.
	DefaultCapacity float64
	// Metric is MetricHop (used when empty) or MetricInverseCapacity; a
	// link's vars.metric overrides it.
	Metric string
	// ReferenceBps is the reference bandwidth of MetricInverseCapacity;
	// zero means DefaultReferenceBps (100G).
	ReferenceBps float64
}

// Link types of containerlab's extended link format that join two lab
// nodes, and those that join a node to something else (skipped).
var (
	clabNodeLinkTypes  = []string{"veth"}
	clabOtherLinkTypes = []string{"host", "mgmt-net", "macvlan", "dummy", "vxlan", "vxlan-stitch"}
	// clabLinkFields lists every link field containerlab knows, so that a
	// typo gets a "did you mean" while real fields pass quietly.
	clabLinkFields = []string{"type", "endpoints", "endpoint", "mtu", "vars", "labels",
		"host-interface", "mode", "remote", "vni", "udp-port", "dst-port", "src-port", "parent-interface"}
	clabEndpointFields = []string{"node", "interface", "mac", "vars", "labels"}
	// Endpoint names of the brief format that are not lab nodes.
	clabSpecialNodes = []string{"host", "mgmt-net", "macvlan"}
	// Node kinds that are not routers: their links are not point-to-point.
	clabBridgeKinds = []string{"bridge", "ovs-bridge", "host"}
)

// Containerlab imports a containerlab topology file (*.clab.yml): the
// nodes under topology.nodes become nodes (role from labels["role"] or
// the node's group, site from labels["site"], zone from labels["zone"],
// with labels, kind and group inherited from topology.defaults,
// topology.kinds and topology.groups as containerlab does), and every
// link between two lab nodes becomes a link, in both the brief form
// (endpoints: ["r1:eth1", "r2:eth1"]) and the extended form (type: veth,
// endpoints: [{node: r1, interface: eth1}, ...]). A link's vars.capacity
// (a rate such as 10G) and vars.metric (an IGP metric) override the
// options. Links to the host, the management network, macvlan, dummy and
// vxlan endpoints, and to bridge nodes, are skipped with a warning.
//
// Fields containerlab uses for deployment (image, startup-config, mgmt,
// ...) are accepted and ignored; links must be well formed. The results
// are as for GraphML: warnings always in Diagnostics, and on failure a
// nil Network with a *diag.ListError holding the diagnostics.
func Containerlab(r io.Reader, file string, opts ContainerlabOptions) (*topology.Network, diag.Diagnostics, error) {
	ld, err := checkLinkDefaults(opts.DefaultCapacity, opts.Metric, MetricHop, opts.ReferenceBps)
	if err != nil {
		return nil, nil, fmt.Errorf("containerlab options: %w", err)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", file, err)
	}
	var ds diag.Diagnostics
	c := &clab{y: diag.YAML{File: file, Diags: &ds}, ld: ld, file: file}
	net := c.network(data)
	ds.Sort()
	if ds.HasErrors() {
		return nil, ds, ds.Err()
	}
	return net, ds, nil
}

type clab struct {
	y          diag.YAML
	ld         linkDefaults
	file       string
	mergeDepth int // nesting of merge keys being resolved (guards against cycles)
	merges     int // merges resolved so far (guards against exponential expansion)
	// mergeFailed is set once a limit is hit, to report it once.
	mergeFailed bool
}

// Limits on merge keys: real files nest a few levels and merge a few
// hundred times at most.
const (
	maxMergeDepth = 8
	maxMerges     = 10000
)

// clabNode is a node after containerlab's inheritance.
type clabNode struct {
	name, kind, group string
	labels            map[string]string
	key               *yaml.Node
}

type pair struct{ key, val *yaml.Node }

func (c *clab) network(data []byte) *topology.Network {
	root := c.y.Parse(data)
	if root == nil {
		return nil
	}
	top, _ := c.fields(root, "the file")
	if top == nil {
		return nil
	}
	net := &topology.Network{Nodes: []topology.Node{}, Links: []topology.Link{}, Demands: []topology.Demand{}}
	if c.file != "" {
		net.Files = []string{c.file}
	}
	if p, ok := top["name"]; ok {
		net.Name, _ = c.y.String(p.val, "name")
	}
	if net.Name == "" {
		base := filepath.Base(c.file)
		for _, ext := range []string{".clab.yml", ".clab.yaml", ".yml", ".yaml"} {
			base = strings.TrimSuffix(base, ext)
		}
		net.Name = firstNonEmpty(strings.Trim(base, "."), "containerlab")
	}
	tp, ok := top["topology"]
	if !ok {
		c.y.Errorf(root, "a containerlab file has topology: with nodes: and links:", "no topology section")
		return nil
	}
	topo, _ := c.fields(tp.val, "topology")
	if topo == nil {
		return nil
	}

	nodes := c.nodes(topo)
	index := map[string]clabNode{}
	for _, n := range nodes {
		index[n.name] = n
		if slices.Contains(clabBridgeKinds, n.kind) {
			c.y.Warnf(n.key, "changegate models point-to-point links between routers", "node %s of kind %s is not a router; it and its links are skipped", shown(n.name), shown(n.kind))
			continue
		}
		node := topology.Node{
			Name: n.name,
			Role: firstNonEmpty(n.labels["role"], n.group),
			Site: n.labels["site"],
			Zone: n.labels["zone"],
			Pos:  c.y.Pos(n.key),
		}
		net.Nodes = append(net.Nodes, node)
	}
	if len(nodes) == 0 {
		at := tp.key
		if p, ok := topo["nodes"]; ok {
			at = p.key
		}
		c.y.Errorf(at, "declare the lab's nodes under topology.nodes", "the topology has no nodes")
		return nil
	}

	lp, ok := topo["links"]
	if !ok {
		c.y.Errorf(tp.key, "add links: with endpoints: [\"r1:eth1\", \"r2:eth1\"]", "the topology has no links")
		return nil
	}
	ids := linkIDs{}
	used := map[string]int{} // "node:interface" -> line of the link using it
	var noCapacity []string
	var noCapacityNode *yaml.Node
	for i, item := range c.y.Sequence(lp.val, "links") {
		l, ok := c.link(i+1, item, index, used)
		if !ok {
			continue
		}
		l.ID = ids.next(l)
		if l.CapacityBps == 0 {
			if len(noCapacity) == 0 {
				noCapacityNode = item
			}
			noCapacity = append(noCapacity, l.ID)
			l.CapacityBps = c.ld.capacity
		}
		if l.MetricAB == 0 {
			l.MetricAB = c.ld.metricFor(l.CapacityBps)
			l.MetricBA = l.MetricAB
		}
		net.Links = append(net.Links, l)
	}
	if len(noCapacity) > 0 && c.ld.capacity == 0 {
		more := ""
		if len(noCapacity) > 1 {
			more = fmt.Sprintf(" (and %d more)", len(noCapacity)-1)
		}
		c.y.Errorf(noCapacityNode, "pass --default-capacity RATE (e.g. 10G), or give the link vars: {capacity: 10G}",
			"link %s%s has no capacity", noCapacity[0], more)
	}
	if len(net.Links) == 0 && !c.y.Diags.HasErrors() {
		c.y.Errorf(lp.key, "a network needs links between its routers", "the topology has no links between two lab nodes")
	}
	return net
}

// nodes reads topology.nodes, applying topology.defaults, topology.kinds
// and topology.groups the way containerlab does: node over group over
// kind over defaults (labels are merged, the nearer level winning).
func (c *clab) nodes(topo map[string]pair) []clabNode {
	type level struct {
		kind, group string
		labels      map[string]string
	}
	read := func(n *yaml.Node, what string) level {
		var lv level
		f, _ := c.fields(n, what)
		if p, ok := f["kind"]; ok {
			lv.kind, _ = c.y.String(p.val, what+" kind")
		}
		if p, ok := f["group"]; ok {
			lv.group, _ = c.y.String(p.val, what+" group")
		}
		if p, ok := f["labels"]; ok {
			lv.labels = c.labels(p.val, what+" labels")
		}
		return lv
	}
	var defaults level
	if p, ok := topo["defaults"]; ok && !diag.IsNull(p.val) {
		defaults = read(p.val, "topology.defaults")
	}
	levels := func(section string) map[string]level {
		out := map[string]level{}
		p, ok := topo[section]
		if !ok || diag.IsNull(p.val) {
			return out
		}
		_, items := c.fields(p.val, "topology."+section)
		for _, it := range items {
			if !diag.IsNull(it.val) {
				out[it.key.Value] = read(it.val, fmt.Sprintf("topology.%s.%s", section, it.key.Value))
			}
		}
		return out
	}
	kinds, groups := levels("kinds"), levels("groups")

	p, ok := topo["nodes"]
	if !ok || diag.IsNull(p.val) {
		return nil
	}
	_, items := c.fields(p.val, "topology.nodes")
	var out []clabNode
	for _, it := range items {
		name := it.key.Value
		var own level
		if !diag.IsNull(it.val) {
			own = read(it.val, "node "+name)
		}
		if strings.TrimSpace(name) == "" || strings.ContainsAny(name, ": \t") {
			c.y.Errorf(it.key, "use letters, digits, '-' and '_'", "node name %q is not a valid containerlab node name", name)
			continue
		}
		n := clabNode{name: name, key: it.key, group: firstNonEmpty(own.group, defaults.group)}
		grp := groups[n.group]
		n.kind = firstNonEmpty(own.kind, grp.kind, defaults.kind)
		n.labels = map[string]string{}
		for _, m := range []map[string]string{defaults.labels, kinds[n.kind].labels, grp.labels, own.labels} {
			for k, v := range m {
				n.labels[k] = v
			}
		}
		out = append(out, n)
	}
	return out
}

func (c *clab) labels(n *yaml.Node, what string) map[string]string {
	out := map[string]string{}
	_, items := c.fields(n, what)
	for _, it := range items {
		if v, ok := c.y.String(it.val, what+" "+it.key.Value); ok {
			out[it.key.Value] = v
		}
	}
	return out
}

// endpoint is one end of a link as written.
type endpoint struct {
	node, iface string
	at          *yaml.Node
}

// link reads one item of topology.links. ok is false when the link is
// skipped (with a warning) or broken (with an error).
func (c *clab) link(num int, item *yaml.Node, index map[string]clabNode, used map[string]int) (topology.Link, bool) {
	what := fmt.Sprintf("link %d", num)
	f, items := c.fields(item, what)
	if f == nil {
		return topology.Link{}, false
	}
	for _, it := range items {
		if !slices.Contains(clabLinkFields, it.key.Value) {
			c.unknownField(it.key, what, clabLinkFields)
		}
	}
	typ := "veth"
	if p, ok := f["type"]; ok {
		t, good := c.y.String(p.val, what+" type")
		if !good {
			return topology.Link{}, false
		}
		switch {
		case slices.Contains(clabOtherLinkTypes, t):
			c.y.Warnf(item, "changegate models links between two lab nodes", "%s of type %s does not join two lab nodes; skipped", what, t)
			return topology.Link{}, false
		case !slices.Contains(clabNodeLinkTypes, t):
			c.y.Errorf(p.val, "containerlab link types: "+strings.Join(append(append([]string{}, clabNodeLinkTypes...), clabOtherLinkTypes...), ", "), "%s: unknown link type %q", what, t)
			return topology.Link{}, false
		}
		typ = t
	}
	ep, ok := f["endpoints"]
	if !ok {
		if _, single := f["endpoint"]; single {
			c.y.Errorf(item, "a "+typ+" link has endpoints: (two of them)", "%s has a single endpoint: but is of type %s", what, typ)
		} else {
			c.y.Errorf(item, `write endpoints: ["r1:eth1", "r2:eth1"]`, "%s has no endpoints", what)
		}
		return topology.Link{}, false
	}
	list := c.y.Sequence(ep.val, what+" endpoints")
	if len(list) != 2 {
		if list != nil || diag.IsNull(ep.val) {
			c.y.Errorf(ep.val, `write endpoints: ["r1:eth1", "r2:eth1"]`, "%s must have exactly 2 endpoints, found %d", what, len(list))
		}
		return topology.Link{}, false
	}
	var ends [2]endpoint
	good := true
	for i, e := range list {
		end, ok := c.endpoint(e, fmt.Sprintf("%s endpoint %d", what, i+1))
		ends[i], good = end, good && ok
	}
	if !good {
		return topology.Link{}, false
	}
	desc := shown(fmt.Sprintf("%s:%s-%s:%s", ends[0].node, ends[0].iface, ends[1].node, ends[1].iface))
	for _, e := range ends {
		n, known := index[e.node]
		switch {
		case !known && slices.Contains(clabSpecialNodes, e.node):
			c.y.Warnf(item, "changegate models links between two lab nodes", "link %s goes to %s, not to another lab node; skipped", desc, shown(e.node))
			return topology.Link{}, false
		case !known:
			hint := "declare the node under topology.nodes"
			if h := diag.DidYouMean(diag.Near(e.node, slices.Sorted(maps.Keys(index)))); h != "" {
				hint = h
			}
			c.y.Errorf(e.at, hint, "link %s: unknown node %q", desc, e.node)
			good = false
		case slices.Contains(clabBridgeKinds, n.kind):
			c.y.Warnf(item, "changegate models point-to-point links between routers", "link %s goes to %s %s; skipped", desc, shown(n.kind), shown(e.node))
			return topology.Link{}, false
		}
	}
	if !good {
		return topology.Link{}, false
	}
	if ends[0].node == ends[1].node {
		c.y.Warnf(item, "changegate links join two different nodes", "link %s loops back to its own node; skipped", desc)
		return topology.Link{}, false
	}
	for _, e := range ends {
		k := e.node + ":" + e.iface
		if line, dup := used[k]; dup {
			c.y.Errorf(e.at, fmt.Sprintf("the other link is at line %d", line), "interface %s is used by two links", shown(k))
			good = false
		}
		used[k] = item.Line
	}
	if !good {
		return topology.Link{}, false
	}
	l := topology.Link{
		A: ends[0].node, AInterface: ends[0].iface,
		B: ends[1].node, BInterface: ends[1].iface,
		Up: true, SRLG: []string{}, Pos: c.y.Pos(item),
	}
	if p, ok := f["vars"]; ok && !diag.IsNull(p.val) {
		vars, _ := c.fields(p.val, what+" vars")
		if v, ok := vars["capacity"]; ok {
			if s, ok := c.y.String(v.val, what+" vars.capacity"); ok {
				bps, err := topology.ParseRate(s)
				switch {
				case err != nil:
					c.y.Errorf(v.val, "use a rate such as 10G", "%s vars.capacity: %v", what, err)
					good = false
				case bps == 0:
					c.y.Errorf(v.val, "use a rate such as 10G", "%s vars.capacity must be more than 0", what)
					good = false
				}
				l.CapacityBps = bps
			}
		}
		if v, ok := vars["metric"]; ok {
			if m, ok := c.y.Int(v.val, what+" vars.metric"); ok {
				if m < 1 || m > topology.MaxMetric {
					c.y.Errorf(v.val, fmt.Sprintf("use a metric from 1 to %d", int64(topology.MaxMetric)), "%s vars.metric %d is out of range", what, m)
					good = false
				}
				l.MetricAB, l.MetricBA = m, m
			}
		}
	}
	return l, good
}

// endpoint reads "node:interface" or {node: ..., interface: ...}.
func (c *clab) endpoint(n *yaml.Node, what string) (endpoint, bool) {
	n = diag.Deref(n)
	e := endpoint{at: n}
	if n != nil && n.Kind == yaml.MappingNode {
		f, items := c.fields(n, what)
		for _, it := range items {
			if !slices.Contains(clabEndpointFields, it.key.Value) {
				c.unknownField(it.key, what, clabEndpointFields)
			}
		}
		ok := true
		for _, k := range []struct {
			name string
			dst  *string
		}{{"node", &e.node}, {"interface", &e.iface}} {
			p, has := f[k.name]
			if !has {
				c.y.Errorf(n, "an endpoint is {node: r1, interface: eth1}", "%s has no %s", what, k.name)
				ok = false
				continue
			}
			v, good := c.y.String(p.val, what+" "+k.name)
			*k.dst, ok = v, ok && good && v != ""
		}
		return e, ok
	}
	s, ok := c.y.String(n, what)
	if !ok {
		return e, false
	}
	node, iface, found := strings.Cut(s, ":")
	if !found || node == "" || iface == "" {
		c.y.Errorf(n, `write "node:interface", e.g. "r1:eth1"`, "%s %q is not node:interface", what, s)
		return e, false
	}
	e.node, e.iface = node, iface
	return e, true
}

func (c *clab) unknownField(key *yaml.Node, what string, known []string) {
	hint := "known fields: " + strings.Join(known, ", ")
	if h := diag.DidYouMean(diag.Near(key.Value, known)); h != "" {
		hint = h
	}
	c.y.Warnf(key, hint, "%s: unknown field %q ignored", what, key.Value)
}

// fields returns the pairs of the mapping n by key and in order, with
// aliases and merge keys (<<: *anchor) resolved. Duplicate keys and
// non-scalar keys are errors. It returns nil when n is not a mapping
// (an error) or is null (nothing).
func (c *clab) fields(n *yaml.Node, what string) (map[string]pair, []pair) {
	n = diag.Deref(n)
	if diag.IsNull(n) {
		return map[string]pair{}, nil
	}
	if n.Kind != yaml.MappingNode {
		c.y.Errorf(n, "write it as key: value pairs", "%s must be a mapping, found %s", what, diag.Describe(n))
		return nil, nil
	}
	byKey := map[string]pair{}
	var order, merged []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			c.y.Errorf(k, "keys must be plain words", "%s: key must be a scalar", what)
			continue
		}
		if k.Tag == "!!merge" {
			merged = append(merged, c.mergeSources(v, what)...)
			continue
		}
		if prev, dup := byKey[k.Value]; dup {
			c.y.Errorf(k, fmt.Sprintf("remove one of them (the first is at line %d)", prev.key.Line), "%s: duplicate key %q", what, k.Value)
			continue
		}
		p := pair{key: k, val: v}
		byKey[k.Value] = p
		order = append(order, p)
	}
	for _, p := range merged {
		if _, set := byKey[p.key.Value]; !set {
			byKey[p.key.Value] = p
			order = append(order, p)
		}
	}
	return byKey, order
}

// mergeSources returns the pairs a merge key brings in: one mapping or a
// list of them, earlier ones winning.
func (c *clab) mergeSources(v *yaml.Node, what string) []pair {
	v = diag.Deref(v)
	if v != nil && v.Kind == yaml.SequenceNode {
		var out []pair
		for _, it := range v.Content {
			out = append(out, c.mergeOne(it, what)...)
		}
		return out
	}
	return c.mergeOne(v, what)
}

func (c *clab) mergeOne(v *yaml.Node, what string) []pair {
	v = diag.Deref(v)
	if v == nil || v.Kind != yaml.MappingNode {
		c.y.Errorf(v, "merge (<<) a mapping or a list of mappings", "%s: cannot merge %s", what, diag.Describe(v))
		return nil
	}
	if c.mergeFailed {
		return nil
	}
	c.merges++
	c.mergeDepth++
	defer func() { c.mergeDepth-- }()
	if c.mergeDepth > maxMergeDepth || c.merges > maxMerges {
		c.mergeFailed = true
		c.y.Errorf(v, "a merge key (<<) cannot bring in the mapping that holds it; simplify the anchors",
			"%s: merge keys nest more than %d deep or expand to more than %d merges", what, maxMergeDepth, maxMerges)
		return nil
	}
	_, order := c.fields(v, what)
	return order
}
