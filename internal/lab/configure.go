package lab

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/changegate/changegate/internal/topology"
)

// Vtysh runs one vtysh command on a router from the host (through its
// vty sockets, not SSH).
func (l *Lab) Vtysh(ctx context.Context, node, command string) (string, error) {
	nd, ok := l.Layout.Node(node)
	if !ok {
		return "", fmt.Errorf("no router %q in the lab", node)
	}
	d := l.nodeDir(nd)
	return run(ctx, filepath.Join(l.Dir, "bin", "cg-vtysh"), "--vty_socket", filepath.Join(d, "run"), "--config_dir", filepath.Join(d, "etc"), "-c", command)
}

// Configure sends configuration lines to node's vtysh (from the host, not
// over SSH), in configuration mode: what an operator or a fault would do
// behind changegate's back.
func (l *Lab) Configure(ctx context.Context, node string, lines ...string) error {
	nd, ok := l.Layout.Node(node)
	if !ok {
		return fmt.Errorf("no router %q in the lab", node)
	}
	d := l.nodeDir(nd)
	args := []string{"--vty_socket", filepath.Join(d, "run"), "--config_dir", filepath.Join(d, "etc"), "-c", "configure terminal"}
	for _, ln := range lines {
		args = append(args, "-c", ln)
	}
	_, err := run(ctx, filepath.Join(l.Dir, "bin", "cg-vtysh"), args...)
	return err
}

// costLine is the interface configuration line that sets the IGP metric
// out of an interface to cost.
func (l *Layout) costLine(cost int64) string {
	if l.igp() == topology.IGPISIS {
		return fmt.Sprintf("isis metric %d", cost)
	}
	return fmt.Sprintf("ip ospf cost %d", cost)
}

// SetMetrics makes the lab's IGP metrics (OSPF costs or IS-IS metrics)
// match n's metrics (same nodes and links as the lab was built from;
// links are matched by id) through vtysh, and records them. It returns
// the ends it changed.
func (l *Lab) SetMetrics(ctx context.Context, n *topology.Network) ([]string, error) {
	byID := n.LinkIndex()
	var changed []string
	for i := range l.Layout.Links {
		lk := &l.Layout.Links[i]
		j, ok := byID[lk.ID]
		if !ok {
			return changed, fmt.Errorf("link %q is not in the network", lk.ID)
		}
		ml := n.Links[j]
		for _, e := range []struct {
			end  *End
			cost int64
		}{{&lk.A, ml.MetricAB}, {&lk.B, ml.MetricBA}} {
			if e.end.Cost == e.cost {
				continue
			}
			if e.cost < 1 || e.cost > l.Layout.maxCost() {
				return changed, fmt.Errorf("link %q: metric %d is outside 1..%d", lk.ID, e.cost, l.Layout.maxCost())
			}
			if err := l.Configure(ctx, e.end.Node, "interface "+e.end.Interface, l.Layout.costLine(e.cost)); err != nil {
				return changed, err
			}
			e.end.Cost = e.cost
			changed = append(changed, fmt.Sprintf("%s %s cost %d", e.end.Node, e.end.Interface, e.cost))
		}
	}
	return changed, l.save()
}

// ResetCosts sets every interface's IGP metric (OSPF cost or IS-IS
// metric) back to the lab's layout (the model's metrics when it was
// built, or as SetMetrics last set them), whatever was configured since.
func (l *Lab) ResetCosts(ctx context.Context) error {
	for _, lk := range l.Layout.Links {
		for _, e := range []End{lk.A, lk.B} {
			if err := l.Configure(ctx, e.Node, "interface "+e.Interface, l.Layout.costLine(e.Cost)); err != nil {
				return fmt.Errorf("reset %s %s: %w", e.Node, e.Interface, err)
			}
		}
	}
	return nil
}
