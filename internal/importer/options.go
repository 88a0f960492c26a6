package importer

import (
	"fmt"
	"math"
	"strings"

	"github.com/changegate/changegate/internal/topology"
)

// Metric modes: how an importer sets the IGP metric of links whose source
// format does not give one.
const (
	// MetricInverseCapacity is the OSPF auto-cost rule:
	// max(1, round(reference bandwidth / capacity)).
	MetricInverseCapacity = "inverse-capacity"
	// MetricHop gives every link metric 1 (shortest path = fewest hops).
	MetricHop = "hop"
)

// DefaultReferenceBps is the reference bandwidth of MetricInverseCapacity
// when none is given: 100G, so a 100G link costs 1 and a 10G link 10.
const DefaultReferenceBps = 100e9

// Metrics lists the accepted metric modes, for flag help and messages.
func Metrics() []string { return []string{MetricInverseCapacity, MetricHop} }

// linkDefaults is what GraphMLOptions and ContainerlabOptions share once
// checked: the values used for links whose file does not say.
type linkDefaults struct {
	capacity  float64 // bps; 0 means "none given"
	metric    string
	reference float64
}

func checkLinkDefaults(capacity float64, metric, defaultMetric string, reference float64) (linkDefaults, error) {
	d := linkDefaults{capacity: capacity, metric: metric, reference: reference}
	if math.IsNaN(capacity) || math.IsInf(capacity, 0) || capacity < 0 {
		return d, fmt.Errorf("default capacity %v must be a positive rate (or 0 for none)", capacity)
	}
	if d.metric == "" {
		d.metric = defaultMetric
	}
	if d.metric != MetricInverseCapacity && d.metric != MetricHop {
		return d, fmt.Errorf("unknown metric %q: use one of %s", metric, strings.Join(Metrics(), ", "))
	}
	if math.IsNaN(reference) || math.IsInf(reference, 0) || reference < 0 {
		return d, fmt.Errorf("reference bandwidth %v must be a positive rate", reference)
	}
	if d.reference == 0 {
		d.reference = DefaultReferenceBps
	}
	return d, nil
}

// metricFor returns the IGP metric of a link of capacity bps.
func (d linkDefaults) metricFor(capacity float64) int64 {
	if d.metric == MetricHop || capacity <= 0 {
		return 1
	}
	m := math.Round(d.reference / capacity)
	switch {
	case m < 1:
		return 1
	case m > topology.MaxMetric:
		return topology.MaxMetric
	}
	return int64(m)
}

// linkIDs hands out link ids that are unique within one network: the
// first link between a and b is "a-b" (topology.DefaultLinkID), later
// ones "a-b#2", "a-b#3", ... in file order.
type linkIDs map[string]bool

func (ids linkIDs) next(l topology.Link) string {
	base := topology.DefaultLinkID(l)
	id := base
	for n := 2; ids[id]; n++ {
		id = fmt.Sprintf("%s#%d", base, n)
	}
	ids[id] = true
	return id
}
