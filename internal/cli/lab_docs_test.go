package cli

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/changegate/changegate/internal/lab"
	"github.com/changegate/changegate/internal/testscale"
)

// TestLabVtyshFromHost: docs/lab.md's vtysh command from the host (the
// router's own vty socket directory in the state) reaches the router.
func TestLabVtyshFromHost(t *testing.T) {
	lab.SkipUnlessAvailable(t)
	if _, err := exec.LookPath("vtysh"); err != nil {
		t.Skip("no vtysh")
	}
	l, _ := lab.UpForTest(t, "vtysh", `name: vtysh
igp: ospf
nodes:
  - {name: a, loopback: 198.18.0.1}
  - {name: b, loopback: 198.18.0.2}
links:
  - {a: a, b: b, capacity: 10G, metric: 10}
`)
	for _, nd := range l.Layout.Nodes {
		d := filepath.Join(l.Dir, "nodes", nd.Hostname)
		ctx, cancel := context.WithTimeout(context.Background(), testscale.Timeout(10e9))
		out, err := exec.CommandContext(ctx, "vtysh", "--vty_socket", filepath.Join(d, "run"), "--config_dir", filepath.Join(d, "etc"), "-c", "show running-config").CombinedOutput()
		cancel()
		if err != nil || !strings.Contains(string(out), "hostname "+nd.Hostname) {
			t.Errorf("%s: vtysh from the host: %v\n%s", nd.Name, err, out)
		}
	}
}
