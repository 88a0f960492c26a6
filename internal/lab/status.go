package lab

import (
	"context"
	"os"
	"path/filepath"
	"strings"
)

// RouterStatus is one router in Status.
type RouterStatus struct {
	Name      string
	Namespace string
	Loopback  string
	SSHPort   int
	NSExists  bool // namespace exists
	Daemons   int  // recorded daemons alive
	Adjacent  int  // IGP adjacencies up (OSPF Full, IS-IS Up)
	Links     int  // veths
}

// Status reports, per router, whether its namespace and daemons are
// there and how many IGP adjacencies are up, and whether every one of
// the lab's sshds runs.
func (l *Lab) Status(ctx context.Context) ([]RouterStatus, bool) {
	var out []RouterStatus
	for _, nd := range l.Layout.Nodes {
		rs := RouterStatus{Name: nd.Name, Namespace: nd.Namespace, Loopback: nd.Loopback.String(), SSHPort: nd.SSHPort, Links: len(l.Layout.Ends(nd.Name))}
		if _, err := os.Stat(filepath.Join("/run/netns", nd.Namespace)); err == nil {
			rs.NSExists = true
		}
		for _, p := range l.Procs {
			if strings.HasPrefix(p.Role, nd.Name+" ") && procAlive(p.PID) && procComm(p.PID) == p.Comm {
				rs.Daemons++
			}
		}
		rs.Adjacent, _ = l.Adjacencies(ctx, nd.Name)
		out = append(out, rs)
	}
	sshds, running := 0, 0
	for _, p := range l.Procs {
		if p.Role == "sshd" || strings.HasPrefix(p.Role, "sshd ") {
			sshds++
			if procAlive(p.PID) && procComm(p.PID) == p.Comm {
				running++
			}
		}
	}
	return out, sshds > 0 && running == sshds
}
