package lab

import (
	"context"
	"fmt"
	"path/filepath"
)

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
