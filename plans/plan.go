package plans

import (
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/userfile"
)

// Plan is a change plan: metadata, checks around the change and ordered
// steps.
type Plan struct {
	// ID is the change identifier (a ticket or change number); optional.
	ID string `json:"id,omitempty"`
	// Title is a one-line summary of the change; required.
	Title string `json:"title"`
	// Description says what the change is and why, in as many lines as
	// needed; optional. Leading and trailing blank space is removed.
	Description string `json:"description,omitempty"`
	// Author is who wrote the plan, as an identity: "Name <email>", an
	// e-mail address or an allowed-signers principal (AuthorIdentity).
	// Optional, but a plan that needs approvals must name it.
	Author string `json:"author,omitempty"`
	// Ticket is the ticket or change request the plan belongs to; optional.
	Ticket string `json:"ticket,omitempty"`
	// Risk is the risk the author assigns to the change; "" when not given.
	Risk Risk `json:"risk,omitempty"`
	// Window is when the change may run; nil when not given.
	Window *Window `json:"window,omitempty"`
	// Topology is the topology file named by the plan, exactly as written
	// (relative paths are relative to the plan file; see TopologyPath).
	// Empty when the plan names none.
	Topology string `json:"topology,omitempty"`
	// Traffic is the demand CSV file named by the plan, exactly as written
	// (see TrafficPath). When given, its demands replace the topology's.
	Traffic string `json:"traffic,omitempty"`
	// Inventory is the device inventory named by the plan, exactly as
	// written (see InventoryPath).
	Inventory string `json:"inventory,omitempty"`
	// TopologyPos, TrafficPos and InventoryPos are where the plan names
	// those files, for messages about them (a file outside the
	// repository, missing, or not what it should be).
	TopologyPos  diag.Pos `json:"-"`
	TrafficPos   diag.Pos `json:"-"`
	InventoryPos diag.Pos `json:"-"`
	// Platform is the default platform of the plan's runbook steps (see
	// RunbookRef), such as frr_vtysh or cisco_iosxe; empty when not given.
	Platform string `json:"platform,omitempty"`
	// PreChecks run before the first step, PostChecks after the last; each
	// names its device.
	PreChecks  []Check `json:"pre_checks,omitempty"`
	PostChecks []Check `json:"post_checks,omitempty"`
	// Steps run in order. A parsed plan has at least one.
	Steps []Step `json:"steps"`
	// File is the path the plan was read from, as given to Parse.
	File string   `json:"-"`
	Pos  diag.Pos `json:"-"`
}

// Risk is the risk level of a change. Its value is the name used in the
// plan YAML.
type Risk string

// The risk levels, lowest first.
const (
	RiskLow    Risk = "low"
	RiskMedium Risk = "medium"
	RiskHigh   Risk = "high"
)

// Risks returns every risk level, lowest first.
func Risks() []Risk { return []Risk{RiskLow, RiskMedium, RiskHigh} }

// Valid reports whether r is one of the known risk levels ("" is not).
func (r Risk) Valid() bool { return r == RiskLow || r == RiskMedium || r == RiskHigh }

func (r Risk) String() string { return string(r) }

// Window is the time window in which a change may run. Start and End are
// in the location TimeZone names; End is after Start. It serialises to
// JSON as {start, end, timezone}, the times in RFC 3339, UTC.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// TimeZone is the IANA name of the zone that times without an offset
	// are read in; "UTC" when the plan gives none.
	TimeZone string   `json:"timezone"`
	Pos      diag.Pos `json:"-"`
}

// Step is one step of a plan: the devices it configures and how, what it
// changes in the network model, what undoes it, and the checks that must
// pass after it.
type Step struct {
	// Name is unique within the plan. A runbook step may leave it empty:
	// its rendered steps are named by the runbook.
	Name string `json:"name"`
	// Runbook is set on a step written as a runbook reference, which has
	// nothing else but Name and Pos: Expand in internal/runbook replaces
	// it with the runbook's rendered steps.
	Runbook *RunbookRef `json:"runbook,omitempty"`
	// FromRunbook records, on a step rendered from a runbook reference,
	// the reference it came from.
	FromRunbook *RunbookRef `json:"from_runbook,omitempty"`
	// Devices are the devices the step configures, in plan order, unique
	// (device: gives one, devices: several). Empty for a step that only
	// describes an effect on the model.
	Devices []string `json:"devices,omitempty"`
	// DevicePos says where each device of Devices is named, so that a
	// problem with a device points at its name.
	DevicePos map[string]diag.Pos `json:"-"`
	// Wave rolls the step out over Devices in batches; nil means all at
	// once. Only a step with devices: has one.
	Wave *Wave `json:"wave,omitempty"`
	// Config holds the configuration lines sent to each device, for its
	// platform; RollbackConfig the lines that undo them. Either may be
	// empty; RollbackConfig is set only when Config is.
	Config         []string `json:"config,omitempty"`
	RollbackConfig []string `json:"rollback_config,omitempty"`
	// ConfigPos and RollbackConfigPos say where each line of Config and
	// RollbackConfig is written (the block or list's start where the
	// line cannot be placed), for the problems and the derived effects
	// of a line.
	ConfigPos         []diag.Pos `json:"-"`
	RollbackConfigPos []diag.Pos `json:"-"`
	// Effects are what the step declares it changes in the model. A step
	// without Config declares at least one (they are what the dry-run
	// simulates). A step with Config may declare none (nil: effects:
	// left out), and the dry-run simulates what the configuration does
	// (internal/devconfig); declared effects are then assertions, which
	// must equal what the configuration does. effects: [] (empty, not
	// nil) declares that the configuration changes nothing in the model.
	Effects []Effect `json:"effects"`
	// Rollback holds the effects that undo the step, applied in order to
	// the state after the step. It is meaningful only when HasRollback is
	// true; otherwise the rollback is the exact inverse of the step
	// (the state before the step, restored).
	Rollback []Effect `json:"rollback,omitempty"`
	// HasRollback is true when the plan gives rollback explicitly, even as
	// an empty list (a step that needs no rollback).
	HasRollback bool `json:"has_rollback"`
	// Checks must pass after the step. A check without Device runs on
	// every device of the step.
	Checks []Check `json:"checks,omitempty"`
	// Soak is how long to wait after the checks pass before the next step;
	// 0 or more. In JSON: soak_seconds.
	Soak time.Duration `json:"-"`
	Pos  diag.Pos      `json:"-"`
}

// Wave says how a step is rolled out over its devices: Batch devices at a
// time (1 or more, at most the number of devices), stopping once more than
// MaxFailures devices (0 or more) have failed.
type Wave struct {
	Batch       int      `json:"batch"`
	MaxFailures int      `json:"max_failures"`
	Pos         diag.Pos `json:"-"`
}

// Check is a health check: a command run on a device whose output must
// meet Expect, tried up to 1+Retries times, Interval apart, each try
// within Timeout. In JSON the durations are interval_seconds and
// timeout_seconds.
type Check struct {
	// Name is unique within its list of checks.
	Name string `json:"name"`
	// Device is where the check runs. Plan-level checks always name one;
	// a step's check without one runs on every device of the step.
	Device  string `json:"device"`
	Command string `json:"command"`
	Expect  Expect `json:"expect"`
	// Retries is how many times a failed check is tried again (0 or more).
	Retries int `json:"retries"`
	// Interval is the wait between tries (0 or more; default 5s).
	Interval time.Duration `json:"-"`
	// Timeout bounds one try (greater than 0; default 30s).
	Timeout time.Duration `json:"-"`
	// DevicePos is where Device is named (zero when it is not); Pos is
	// the check.
	DevicePos diag.Pos `json:"-"`
	Pos       diag.Pos `json:"-"`
}

// Default check timings, used when a check gives none.
const (
	DefaultCheckInterval = 5 * time.Second
	DefaultCheckTimeout  = 30 * time.Second
)

// Expect is what the output of a check must meet.
type Expect struct {
	Kind ExpectKind `json:"kind"`
	// Value is the text (contains), the Go regular expression (regex) or
	// the Rego expression over output (json, textfsm); never empty. A
	// parsed regex compiles.
	Value string `json:"value"`
	// Template is the TextFSM template of a textfsm expectation: its text,
	// as given inline (template_text) or read from TemplateFile, so that
	// the plan, and its digest, hold exactly what will be checked. Empty
	// for the other kinds. A parsed template compiles.
	Template string `json:"template,omitempty"`
	// TemplateFile is the template file a textfsm expectation names, as
	// written (relative to the plan file); empty when the template is
	// inline. It is not part of the digest: Template is.
	TemplateFile string   `json:"template_file,omitempty"`
	Pos          diag.Pos `json:"-"`
}

// ExpectKind names how a check's output is tested. Its value is the key
// used under expect: in the plan YAML.
type ExpectKind string

// The kinds of expectation.
const (
	// ExpectContains: the output contains Value.
	ExpectContains ExpectKind = "contains"
	// ExpectRegex: the output matches the Go regular expression Value.
	ExpectRegex ExpectKind = "regex"
	// ExpectJSON: the output, parsed as JSON, makes the Rego expression
	// Value (over output) true.
	ExpectJSON ExpectKind = "json"
	// ExpectTextFSM: the output, parsed by the TextFSM template Template
	// into records, makes the Rego expression Value (over output, the
	// list of records) true.
	ExpectTextFSM ExpectKind = "textfsm"
)

// ExpectKinds returns every kind of expectation, in documentation order.
func ExpectKinds() []ExpectKind {
	return []ExpectKind{ExpectContains, ExpectRegex, ExpectJSON, ExpectTextFSM}
}

// Valid reports whether k is one of the known kinds.
func (k ExpectKind) Valid() bool {
	return k == ExpectContains || k == ExpectRegex || k == ExpectJSON || k == ExpectTextFSM
}

func (k ExpectKind) String() string { return string(k) }

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
	CapacityBps float64 `json:"capacity_bps,omitempty"`
	// LinkPos, NodePos and FromPos are where Link, Node and From are
	// named (zero when they are not), so that a problem with a name
	// points at it; Pos is the effect.
	LinkPos diag.Pos `json:"-"`
	NodePos diag.Pos `json:"-"`
	FromPos diag.Pos `json:"-"`
	Pos     diag.Pos `json:"-"`
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
func (p *Plan) TopologyPath() string { return p.resolve(p.Topology) }

// TrafficPath returns the demand file the plan names, resolved like
// TopologyPath, or "" when the plan names none.
func (p *Plan) TrafficPath() string { return p.resolve(p.Traffic) }

// InventoryPath returns the inventory the plan names, resolved like
// TopologyPath, or "" when the plan names none.
func (p *Plan) InventoryPath() string { return p.resolve(p.Inventory) }

func (p *Plan) resolve(path string) string {
	if path == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(filepath.Dir(p.File), path)
}

// Devices returns every device named by a step (device: or devices:) or
// by a check (pre-checks, post-checks and the steps' checks), sorted and
// without repeats; empty (not nil) when there are none.
func (p *Plan) Devices() []string {
	seen := map[string]bool{}
	add := func(d string) {
		if d != "" {
			seen[d] = true
		}
	}
	addChecks := func(cs []Check) {
		for _, c := range cs {
			add(c.Device)
		}
	}
	addChecks(p.PreChecks)
	addChecks(p.PostChecks)
	for _, s := range p.Steps {
		for _, d := range s.Devices {
			add(d)
		}
		addChecks(s.Checks)
	}
	out := make([]string, 0, len(seen))
	for d := range seen {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// RunbookRef is a step written as a reference to a runbook: the runbook's
// steps, rendered with Params for Platform, take its place in the plan.
type RunbookRef struct {
	// Name is the runbook's name.
	Name string `json:"name"`
	// Params are the parameter values as written (scalars, as text).
	Params map[string]string `json:"params,omitempty"`
	// Platform is the step's platform; empty means the plan's Platform.
	Platform string `json:"platform,omitempty"`
	// ParamPos says where each parameter value is written.
	ParamPos map[string]diag.Pos `json:"-"`
	// NamePos is where Name is written; Pos is the step.
	NamePos diag.Pos `json:"-"`
	Pos     diag.Pos `json:"-"`
}

// HasRunbooks reports whether any step is still a runbook reference to
// expand.
func (p *Plan) HasRunbooks() bool {
	for _, s := range p.Steps {
		if s.Runbook != nil {
			return true
		}
	}
	return false
}

// FileError is a file a plan names that cannot be used: outside the
// plan's repository and the allowed directories, or not a file of its
// kind. Its message begins with where the plan names it.
type FileError struct {
	// Pos is where the plan names the file; What is the key
	// ("topology", "traffic", "inventory").
	Pos  diag.Pos
	What string
	Err  error
}

func (e *FileError) Error() string { return fmt.Sprintf("%s: %s: %v", e.Pos, e.What, e.Err) }
func (e *FileError) Unwrap() error { return e.Err }

// TopologyFile returns the topology the plan names, resolved against the
// plan's directory and confined to scope (userfile.Scope.Resolve); "" when
// it names none. Every loader of a plan's files resolves them so.
func (p *Plan) TopologyFile(scope userfile.Scope) (string, error) {
	return p.namedFile(scope, p.Topology, p.TopologyPos, "topology", userfile.Topology)
}

// TrafficFile is TopologyFile for the plan's traffic (demand) file.
func (p *Plan) TrafficFile(scope userfile.Scope) (string, error) {
	return p.namedFile(scope, p.Traffic, p.TrafficPos, "traffic", userfile.Demands)
}

// InventoryFile is TopologyFile for the plan's inventory.
func (p *Plan) InventoryFile(scope userfile.Scope) (string, error) {
	return p.namedFile(scope, p.Inventory, p.InventoryPos, "inventory", userfile.Inventory)
}

func (p *Plan) namedFile(scope userfile.Scope, name string, pos diag.Pos, what string, kind userfile.Kind) (string, error) {
	if name == "" {
		return "", nil
	}
	path, err := scope.Resolve(p.File, name, kind)
	if err != nil {
		return "", &FileError{Pos: pos, What: what, Err: err}
	}
	return path, nil
}
