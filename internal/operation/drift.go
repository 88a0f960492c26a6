package operation

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/discover"
	"github.com/changegate/changegate/internal/policy"
	"github.com/changegate/changegate/internal/topology"
)

// Discovery reads the network's topology from its devices (package
// discover) and compares a model with it: `topology discover`,
// `topology diff --live`, and the check apply makes before its first
// step.
type Discovery struct {
	Devices Devices
	Settings
}

// DiscoverRequest is what to read.
type DiscoverRequest struct {
	Inventory *devices.Inventory
	// Overlay is an overlay file to apply to what is read ("" for none).
	Overlay string
	Options discover.Options
}

// Discovered is the network read, with what was read but cannot be
// modelled.
type Discovered struct {
	Network  *topology.Network
	Warnings []string
}

// Discover reads the topology of the inventory's devices and applies the
// overlay; the network returned is valid. Problems with the overlay come
// back as diagnostics (a *diag.ListError).
func (d Discovery) Discover(ctx context.Context, req DiscoverRequest) (*Discovered, error) {
	target, done := d.Devices.Target(req.Inventory)
	defer done()
	net, warnings, err := discover.Discover(ctx, target, req.Inventory.PlatformsByDevice(), req.Options)
	if err != nil {
		return nil, err
	}
	if req.Overlay != "" {
		ds, err := topology.LoadOverlayFile(ctx, net, req.Overlay, d.Scope)
		if err != nil {
			return nil, err
		}
		if ds.HasErrors() {
			return nil, ds.Err()
		}
		for _, w := range ds {
			warnings = append(warnings, w.String())
		}
	} else if vs := net.Validate(); vs.HasErrors() {
		return nil, fmt.Errorf("the network read is not a valid topology (an overlay can give what is missing, docs/discovery.md): %w", vs.Err())
	}
	return &Discovered{Network: net, Warnings: warnings}, nil
}

// Drift is how the network differs from a model.
type Drift struct {
	Differences []topology.Difference `json:"differences"`
	// Live is the network as read (and annotated by the overlay).
	Live     *topology.Network `json:"-"`
	Warnings []string          `json:"warnings,omitempty"`
}

// Drift reads the network of req.Inventory (with the model's IGP) and
// lists every difference from model (topology.Diff).
func (d Discovery) Drift(ctx context.Context, model *topology.Network, req DiscoverRequest) (*Drift, error) {
	if req.Options.IGP == "" {
		req.Options.IGP = model.IGP
	}
	if req.Options.IGP == "" {
		req.Options.IGP = topology.IGPISIS
	}
	live, err := d.Discover(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("read the network to compare with the model: %w", err)
	}
	return &Drift{Differences: topology.Diff(model, live.Network), Live: live.Network, Warnings: live.Warnings}, nil
}

// checkDrift compares the network with the model before a run's first
// step (when apply.observe is on, on the platforms discovery reads) and
// records what it found in the journal. A network whose forwarding
// differs from the model, or that cannot be read, refuses the run with a
// *DeniedError, unless it broke glass (o).
func (b *Backend) checkDrift(ctx context.Context, c *Checked, inv *devices.Inventory, target discover.Runner, o *policy.Override, j Journal, view View) error {
	if !b.Apply.Observe {
		return nil
	}
	net := c.Network
	record := func(d apply.DriftData) error {
		if _, err := j.Append(apply.NewRecord(0, "", d)); err != nil {
			return fmt.Errorf("recording the network compared with the model: %w", err)
		}
		return nil
	}
	why := ""
	igp := cmp.Or(net.IGP, topology.IGPISIS)
	platforms := inv.PlatformsByDevice()
	for _, d := range inv.Names() {
		if _, err := discover.Commands(platforms[d], igp); err != nil && why == "" {
			why = fmt.Sprintf("device %s: %v", d, err)
		}
	}
	if why != "" {
		view.Notice("the network is not compared with the model before the run: " + why)
		return record(apply.DriftData{Skipped: why})
	}
	live, _, err := discover.Discover(ctx, target, platforms, discover.Options{IGP: igp})
	if err != nil {
		if rerr := record(apply.DriftData{Error: err.Error(), Overridden: o != nil}); rerr != nil {
			return rerr
		}
		if o != nil {
			view.Notice(fmt.Sprintf("BREAK-GLASS: the network could not be read to compare it with the model (%v); running anyway", err))
			return nil
		}
		return &DeniedError{Checked: c, Msg: fmt.Sprintf("apply refused: the network could not be read to compare it with the model: %v; no change was made (--break-glass REASON runs anyway, recorded)", err)}
	}
	diffs := topology.Diff(net, live)
	var blocking, other []string
	for _, d := range diffs {
		if d.ChangesForwarding() {
			blocking = append(blocking, d.String())
		} else {
			other = append(other, d.String())
		}
	}
	if err := record(apply.DriftData{Differences: diffs, Blocking: len(blocking), Overridden: o != nil && len(blocking) > 0}); err != nil {
		return err
	}
	for _, s := range other {
		view.Notice("the network differs from the model (not in forwarding): " + s)
	}
	if len(blocking) == 0 {
		view.Notice(fmt.Sprintf("the network is as the model says: %d routers and %d links read", len(live.Nodes), len(live.Links)))
		return nil
	}
	list := strings.Join(first(blocking, 5), "; ")
	if o != nil {
		view.Notice(fmt.Sprintf("BREAK-GLASS: the network differs from the model (%d differences: %s); running anyway", len(blocking), list))
		return nil
	}
	return &DeniedError{Checked: c, Msg: fmt.Sprintf("apply refused: the network differs from the model the gate checked (%d differences: %s); no change was made: make the model the network's (changegate topology discover, docs/discovery.md), or --break-glass REASON to run anyway (recorded)", len(blocking), list)}
}

func first(xs []string, n int) []string {
	if len(xs) > n {
		return append(xs[:n:n], fmt.Sprintf("and %d more", len(xs)-n))
	}
	return xs
}

// ReadDrift implements LiveReader: the network of inv, read with the
// model's IGP, compared with model.
func (d Discovery) ReadDrift(ctx context.Context, model *topology.Network, inv *devices.Inventory) (*policy.Drift, error) {
	dr, err := d.Drift(ctx, model, DiscoverRequest{Inventory: inv})
	if err != nil {
		return nil, err
	}
	return &policy.Drift{Differences: dr.Differences}, nil
}
