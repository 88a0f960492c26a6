package operation

import (
	"context"
	"fmt"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/discover"
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
