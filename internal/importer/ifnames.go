package importer

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/changegate/changegate/internal/topology"
)

// Generated interface names. A link end whose file names no interface is
// given the name changegate's lab gives that end's veth (lab.PlanLayout),
// so that an imported network brought up with `changegate lab up` runs the
// configuration that runbooks render from the imported topology as it
// stands:
//
//   - a node's lab hostname is its name lowercased, with every run of
//     characters other than a-z, 0-9 and "-" turned into "-" and "-"
//     trimmed from the ends ("New_York" -> "new-york"), or "n<i>" (i
//     counted from 1 in node order) when nothing is left; a hostname
//     already taken gets "-2", "-3", ... in node order;
//   - the end of a link on node X towards node Y is named "cg-" + Y's
//     hostname, cut to 15 characters (Linux's limit); X's parallel links
//     to Y are "cg-y", "cg-y-2", "cg-y-3", ... in link order (cut so that
//     the suffix fits);
//   - up links are named first, in link order, end a before end b, as the
//     lab does; down links, which the lab does not build, are named after
//     them, so that they shift no up link's name.
//
// The names say where each interface leads, and, unlike eth1, eth2, ...,
// they never coincide with a real router's port: a runbook rendered from
// them and sent to a real device fails on an unknown interface instead of
// configuring the wrong port. An end whose file names its interface keeps
// that name; it still takes its place in the numbering, as in the lab.
const (
	genIfPrefix = "cg-"
	genIfMax    = 15 // Linux's IFNAMSIZ minus the terminating NUL
)

var labUnsafe = regexp.MustCompile(`[^a-z0-9-]+`)

// labHostnames returns the lab hostname of each node, in node order.
func labHostnames(nodes []topology.Node) map[string]string {
	out := make(map[string]string, len(nodes))
	taken := make(map[string]bool, len(nodes))
	for i, nd := range nodes {
		base := strings.Trim(labUnsafe.ReplaceAllString(strings.ToLower(nd.Name), "-"), "-")
		if base == "" {
			base = fmt.Sprintf("n%d", i+1)
		}
		h := base
		for k := 2; taken[h]; k++ {
			h = fmt.Sprintf("%s-%d", base, k)
		}
		taken[h] = true
		out[nd.Name] = h
	}
	return out
}

// nameInterfaces gives every link end without an interface its generated
// name. It returns how many ends it named and the first of them as
// "node:interface", for messages.
func nameInterfaces(net *topology.Network) (named int, first string) {
	host := labHostnames(net.Nodes)
	used := map[string]map[string]bool{}
	take := func(node, name string) {
		if used[node] == nil {
			used[node] = map[string]bool{}
		}
		used[node][name] = true
	}
	for _, l := range net.Links {
		if l.AInterface != "" {
			take(l.A, l.AInterface)
		}
		if l.BInterface != "" {
			take(l.B, l.BInterface)
		}
	}
	next := func(node, peer string) string {
		base := genIfPrefix + host[peer]
		name := cut(base, genIfMax)
		for k := 2; used[node][name]; k++ {
			suf := fmt.Sprintf("-%d", k)
			name = cut(base, genIfMax-len(suf)) + suf
		}
		take(node, name)
		return name
	}
	set := func(iface *string, node, name string) {
		if *iface == "" {
			*iface = name
			if named == 0 {
				first = node + ":" + name
			}
			named++
		}
	}
	for _, up := range []bool{true, false} {
		for i := range net.Links {
			l := &net.Links[i]
			if l.Up != up {
				continue
			}
			a := next(l.A, l.B)
			b := next(l.B, l.A)
			set(&l.AInterface, l.A, a)
			set(&l.BInterface, l.B, b)
		}
	}
	return named, first
}

// cut shortens s to at most n bytes, without a trailing "-".
func cut(s string, n int) string {
	if len(s) > n {
		return strings.TrimRight(s[:n], "-")
	}
	return s
}
