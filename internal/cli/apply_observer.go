package cli

import (
	"fmt"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// observer returns what compares the routers with the dry-run after each
// step, or nil (saying why on stderr) when apply.observe is off or the
// network cannot be observed.
func (a *app) observer(cfg Config, net *topology.Network, plan *plans.Plan, target apply.Target, inv *devices.Inventory) (apply.Observer, error) {
	if !cfg.Apply.Observe {
		fmt.Fprintln(a.stderr, "changegate: apply.observe is off: the routers are not compared with the model")
		return nil, nil
	}
	platform := func(d string) string {
		if dev, ok := inv.Device(d); ok {
			return dev.Platform
		}
		return ""
	}
	if why := apply.CanObserve(net, plan.Devices(), platform); why != "" {
		fmt.Fprintf(a.stderr, "changegate: the routers will not be compared with the model: %s\n", why)
		return nil, nil
	}
	pr, err := dryrun.NewPredictor(net, plan, platformsOf(inv))
	if err != nil {
		return nil, err
	}
	return &apply.ModelObserver{Net: net, Predictor: pr, Target: target, Tolerance: cfg.Apply.ObserveTolerance, Timeout: cfg.Apply.ObserveTimeout}, nil
}
