package observe

import (
	"fmt"
	"slices"
	"strings"
)

// Kind says how a destination's observed forwarding differs from the
// prediction.
type Kind string

const (
	// NextHops: both have a route, through different next hops (some
	// predicted ones missing, some unexpected ones present, or both).
	NextHops Kind = "next_hops"
	// MissingRoute: the model predicts a route; the router has none.
	MissingRoute Kind = "missing_route"
	// UnexpectedRoute: the model predicts the destination unreachable;
	// the router forwards to it.
	UnexpectedRoute Kind = "unexpected_route"
)

// Difference is one destination whose forwarding differs from the model.
type Difference struct {
	Destination string `json:"destination"`
	Kind        Kind   `json:"kind"`
	// Predicted are the next-hop nodes the model predicts (empty:
	// unreachable); Observed those the router uses, with next hops that
	// map to no node written as "address on interface (why)".
	Predicted []string `json:"predicted"`
	Observed  []string `json:"observed"`
	// Missing are predicted next hops the router does not use;
	// Unexpected are next hops it uses that the model does not predict.
	Missing    []string `json:"missing"`
	Unexpected []string `json:"unexpected"`
	// Protocol is the protocol of the router's route ("" without one).
	Protocol string `json:"protocol,omitempty"`
	// Prefix is the destination's loopback prefix, the route looked up
	// ("" when the observation does not know the destination).
	Prefix string `json:"prefix"`
}

// Comparison is the forwarding of one router compared with the model.
type Comparison struct {
	Node string `json:"node"`
	// Compared is the number of destinations compared.
	Compared int `json:"compared"`
	// Differences lists the destinations that differ, by name.
	Differences []Difference `json:"differences"`
	// Tolerance is how many destinations may differ; OK is true when no
	// more than that do.
	Tolerance int  `json:"tolerance"`
	OK        bool `json:"ok"`
}

// Compare compares what obs's router forwards with predicted, the
// model's next hops of that router: destination node -> next-hop nodes,
// an empty list for a destination the model predicts unreachable (as
// dryrun.Routes gives them for one node). Every destination of predicted
// is compared; observed routes to other destinations are not. The
// comparison is OK when at most tolerance destinations differ (0: none
// may).
func Compare(predicted map[string][]string, obs *Observation, tolerance int) (*Comparison, error) {
	if tolerance < 0 {
		return nil, fmt.Errorf("observe: tolerance %d: give the number of destinations that may differ, 0 or more", tolerance)
	}
	if obs == nil {
		return nil, fmt.Errorf("observe: no observation to compare")
	}
	c := &Comparison{Node: obs.Node, Compared: len(predicted), Differences: []Difference{}, Tolerance: tolerance}
	dests := make([]string, 0, len(predicted))
	for d := range predicted {
		dests = append(dests, d)
	}
	slices.Sort(dests)
	for _, dest := range dests {
		want := slices.Clone(predicted[dest])
		slices.Sort(want)
		want = slices.Compact(want)
		route, has := obs.Routes[dest]
		d := Difference{Destination: dest, Predicted: nonNil(want), Observed: []string{}, Missing: []string{}, Unexpected: []string{}}
		if p, ok := obs.Destinations[dest]; ok {
			d.Prefix = p.String()
		}
		if has {
			d.Protocol = route.Protocol
			nodes, unmapped := route.Nodes()
			d.Observed = append(append(d.Observed, nodes...), unmapped...)
			d.Missing = nonNil(minus(want, nodes))
			d.Unexpected = append(nonNil(minus(nodes, want)), unmapped...)
		}
		switch {
		case len(want) == 0 && !has:
			continue // both: unreachable
		case len(want) == 0:
			d.Kind = UnexpectedRoute
		case !has:
			d.Kind, d.Missing = MissingRoute, d.Predicted
		case len(d.Missing) == 0 && len(d.Unexpected) == 0:
			continue
		default:
			d.Kind = NextHops
		}
		c.Differences = append(c.Differences, d)
	}
	c.OK = len(c.Differences) <= tolerance
	return c, nil
}

// minus returns the sorted a without the elements of the sorted b.
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if _, found := slices.BinarySearch(b, x); !found {
			out = append(out, x)
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Explain says in one line, for node's router, how the destination
// differs, such as "p1 -> p4: the model predicts via p2, p5; the router
// forwards via p3".
func (d Difference) Explain(node string) string {
	model := "the model predicts via " + strings.Join(d.Predicted, ", ")
	if len(d.Predicted) == 0 {
		model = "the model predicts no route (" + d.Destination + " unreachable)"
	}
	router := "the router has no route to " + d.Destination
	if d.Prefix != "" {
		router += " (" + d.Prefix + ")"
	}
	if d.Kind != MissingRoute {
		router = "the router forwards via " + strings.Join(d.Observed, ", ")
		if d.Protocol != "" && d.Protocol != "ospf" && d.Protocol != "isis" {
			router += " (" + d.Protocol + " route)"
		}
	}
	return fmt.Sprintf("%s -> %s: %s; %s", node, d.Destination, model, router)
}

// String summarises the comparison: a verdict line, then one line per
// difference.
func (c *Comparison) String() string {
	var b strings.Builder
	n := len(c.Differences)
	switch {
	case n == 0:
		fmt.Fprintf(&b, "%s: forwarding matches the model for all %d destinations", c.Node, c.Compared)
	default:
		verdict := "beyond the tolerance of"
		if c.OK {
			verdict = "within the tolerance of"
		}
		fmt.Fprintf(&b, "%s: %d of %d destinations differ from the model, %s %d", c.Node, n, c.Compared, verdict, c.Tolerance)
	}
	for _, d := range c.Differences {
		b.WriteString("\n  ")
		b.WriteString(d.Explain(c.Node))
	}
	return b.String()
}
