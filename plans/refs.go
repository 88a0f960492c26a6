package plans

import (
	"fmt"
	"sort"
	"strings"

	"github.com/changegate/changegate/diag"
)

// CheckReferences reports every effect (in steps and rollbacks) that names
// a link or node not in links or nodes, and every device (of a step or of
// a check) that is not in nodes, with a "did you mean" hint. Each problem
// is at the name it is about (link:, node:, from:, device: or the item of
// devices:), so that CI annotations point at it; at the effect, step or
// check when that position is not known. Devices are the topology's nodes
// until an inventory is read. For set_metric's from it checks only that
// the node exists; whether it is an endpoint of the link is the dry-run's
// to check.
func (p *Plan) CheckReferences(links, nodes map[string]bool) diag.Diagnostics {
	var ds diag.Diagnostics
	linkNames, nodeNames := sortedKeys(links), sortedKeys(nodes)
	check := func(e Effect, label string) {
		if e.Link != "" && !links[e.Link] {
			ds.Add(e.LinkPos.Or(e.Pos), unknownHint(e.Link, "link", linkNames), "%s: unknown link %q", label, e.Link)
		}
		if e.Node != "" && !nodes[e.Node] {
			ds.Add(e.NodePos.Or(e.Pos), unknownHint(e.Node, "node", nodeNames), "%s: unknown node %q", label, e.Node)
		}
		if e.From != "" && !nodes[e.From] {
			ds.Add(e.FromPos.Or(e.Pos), unknownHint(e.From, "node", nodeNames), "%s: from: unknown node %q", label, e.From)
		}
	}
	device := func(pos diag.Pos, name, label string) {
		if name != "" && !nodes[name] {
			ds.Add(pos, deviceHint(name, nodeNames), "%s: unknown device %q", label, name)
		}
	}
	checks := func(cs []Check, prefix string) {
		for _, c := range cs {
			device(c.DevicePos.Or(c.Pos), c.Device, fmt.Sprintf("%s check %q", prefix, c.Name))
		}
	}
	checks(p.PreChecks, "pre_checks")
	checks(p.PostChecks, "post_checks")
	for _, s := range p.Steps {
		label := fmt.Sprintf("step %q", s.Name)
		for _, d := range s.Devices {
			device(s.DevicePos[d].Or(s.Pos), d, label)
		}
		checks(s.Checks, label)
		for j, e := range s.Effects {
			check(e, fmt.Sprintf("%s effect %d", label, j+1))
		}
		for j, e := range s.Rollback {
			check(e, fmt.Sprintf("%s rollback effect %d", label, j+1))
		}
	}
	ds.Sort()
	return ds
}

// deviceHint is unknownHint for a device, saying where device names come
// from when no name is close.
func deviceHint(name string, nodes []string) string {
	if h := diag.DidYouMean(diag.Near(name, nodes)); h != "" {
		return h
	}
	return "a device is a node of the topology; " + unknownHint(name, "node", nodes)
}

// maxListed is how many known names a hint lists before giving up.
const maxListed = 8

func unknownHint(name, kind string, known []string) string {
	if h := diag.DidYouMean(diag.Near(name, known)); h != "" {
		return h
	}
	switch {
	case len(known) == 0:
		return fmt.Sprintf("the topology has no %ss", kind)
	case len(known) <= maxListed:
		return fmt.Sprintf("known %ss: %s", kind, strings.Join(known, ", "))
	}
	return fmt.Sprintf("no %s of that name in the topology (it has %d); `changegate topology show` lists them", kind, len(known))
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k, ok := range m {
		if ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
