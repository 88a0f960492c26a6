package importer

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/topology"
)

// GraphMLOptions says how to fill in what a GraphML file does not give.
type GraphMLOptions struct {
	// DefaultCapacity is the capacity in bps of edges without a speed
	// (no usable LinkSpeedRaw, nor LinkSpeed with LinkSpeedUnits). Zero
	// means none: then an edge without a speed is an error.
	DefaultCapacity float64
	// Metric is MetricInverseCapacity (used when empty) or MetricHop.
	Metric string
	// ReferenceBps is the reference bandwidth of MetricInverseCapacity;
	// zero means DefaultReferenceBps (100G).
	ReferenceBps float64
}

// GraphML imports an undirected GraphML graph as written by the Internet
// Topology Zoo (nodes with label, Latitude, Longitude, Internal and
// hyperedge attributes; edges with LinkSpeedRaw in bps or LinkSpeed with
// LinkSpeedUnits, and LinkStatus). file names the input in diagnostics and
// is the network's name when the graph has no label.
//
// Node names come from labels, made safe ("New York" -> "New_York");
// duplicate labels get the GraphML node id as suffix ("London_17"), and
// nodes without a label are named "node_<id>". Parallel edges become
// separate links ("A-B", "A-B#2"); self-loops are skipped with a warning.
// A link's id is made of the node names alone. Its interfaces are the
// edge's sourceport and targetport (GraphML's ports) when given, else
// the names changegate's lab gives them ("cg-<peer>", see
// nameInterfaces), with one warning saying how many ends were named.
//
// The returned Diagnostics always holds the warnings. When the file cannot
// be used the Network is nil and the error is a *diag.ListError holding
// the same diagnostics; an option error or a read error is returned as is.
func GraphML(r io.Reader, file string, opts GraphMLOptions) (*topology.Network, diag.Diagnostics, error) {
	ld, err := checkLinkDefaults(opts.DefaultCapacity, opts.Metric, MetricInverseCapacity, opts.ReferenceBps)
	if err != nil {
		return nil, nil, fmt.Errorf("graphml options: %w", err)
	}
	var ds diag.Diagnostics
	doc, err := readGraphML(r, file, &ds)
	if err != nil {
		return nil, ds, err
	}
	ds.Sort()
	if ds.HasErrors() {
		return nil, ds, ds.Err()
	}
	net := doc.network(file, ld, &ds)
	ds.Sort()
	if ds.HasErrors() {
		return nil, ds, ds.Err()
	}
	return net, ds, nil
}

// GraphML keys ("for" domains) that carry attributes of nodes, edges or the graph.
const (
	forNode  = "node"
	forEdge  = "edge"
	forGraph = "graph"
	forAll   = "all"
)

type gmlKey struct {
	ID      string  `xml:"id,attr"`
	For     string  `xml:"for,attr"`
	Name    string  `xml:"attr.name,attr"`
	Default *string `xml:"default"`
}

type gmlData struct {
	Key   string `xml:"key,attr"`
	Value string `xml:",chardata"`
}

type gmlNode struct {
	ID    string     `xml:"id,attr"`
	Data  []gmlData  `xml:"data"`
	Graph []struct{} `xml:"graph"`
	line  int
}

type gmlEdge struct {
	Source   string `xml:"source,attr"`
	Target   string `xml:"target,attr"`
	Directed string `xml:"directed,attr"`
	// SourcePort and TargetPort name the ports of the source and target
	// nodes the edge attaches to (GraphML's <port> model): the
	// interfaces of the link's ends.
	SourcePort string    `xml:"sourceport,attr"`
	TargetPort string    `xml:"targetport,attr"`
	Data       []gmlData `xml:"data"`
	line       int
}

// gmlDoc is the part of a GraphML document the importer reads.
type gmlDoc struct {
	file        string
	keys        map[string]gmlKey
	keyOrder    []gmlKey // in file order, for defaults
	graphLine   int
	edgeDefault string
	graphData   []gmlData
	nodes       []gmlNode
	edges       []gmlEdge
	warnedKeys  map[string]bool
}

// errRecorder remembers the first error of the underlying reader, so that
// I/O failures are told apart from malformed XML.
type errRecorder struct {
	r   io.Reader
	err error
}

func (e *errRecorder) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

// readGraphML walks the XML once. Problems with the document are recorded
// in ds; only a failing reader is returned as an error.
func readGraphML(r io.Reader, file string, ds *diag.Diagnostics) (*gmlDoc, error) {
	rec := &errRecorder{r: r}
	dec := xml.NewDecoder(rec)
	doc := &gmlDoc{file: file, keys: map[string]gmlKey{}, warnedKeys: map[string]bool{}}
	pos := func(line int) diag.Pos { return diag.Pos{File: file, Line: line} }
	// xmlErr turns a decoder error into a diagnostic, or an I/O error.
	xmlErr := func(err error) error {
		if rec.err != nil {
			return fmt.Errorf("read %s: %w", file, rec.err)
		}
		line, _ := dec.InputPos()
		msg := err.Error()
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			line, msg = se.Line, se.Msg
		}
		msg = strings.TrimPrefix(msg, "xml: ")
		ds.Add(pos(line), "fix the XML (is this a GraphML file?)", "invalid XML: %s", msg)
		return nil
	}
	var stack []string
	graphs, roots := 0, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, xmlErr(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.StartElement:
			line, _ := dec.InputPos()
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			name := t.Name.Local
			var derr error
			switch {
			case parent == "" && name == "graphml" && roots == 0:
				roots++
				stack = append(stack, name)
				continue
			case parent == "":
				ds.Add(pos(line), "a GraphML file has one <graphml> root element", "not a GraphML file: unexpected root element <%s>", name)
				return nil, nil
			case parent == "graphml" && name == "key":
				var k gmlKey
				if derr = dec.DecodeElement(&k, &t); derr == nil {
					if _, dup := doc.keys[k.ID]; dup {
						ds.Add(pos(line), "give each <key> its own id", "duplicate key id %q", k.ID)
					}
					doc.keys[k.ID] = k
					doc.keyOrder = append(doc.keyOrder, k)
				}
			case parent == "graphml" && name == "graph":
				graphs++
				if graphs > 1 {
					ds.Add(pos(line), "split the file into one file per graph", "the file has more than one <graph>; only one is supported")
					return nil, nil
				}
				doc.graphLine = line
				for _, a := range t.Attr {
					if a.Name.Local == "edgedefault" {
						doc.edgeDefault = a.Value
					}
				}
				stack = append(stack, name)
				continue
			case parent == "graph" && name == "node":
				n := gmlNode{line: line}
				if derr = dec.DecodeElement(&n, &t); derr == nil {
					if len(n.Graph) > 0 {
						ds.Add(pos(line), "flatten the graph first", "node %q holds a nested graph; nested graphs are not supported", n.ID)
					}
					doc.nodes = append(doc.nodes, n)
				}
			case parent == "graph" && name == "edge":
				e := gmlEdge{line: line}
				if derr = dec.DecodeElement(&e, &t); derr == nil {
					doc.edges = append(doc.edges, e)
				}
			case parent == "graph" && name == "data":
				var d gmlData
				if derr = dec.DecodeElement(&d, &t); derr == nil {
					doc.graphData = append(doc.graphData, d)
				}
			case name == "hyperedge":
				ds.Add(pos(line), "replace the hyperedge with a node joined to each member by an edge", "<hyperedge> is not supported")
				derr = dec.Skip()
			case name == "desc" || (parent == "graphml" && name == "data"):
				derr = dec.Skip() // descriptions and document metadata
			default:
				ds.Warn(pos(line), "", "element <%s> inside <%s> is not part of GraphML's node/edge model; ignored", name, parent)
				derr = dec.Skip()
			}
			if derr != nil {
				return nil, xmlErr(derr)
			}
		}
	}
	switch {
	case roots == 0:
		ds.Add(pos(1), "a GraphML file starts with <graphml> and holds one <graph>", "not a GraphML file: no <graphml> element")
	case graphs == 0:
		ds.Add(pos(1), "add a <graph edgedefault=\"undirected\"> with nodes and edges", "no <graph> element")
	}
	return doc, nil
}

// attrs resolves data elements of one domain to attribute names, starting
// from the keys' defaults.
func (doc *gmlDoc) attrs(data []gmlData, domain string, line int, ds *diag.Diagnostics) map[string]string {
	out := map[string]string{}
	for _, k := range doc.keyOrder {
		if k.Default != nil && k.Name != "" && (k.For == domain || k.For == forAll) {
			out[k.Name] = strings.TrimSpace(*k.Default)
		}
	}
	for _, d := range data {
		k, ok := doc.keys[d.Key]
		if !ok {
			if !doc.warnedKeys[d.Key] {
				doc.warnedKeys[d.Key] = true
				ds.Warn(diag.Pos{File: doc.file, Line: line}, "declare it with <key id=... attr.name=...>", "data key %q is not declared by any <key>; its values are ignored", d.Key)
			}
			continue
		}
		if k.Name != "" {
			out[k.Name] = strings.TrimSpace(d.Value)
		}
	}
	return out
}

func (doc *gmlDoc) network(file string, ld linkDefaults, ds *diag.Diagnostics) *topology.Network {
	pos := func(line int) diag.Pos { return diag.Pos{File: file, Line: line} }
	net := &topology.Network{Nodes: []topology.Node{}, Links: []topology.Link{}, Demands: []topology.Demand{}}
	if file != "" {
		net.Files = []string{file}
	}
	g := doc.attrs(doc.graphData, forGraph, doc.graphLine, ds)
	net.Name = firstNonEmpty(g["label"], g["Network"], strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)))
	if net.Name == "." || net.Name == "" {
		net.Name = "graphml"
	}
	// edgedefault="directed" is checked edge by edge below: edges may
	// still say directed="false".
	if doc.edgeDefault != "" && doc.edgeDefault != "undirected" && doc.edgeDefault != "directed" {
		ds.Add(pos(doc.graphLine), `use edgedefault="undirected"`, "edgedefault %q is not valid GraphML", doc.edgeDefault)
	}

	// Nodes.
	if len(doc.nodes) == 0 {
		ds.Add(pos(doc.graphLine), "a network needs nodes and edges", "the graph has no nodes")
		return nil
	}
	type nodeInfo struct {
		id, label string
		attrs     map[string]string
	}
	infos := make([]nodeInfo, len(doc.nodes))
	byID := map[string]int{}
	labelCount := map[string]int{}
	for i, n := range doc.nodes {
		a := doc.attrs(n.Data, forNode, n.line, ds)
		if n.ID == "" {
			ds.Add(pos(n.line), "give every <node> an id", "node without an id")
		} else if j, dup := byID[n.ID]; dup {
			ds.Add(pos(n.line), fmt.Sprintf("the first is at line %d", doc.nodes[j].line), "duplicate node id %q", n.ID)
		} else {
			byID[n.ID] = i
		}
		label := a["label"]
		if label == "None" { // the Zoo toolset writes None for "no label"
			label = ""
		}
		label = safeName(label)
		infos[i] = nodeInfo{id: n.ID, label: label, attrs: a}
		if label != "" {
			labelCount[label]++
		}
	}
	if ds.HasErrors() {
		return nil
	}
	taken := map[string]bool{}
	names := make([]string, len(infos))
	dupNames := map[string][]string{}
	for i, in := range infos {
		id := safeName(in.id)
		if id == "" {
			id = strconv.Itoa(i)
		}
		name := in.label
		switch {
		case name == "":
			name = "node_" + id
		case labelCount[name] > 1:
			name += "_" + id
		}
		base := name
		for n := 2; taken[name]; n++ {
			name = fmt.Sprintf("%s_%d", base, n)
		}
		taken[name] = true
		names[i] = name
		if labelCount[in.label] > 1 {
			dupNames[in.label] = append(dupNames[in.label], name)
		}
	}
	for i, n := range doc.nodes {
		in := infos[i]
		if d := dupNames[in.label]; len(d) > 0 {
			ds.Warn(pos(n.line), "", "label %q is used by %d nodes; they are named %s", in.label, len(d), strings.Join(d, ", "))
			delete(dupNames, in.label)
		}
		node := topology.Node{Name: names[i], Pos: pos(n.line)}
		switch {
		case in.attrs["hyperedge"] == "1":
			node.Role = "hyperedge"
		case in.attrs["Internal"] == "0":
			node.Role = "external"
		}
		node.Position = position(in.attrs, pos(n.line), names[i], ds)
		net.Nodes = append(net.Nodes, node)
	}

	// Edges.
	ids := linkIDs{}
	ports := map[[2]string]int{} // node, port -> line of the edge using it
	var noSpeed []string
	noSpeedLine := 0
	directed, firstDirected := 0, 0
	for _, e := range doc.edges {
		a := doc.attrs(e.Data, forEdge, e.line, ds)
		if e.Directed == "true" || (e.Directed == "" && doc.edgeDefault == "directed") {
			if directed == 0 {
				firstDirected = e.line
			}
			directed++
			continue
		}
		si, sok := byID[e.Source]
		ti, tok := byID[e.Target]
		if !sok || !tok {
			for _, end := range []struct {
				id string
				ok bool
			}{{e.Source, sok}, {e.Target, tok}} {
				if !end.ok {
					ds.Add(pos(e.line), "an edge's source and target must be ids of <node> elements", "edge %s-%s: unknown node %q", shown(e.Source), shown(e.Target), end.id)
				}
			}
			continue
		}
		if si == ti {
			ds.Warn(pos(e.line), "changegate links join two different nodes", "self-loop on node %s skipped", shown(names[si]))
			continue
		}
		l := topology.Link{A: names[si], B: names[ti], Up: true, SRLG: []string{}, Pos: pos(e.line)}
		// The id is made of the node names alone, as before ports were
		// read: plans name links by it. The interfaces are set after it.
		l.ID = ids.next(l)
		l.AInterface = doc.port(e.SourcePort, "sourceport", l.ID, l.A, e.line, ports, ds)
		l.BInterface = doc.port(e.TargetPort, "targetport", l.ID, l.B, e.line, ports, ds)
		capacity, ok := edgeCapacity(a, l.ID, pos(e.line), ds)
		if !ok {
			if len(noSpeed) == 0 {
				noSpeedLine = e.line
			}
			noSpeed = append(noSpeed, l.ID)
			capacity = ld.capacity
		}
		l.CapacityBps = capacity
		l.MetricAB = ld.metricFor(capacity)
		l.MetricBA = l.MetricAB
		if st := a["LinkStatus"]; st != "" {
			switch strings.ToLower(st) {
			case "active", "existing", "in service", "operational", "up":
			case "future", "planned", "proposed", "planning":
				l.Up = false
				ds.Warn(pos(e.line), "a plan can bring it up", "link %s has LinkStatus %q: imported as down", shown(l.ID), st)
			default:
				ds.Warn(pos(e.line), "", "link %s has unknown LinkStatus %q: imported as up", shown(l.ID), st)
			}
		}
		net.Links = append(net.Links, l)
	}
	if directed > 0 {
		ds.Add(pos(firstDirected), `changegate links are bidirectional: make the graph undirected (edgedefault="undirected")`,
			"directed graphs are not supported: %d directed edge(s)", directed)
	}
	if len(noSpeed) > 0 && ld.capacity == 0 {
		more := ""
		if len(noSpeed) > 1 {
			more = fmt.Sprintf(" (and %d more)", len(noSpeed)-1)
		}
		ds.Add(pos(noSpeedLine), "pass --default-capacity RATE (e.g. 10G) to give edges without a speed a capacity",
			"edge %s%s has no usable link speed (LinkSpeedRaw, or LinkSpeed with LinkSpeedUnits)", shown(noSpeed[0]), more)
	}
	if len(net.Links) == 0 && !ds.HasErrors() {
		ds.Add(pos(doc.graphLine), "a network needs edges between different nodes", "the graph has no usable edges")
	}
	if ds.HasErrors() {
		return net
	}
	if named, first := nameInterfaces(net); named > 0 {
		ds.Warn(pos(doc.graphLine), "runbooks render these names: before a plan goes to real routers, write their interface names into the topology (a: \"node:interface\")",
			"%d of %d link ends have no interface name in the file (no sourceport or targetport); they are named as changegate's lab names its interfaces, cg-<peer>, e.g. %s", named, 2*len(net.Links), shown(first))
	}
	return net
}

// port reads the sourceport or targetport (attr) of the edge at line, the
// interface of link id at node: empty when the edge names none. A port
// must be a usable name and one end of one link; used records the ports
// taken.
func (doc *gmlDoc) port(p, attr, id, node string, line int, used map[[2]string]int, ds *diag.Diagnostics) string {
	p = strings.TrimSpace(p)
	if p == "" {
		return ""
	}
	pos := diag.Pos{File: doc.file, Line: line}
	if !ds.CheckText(pos, fmt.Sprintf("edge %s: %s", shown(id), attr), p, diag.KindName) {
		return ""
	}
	k := [2]string{node, p}
	if first, dup := used[k]; dup {
		ds.Add(pos, fmt.Sprintf("the other edge is at line %d; a port is the end of one link: give each edge its own", first),
			"edge %s: port %s of node %s is used by two edges", shown(id), shown(p), shown(node))
		return ""
	}
	used[k] = line
	return p
}

// edgeCapacity reads LinkSpeedRaw (bps), or else LinkSpeed with
// LinkSpeedUnits. ok is false when the edge gives no usable speed.
func edgeCapacity(a map[string]string, id string, pos diag.Pos, ds *diag.Diagnostics) (float64, bool) {
	if raw, ok := a["LinkSpeedRaw"]; ok {
		v, err := strconv.ParseFloat(raw, 64)
		if err == nil && v > 0 && !math.IsInf(v, 0) {
			return v, true
		}
		ds.Warn(pos, "", "link %s: LinkSpeedRaw %q is not a positive number; ignored", shown(id), raw)
	}
	speed, ok := a["LinkSpeed"]
	if !ok {
		return 0, false
	}
	mult := map[string]float64{"": 0, "k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12}[strings.ToLower(a["LinkSpeedUnits"])]
	v, err := strconv.ParseFloat(speed, 64)
	if err != nil || mult == 0 || !(v > 0) || math.IsInf(v*mult, 0) {
		ds.Warn(pos, "", "link %s: LinkSpeed %q with LinkSpeedUnits %q is not a usable speed; ignored", shown(id), speed, a["LinkSpeedUnits"])
		return 0, false
	}
	return v * mult, true
}

// position reads Latitude and Longitude; both must be present and valid.
func position(a map[string]string, pos diag.Pos, name string, ds *diag.Diagnostics) *topology.Position {
	latS, hasLat := a["Latitude"]
	lonS, hasLon := a["Longitude"]
	if !hasLat && !hasLon {
		return nil
	}
	lat, err1 := strconv.ParseFloat(latS, 64)
	lon, err2 := strconv.ParseFloat(lonS, 64)
	if !hasLat || !hasLon || err1 != nil || err2 != nil || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
		ds.Warn(pos, "", "node %s: Latitude %q / Longitude %q is not a valid position; ignored", shown(name), latS, lonS)
		return nil
	}
	return &topology.Position{Lat: lat, Lon: lon}
}

// shown is a name made of a file's content (a node's label or id, a link
// id made of them) as a message shows it unquoted: printable and clipped
// like a quoted excerpt (diag.ExcerptRunes characters), so that a huge
// label is not printed whole.
func shown(name string) string { return diag.Clip(name) }

// safeName keeps letters and digits of s and turns every run of other
// characters into one underscore: "Washington, DC" -> "Washington_DC".
func safeName(s string) string {
	var b strings.Builder
	sep := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			sep = false
			b.WriteRune(r)
			continue
		}
		sep = true
	}
	return b.String()
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
