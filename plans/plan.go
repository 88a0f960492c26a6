package plans

import (
	"path/filepath"

	"github.com/changegate/changegate/internal/diag"
)

// Plan is a change plan: metadata and ordered steps.
type Plan struct {
	// ID is the change identifier (a ticket or change number); optional.
	ID string `json:"id,omitempty"`
	// Title is a one-line summary of the change; required.
	Title string `json:"title"`
	// Topology is the topology file named by the plan, exactly as written
	// (relative paths are relative to the plan file; see TopologyPath).
	// Empty when the plan names none.
	Topology string `json:"topology,omitempty"`
	// Steps run in order. A parsed plan has at least one.
	Steps []Step `json:"steps"`
	// File is the path the plan was read from, as given to Parse.
	File string   `json:"-"`
	Pos  diag.Pos `json:"-"`
}

// Step is one step of a plan: what it changes in the network model and,
// optionally, what undoes it.
type Step struct {
	// Name is unique within the plan.
	Name string `json:"name"`
	// Effects are applied in order; a parsed step has at least one.
	Effects []Effect `json:"effects"`
	// Rollback holds the effects that undo the step, applied in order to
	// the state after the step. It is meaningful only when HasRollback is
	// true; otherwise the rollback is the exact inverse of the step
	// (the state before the step, restored).
	Rollback []Effect `json:"rollback,omitempty"`
	// HasRollback is true when the plan gives rollback explicitly, even as
	// an empty list (a step that needs no rollback).
	HasRollback bool     `json:"has_rollback"`
	Pos         diag.Pos `json:"-"`
}

// Effect is one change to the network model. Which fields are set depends
// on Type (see the EffectType constants); the others are zero.
type Effect struct {
	Type EffectType `json:"type"`
	// Link is the id of the link changed (set_metric, link_down, link_up,
	// set_capacity).
	Link string `json:"link,omitempty"`
	// Node is the node drained or undrained (drain, undrain).
	Node string `json:"node,omitempty"`
	// From restricts set_metric to the direction of Link leaving this
	// node (the metric From advertises on that interface). Empty means
	// both directions.
	From string `json:"from,omitempty"`
	// Metric is the IGP metric set by set_metric, 1..topology.MaxMetric.
	Metric int64 `json:"metric,omitempty"`
	// CapacityBps is the capacity set by set_capacity, in bits per second, > 0.
	CapacityBps float64  `json:"capacity_bps,omitempty"`
	Pos         diag.Pos `json:"-"`
}

// EffectType names what an effect does. Its value is the name used in the
// plan YAML.
type EffectType string

// The effect types. The comment on each lists its fields (required, then
// [optional]); no other field is accepted.
const (
	SetMetric   EffectType = "set_metric"   // link, metric, [from]
	LinkDown    EffectType = "link_down"    // link
	LinkUp      EffectType = "link_up"      // link
	Drain       EffectType = "drain"        // node
	Undrain     EffectType = "undrain"      // node
	SetCapacity EffectType = "set_capacity" // link, capacity
)

// EffectTypes returns every effect type, in documentation order.
func EffectTypes() []EffectType {
	return []EffectType{SetMetric, LinkDown, LinkUp, Drain, Undrain, SetCapacity}
}

// Valid reports whether t is one of the known effect types.
func (t EffectType) Valid() bool {
	_, ok := effectSpecs[t]
	return ok
}

func (t EffectType) String() string { return string(t) }

// effectSpec lists the YAML fields an effect type requires and allows
// (besides type).
type effectSpec struct {
	required []string
	optional []string
}

var effectSpecs = map[EffectType]effectSpec{
	SetMetric:   {required: []string{"link", "metric"}, optional: []string{"from"}},
	LinkDown:    {required: []string{"link"}},
	LinkUp:      {required: []string{"link"}},
	Drain:       {required: []string{"node"}},
	Undrain:     {required: []string{"node"}},
	SetCapacity: {required: []string{"link", "capacity"}},
}

// effectFields is every field an effect may have besides type, in the
// order problems with them are reported.
var effectFields = []string{"link", "node", "from", "metric", "capacity"}

// TopologyPath returns the topology file the plan names, resolved against
// the directory of the plan file when it is relative, or "" when the plan
// names none.
func (p *Plan) TopologyPath() string {
	if p.Topology == "" || filepath.IsAbs(p.Topology) {
		return p.Topology
	}
	return filepath.Join(filepath.Dir(p.File), p.Topology)
}
