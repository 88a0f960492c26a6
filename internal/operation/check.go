package operation

import (
	"context"
	"errors"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/approval"
	"github.com/changegate/changegate/internal/gate"
	"github.com/changegate/changegate/internal/policy"
	"github.com/changegate/changegate/internal/topology"
)

// CheckRequest asks for a plan to be checked: what check, approve,
// approvals, review and apply have in common.
type CheckRequest struct {
	// Plan is the plan file.
	Plan string
	// Topology is the topology file; "" for the plan's topology:.
	Topology string
	// Inventory is the inventory the plan runs with; a zero Path for the
	// plan's inventory:, else the configured one, else none.
	Inventory devices.InventoryFile
	// PolicyDirs are the request's own policy directories, loaded beside
	// the built-in ones and those of the settings.
	PolicyDirs []string
	// Stage is when the check happens (policy.StageCheck by default;
	// policy.StageApply at apply, where missing approvals deny).
	Stage policy.Stage
	// Override is a break-glass override (apply only).
	Override *policy.Override
	// TopMovers is how many moved links per step the dry-run lists (and
	// the policies get); 0 for none.
	TopMovers int
	// Progress, when set, is told the dry-run's progress.
	Progress func(i, n int, label string)
	// Live, when set, reads the network of the plan's inventory and
	// compares it with the plan's topology before the gate, which shows
	// the differences to the policies as input.drift (check --live).
	Live LiveReader
}

// LiveReader reads how the network of inv differs from the model
// (Discovery is one).
type LiveReader interface {
	ReadDrift(ctx context.Context, model *topology.Network, inv *devices.Inventory) (*policy.Drift, error)
}

// Checked is a plan checked: the gate's verdict, with what it was
// reached from.
type Checked struct {
	*gate.Verdict
	// Engine is the policy set the verdict is from.
	Engine *policy.Engine
	// Inventory is the inventory the plan runs with; nil for none.
	Inventory *devices.Inventory
	// Approvals are the plan's approvals, verified.
	Approvals []approval.Checked
}

// Check reads the plan with its topology, traffic and runbook steps, the
// policies, the inventory and the plan's approvals, and has the gate
// judge the plan (the dry-run with N-1, then every policy), bound to the
// digests of all of them. It is the one way every verb checks a plan.
func (l Loader) Check(ctx context.Context, req CheckRequest) (*Checked, error) {
	plan, net, err := l.Inputs(ctx, req.Plan, req.Topology)
	if err != nil {
		return nil, err
	}
	eng, err := l.Policies(ctx, req.PolicyDirs)
	if err != nil {
		return nil, err
	}
	inv, err := l.PlanInventory(ctx, plan, req.Inventory)
	if err != nil {
		return nil, err
	}
	checked, err := l.Approvals(ctx, plan.File)
	if err != nil {
		return nil, err
	}
	var drift *policy.Drift
	if req.Live != nil {
		if inv == nil {
			return nil, errors.New("checking against the live network needs an inventory: pass --inventory FILE, name one in the plan (inventory:), or set inventory.file in changegate.yaml")
		}
		if drift, err = req.Live.ReadDrift(ctx, net, inv); err != nil {
			return nil, err
		}
	}
	v, ds, err := gate.Check(ctx, plan, net, eng, gate.Options{
		Drift:           drift,
		Stage:           req.Stage,
		Override:        req.Override,
		Approvals:       checked,
		InventoryDigest: inventoryDigest(inv),
		Platforms:       inv.PlatformsByDevice(),
		TopMovers:       req.TopMovers,
		Progress:        req.Progress,
		ConfigFile:      l.ConfigFile,
	})
	if err != nil {
		return nil, err
	}
	if err := l.failed(ds); err != nil {
		return nil, err
	}
	return &Checked{Verdict: v, Engine: eng, Inventory: inv, Approvals: checked}, nil
}

// inventoryDigest is inv's digest, "" for no inventory.
func inventoryDigest(inv *devices.Inventory) string {
	if inv == nil {
		return ""
	}
	return inv.Digest()
}
