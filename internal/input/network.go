package input

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/digest"
	"github.com/changegate/changegate/internal/sim"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/userfile"
)

// Network is a topology file loaded, with a traffic file's demands in
// place of its own when Traffic is set.
type Network struct {
	// Path is the topology file, as first named.
	Path string
	// Traffic is the traffic file whose demands replace the topology's;
	// "" for the topology's own.
	Traffic string
	// Net is the network; nil when it does not load.
	Net *topology.Network
	// Diags are the problems of the topology file, or of the traffic
	// file when Traffic is set.
	Diags diag.Diagnostics
	// Err is why it did not load when that has no position: the file
	// cannot be read, or (with Traffic) the topology does not load.
	Err error
	// Took is how long loading took.
	Took time.Duration

	once     sync.Once
	compiled sync.Once
	named    sync.Once
	links    map[string]bool
	nodes    map[string]bool
	model    *sim.Model
	digests  *digest.Set
	modelErr error
}

// File is the file Diags and Err are about: the traffic file when there
// is one, else the topology.
func (n *Network) File() string {
	if n.Traffic != "" {
		return n.Traffic
	}
	return n.Path
}

// Model is the network compiled for simulation, with its digests,
// compiled on first use. Net must not be nil.
func (n *Network) Model() (*sim.Model, *digest.Set, error) {
	n.compiled.Do(func() {
		m, err := sim.Compile(n.Net)
		if err != nil {
			n.modelErr = fmt.Errorf("compile %s for simulation: %w", n.Path, err)
			return
		}
		n.model = m
		n.digests = &digest.Set{Topology: n.Net.TopologyDigest(), Traffic: n.Net.TrafficDigest()}
	})
	return n.model, n.digests, n.modelErr
}

// Names are the ids of the network's links and the names of its nodes,
// as plans.Plan.CheckReferences takes them, gathered on first use. Net
// must not be nil.
func (n *Network) Names() (links, nodes map[string]bool) {
	n.named.Do(func() {
		n.links = make(map[string]bool, len(n.Net.Links))
		for _, l := range n.Net.Links {
			n.links[l.ID] = true
		}
		n.nodes = make(map[string]bool, len(n.Net.Nodes))
		for _, nd := range n.Net.Nodes {
			n.nodes[nd.Name] = true
		}
	})
	return n.links, n.nodes
}

// Networks shares loaded topologies between the plans that name them,
// keyed by absolute path (and traffic file). It is safe for concurrent
// use; each network loads once.
type Networks struct {
	mu   sync.Mutex
	nets map[string]*Network
}

// All returns every network loaded or being loaded, by path.
func (c *Networks) All() []*Network {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*Network, 0, len(c.nets))
	for _, n := range c.nets {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Traffic < out[j].Traffic
	})
	return out
}

// Get returns the topology at path, with traffic's demands when traffic
// is not empty, loading it on first use. A path a file names is checked
// against the scope (userfile.Scope.Resolve) before it gets here.
func (c *Networks) Get(ctx context.Context, scope userfile.Scope, path, traffic string) *Network {
	key := Key(path)
	if traffic != "" {
		key += "\x00" + Key(traffic)
	}
	c.mu.Lock()
	if c.nets == nil {
		c.nets = map[string]*Network{}
	}
	nw, ok := c.nets[key]
	if !ok {
		nw = &Network{Path: path, Traffic: traffic}
		c.nets[key] = nw
	}
	c.mu.Unlock()
	nw.once.Do(func() { nw.load(ctx, c, scope) })
	return nw
}

// Key is the name a file is known by in a cache: its cleaned absolute
// path.
func Key(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

func (nw *Network) load(ctx context.Context, c *Networks, scope userfile.Scope) {
	start := time.Now()
	defer func() { nw.Took = time.Since(start) }()
	if nw.Traffic == "" {
		net, ds, err := topology.LoadFile(ctx, nw.Path, scope)
		nw.Diags, nw.Err = ds, err
		if err == nil && !ds.HasErrors() {
			nw.Net = net
		}
		return
	}
	base := c.Get(ctx, scope, nw.Path, "")
	if base.Net == nil {
		nw.Err = fmt.Errorf("topology %s does not load", nw.Path)
		return
	}
	demands, ds, err := topology.LoadDemandFile(ctx, nw.Traffic, base.Net.Nodes)
	nw.Diags, nw.Err = ds, err
	if err != nil || ds.HasErrors() {
		return
	}
	copied := *base.Net
	copied.Demands = demands
	nw.Net = &copied
}

// network is Get on the loader's cache, or on a cache of its own.
func (l Loader) network(ctx context.Context, path, traffic string) *Network {
	c := l.Networks
	if c == nil {
		c = &Networks{}
	}
	return c.Get(ctx, l.Scope, path, traffic)
}
