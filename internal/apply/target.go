package apply

import (
	"context"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/devices/session"
)

// Target is the network the executor changes. *session.Pool implements
// it through PoolTarget; tests use fakes.
type Target interface {
	// Configure sends configuration lines to device and commits them the
	// device's way (see session.Session.Configure).
	Configure(ctx context.Context, device string, lines []string, opts session.ConfigOptions) (*session.ConfigResult, error)
	// Confirm confirms device's pending confirmed commit.
	Confirm(ctx context.Context, device string) ([]*session.Output, error)
	// Run runs one command (health.Runner).
	Run(ctx context.Context, device, command string) (string, error)
	// Guarantees says what configuring device guarantees.
	Guarantees(device string) session.Guarantees
}

// PoolTarget is a Target over a session.Pool and its inventory.
type PoolTarget struct {
	Pool      *session.Pool
	Inventory *devices.Inventory
}

// Configure implements Target.
func (t PoolTarget) Configure(ctx context.Context, device string, lines []string, opts session.ConfigOptions) (*session.ConfigResult, error) {
	res := &session.ConfigResult{}
	err := t.Pool.With(ctx, device, func(s *session.Session) error {
		var err error
		res, err = s.Configure(ctx, lines, opts)
		return err
	})
	return res, err
}

// Confirm implements Target.
func (t PoolTarget) Confirm(ctx context.Context, device string) ([]*session.Output, error) {
	var outs []*session.Output
	err := t.Pool.With(ctx, device, func(s *session.Session) error {
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

// Reset closes device's session; see session.Pool.Reset.
func (t PoolTarget) Reset(device string) { t.Pool.Reset(device) }

// Exec implements Shell.
func (t PoolTarget) Exec(ctx context.Context, device, command string) (string, error) {
	return t.Pool.Exec(ctx, device, command)
}

// Guarantees implements Target.
func (t PoolTarget) Guarantees(device string) session.Guarantees {
	d, ok := t.Inventory.Device(device)
	if !ok {
		return session.Guarantees{}
	}
	g, _ := session.PlatformGuarantees(d.Platform)
	return g
}
