package apply

import (
	"context"

	"github.com/changegate/changegate/devices"
)

// Target is the network the executor changes. *devices.Pool implements
// it through PoolTarget; tests use fakes.
type Target interface {
	// Configure sends configuration lines to device and commits them the
	// device's way (see devices.Session.Configure).
	Configure(ctx context.Context, device string, lines []string, opts devices.ConfigOptions) (*devices.ConfigResult, error)
	// Confirm confirms device's pending confirmed commit.
	Confirm(ctx context.Context, device string) ([]*devices.Output, error)
	// Run runs one command (health.Runner).
	Run(ctx context.Context, device, command string) (string, error)
	// Guarantees says what configuring device guarantees.
	Guarantees(device string) devices.Guarantees
}

// PoolTarget is a Target over a devices.Pool and its inventory.
type PoolTarget struct {
	Pool      *devices.Pool
	Inventory *devices.Inventory
}

// Configure implements Target.
func (t PoolTarget) Configure(ctx context.Context, device string, lines []string, opts devices.ConfigOptions) (*devices.ConfigResult, error) {
	res := &devices.ConfigResult{}
	err := t.Pool.With(ctx, device, func(s *devices.Session) error {
		var err error
		res, err = s.Configure(ctx, lines, opts)
		return err
	})
	return res, err
}

// Confirm implements Target.
func (t PoolTarget) Confirm(ctx context.Context, device string) ([]*devices.Output, error) {
	var outs []*devices.Output
	err := t.Pool.With(ctx, device, func(s *devices.Session) error {
		var err error
		outs, err = s.Confirm(ctx)
		return err
	})
	return outs, err
}

// Run implements Target.
func (t PoolTarget) Run(ctx context.Context, device, command string) (string, error) {
	return t.Pool.Run(ctx, device, command)
}

// Guarantees implements Target.
func (t PoolTarget) Guarantees(device string) devices.Guarantees {
	d, ok := t.Inventory.Device(device)
	if !ok {
		return devices.Guarantees{}
	}
	g, _ := devices.PlatformGuarantees(d.Platform)
	return g
}
