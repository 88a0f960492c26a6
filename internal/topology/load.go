package topology

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/userfile"
)

// ParseOptions says how Parse finds the demand files a topology names.
// Options hold values only; Parse does I/O solely through Open.
type ParseOptions struct {
	// Dir is the directory that relative demand_files names are resolved
	// against. Empty means the names are used as written.
	Dir string
	// Open opens a demand file by its resolved path. When nil, a topology
	// that names demand files gets an error for each: Parse itself never
	// touches the file system.
	Open func(path string) (io.ReadCloser, error)
	// slowMatrix turns off the fast path for demand_matrix rows
	// (matrixfast.go), for the tests that compare both.
	slowMatrix bool
}

// rateHint is the hint for every malformed rate or capacity.
const rateHint = "use a number with an optional unit such as 100G, 2.5G, 400M, 10k or 1000bps"

// LoadFile reads the topology YAML file at path, a file the user gave,
// and the demand files it names (relative to the file's directory, and
// inside its repository or an allowed directory: scope), validates the
// result and records the files read in Network.Files. The error is only
// for I/O (reading path, or a demand file that exists but cannot be
// read); every problem with the content is a diagnostic. The Network is
// nil when the diagnostics hold an error.
func LoadFile(ctx context.Context, path string, scope userfile.Scope) (*Network, diag.Diagnostics, error) {
	data, err := userfile.Read(ctx, path, userfile.Topology)
	if err != nil {
		return nil, nil, err // a *userfile.Error names the topology and says why
	}
	return Load(ctx, path, data, scope)
}

// Load is LoadFile for a topology already read: data, from path.
func Load(ctx context.Context, path string, data []byte, scope userfile.Scope) (*Network, diag.Diagnostics, error) {
	var ioErr error
	var opts ParseOptions
	loadOpts(ctx, path, scope, &opts, &ioErr)
	n, ds := Parse(path, data, opts)
	if ioErr != nil {
		return nil, ds, fmt.Errorf("load topology %s: read demand file: %w", path, ioErr)
	}
	return n, ds, nil
}

// loadOpts sets opts to read the demand files that the file at path
// names, relative to its directory and through scope; the first read
// error (not a refusal of content, nor a missing file, which are
// diagnostics) is kept in ioErr.
func loadOpts(ctx context.Context, path string, scope userfile.Scope, opts *ParseOptions, ioErr *error) {
	keep := func(err error) {
		var refused *userfile.Error
		if errors.As(err, &refused) && refused.Err != nil && !errors.As(refused.Err, new(*fs.PathError)) {
			return // a refusal of the content: a diagnostic at the file's name
		}
		if *ioErr == nil && err != nil && !errors.Is(err, fs.ErrNotExist) {
			*ioErr = err
		}
	}
	*opts = ParseOptions{
		Dir: filepath.Dir(path),
		Open: func(p string) (io.ReadCloser, error) {
			abs, err := filepath.Abs(p)
			if err != nil {
				return nil, err
			}
			_, f, err := scope.Open(ctx, path, abs, userfile.Demands)
			if err != nil {
				keep(err)
				return nil, err
			}
			return &errReader{r: f, keep: keep}, nil
		},
	}
}

// errReader passes read errors (other than EOF) to keep, so that LoadFile
// can tell I/O failures from content problems.
type errReader struct {
	r    io.ReadCloser
	keep func(error)
}

func (r *errReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		r.keep(err)
	}
	return n, err
}

func (r *errReader) Close() error { return r.r.Close() }

// Stat lets the CSV reader size its demand slice from the file size.
func (r *errReader) Stat() (fs.FileInfo, error) {
	if st, ok := r.r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		return st.Stat()
	}
	return nil, errors.ErrUnsupported
}

// Parse reads a topology YAML document (docs/topology.md) named file,
// reads the demand files it names through opts, and validates the result
// (see Network.Validate). Every problem is reported with its position; the
// Network is nil exactly when the diagnostics hold an error.
func Parse(file string, data []byte, opts ParseOptions) (*Network, diag.Diagnostics) {
	n, _, ds := parse(file, data, opts, false)
	return n, ds
}

// parse is Parse, also returning the document's root node; with
// skipFiles it reads no demand files (their names are not even checked),
// which leaves a network whose nodes and links are those of the file.
func parse(file string, data []byte, opts ParseOptions, skipFiles bool) (*Network, *yaml.Node, diag.Diagnostics) {
	var ds diag.Diagnostics
	p := &parser{
		y:         diag.YAML{File: file, Diags: &ds},
		opts:      opts,
		net:       &Network{Files: []string{file}, Nodes: []Node{}, Links: []Link{}, Demands: []Demand{}},
		loc:       &locator{file: file, parsed: true},
		skipFiles: skipFiles,
	}
	var root *yaml.Node
	if !opts.slowMatrix {
		if cut, fm := cutMatrixRows(data); fm != nil {
			var fds diag.Diagnostics
			y := diag.YAML{File: file, Diags: &fds}
			if r := y.Parse(cut); r != nil && fm.confirm(r) {
				root, ds, p.fast = r, fds, fm
			}
		}
	}
	if root == nil {
		root = p.y.Parse(data)
	}
	if root == nil {
		return nil, nil, ds
	}
	p.parseRoot(root)
	ds = append(ds, p.net.validate(p.loc)...)
	ds.Sort()
	if ds.HasErrors() {
		return nil, root, ds
	}
	return p.net, root, ds
}

type parser struct {
	y    diag.YAML
	opts ParseOptions
	net  *Network
	loc  *locator
	// known maps each declared node name to itself, so that demands read
	// from files share one string per node instead of one per line.
	known map[string]string
	names []string // declared node names, for "did you mean" hints
	// skipFiles leaves demand_files unread (Patch reads nodes and links).
	skipFiles bool
	// fast holds the rows of demand_matrix when they were scanned
	// without the YAML parser (matrixfast.go).
	fast *fastMatrix
}

func (p *parser) parseRoot(root *yaml.Node) {
	var nodes, links, demands, matrix, files *yaml.Node
	var haveNodes bool
	ok := p.y.Mapping(root, "topology", map[string]diag.Field{
		"name": func(_, v *yaml.Node) {
			if s, ok := p.y.String(v, "name"); ok {
				p.net.Name = s
				p.loc.name = v
			}
		},
		"igp": func(_, v *yaml.Node) {
			if s, ok := p.y.String(v, "igp"); ok {
				switch s {
				case IGPOSPF, IGPISIS:
					p.net.IGP = s
				default:
					p.y.Errorf(v, `write igp: ospf (a drained node's links cost 65535: max-metric) or igp: isis (a drained node carries no transit: overload)`, "unknown igp %q", s)
				}
			}
		},
		"nodes":         func(_, v *yaml.Node) { nodes, haveNodes = v, true },
		"links":         func(_, v *yaml.Node) { links = v },
		"demands":       func(_, v *yaml.Node) { demands = v },
		"demand_matrix": func(_, v *yaml.Node) { matrix = v },
		"demand_files":  func(_, v *yaml.Node) { files = v },
	})
	if !ok {
		return
	}
	if !haveNodes {
		p.y.Errorf(root, "list the routers under nodes: with a name each", "topology has no nodes field")
	}
	// Fixed order, whatever the order of keys in the file: nodes are
	// needed to check the demands read from the matrix and the files.
	p.parseNodes(nodes)
	p.parseLinks(links)
	p.parseDemandList(demands)
	p.loc.checkDemands = len(p.net.Demands)
	if matrix != nil {
		p.parseMatrix(matrix)
	}
	if files != nil && !p.skipFiles {
		p.parseDemandFiles(files)
	}
}

func (p *parser) parseNodes(seq *yaml.Node) {
	items := p.y.Sequence(seq, "nodes")
	p.known = make(map[string]string, len(items))
	for i, it := range items {
		var nd Node
		var fn itemPos
		nd.Pos = p.y.Pos(it)
		fn.at[fItem] = it
		what := fmt.Sprintf("node %d", i+1)
		ok := p.y.Mapping(it, what, map[string]diag.Field{
			"name": func(_, v *yaml.Node) {
				var ok bool
				nd.Name, ok = p.y.String(v, what+": name")
				fn.set(fName, v, ok)
			},
			"role":    p.str(&nd.Role, what+": role", &fn, fRole),
			"site":    p.str(&nd.Site, what+": site", &fn, fSite),
			"zone":    p.str(&nd.Zone, what+": zone", &fn, fZone),
			"drained": func(_, v *yaml.Node) { nd.Drained, _ = p.y.Bool(v, what+": drained") },
			"loopback": func(_, v *yaml.Node) {
				var ok bool
				nd.Loopback, ok = p.parseLoopback(v, what+": loopback")
				fn.set(fLoopback, v, ok)
			},
			"position": func(_, v *yaml.Node) {
				nd.Position = p.parsePosition(v, what+": position")
				fn.set(fPosition, v, nd.Position != nil)
			},
		})
		if !ok {
			continue
		}
		p.net.Nodes = append(p.net.Nodes, nd)
		p.loc.nodes = append(p.loc.nodes, fn)
		if nd.Name != "" {
			if _, dup := p.known[nd.Name]; !dup {
				p.known[nd.Name] = nd.Name
				p.names = append(p.names, nd.Name)
			}
		}
	}
}

// str reads a scalar into dst, recording where it is as field f of fn.
func (p *parser) str(dst *string, what string, fn *itemPos, f field) diag.Field {
	return func(_, v *yaml.Node) {
		var ok bool
		*dst, ok = p.y.String(v, what)
		fn.set(f, v, ok)
	}
}

// loopbackHint is the hint for a loopback that is not an address.
const loopbackHint = "write one IPv4 or IPv6 address, such as 192.0.2.1 or 2001:db8::1"

// parseLoopback reads a loopback address and returns it in canonical
// form. What parses but cannot be a loopback (a zone, multicast) is left
// to validate, which checks built networks the same way.
func (p *parser) parseLoopback(v *yaml.Node, what string) (string, bool) {
	s, ok := p.y.String(v, what)
	if !ok {
		return "", false
	}
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err == nil {
		return a.String(), true
	}
	if pfx, perr := netip.ParsePrefix(strings.TrimSpace(s)); perr == nil {
		p.y.Errorf(v, fmt.Sprintf("write the address alone: %s (a loopback is one address)", pfx.Addr()), "%s: %q is a prefix, not an address", what, s)
	} else {
		p.y.Errorf(v, loopbackHint, "%s: %q is not an IP address", what, s)
	}
	return s, false
}

func (p *parser) parsePosition(v *yaml.Node, what string) *Position {
	var pos Position
	var lat, lon, haveLat, haveLon bool
	if !p.y.Mapping(v, what, map[string]diag.Field{
		"lat": func(_, v *yaml.Node) { haveLat = true; pos.Lat, lat = p.y.Float(v, what+": lat") },
		"lon": func(_, v *yaml.Node) { haveLon = true; pos.Lon, lon = p.y.Float(v, what+": lon") },
	}) {
		return nil
	}
	if !haveLat || !haveLon {
		p.y.Errorf(v, "write it as {lat: 52.1, lon: 4.3}", "%s needs both lat and lon", what)
		return nil
	}
	if !lat || !lon {
		return nil // reported
	}
	return &pos
}

func (p *parser) parseLinks(seq *yaml.Node) {
	items := p.y.Sequence(seq, "links")
	for i, it := range items {
		l := Link{MetricAB: 1, MetricBA: 1, Up: true, SRLG: []string{}}
		var fn itemPos
		l.Pos = p.y.Pos(it)
		fn.at[fItem] = it
		what := fmt.Sprintf("link %d", i+1)
		ok := p.y.Mapping(it, what, map[string]diag.Field{
			"id": func(_, v *yaml.Node) {
				s, ok := p.y.String(v, what+": id")
				if ok && s == "" {
					p.y.Errorf(v, "remove id to get the default a-b id", "%s: id is empty", what)
					ok = false
				}
				l.ID = s
				fn.set(fID, v, ok)
			},
			"a": func(_, v *yaml.Node) {
				s, ok := p.y.String(v, what+": a")
				l.A, l.AInterface = splitEndpoint(s)
				fn.set(fA, v, ok)
			},
			"b": func(_, v *yaml.Node) {
				s, ok := p.y.String(v, what+": b")
				l.B, l.BInterface = splitEndpoint(s)
				fn.set(fB, v, ok)
			},
			"capacity": func(_, v *yaml.Node) {
				var ok bool
				l.CapacityBps, ok = p.rate(v, what+": capacity")
				fn.set(fCapacity, v, ok)
			},
			"metric": func(_, v *yaml.Node) {
				fn.set(fMetric, v, p.parseMetric(v, what+": metric", &l, &fn))
			},
			"state": func(_, v *yaml.Node) {
				s, ok := p.y.String(v, what+": state")
				if !ok {
					return
				}
				switch strings.ToLower(s) {
				case "up":
					l.Up = true
				case "down":
					l.Up = false
				default:
					p.y.Errorf(v, "use up or down", "%s: state %q is not up or down", what, s)
				}
			},
			"class": p.str(&l.Class, what+": class", &fn, fClass),
			"srlg": func(_, v *yaml.Node) {
				s, ok := p.y.Strings(v, what+": srlg")
				if ok {
					l.SRLG = s
				}
				fn.set(fSRLG, v, ok)
			},
		})
		if !ok {
			continue
		}
		p.net.Links = append(p.net.Links, l)
		p.loc.links = append(p.loc.links, fn)
	}
	// An empty explicit id was reported; give it the default so that it
	// causes no further messages.
	AssignLinkIDs(p.net.Links)
}

// splitEndpoint splits "node:interface" at the first colon.
func splitEndpoint(s string) (node, iface string) {
	node, iface, _ = strings.Cut(s, ":")
	return node, iface
}

// parseMetric reads one integer for both directions or {ab, ba}. It
// reports malformed values and returns false for them.
func (p *parser) parseMetric(v *yaml.Node, what string, l *Link, fn *itemPos) bool {
	if v.Kind != yaml.MappingNode {
		m, ok := p.y.Int(v, what)
		if ok {
			l.MetricAB, l.MetricBA = m, m
		}
		return ok
	}
	var haveAB, haveBA bool
	good := p.y.Mapping(v, what, map[string]diag.Field{
		"ab": func(_, v *yaml.Node) {
			haveAB = true
			m, ok := p.y.Int(v, what+": ab")
			if ok {
				l.MetricAB = m
			}
			fn.set(fMetricAB, v, ok)
		},
		"ba": func(_, v *yaml.Node) {
			haveBA = true
			m, ok := p.y.Int(v, what+": ba")
			if ok {
				l.MetricBA = m
			}
			fn.set(fMetricBA, v, ok)
		},
	})
	if good && (!haveAB || !haveBA) {
		p.y.Errorf(v, "give both directions, e.g. {ab: 10, ba: 20}, or one number for both", "%s: a metric mapping needs both ab and ba", what)
	}
	return true // per-direction problems are marked on ab and ba
}

// rate parses a rate scalar, reporting a malformed one at v.
func (p *parser) rate(v *yaml.Node, what string) (float64, bool) {
	s, ok := p.y.String(v, what)
	if !ok {
		return 0, false
	}
	r, err := ParseRate(s)
	if err != nil {
		msg, hint := splitRateErr(err)
		p.y.Errorf(v, hint, "%s: %s", what, msg)
		return 0, false
	}
	return r, true
}

// splitRateErr turns a ParseRate error into a message and a hint.
func splitRateErr(err error) (msg, hint string) {
	msg = err.Error()
	if i := strings.LastIndex(msg, ": use "); i >= 0 {
		msg = msg[:i]
	}
	if strings.HasSuffix(msg, "is negative") {
		return msg, "rates and capacities must be 0 or more"
	}
	return msg, rateHint
}

func (p *parser) parseDemandList(seq *yaml.Node) {
	items := p.y.Sequence(seq, "demands")
	for i, it := range items {
		var d Demand
		var fn itemPos
		fn.at[fItem] = it
		what := fmt.Sprintf("demand %d", i+1)
		var haveRate bool
		ok := p.y.Mapping(it, what, map[string]diag.Field{
			"src": func(_, v *yaml.Node) {
				var ok bool
				d.Src, ok = p.y.String(v, what+": src")
				fn.set(fSrc, v, ok)
			},
			"dst": func(_, v *yaml.Node) {
				var ok bool
				d.Dst, ok = p.y.String(v, what+": dst")
				fn.set(fDst, v, ok)
			},
			"rate": func(_, v *yaml.Node) {
				var ok bool
				haveRate = true
				d.RateBps, ok = p.rate(v, what+": rate")
				fn.set(fRate, v, ok)
			},
		})
		if !ok {
			continue
		}
		if !haveRate {
			p.y.Errorf(it, "add rate: with a unit, e.g. rate: 10G (0 is allowed)", "%s has no rate", what)
		}
		p.net.Demands = append(p.net.Demands, d)
		p.loc.demands = append(p.loc.demands, fn)
	}
}

// parseMatrix reads demand_matrix. Its demands are checked here, where
// the position of each cell is known, and not again by validate.
func (p *parser) parseMatrix(v *yaml.Node) {
	const what = "demand_matrix"
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return // "demand_matrix:" with nothing after it
	}
	var unitNode, nodesNode, rowsNode *yaml.Node
	if !p.y.Mapping(v, what, map[string]diag.Field{
		"unit":  func(_, v *yaml.Node) { unitNode = v },
		"nodes": func(_, v *yaml.Node) { nodesNode = v },
		"rows":  func(_, v *yaml.Node) { rowsNode = v },
	}) {
		return
	}
	unit, unitOK := "", true
	if unitNode != nil {
		s, ok := p.y.String(unitNode, what+": unit")
		switch {
		case !ok:
			unitOK = false
		case !isRateUnit(s):
			p.y.Errorf(unitNode, "use one of bps, k, M, G, T (or kbps, Mbps, Gbps, Tbps)", "%s: unit %q is not a rate unit", what, s)
			unitOK = false
		default:
			unit = s
		}
	}
	if nodesNode == nil || rowsNode == nil {
		p.y.Errorf(v, "give nodes: [a, b, ...] and rows: with one list of rates per node", "%s needs both nodes and rows", what)
		return
	}
	names, namesOK := p.matrixNodes(nodesNode)
	if p.fast != nil && rowsNode == p.fast.ph {
		p.parseFastRows(p.fast, names, namesOK, unit, unitOK)
		return
	}
	if !isList(rowsNode) {
		p.y.Sequence(rowsNode, what+": rows") // reports it
		return
	}
	rows := p.y.Sequence(rowsNode, what+": rows")
	if namesOK && len(rows) != len(names) {
		p.y.Errorf(rowsNode, "give one row per node, in the order of nodes", "%s has %d rows for %d nodes", what, len(rows), len(names))
	}
	for i, row := range rows {
		cells := p.y.Sequence(row, fmt.Sprintf("%s: row %d", what, i+1))
		if !isList(row) {
			continue
		}
		if namesOK && len(cells) != len(names) {
			p.y.Errorf(row, "give one rate per node, in the order of nodes", "%s: row %d has %d entries for %d nodes", what, i+1, len(cells), len(names))
		}
		for j, c := range cells {
			r, ok := p.matrixCell(c, unit, unitOK, i, j)
			if !ok || r == 0 || i >= len(names) || j >= len(names) {
				continue
			}
			if i == j {
				p.y.Errorf(c, "the diagonal is traffic from a node to itself: set it to 0", "%s: row %d (%s) has %s on the diagonal", what, i+1, names[i], FormatRateExact(r))
				continue
			}
			p.net.Demands = append(p.net.Demands, Demand{Src: names[i], Dst: names[j], RateBps: r})
		}
	}
}

// matrixNodes reads the node names of demand_matrix; ok is false when the
// list itself is unusable (so row lengths cannot be checked against it).
func (p *parser) matrixNodes(n *yaml.Node) ([]string, bool) {
	const what = "demand_matrix: nodes"
	if !isList(n) {
		p.y.Sequence(n, what) // reports it
		return nil, false
	}
	var names []string
	ok := true
	seen := map[string]*yaml.Node{}
	for _, it := range p.y.Sequence(n, what) {
		s, good := p.y.String(it, what+" item")
		if !good {
			ok = false
			continue
		}
		if prev, dup := seen[s]; dup {
			p.y.Errorf(it, fmt.Sprintf("list each node once; the first is at %s", p.y.Pos(prev)), "%s: %q listed twice", what, s)
		} else if known, isKnown := p.known[s]; !isKnown {
			p.y.Errorf(it, p.unknownHint(s), "%s: unknown node %q", what, s)
		} else {
			s = known
		}
		seen[s] = it
		names = append(names, s)
	}
	return names, ok
}

func isList(n *yaml.Node) bool {
	n = diag.Deref(n)
	return n != nil && (n.Kind == yaml.SequenceNode || n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

func (p *parser) matrixCell(c *yaml.Node, unit string, unitOK bool, i, j int) (float64, bool) {
	var s string
	if c = diag.Deref(c); c != nil && c.Kind == yaml.ScalarNode && c.Tag != "!!null" {
		s = c.Value // the common case, without building a message
	} else {
		p.y.String(c, fmt.Sprintf("demand_matrix: row %d column %d", i+1, j+1)) // reports it
		return 0, false
	}
	if !unitOK {
		return 0, false
	}
	r, e := matrixRate(s, unit, i, j)
	if e != nil {
		p.y.Errorf(c, e.hint, e.format, e.args...)
		return 0, false
	}
	return r, true
}

func isRateUnit(s string) bool {
	l := strings.ToLower(s)
	for _, u := range rateUnits {
		if l == u.suffix {
			return true
		}
	}
	return false
}

// unknownHint suggests the close declared node names.
func (p *parser) unknownHint(name string) string {
	return unknownNodeHint(name, p.names)
}

func unknownNodeHint(name string, names []string) string {
	if h := diag.DidYouMean(diag.Near(name, names)); h != "" {
		return h
	}
	return "declare it under nodes:"
}

func (p *parser) parseDemandFiles(v *yaml.Node) {
	items := []*yaml.Node{v}
	if isList(v) {
		items = p.y.Sequence(v, "demand_files")
	}
	seen := map[string]*yaml.Node{}
	for _, it := range items {
		name, ok := p.y.String(it, "demand_files item")
		if !ok {
			continue
		}
		if name == "" {
			p.y.Errorf(it, "give the path of a CSV file", "demand_files: empty file name")
			continue
		}
		path := name
		if !filepath.IsAbs(path) && p.opts.Dir != "" {
			path = filepath.Join(p.opts.Dir, path)
		}
		if prev, dup := seen[path]; dup {
			p.y.Errorf(it, fmt.Sprintf("list each file once (the first is at %s): its demands would count twice", p.y.Pos(prev)), "demand_files: %q listed twice", name)
			continue
		}
		seen[path] = it
		if p.opts.Open == nil {
			p.y.Errorf(it, "load the topology from a file so that demand files can be read", "demand_files: cannot read %q: no file access", name)
			continue
		}
		f, err := p.opts.Open(path)
		if err != nil {
			hint := "check the path"
			if !filepath.IsAbs(name) && p.opts.Dir != "" {
				hint = fmt.Sprintf("paths are relative to the topology file's directory %s", p.opts.Dir)
			}
			p.y.Errorf(it, hint, "demand_files: cannot open %q: %s", name, errText(err))
			continue
		}
		p.net.Files = append(p.net.Files, path)
		cr := csvReader{p: p, file: path, col: [3]int{-1, -1, -1}}
		err = cr.readAll(f)
		f.Close()
		if err != nil {
			p.y.Errorf(it, "check that the file can be read", "demand_files: reading %q: %s", name, errText(err))
		}
	}
}

// errText is err without the path that *fs.PathError repeats.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
