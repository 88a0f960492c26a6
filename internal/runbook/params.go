package runbook

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/topology"
)

// check validates the value s of p. net may be nil (names are then not
// checked against a topology); known holds the values of the parameters
// before p; igp is the IGP rendered for ("" when it is not known: a
// metric is then checked against the larger range). It returns the value
// templates see (int64 for int and metric, bool for bool, the string for
// the others), or a message and a hint.
func check(p Param, s string, net *topology.Network, known map[string]any, igp string) (any, string, string) {
	// Values reach devices through the templates: a line break in one
	// would add commands. Names are checked as names, everything else as
	// a line of configuration.
	kind := diag.KindLine
	switch p.Type {
	case TypeDevice, TypeLink, TypeInterface:
		kind = diag.KindName
	}
	var te *diag.TextError
	if errors.As(diag.CheckString("", s, kind), &te) {
		return nil, te.Message(), te.Hint()
	}
	switch p.Type {
	case TypeInt:
		n, err := strconv.ParseInt(strings.ReplaceAll(strings.TrimSpace(s), "_", ""), 10, 64)
		if err != nil {
			return nil, fmt.Sprintf("%s is not a whole number", diag.Excerpt(s)), "give a whole number" + bounds(p)
		}
		if p.Min != nil && n < *p.Min || p.Max != nil && n > *p.Max {
			return nil, fmt.Sprintf("%d is out of range", n), "give a whole number" + bounds(p)
		}
		return n, "", ""
	case TypeMetric:
		n, err := strconv.ParseInt(strings.ReplaceAll(strings.TrimSpace(s), "_", ""), 10, 64)
		lo, hi := metricBounds(p, igp)
		hint := fmt.Sprintf("give a whole number from %d to %d%s", lo, hi, metricRange(igp))
		if err != nil {
			return nil, fmt.Sprintf("%s is not a whole number", diag.Excerpt(s)), hint
		}
		if n < lo || n > hi {
			return nil, fmt.Sprintf("%d is out of range", n), hint
		}
		return n, "", ""
	case TypeBool:
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "yes", "on":
			return true, "", ""
		case "false", "no", "off":
			return false, "", ""
		}
		return nil, fmt.Sprintf("%s is not a boolean", diag.Excerpt(s)), "give true or false"
	case TypeEnum:
		for _, v := range p.Values {
			if s == v {
				return s, "", ""
			}
		}
		hint := "give one of " + strings.Join(p.Values, ", ")
		if h := diag.DidYouMean(diag.Near(s, p.Values)); h != "" {
			hint = h + " (the values: " + strings.Join(p.Values, ", ") + ")"
		}
		return nil, fmt.Sprintf("%s is not one of the allowed values", diag.Excerpt(s)), hint
	case TypeDuration:
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil || d < 0 {
			return nil, fmt.Sprintf("%s is not a duration of 0 or more", diag.Excerpt(s)), "write a duration with a unit, such as 30s, 5m or 1h30m"
		}
		return strings.TrimSpace(s), "", ""
	case TypeRate:
		r, err := topology.ParseRate(strings.TrimSpace(s))
		if err != nil || r <= 0 {
			return nil, fmt.Sprintf("%s is not a rate above zero", diag.Excerpt(s)), "write a rate such as 400G, 2.5G or 400Mbps"
		}
		return strings.TrimSpace(s), "", ""
	}
	if strings.TrimSpace(s) == "" {
		return nil, "the value is empty", "give a value"
	}
	if net == nil {
		return s, "", ""
	}
	switch p.Type {
	case TypeDevice:
		if _, ok := net.NodeIndex()[s]; !ok {
			return nil, fmt.Sprintf("%s is not a node of the topology", diag.Excerpt(s)), nameHint(s, nodeNames(net), "node")
		}
	case TypeLink:
		i, ok := net.LinkIndex()[s]
		if !ok {
			return nil, fmt.Sprintf("%s is not a link of the topology", diag.Excerpt(s)), nameHint(s, linkIDs(net), "link id")
		}
		if dev, ok := known[p.Of].(string); ok && p.Of != "" {
			if l := net.Links[i]; l.A != dev && l.B != dev {
				var ids []string
				for _, l := range net.Links {
					if l.A == dev || l.B == dev {
						ids = append(ids, l.ID)
					}
				}
				return nil, fmt.Sprintf("link %s does not end at %s (parameter %s); it joins %s and %s", diag.Excerpt(s), dev, p.Of, l.A, l.B),
					fmt.Sprintf("give a link of %s: %s", dev, strings.Join(ids, ", "))
			}
		}
	case TypeInterface:
		dev, _ := known[p.Of].(string)
		if p.Of == "" || dev == "" {
			return s, "", ""
		}
		var ifs []string
		for _, l := range net.Links {
			if l.A == dev && l.AInterface != "" {
				ifs = append(ifs, l.AInterface)
			}
			if l.B == dev && l.BInterface != "" {
				ifs = append(ifs, l.BInterface)
			}
		}
		if len(ifs) == 0 {
			return s, "", "" // the topology does not know the interfaces of dev
		}
		for _, f := range ifs {
			if f == s {
				return s, "", ""
			}
		}
		sort.Strings(ifs)
		return nil, fmt.Sprintf("%s is not an interface of %s (parameter %s) on any link of the topology", diag.Excerpt(s), dev, p.Of),
			nameHint(s, ifs, "interface of "+dev)
	}
	return s, "", ""
}

// metricBounds are the values a metric parameter takes on igp: from 1
// (or min) to the IGP's largest interface metric (or max, if lower).
func metricBounds(p Param, igp string) (lo, hi int64) {
	lo, hi = 1, MaxMetric(igp)
	if p.Min != nil && *p.Min > lo {
		lo = *p.Min
	}
	if p.Max != nil && *p.Max < hi {
		hi = *p.Max
	}
	return lo, hi
}

// metricRange says where a metric's range comes from, for hints.
func metricRange(igp string) string {
	switch igp {
	case topology.IGPOSPF:
		return " (OSPF's interface costs go to 65535)"
	case topology.IGPISIS:
		return " (IS-IS wide metrics go to 16777214; 16777215 takes the link out of SPF)"
	}
	return ""
}

func bounds(p Param) string {
	switch {
	case p.Min != nil && p.Max != nil:
		return fmt.Sprintf(" from %d to %d", *p.Min, *p.Max)
	case p.Min != nil:
		return fmt.Sprintf(" of %d or more", *p.Min)
	case p.Max != nil:
		return fmt.Sprintf(" of %d or less", *p.Max)
	}
	return ""
}

func nameHint(s string, names []string, kind string) string {
	if h := diag.DidYouMean(diag.Near(s, names)); h != "" {
		return h
	}
	if len(names) > 12 {
		names = append(names[:12:12], "...")
	}
	return fmt.Sprintf("give a %s of the topology: %s", kind, strings.Join(names, ", "))
}

func nodeNames(net *topology.Network) []string {
	out := make([]string, len(net.Nodes))
	for i, n := range net.Nodes {
		out[i] = n.Name
	}
	return out
}

func linkIDs(net *topology.Network) []string {
	out := make([]string, len(net.Links))
	for i, l := range net.Links {
		out[i] = l.ID
	}
	return out
}

// bind checks the given parameter values against the runbook's params,
// the topology (nil: names are not checked) and the IGP rendered for ("":
// not known), and returns the data templates see. pos gives the position of a given value; defaults are
// reported at the runbook.
func (r *Runbook) bind(given map[string]string, net *topology.Network, igp string, pos func(name string) diag.Pos) (map[string]any, diag.Diagnostics) {
	var ds diag.Diagnostics
	var names []string
	for _, p := range r.Params {
		names = append(names, p.Name)
	}
	var unknown []string
	for k := range given {
		if _, ok := r.Param(k); !ok {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		hint := "the parameters of " + r.Name + " are: " + strings.Join(names, ", ")
		if h := diag.DidYouMean(diag.Near(k, names)); h != "" {
			hint = h
		}
		ds.Add(pos(k), hint, "runbook %s has no parameter %q", r.Name, k)
	}
	data := map[string]any{}
	for _, p := range r.Params {
		s, ok := given[p.Name]
		at := pos(p.Name)
		switch {
		case ok:
		case p.HasDefault && strings.Contains(p.Default, "{{"):
			at = r.paramDefaultPos(p)
			t, err := newTemplate(p.Default, funcs(net))
			if err != nil {
				ds.Add(at, "", "parameter %q: default: %v", p.Name, err)
				continue
			}
			var b strings.Builder
			if err := t.Execute(&b, data); err != nil {
				tp, msg := templateErr(at, p.defNode, err)
				ds.Add(tp, fmt.Sprintf("give %s explicitly", p.Name), "parameter %q: its default cannot be worked out: %s", p.Name, msg)
				continue
			}
			s = b.String()
		case p.HasDefault:
			at = r.paramDefaultPos(p)
			s = p.Default
		default:
			desc := ""
			if p.Description != "" {
				desc = ": " + p.Description
			}
			ds.Add(pos(p.Name), fmt.Sprintf("give %s=VALUE (%s%s)", p.Name, p.Type, desc), "runbook %s needs parameter %q", r.Name, p.Name)
			continue
		}
		v, msg, hint := check(p, s, net, data, igp)
		if msg != "" {
			ds.Add(at, hint, "parameter %q (%s): %s", p.Name, p.Type, msg)
			continue
		}
		data[p.Name] = v
	}
	return data, ds
}

func (r *Runbook) paramDefaultPos(p Param) diag.Pos {
	if p.defNode != nil {
		return diag.Pos{File: r.File, Line: p.defNode.Line, Col: p.defNode.Column}
	}
	return p.Pos
}

// funcs are the functions templates may call. Those that need the
// topology fail with a clear message when net is nil.
func funcs(net *topology.Network) template.FuncMap {
	needNet := func(fn string) error {
		return fmt.Errorf("%s needs the topology: give one (--topology FILE) when rendering this runbook", fn)
	}
	findLink := func(id string) (topology.Link, error) {
		for _, l := range net.Links {
			if l.ID == id {
				return l, nil
			}
		}
		return topology.Link{}, fmt.Errorf("no link %s in the topology", diag.Excerpt(id))
	}
	end := func(fn, id, device string) (local, peer, peerIf string, err error) {
		if net == nil {
			return "", "", "", needNet(fn)
		}
		l, err := findLink(id)
		if err != nil {
			return "", "", "", err
		}
		switch device {
		case l.A:
			local, peer, peerIf = l.AInterface, l.B, l.BInterface
		case l.B:
			local, peer, peerIf = l.BInterface, l.A, l.AInterface
		default:
			return "", "", "", fmt.Errorf("link %s does not end at %s", diag.Excerpt(id), diag.Excerpt(device))
		}
		return local, peer, peerIf, nil
	}
	return template.FuncMap{
		// links_of returns the links of a device, in topology order, each
		// as a map with id, interface, peer, peer_interface, metric (the
		// device's outgoing metric), peer_metric, capacity, class and up.
		"links_of": func(device string) ([]map[string]any, error) {
			if net == nil {
				return nil, needNet("links_of")
			}
			if _, ok := net.NodeIndex()[device]; !ok {
				return nil, fmt.Errorf("no node %s in the topology", diag.Excerpt(device))
			}
			var out []map[string]any
			for _, l := range net.Links {
				var m map[string]any
				switch device {
				case l.A:
					m = map[string]any{"interface": l.AInterface, "peer": l.B, "peer_interface": l.BInterface, "metric": l.MetricAB, "peer_metric": l.MetricBA}
				case l.B:
					m = map[string]any{"interface": l.BInterface, "peer": l.A, "peer_interface": l.AInterface, "metric": l.MetricBA, "peer_metric": l.MetricAB}
				default:
					continue
				}
				if m["interface"] == "" {
					return nil, fmt.Errorf("the topology does not give the interface of %s on link %q (write its end as %q)", device, l.ID, device+":IFNAME")
				}
				m["id"], m["capacity"], m["class"], m["up"] = l.ID, topology.FormatRateExact(l.CapacityBps), l.Class, l.Up
				out = append(out, m)
			}
			return out, nil
		},
		// iface returns the interface of device on link.
		"iface": func(link, device string) (string, error) {
			local, _, _, err := end("iface", link, device)
			if err == nil && local == "" {
				err = fmt.Errorf("the topology does not give the interface of %s on link %q", device, link)
			}
			return local, err
		},
		// peer returns the node at the other end of link from device.
		"peer": func(link, device string) (string, error) {
			_, p, _, err := end("peer", link, device)
			return p, err
		},
		// re quotes a value for use inside a regular expression.
		"re": regexp.QuoteMeta,
		// collect is internal: it receives the list of for_each.
		"collect": func(any) string { return "" },
	}
}

func funcNames() []string {
	return []string{"links_of DEVICE", "iface LINK DEVICE", "peer LINK DEVICE", "re TEXT"}
}
