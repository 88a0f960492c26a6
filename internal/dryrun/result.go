package dryrun

import (
	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/digest"
)

// ResultVersion is the version of the JSON form of Result. It changes only
// when a field is removed or its meaning changes; fields may be added.
const ResultVersion = 1

// Result is the outcome of a dry-run. Its JSON form is documented in
// docs/dryrun.md and stable.
type Result struct {
	Version int `json:"version"`
	// Digests are the canonical digests of what was analysed (see
	// plans.Plan.Digest and topology.Network.TopologyDigest,
	// TrafficDigest): the plan (none without a plan), the topology and
	// the traffic; the gate adds the policy set's and the inventory's.
	Digests  digest.Set   `json:"digests"`
	Topology TopologyInfo `json:"topology"`
	// Plan is null when the network is analysed as it is, without a plan.
	Plan *PlanInfo `json:"plan"`
	// States: index 0 is the baseline, index k the state after step k.
	States []State `json:"states"`
	// Rollback is null without a plan.
	Rollback *Rollback `json:"rollback"`
}

// TopologyInfo summarises the network analysed.
type TopologyInfo struct {
	Name           string  `json:"name"`
	Nodes          int     `json:"nodes"`
	Links          int     `json:"links"`
	Demands        int     `json:"demands"`
	TotalDemandBps float64 `json:"total_demand_bps"`
}

// PlanInfo identifies the plan.
type PlanInfo struct {
	ID    string `json:"id,omitempty"`
	Title string `json:"title"`
	File  string `json:"file"`
	Steps int    `json:"steps"`
}

// State is the network after one step (or the baseline).
type State struct {
	Index int `json:"index"`
	// Step is the name of the step that led here; null for the baseline.
	Step *string `json:"step"`
	// Source is where the step is written in the plan.
	Source *diag.Pos `json:"source,omitempty"`
	// Links has one entry per link direction, in topology order (A->B, then B->A).
	Links          []LinkLoad `json:"links"`
	MaxUtilization float64    `json:"max_utilization"`
	MaxLink        *LinkRef   `json:"max_link"`
	DroppedBps     float64    `json:"dropped_bps"`
	Unreachable    []Demand   `json:"unreachable"`
	// Components is the number of connected components over up links;
	// Partitioned is true when it is more than one. Islands lists the
	// nodes of every component but the largest.
	Components  int        `json:"components"`
	Partitioned bool       `json:"partitioned"`
	Islands     [][]string `json:"islands,omitempty"`
	// MovedBps is the sum over link directions of the absolute change in
	// load from the previous state (0 for the baseline); TopMovers are the
	// link directions that changed most.
	MovedBps  float64 `json:"moved_bps"`
	TopMovers []Mover `json:"top_movers"`
	// N1 is null when N-1 analysis was turned off.
	N1 *N1 `json:"n1"`
	// Effects are what the step changed in the model and where each
	// change comes from (its configuration, or the plan's declaration);
	// null for the baseline and rollback states.
	Effects *StepEffects `json:"effects,omitempty"`
}

// LinkRef names one direction of a link.
type LinkRef struct {
	ID   string `json:"id"`
	From string `json:"from"`
	To   string `json:"to"`
}

// LinkLoad is the load of one link direction.
type LinkLoad struct {
	ID          string  `json:"id"`
	From        string  `json:"from"`
	To          string  `json:"to"`
	Class       string  `json:"class,omitempty"`
	Up          bool    `json:"up"`
	LoadBps     float64 `json:"load_bps"`
	CapacityBps float64 `json:"capacity_bps"`
	Utilization float64 `json:"utilization"`
}

// Demand is traffic from Src to Dst.
type Demand struct {
	Src     string  `json:"src"`
	Dst     string  `json:"dst"`
	RateBps float64 `json:"rate_bps"`
}

// Mover is a link direction whose load changed in a step.
type Mover struct {
	ID        string  `json:"id"`
	From      string  `json:"from"`
	To        string  `json:"to"`
	Class     string  `json:"class,omitempty"`
	BeforeBps float64 `json:"before_bps"`
	AfterBps  float64 `json:"after_bps"`
	DeltaBps  float64 `json:"delta_bps"`
}

// N1 is the single-failure analysis of a state.
type N1 struct {
	// MaxUtilization is the worst utilisation of any link direction under
	// any single failure, caused by WorstFailure (null when no failure
	// makes things worse than the state itself).
	MaxUtilization float64  `json:"max_utilization"`
	MaxLink        *LinkRef `json:"max_link"`
	WorstFailure   *string  `json:"worst_failure"`
	// Links has one entry per link direction, in the order of State.Links.
	Links []N1Link `json:"links"`
	// Failures has one entry per failure: every up link, every node, every
	// shared-risk group, in that order.
	Failures []FailureResult `json:"failures"`
}

// N1Link is the worst case of one link direction over all failures.
type N1Link struct {
	ID               string  `json:"id"`
	From             string  `json:"from"`
	To               string  `json:"to"`
	WorstUtilization float64 `json:"worst_utilization"`
	// WorstFailure is "link:ID", "node:NAME" or "srlg:NAME"; null when no
	// failure raises the utilisation above the state's own.
	WorstFailure *string `json:"worst_failure"`
}

// FailureResult is the network under one failure.
type FailureResult struct {
	Failure        string   `json:"failure"`
	DroppedBps     float64  `json:"dropped_bps"`
	MaxUtilization float64  `json:"max_utilization"`
	MaxLink        *LinkRef `json:"max_link"`
}

// Rollback is the analysis of undoing the plan.
type Rollback struct {
	// Steps has one entry per plan step.
	Steps []RollbackStep `json:"steps"`
	// RestoresBaseline is true when undoing every step, last first, from
	// the end of the plan returns the model exactly to the baseline.
	RestoresBaseline bool `json:"restores_baseline"`
	// Path is the sequence of states visited while rolling back the whole
	// plan from its last step, each simulated in full.
	Path []RollbackState `json:"path"`
}

// RollbackStep is the rollback of one step.
type RollbackStep struct {
	Index int    `json:"index"`
	Step  string `json:"step"`
	// Explicit is true when the plan gives the rollback; otherwise it is
	// the exact inverse of the step: every parameter the step's effects
	// touch set back to its value before the step, and nothing else.
	Explicit bool `json:"explicit"`
	// RestoresPrevious is true when the rollback applied to the state
	// after the step gives back exactly the state before it; Differences
	// lists what differs otherwise.
	RestoresPrevious bool     `json:"restores_previous"`
	Differences      []string `json:"differences"`
	// RestoresBaselineFromHere is true when rolling back from after this
	// step to the start returns the model to the baseline.
	RestoresBaselineFromHere bool `json:"restores_baseline_from_here"`
}

// RollbackState is one state on the rollback path.
type RollbackState struct {
	// Undone is the name of the step whose rollback led here.
	Undone string `json:"undone"`
	// SameAsState is the index of a forward state this equals (normally
	// the state before the undone step), or null when the rollback leads
	// somewhere the forward path never went; State is then that state.
	SameAsState *int   `json:"same_as_state"`
	State       *State `json:"state,omitempty"`
}
