package plans

import (
	"fmt"
	"sort"
	"strings"

	"github.com/changegate/changegate/internal/diag"
)

// CheckReferences reports every effect (in steps and rollbacks) that names
// a link or node not in links or nodes, at the effect's position with a
// "did you mean" hint. For set_metric's from it checks only that the node
// exists; whether it is an endpoint of the link is the dry-run's to check.
func (p *Plan) CheckReferences(links, nodes map[string]bool) diag.Diagnostics {
	var ds diag.Diagnostics
	linkNames, nodeNames := sortedKeys(links), sortedKeys(nodes)
	check := func(e Effect, label string) {
		if e.Link != "" && !links[e.Link] {
			ds.Add(e.Pos, unknownHint(e.Link, "link", linkNames), "%s: unknown link %q", label, e.Link)
		}
		if e.Node != "" && !nodes[e.Node] {
			ds.Add(e.Pos, unknownHint(e.Node, "node", nodeNames), "%s: unknown node %q", label, e.Node)
		}
		if e.From != "" && !nodes[e.From] {
			ds.Add(e.Pos, unknownHint(e.From, "node", nodeNames), "%s: from: unknown node %q", label, e.From)
		}
	}
	for _, s := range p.Steps {
		for j, e := range s.Effects {
			check(e, fmt.Sprintf("step %q effect %d", s.Name, j+1))
		}
		for j, e := range s.Rollback {
			check(e, fmt.Sprintf("step %q rollback effect %d", s.Name, j+1))
		}
	}
	ds.Sort()
	return ds
}

// maxListed is how many known names a hint lists before giving up.
const maxListed = 8

func unknownHint(name, kind string, known []string) string {
	if best, ok := diag.Suggest(name, known); ok {
		return fmt.Sprintf("did you mean %q?", best)
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
