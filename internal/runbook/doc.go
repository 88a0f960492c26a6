// Package runbook reads runbooks and renders them into plan steps.
//
// A runbook is a named, parameterised template of plan steps: typed
// parameters (with defaults and validation), and for each step the
// configuration, rollback configuration and health checks per platform
// (and per IGP, OSPF or IS-IS, for a runbook that declares igps), and the
// effect on the network model, so that one runbook yields consistent
// commands, rollback and effect on every platform and IGP it supports.
// Rendering picks the form of the topology's IGP and refuses an IGP the
// runbook has no form for. docs/runbooks.md describes the format.
//
// Parse reads one runbook and reports every problem with its position;
// Load builds a Library from the built-in runbooks (an fs.FS, normally
// runbooks.FS) and the user's directories; Runbook.Render checks the
// parameters against the topology and renders the steps as plans.Step
// values (RenderPlan wraps them in a plans.Plan), and WritePlan writes a
// plan as YAML in the plan format. A step may include another runbook
// (runbook: NAME, params: {...}): Load checks that every included runbook
// exists and that no runbook includes itself, directly or through others;
// rendering splices the included runbook's steps in, at most
// MaxIncludeDepth includes deep.
//
// It is not the plan-side expansion of steps that name a runbook, nor the
// executor: it only turns a runbook and parameters into steps.
package runbook
