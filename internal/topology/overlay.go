package topology

import (
	"context"
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/userfile"
)

// An overlay is what only people know of a network, kept apart from
// what is read from it (package discover), so that reading the network
// again never loses it (docs/discovery.md):
//
//	name: example
//	nodes:
//	  r1: {role: core, site: dc1, zone: az1, position: {lat: 52.1, lon: 4.3}}
//	links:
//	  r1-r2: {class: primary, srlg: [conduit-7], capacity: 100G}
//	demands: [{src: r1, dst: r2, rate: 10G}]
//	demand_matrix: {...}
//	demand_files: [traffic.csv]
//
// Nodes are keyed by name and links by id, as the network names them; a
// key the network does not have is an error at its line. A capacity
// given replaces the one read; demands are added to the network's.

// LoadOverlayFile reads the overlay file at path, a file the user gave,
// and the demand files it names (relative to its directory, inside
// scope), and applies it to n (ApplyOverlay). The error is only for I/O.
func LoadOverlayFile(ctx context.Context, n *Network, path string, scope userfile.Scope) (diag.Diagnostics, error) {
	data, err := userfile.Read(ctx, path, userfile.Topology)
	if err != nil {
		return nil, err
	}
	// Load's options: demand files through scope, read errors kept.
	var opts ParseOptions
	var ioErr error
	loadOpts(ctx, path, scope, &opts, &ioErr)
	ds := ApplyOverlay(n, path, data, opts)
	if ioErr != nil {
		return ds, fmt.Errorf("load overlay %s: read demand file: %w", path, ioErr)
	}
	return ds, nil
}

// ApplyOverlay adds the overlay data (YAML, read from file) to n, in
// place, and validates the result: every problem of the overlay with its
// position, and what the network still lacks (a link without capacity).
// n is changed only when the diagnostics hold no error.
func ApplyOverlay(n *Network, file string, data []byte, opts ParseOptions) diag.Diagnostics {
	var ds diag.Diagnostics
	work := clone(n)
	p := &parser{
		y:     diag.YAML{File: file, Diags: &ds},
		opts:  opts,
		net:   work,
		loc:   &locator{file: file, nodes: make([]itemPos, len(work.Nodes)), links: make([]itemPos, len(work.Links))},
		known: make(map[string]string, len(work.Nodes)),
	}
	for _, nd := range work.Nodes {
		if _, dup := p.known[nd.Name]; !dup {
			p.known[nd.Name] = nd.Name
			p.names = append(p.names, nd.Name)
		}
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) == nil && len(doc.Content) == 0 {
		return ds // an empty overlay (comments at most): nothing to add
	}
	root := p.y.Parse(data)
	if root == nil || diag.IsNull(root) {
		return ds
	}
	var nodes, links, demands, matrix, files *yaml.Node
	if !p.y.Mapping(root, "overlay", map[string]diag.Field{
		"name": func(_, v *yaml.Node) {
			if s, ok := p.y.String(v, "name"); ok {
				work.Name = s
				p.loc.name = v
			}
		},
		"nodes":         func(_, v *yaml.Node) { nodes = v },
		"links":         func(_, v *yaml.Node) { links = v },
		"demands":       func(_, v *yaml.Node) { demands = v },
		"demand_matrix": func(_, v *yaml.Node) { matrix = v },
		"demand_files":  func(_, v *yaml.Node) { files = v },
	}) {
		return ds
	}
	p.overlayNodes(nodes)
	p.overlayLinks(links)
	first := len(work.Demands)
	p.loc.demands = make([]itemPos, first)
	p.parseDemandList(demands)
	p.loc.checkDemands = len(work.Demands)
	if matrix != nil {
		p.parseMatrix(matrix)
	}
	if files != nil {
		p.parseDemandFiles(files)
	}
	ds = append(ds, work.validate(p.loc)...)
	ds.Sort()
	if !ds.HasErrors() {
		files := slices.Concat(n.Files, work.Files[len(n.Files):])
		*n = *work
		n.Files = files
	}
	return ds
}

// clone copies n deeply enough for ApplyOverlay to change the copy.
func clone(n *Network) *Network {
	c := *n
	c.Nodes = slices.Clone(n.Nodes)
	c.Links = slices.Clone(n.Links)
	for i := range c.Links {
		c.Links[i].SRLG = slices.Clone(c.Links[i].SRLG)
	}
	c.Demands = slices.Clone(n.Demands)
	if c.Demands == nil {
		c.Demands = []Demand{}
	}
	c.Files = slices.Clone(n.Files)
	return &c
}

// keyed walks a mapping from names to mappings, calling f with each
// known name's index; an unknown name is an error at its key.
func (p *parser) keyed(v *yaml.Node, what, kind string, index map[string]int, names []string, f func(i int, key, val *yaml.Node)) {
	if v == nil || diag.IsNull(v) {
		return
	}
	if v.Kind != yaml.MappingNode {
		p.y.Errorf(v, fmt.Sprintf("write %s as a mapping from %s to its fields", what, kind), "overlay: %s must be a mapping, found %s", what, diag.Describe(v))
		return
	}
	seen := map[string]*yaml.Node{}
	for k := 0; k+1 < len(v.Content); k += 2 {
		key, val := v.Content[k], diag.Deref(v.Content[k+1])
		if key.Kind != yaml.ScalarNode {
			p.y.Errorf(key, "keys are "+kind+"s", "overlay %s: key must be a scalar, found %s", what, diag.Describe(key))
			continue
		}
		if prev, dup := seen[key.Value]; dup {
			p.y.Errorf(key, fmt.Sprintf("merge them (the first is at line %d)", prev.Line), "overlay %s: %s %q given twice", what, kind, key.Value)
			continue
		}
		seen[key.Value] = key
		i, ok := index[key.Value]
		if !ok {
			hint := diag.DidYouMean(diag.Near(key.Value, names))
			if hint == "" {
				hint = fmt.Sprintf("the network has no such %s: rename or remove the entry (`changegate topology show` lists the network's)", kind)
			}
			p.y.Errorf(key, hint, "overlay %s: unknown %s %q", what, kind, key.Value)
			continue
		}
		f(i, key, val)
	}
}

func (p *parser) overlayNodes(v *yaml.Node) {
	names := make([]string, len(p.net.Nodes))
	for i, nd := range p.net.Nodes {
		names[i] = nd.Name
	}
	p.keyed(v, "nodes", "node", p.net.NodeIndex(), names, func(i int, key, val *yaml.Node) {
		nd := &p.net.Nodes[i]
		fn := &p.loc.nodes[i]
		fn.at[fItem] = key
		what := fmt.Sprintf("node %s", nd.Name)
		p.y.Mapping(val, what, map[string]diag.Field{
			"role": p.str(&nd.Role, what+": role", fn, fRole),
			"site": p.str(&nd.Site, what+": site", fn, fSite),
			"zone": p.str(&nd.Zone, what+": zone", fn, fZone),
			"position": func(_, v *yaml.Node) {
				pos := p.parsePosition(v, what+": position")
				fn.set(fPosition, v, pos != nil)
				if pos != nil {
					nd.Position = pos
				}
			},
		})
	})
}

func (p *parser) overlayLinks(v *yaml.Node) {
	ids := make([]string, len(p.net.Links))
	for i, l := range p.net.Links {
		ids[i] = l.ID
	}
	p.keyed(v, "links", "link", p.net.LinkIndex(), ids, func(i int, key, val *yaml.Node) {
		l := &p.net.Links[i]
		fn := &p.loc.links[i]
		fn.at[fItem] = key
		what := fmt.Sprintf("link %s", l.ID)
		p.y.Mapping(val, what, map[string]diag.Field{
			"class": p.str(&l.Class, what+": class", fn, fClass),
			"srlg": func(_, v *yaml.Node) {
				s, ok := p.y.Strings(v, what+": srlg")
				if ok {
					l.SRLG = s
				}
				fn.set(fSRLG, v, ok)
			},
			"capacity": func(_, v *yaml.Node) {
				c, ok := p.rate(v, what+": capacity")
				if ok {
					l.CapacityBps = c
				}
				fn.set(fCapacity, v, ok)
			},
		})
	})
}
