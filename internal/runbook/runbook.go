package runbook

import (
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/platform"
	"github.com/changegate/changegate/internal/topology"
)

// Runbook is a parsed runbook: metadata, typed parameters, examples and
// step templates. Its templates parse; they are rendered by Render.
type Runbook struct {
	// Name is the runbook's name, the file name without .yaml.
	Name        string
	Title       string
	Description string
	// Platforms are the platforms the runbook supports, in file order;
	// every step has configuration (and checks, when it has any) for each.
	Platforms []string
	// IGPs are the IGPs the runbook has forms for (topology.IGPOSPF,
	// topology.IGPISIS), in file order; empty for a runbook whose
	// configuration does not depend on the IGP. A runbook with IGPs is
	// rendered for the topology's IGP (RenderOptions.IGP without one) and
	// refused for another; its steps' per-platform fields may be given
	// per IGP (config: {ospf: {frr_vtysh: ...}, isis: {...}}).
	IGPs     []string
	Params   []Param
	Examples []Example
	Steps    []StepTemplate
	// File is the path diagnostics name (for a built-in runbook,
	// "runbooks/NAME.yaml"); Source says where it comes from: "built-in"
	// or the user directory it was read from.
	File   string
	Source string
	Pos    diag.Pos

	// lib is the library Load put the runbook in: where Render looks up
	// the runbooks its steps include, unless RenderOptions.Library says.
	lib *Library
}

// Param is a typed parameter of a runbook.
type Param struct {
	Name        string
	Type        ParamType
	Description string
	// Default is the value used when none is given, as written (it may be
	// a template over the parameters declared before it); HasDefault says
	// whether there is one. A parameter without a default is required.
	Default    string
	HasDefault bool
	// Min and Max bound an int parameter when set.
	Min, Max *int64
	// Values are the allowed values of an enum parameter.
	Values []string
	// Of names the device parameter a link or interface parameter belongs
	// to: the link must have that device at one end, the interface must
	// be one of that device's. Empty: not tied to a device.
	Of  string
	Pos diag.Pos

	defNode *yaml.Node
}

// ParamType is the type of a parameter, as written in the runbook.
type ParamType string

// The parameter types.
const (
	TypeString    ParamType = "string"
	TypeInt       ParamType = "int"
	TypeBool      ParamType = "bool"
	TypeEnum      ParamType = "enum"
	TypeDevice    ParamType = "device"
	TypeLink      ParamType = "link"
	TypeInterface ParamType = "interface"
	TypeDuration  ParamType = "duration"
	TypeRate      ParamType = "rate"
	// TypeMetric is an IGP interface metric: a whole number from 1 to the
	// largest the IGP being rendered takes on an interface (MaxMetric),
	// narrowed by min and max.
	TypeMetric ParamType = "metric"
)

// ParamTypes returns every parameter type, in documentation order.
func ParamTypes() []ParamType {
	return []ParamType{TypeString, TypeInt, TypeBool, TypeEnum, TypeDevice, TypeLink, TypeInterface, TypeDuration, TypeRate, TypeMetric}
}

// IGPs returns the IGPs a runbook may have forms for, in documentation
// order.
func IGPs() []string { return []string{topology.IGPOSPF, topology.IGPISIS} }

// MaxMetric returns the largest interface metric igp takes: OSPF's
// interface cost, 65535; IS-IS's wide metric, 16777214 (2^24-1 takes
// the link out of SPF, RFC 5305); for "" (the IGP is not known), the
// larger.
func MaxMetric(igp string) int64 {
	if igp == topology.IGPOSPF {
		return topology.MaxLinkMetric
	}
	return 1<<24 - 2
}

// IGPName is igp as people write it: OSPF, IS-IS.
func IGPName(igp string) string {
	switch igp {
	case topology.IGPOSPF:
		return "OSPF"
	case topology.IGPISIS:
		return "IS-IS"
	}
	return igp
}

func knownIGP(igp string) bool { return igp == topology.IGPOSPF || igp == topology.IGPISIS }

// Example is a set of parameters the runbook is tested with (CI renders
// each example for every platform of the runbook and dry-runs it).
type Example struct {
	Name string
	// Topology is the topology file to try the example on, relative to
	// the runbook file, as written.
	Topology string
	// Platform is the platform the example is meant for; every platform
	// of the runbook is tested with it anyway.
	Platform string
	// Params are the parameter values, as strings (as given on the
	// command line).
	Params map[string]string
	Pos    diag.Pos
}

// StepTemplate is one step of a runbook before rendering. Its fields are
// kept as YAML nodes, so that each templated scalar is rendered where it
// is and its errors point at the runbook's line and column.
type StepTemplate struct {
	// Include is set on a step that includes another runbook
	// (runbook: NAME, params: {...}); such a step has no configuration,
	// effects or checks of its own.
	Include *Include
	// ForEach is a template pipeline (without braces) giving a list, such
	// as "links_of .device"; the step is rendered once per item, with the
	// item as .<As>. Empty: the step is rendered once.
	ForEach string
	As      string
	Pos     diag.Pos

	node    *yaml.Node            // the step mapping
	common  map[string]*yaml.Node // name, device, effects, rollback, soak
	config  forms                 // config
	rbConf  forms                 // rollback_config
	checks  forms                 // lists of checks
	forNode *yaml.Node
}

// forms holds a per-platform field of a step: IGP -> platform -> value,
// with the IGP "" for a field written per platform only (the same for
// every IGP).
type forms map[string]map[string]*yaml.Node

// get returns the field's value for igp and platform: its IGP form, or
// the form shared by every IGP; nil when there is none.
func (f forms) get(igp, platform string) *yaml.Node {
	if m, ok := f[igp]; ok && igp != "" {
		return m[platform]
	}
	return f[""][platform]
}

// MaxIncludeDepth is how deeply includes may nest when a runbook is
// rendered: a runbook that includes one that includes another is 2 deep.
const MaxIncludeDepth = 16

// MaxRenderedSteps is the most steps one rendering may produce, for_each
// items and includes multiplied out, and the most includes it may follow.
const MaxRenderedSteps = 10000

// Include is a step that includes another runbook: the included runbook
// is rendered with Params, for the same platform and topology, and its
// steps take the place of the step.
type Include struct {
	// Runbook is the name of the included runbook.
	Runbook string
	// Params are the included runbook's parameter values, as written:
	// templates over the including runbook's parameters (and the step's
	// for_each item).
	Params map[string]string
	// Pos is where the included runbook is named (the value of runbook:).
	Pos diag.Pos

	paramNodes map[string]*yaml.Node // parameter name -> its value node
	paramKeys  map[string]*yaml.Node // parameter name -> its key node
}

// Includes returns the names of the runbooks r's steps include, in step
// order, each once.
func (r *Runbook) Includes() []string {
	var out []string
	seen := map[string]bool{}
	for _, st := range r.Steps {
		if st.Include != nil && !seen[st.Include.Runbook] {
			seen[st.Include.Runbook] = true
			out = append(out, st.Include.Runbook)
		}
	}
	return out
}

// Platforms returns the names of the platforms a runbook can configure:
// those changegate has a tested way to configure (Configurable in their
// records of the platform registry, internal/platform), in registration
// order.
func Platforms() []string {
	var out []string
	for _, p := range platform.Builtin().All() {
		if p.Configurable() {
			out = append(out, p.Name)
		}
	}
	return out
}

func platformNames() []string { return Platforms() }

func knownPlatform(name string) bool { return slices.Contains(Platforms(), name) }

// Param returns the parameter called name.
func (r *Runbook) Param(name string) (Param, bool) {
	for _, p := range r.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// SupportsIGP reports whether the runbook can be rendered for igp: it
// has a form for it, or does not depend on the IGP.
func (r *Runbook) SupportsIGP(igp string) bool {
	if len(r.IGPs) == 0 {
		return true
	}
	for _, g := range r.IGPs {
		if g == igp {
			return true
		}
	}
	return false
}

// Supports reports whether the runbook has configuration for platform.
func (r *Runbook) Supports(platform string) bool {
	for _, p := range r.Platforms {
		if p == platform {
			return true
		}
	}
	return false
}
