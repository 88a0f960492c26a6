package devices

import (
	"context"
	"fmt"
	"net/netip"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/platform"
	"github.com/changegate/changegate/userfile"
)

// Kinds that are plumbing, not devices: skipped without a word.
var containerlabPlumbing = []string{"bridge", "ovs-bridge", "host", "ext-container"}

// ContainerlabPlatformLabel is the node label that sets a node's platform
// outright, for kinds changegate cannot map (linux without FRR, ...).
const ContainerlabPlatformLabel = "changegate.platform"

// ContainerlabKinds returns the containerlab kinds FromContainerlab maps,
// and what each becomes: the containerlab kinds (current and legacy
// names) of the platform registry's records. linux is decided by the
// image (see FromContainerlab).
func ContainerlabKinds() map[string]string { return platform.Builtin().Containerlab() }

// FromContainerlab imports the nodes of a containerlab topology file
// (*.clab.yml) as devices: the platform from the node's kind (see
// ContainerlabKinds; linux nodes whose image is FRR's become frr_vtysh;
// the label changegate.platform overrides), with kind, image and labels
// inherited from topology.defaults, topology.kinds and topology.groups as
// containerlab does. The host is the node's mgmt-ipv4 (else mgmt-ipv6),
// else the name containerlab gives the container (clab-LAB-NODE, by the
// file's prefix). Nodes whose platform cannot be told are skipped with a
// warning; bridges and the host are skipped silently. Credentials are not
// imported (containerlab's are well-known defaults, in plain text). The
// error is for I/O only, as for Load.
func FromContainerlab(ctx context.Context, path string) (*Inventory, diag.Diagnostics, error) {
	data, err := userfile.Read(ctx, path, userfile.Kind{Name: "containerlab topology", Limit: userfile.Inventory.Limit})
	if err != nil {
		return nil, nil, err
	}
	inv, ds := ParseContainerlab(path, data)
	return inv, ds, nil
}

// ParseContainerlab is FromContainerlab on file contents; it does no I/O.
func ParseContainerlab(file string, data []byte) (*Inventory, diag.Diagnostics) {
	var ds diag.Diagnostics
	c := &clabParser{y: diag.YAML{File: file, Diags: &ds}}
	devices := c.parse(data)
	if devices == nil && !ds.HasErrors() {
		ds.Add(diag.Pos{File: file, Line: 1}, "declare routers under topology.nodes", "the containerlab topology has no nodes that are devices")
	}
	return build([]string{file}, newLayer("defaults", "", diag.Pos{File: file}), nil, devices, &ds), ds
}

type clabParser struct {
	y           diag.YAML
	merges      int
	mergeFailed bool // the merge limit was hit and reported
}

// clabLevel is what a node inherits from one level.
type clabLevel struct {
	kind, image, group *yaml.Node
	labels             map[string]*yaml.Node
}

func (c *clabParser) parse(data []byte) []*layer {
	root := c.y.Parse(data)
	if root == nil {
		return nil
	}
	top := c.fields(root, "the file")
	if top == nil {
		return nil
	}
	lab := path.Base(strings.TrimSuffix(strings.TrimSuffix(c.y.File, ".yml"), ".yaml"))
	lab = strings.TrimSuffix(lab, ".clab")
	if n, ok := top["name"]; ok {
		// The lab's name and prefix make the devices' host names.
		if s, ok := c.y.String(n.val, "name"); ok && c.y.CheckText(n.val, "name", diag.KindName) {
			lab = s
		}
	}
	prefix, customPrefix := "clab", false
	if n, ok := top["prefix"]; ok {
		if s, ok := c.scalar(n.val, "prefix"); ok && c.y.CheckText(n.val, "prefix", diag.KindName) {
			prefix, customPrefix = s, true
		}
	}
	tp, ok := top["topology"]
	if !ok {
		c.y.Errorf(root, "a containerlab file has topology: with nodes:", "no topology section")
		return nil
	}
	topo := c.fields(tp.val, "topology")
	if topo == nil {
		return nil
	}
	level := func(n *yaml.Node, what string) clabLevel {
		var lv clabLevel
		f := c.fields(n, what)
		if p, ok := f["kind"]; ok {
			lv.kind = p.val
		}
		if p, ok := f["image"]; ok {
			lv.image = p.val
		}
		if p, ok := f["group"]; ok {
			lv.group = p.val
		}
		if p, ok := f["labels"]; ok {
			lv.labels = map[string]*yaml.Node{}
			for k, v := range c.fields(p.val, what+" labels") {
				lv.labels[k] = v.val
			}
		}
		return lv
	}
	var defaults clabLevel
	if p, ok := topo["defaults"]; ok {
		defaults = level(p.val, "topology.defaults")
	}
	section := func(name string) map[string]clabLevel {
		out := map[string]clabLevel{}
		if p, ok := topo[name]; ok {
			for k, v := range c.fields(p.val, "topology."+name) {
				out[k] = level(v.val, "topology."+name+"."+k)
			}
		}
		return out
	}
	kinds, groups := section("kinds"), section("groups")
	np, ok := topo["nodes"]
	if !ok {
		c.y.Errorf(tp.key, "declare the lab's nodes under topology.nodes", "the topology has no nodes")
		return nil
	}
	var out []*layer
	for _, e := range (&parser{y: c.y}).entries(diag.Deref(np.val), "topology.nodes") {
		name := e.key.Value
		if !(&parser{y: c.y}).name(e.key, "device") {
			continue
		}
		if c.fields(e.val, "node "+name) == nil {
			continue // not a mapping: reported
		}
		own := level(e.val, "node "+name)
		first := func(ns ...*yaml.Node) *yaml.Node {
			for _, n := range ns {
				if n != nil {
					return n
				}
			}
			return nil
		}
		groupN := first(own.group, defaults.group)
		var grp clabLevel
		if groupN != nil {
			if s, ok := c.scalar(groupN, "node "+name+" group"); ok {
				grp = groups[s]
			}
		}
		kindN := first(own.kind, grp.kind, defaults.kind)
		kind := ""
		if kindN != nil {
			kind, _ = c.scalar(kindN, "node "+name+" kind")
		}
		kl := kinds[kind]
		imageN := first(own.image, grp.image, kl.image, defaults.image)
		labelN := first(own.labels[ContainerlabPlatformLabel], grp.labels[ContainerlabPlatformLabel],
			kl.labels[ContainerlabPlatformLabel], defaults.labels[ContainerlabPlatformLabel])
		if slices.Contains(containerlabPlumbing, kind) {
			continue
		}
		l := newLayer("node "+name, name, c.y.Pos(e.key))
		if !c.platform(l, name, kind, kindN, imageN, labelN) {
			continue
		}
		c.host(l, name, e.val, lab, prefix, customPrefix)
		out = append(out, l)
	}
	return out
}

// platform sets the platform of node name; false when it is skipped.
func (c *clabParser) platform(l *layer, name, kind string, kindN, imageN, labelN *yaml.Node) bool {
	if labelN != nil {
		s, ok := c.scalar(labelN, "node "+name+" label "+ContainerlabPlatformLabel)
		if !ok || !c.y.CheckText(labelN, "node "+name+" label "+ContainerlabPlatformLabel, diag.KindName) {
			return false
		}
		if !KnownPlatform(s) {
			c.y.Errorf(labelN, PlatformHint(s), "node %s: unknown platform %q", name, s)
			return false
		}
		l.vals[FieldPlatform] = setting{pos: c.y.Pos(labelN), v: s, layer: "containerlab label " + ContainerlabPlatformLabel}
		return true
	}
	if kindN == nil {
		c.y.Diags.Warn(l.pos, "give the node (or topology.defaults) a kind", "node %s has no kind; skipped", name)
		return false
	}
	if p, ok := platform.Builtin().FromContainerlab(kind); ok {
		l.vals[FieldPlatform] = setting{pos: c.y.Pos(kindN), v: p, layer: "containerlab kind " + kind}
		return true
	}
	image := ""
	if imageN != nil {
		image, _ = c.scalar(imageN, "node "+name+" image")
	}
	if kind == "linux" && isFRRImage(image) {
		l.vals[FieldPlatform] = setting{pos: c.y.Pos(imageN), v: "frr_vtysh", layer: "containerlab image " + image}
		return true
	}
	why := fmt.Sprintf("kind %s", diag.Excerpt(kind))
	if kind == "linux" {
		why = fmt.Sprintf("kind linux with image %s, which is not FRR", diag.Excerpt(image))
	}
	c.y.Warnf(kindN, fmt.Sprintf("set the label %s: PLATFORM on the node if changegate should manage it", ContainerlabPlatformLabel),
		"node %s: changegate has no platform for %s; skipped", name, why)
	return false
}

// isFRRImage reports whether a container image is FRRouting's
// (quay.io/frrouting/frr:10.2.1, frrouting/frr, a local frr:latest).
func isFRRImage(image string) bool {
	repo := strings.ToLower(image)
	if i := strings.LastIndex(repo, ":"); i > strings.LastIndex(repo, "/") {
		repo = repo[:i]
	}
	return strings.Contains(repo, "frrouting") || path.Base(repo) == "frr"
}

// host sets the host of node name: its management address (mgmt-ipv4
// must be an IPv4 address, mgmt-ipv6 an IPv6 one), else the container's
// name.
func (c *clabParser) host(l *layer, name string, node *yaml.Node, lab, prefix string, customPrefix bool) {
	f := c.fields(node, "node "+name)
	for _, k := range []string{"mgmt-ipv4", "mgmt-ipv6"} {
		if p, ok := f[k]; ok && !diag.IsNull(p.val) {
			if s, ok := c.scalar(p.val, "node "+name+" "+k); ok && s != "" && c.y.CheckText(p.val, "node "+name+" "+k, diag.KindName) {
				if a, err := netip.ParseAddr(s); err != nil || a.Is4() != (k == "mgmt-ipv4") || a.Zone() != "" {
					family, example := "IPv4", "172.20.20.11"
					if k == "mgmt-ipv6" {
						family, example = "IPv6", "3fff:172:20:20::11"
					}
					c.y.Errorf(p.val, "write the node's management "+family+" address, such as "+example,
						"node %s: %s: %q is not an %s address", name, k, s, family)
				}
				// Set even when refused: the error is reported once, not
				// again as a missing host.
				l.vals[FieldHost] = setting{pos: c.y.Pos(p.val), v: s, layer: "containerlab " + k}
				return
			}
		}
	}
	var host string
	switch {
	case customPrefix && prefix == "":
		host = name
	case customPrefix && prefix == "__lab-name":
		host = lab + "-" + name
	default:
		host = prefix + "-" + lab + "-" + name
	}
	l.vals[FieldHost] = setting{pos: l.pos, v: host, layer: "containerlab container name"}
}

func (c *clabParser) scalar(n *yaml.Node, what string) (string, bool) {
	n = diag.Deref(n)
	if diag.IsNull(n) {
		return "", true
	}
	return c.y.String(n, what)
}

type clabPair struct{ key, val *yaml.Node }

// fields returns the pairs of mapping n by key, merge keys (<<: *anchor)
// resolved, earlier ones winning. Null is empty; anything else that is
// not a mapping is an error (nil). Duplicate keys are left to
// containerlab: the last wins, as in its YAML library.
func (c *clabParser) fields(n *yaml.Node, what string) map[string]clabPair {
	return c.fieldsDepth(n, what, 0)
}

func (c *clabParser) fieldsDepth(n *yaml.Node, what string, depth int) map[string]clabPair {
	n = diag.Deref(n)
	if diag.IsNull(n) {
		return map[string]clabPair{}
	}
	if n.Kind != yaml.MappingNode {
		c.y.Errorf(n, "write it as key: value pairs", "%s must be a mapping, found %s", what, diag.Describe(n))
		return nil
	}
	out := map[string]clabPair{}
	var merged []map[string]clabPair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			continue
		}
		if k.Tag == "!!merge" {
			c.merges++
			if depth >= 8 || c.merges > 10000 {
				if !c.mergeFailed {
					c.y.Errorf(k, "a merge key (<<) cannot bring in the mapping that holds it; simplify the anchors", "%s: merge keys (<<) nest more than 8 deep or expand to more than 10000 merges", what)
				}
				c.mergeFailed = true
				continue
			}
			srcs := []*yaml.Node{diag.Deref(v)}
			if srcs[0] != nil && srcs[0].Kind == yaml.SequenceNode {
				srcs = srcs[0].Content
			}
			for _, s := range srcs {
				if m := c.fieldsDepth(s, what, depth+1); m != nil {
					merged = append(merged, m)
				}
			}
			continue
		}
		out[k.Value] = clabPair{k, v}
	}
	for _, m := range merged {
		for k, p := range m {
			if _, ok := out[k]; !ok {
				out[k] = p
			}
		}
	}
	return out
}
