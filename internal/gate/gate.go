// Package gate is the change gate: the dry-run of a plan and the policy
// decision over it, bound to the digests of what was checked. It gathers
// the facts the policies judge (the dry-run, the digests, the plan's
// approvals as internal/approval read and verified them) into the
// policy input.
package gate

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/approval"
	"github.com/changegate/changegate/internal/digest"
	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/policy"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// Options tune one check.
type Options struct {
	// Stage is when the check happens (default policy.StageCheck).
	Stage policy.Stage
	// Time is the evaluation time (default: now).
	Time time.Time
	// Approvals are the plan's approvals as approval.Load read and
	// verified them, shown to the policies as input.approvals.
	Approvals []approval.Checked
	// InventoryDigest is the digest of the inventory the plan runs with
	// (devices.Inventory.Digest); "" when there is none. It is bound with
	// the other digests.
	InventoryDigest string
	// Platforms are the devices' platforms from that inventory, by
	// device: the language the dry-run reads each step's configuration
	// in (see dryrun.Options.Platforms).
	Platforms map[string]string
	// Override is a break-glass override (apply only), shown to the
	// policies as input.override.
	Override *policy.Override
	// Drift is the network compared with the model (check --live), shown
	// to the policies as input.drift; nil when the network was not read.
	Drift *policy.Drift
	// TopMovers is passed to the dry-run.
	TopMovers int
	// Progress is passed to the dry-run.
	Progress func(i, n int, label string)
	// ConfigFile is the configuration file the settings came from, which
	// every report names; "" for none.
	ConfigFile string
}

// Verdict is the outcome of a check.
type Verdict struct {
	Plan     *plans.Plan
	Network  *topology.Network
	DryRun   *dryrun.Result
	Decision *policy.Decision
	// Digests are those of the plan, topology, traffic, policy set and
	// inventory ("" for none) the decision is about.
	Digests digest.Set
	// PolicySet is what the policy digest covers: the policy files, and
	// what the configuration changed (disabled policies, parameters that
	// differ from their defaults), which every report shows.
	PolicySet policy.Set
	Stage     policy.Stage
	Time      time.Time
	// ConfigFile is the configuration file the settings came from
	// (Options.ConfigFile); "" for none.
	ConfigFile string
	// Timing of the parts, for --timings and benchmarks.
	DryRunTime, InputTime, EvalTime time.Duration
}

// Allowed reports whether no policy denied the change.
func (v *Verdict) Allowed() bool { return !v.Decision.Denied() }

// Check dry-runs the plan against the network, with the N-1 analysis of
// every state (the policies need it; it cannot be turned off here), and
// evaluates the policies over the result. Diagnostics are problems with
// the plan's references to the network; with errors among them the
// verdict is nil.
func Check(ctx context.Context, plan *plans.Plan, net *topology.Network, eng *policy.Engine, opts Options) (*Verdict, diag.Diagnostics, error) {
	if plan == nil {
		return nil, nil, fmt.Errorf("internal: gate.Check needs a plan")
	}
	if plan.HasRunbooks() {
		return nil, nil, fmt.Errorf("internal: %s has runbook steps; expand them (runbook.Expand) before checking", plan.File)
	}
	if opts.Stage == "" {
		opts.Stage = policy.StageCheck
	}
	if opts.Time.IsZero() {
		opts.Time = time.Now()
	}
	t0 := time.Now()
	res, ds, err := dryrun.Run(ctx, net, plan, dryrun.Options{TopMovers: opts.TopMovers, Progress: opts.Progress, Platforms: opts.Platforms})
	if err != nil || ds.HasErrors() {
		return nil, ds, err
	}
	v := &Verdict{
		Plan: plan, Network: net, DryRun: res, Stage: opts.Stage, Time: opts.Time,
		Digests:    res.Digests,
		PolicySet:  eng.Set(),
		ConfigFile: opts.ConfigFile,
		DryRunTime: time.Since(t0),
	}
	v.Digests.Policy, v.Digests.Inventory = eng.Digest(), opts.InventoryDigest
	t1 := time.Now()
	input := policy.BuildInput(policy.Facts{
		Plan: plan, Network: net, DryRun: res, Approvals: approvalFacts(opts.Approvals), Override: opts.Override, Drift: opts.Drift,
		Stage: opts.Stage, Time: opts.Time, Digests: v.Digests, HotFloor: eng.HotFloor(),
	})
	v.InputTime = time.Since(t1)
	t2 := time.Now()
	v.Decision, err = eng.Evaluate(ctx, input, opts.Stage)
	if err != nil {
		return nil, ds, err
	}
	v.EvalTime = time.Since(t2)
	return v, ds, nil
}

// approvalFacts are approvals as the policies see them. A file that is
// not a valid approval at all is there by its file name alone, verified
// by no one and given for nothing.
func approvalFacts(cs []approval.Checked) []policy.Approval {
	var out []policy.Approval
	for _, c := range cs {
		if c.Approval == nil {
			out = append(out, policy.Approval{Approver: filepath.Base(c.File)})
			continue
		}
		out = append(out, policy.Approval{
			Approver: c.Approval.Approver, Identities: c.Identities, Roles: c.Roles,
			Time: c.Approval.Time, Digests: c.Approval.Digests, Verified: c.Verified,
			Denied: c.Approval.Denied,
		})
	}
	return out
}
