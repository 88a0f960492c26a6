package traffic

import (
	"errors"
	"fmt"
	"math"

	"github.com/changegate/changegate/internal/sim"
	"github.com/changegate/changegate/internal/topology"
)

// ScaleToPeakUtilization multiplies every demand of net (in place) by one
// factor so that the busiest link direction in the steady state runs at
// target utilisation (0.5 = 50%), and returns the factor. Link loads are
// linear in the demands for fixed routing, so one simulation suffices.
// It fails when target is not positive and finite, when there are no
// demands, or when no link carries traffic (no demand can be delivered
// over a link that is up).
func ScaleToPeakUtilization(net *topology.Network, target float64) (float64, error) {
	if !(target > 0) || math.IsInf(target, 0) {
		return 0, fmt.Errorf("peak utilization %v must be a positive number such as 0.5", target)
	}
	if len(net.Demands) == 0 {
		return 0, errors.New("scale demands: the network has no demands")
	}
	m, err := sim.Compile(net)
	if err != nil {
		return 0, fmt.Errorf("scale demands: %w", err)
	}
	peak, _ := m.Solve(m.Baseline()).MaxUtilization()
	if !(peak > 0) || math.IsInf(peak, 0) {
		return 0, errors.New("scale demands: no link carries traffic (are the demands between connected nodes?)")
	}
	factor := target / peak
	for i := range net.Demands {
		net.Demands[i].RateBps *= factor
	}
	return factor, nil
}
