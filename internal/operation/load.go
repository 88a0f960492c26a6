package operation

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/approval"
	"github.com/changegate/changegate/internal/input"
	"github.com/changegate/changegate/internal/policy"
	"github.com/changegate/changegate/internal/sshsig"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
	"github.com/changegate/changegate/userfile"
)

// Loader reads the inputs of a check: the plan with its topology,
// traffic and runbook steps, the inventory it runs with, the policies
// and the plan's approvals. Every problem with a file comes back as an
// error holding diagnostics with positions (diag.ListError); warnings go
// to Warn as each file is read.
type Loader struct {
	Settings
	// Stdin is the plan read from standard input, which the plan file
	// "-" (StdinPlan) names; nil refuses "-", for the verbs that need the
	// plan's file (approvals are kept beside it).
	Stdin []byte
	// Warn receives the warnings of each file as it is read; nil drops
	// them.
	Warn func(diag.Diagnostics)
}

func (l Loader) warn(ds diag.Diagnostics) {
	if l.Warn != nil && len(ds) > 0 {
		ds.Sort()
		l.Warn(ds)
	}
}

// failed returns ds as an error when it holds one, and hands its
// warnings to Warn otherwise.
func (l Loader) failed(ds diag.Diagnostics) error {
	if ds.HasErrors() {
		ds.Sort()
		return ds.Err()
	}
	l.warn(ds)
	return nil
}

// StdinPlan is the plan file that names standard input; the plan read
// from it is called StdinName in messages. The files it names are
// relative to the working directory, and must be inside the working
// directory's repository (or paths.allow).
const (
	StdinPlan = "-"
	StdinName = "<stdin>"
)

// planInput is the plan to read for planFile: standard input for
// StdinPlan (an error when the verb gave none), else the file.
func (l Loader) planInput(planFile string) (file string, data []byte, err error) {
	if planFile != StdinPlan {
		return planFile, nil, nil
	}
	if l.Stdin == nil {
		return "", nil, errors.New("this command does not read a plan from standard input (-): save the plan to a file and give its path (check, dryrun, review, validate, plan digest and device check take -)")
	}
	return StdinName, l.Stdin, nil
}

// Inputs reads the plan (when planFile is not empty) through the one
// loader of a plan's inputs (internal/input), and the topology it is
// checked against: topoFile, else the plan's own topology, with the
// plan's traffic file (when it names one) in place of the topology's
// demands, its runbook steps expanded (built-in runbooks and those of
// Settings.RunbookDirs), and its health checks compiled. The files the
// plan and the topology name must be inside their repository or
// Settings.Scope's directories.
func (l Loader) Inputs(ctx context.Context, planFile, topoFile string) (*plans.Plan, *topology.Network, error) {
	if planFile == "" {
		if topoFile == "" {
			return nil, nil, fmt.Errorf("give a plan, or --topology FILE to analyse a network without one")
		}
		net, ds, err := topology.LoadFile(ctx, topoFile, l.Scope)
		if err != nil {
			return nil, nil, err
		}
		if err := l.failed(ds); err != nil {
			return nil, nil, err
		}
		return nil, net, nil
	}
	planFile, data, err := l.planInput(planFile)
	if err != nil {
		return nil, nil, err
	}
	in, err := input.Loader{Scope: l.Scope, RunbookDirs: l.RunbookDirs}.Load(ctx, input.Request{Plan: planFile, Data: data, Topology: topoFile})
	if err != nil {
		return nil, nil, err
	}
	for i, pr := range in.Problems {
		if pr.Err != nil && pr.File == in.Traffic && in.Written != nil {
			// The plan names the traffic file: say where.
			in.Problems[i].Err = fmt.Errorf("%s: traffic: %w", in.Written.TrafficPos, pr.Err)
		}
	}
	if err := in.Err(); err != nil {
		return nil, nil, err
	}
	l.warn(in.Warnings())
	if in.Topology == "" {
		return nil, nil, fmt.Errorf("%s names no topology: add `topology: FILE` to the plan or pass --topology FILE", planFile)
	}
	return in.Plan, in.Network.Net, nil
}

// ErrNoInventory is returned by Inventory when neither the request nor
// the settings name an inventory.
var ErrNoInventory = errors.New("no inventory: pass --inventory FILE, or set inventory.file in changegate.yaml (docs/config.md)")

// InventoryFile is the inventory a request reads: f, or the configured
// one when f names no file (with the configured format unless f gives
// one). It is ErrNoInventory when neither names one.
func (l Loader) InventoryFile(f devices.InventoryFile) (devices.InventoryFile, error) {
	if f.Path == "" {
		f.Path = l.Settings.Inventory.Path
		if f.Format == "" {
			f.Format = l.Settings.Inventory.Format
		}
	}
	if f.Path == "" {
		return f, ErrNoInventory
	}
	return f, f.Check()
}

// Inventory reads the inventory of a request (see InventoryFile).
func (l Loader) Inventory(ctx context.Context, f devices.InventoryFile) (*devices.Inventory, error) {
	f, err := l.InventoryFile(f)
	if err != nil {
		return nil, err
	}
	inv, ds, err := f.Load(ctx)
	if err != nil {
		return nil, err
	}
	if err := l.failed(ds); err != nil {
		return nil, err
	}
	return inv, nil
}

// PlanInventory reads the inventory plan runs with, which apply uses and
// approvals bind: f when it names a file, else the plan's inventory:,
// else the configured one. It is nil when none of them names one; an
// inventory that is named but cannot be read is an error.
func (l Loader) PlanInventory(ctx context.Context, plan *plans.Plan, f devices.InventoryFile) (*devices.Inventory, error) {
	if f.Path == "" {
		var err error
		if f.Path, err = plan.InventoryFile(l.Scope); err != nil {
			return nil, err
		}
	}
	if f.Path == "" && l.Settings.Inventory.Path == "" {
		return nil, nil
	}
	return l.Inventory(ctx, f)
}

// PolicyDirError is a policy directory of the settings that cannot be
// read; the CLI reports it at its line in changegate.yaml.
type PolicyDirError struct {
	Dir string
	Err error
}

func (e *PolicyDirError) Error() string { return fmt.Sprintf("policy.dirs: %v", e.Err) }
func (e *PolicyDirError) Unwrap() error { return e.Err }

// Policies compiles the policy set of the settings with dirs (the
// request's own directories) beside it. Compile problems come back as
// diagnostics with file:line; a configured directory that cannot be read
// as a *PolicyDirError, a disabled package that does not exist as a
// *policy.UnknownPackageError.
func (l Loader) Policies(ctx context.Context, dirs []string) (*policy.Engine, error) {
	for _, d := range l.Policy.Dirs {
		if _, err := os.Stat(d); err != nil {
			return nil, &PolicyDirError{Dir: d, Err: err}
		}
	}
	opts := l.Policy
	opts.Dirs = append(append([]string(nil), l.Policy.Dirs...), dirs...)
	eng, err := policy.Load(ctx, opts)
	var ce *policy.CompileError
	if errors.As(err, &ce) {
		return nil, l.failed(ce.Diags)
	}
	return eng, err
}

// AllowedSigners reads the allowed signers file of the settings; none
// when it names none.
func (l Loader) AllowedSigners(ctx context.Context) ([]sshsig.AllowedSigner, error) {
	f := l.Settings.AllowedSigners
	if f == "" {
		return nil, nil
	}
	data, err := userfile.Read(ctx, f, userfile.AllowedSigners)
	if err != nil {
		return nil, fmt.Errorf("approvals.allowed_signers: %w", err)
	}
	return sshsig.ParseAllowedSigners(f, data)
}

// Approvals loads and verifies the approvals of planFile.
func (l Loader) Approvals(ctx context.Context, planFile string) ([]approval.Checked, error) {
	if planFile == StdinName {
		return nil, nil // a plan from standard input has no file to keep approvals beside
	}
	signers, err := l.AllowedSigners(ctx)
	if err != nil {
		return nil, err
	}
	return approval.Load(ctx, planFile, signers, l.Roles)
}
