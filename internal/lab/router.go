package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

func frrIDs() (uid, gid, vty int, err error) {
	u, err := user.Lookup("frr")
	if err != nil {
		return 0, 0, 0, fmt.Errorf("user frr: %w", err)
	}
	g, err := user.LookupGroup("frrvty")
	if err != nil {
		return 0, 0, 0, fmt.Errorf("group frrvty: %w", err)
	}
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(u.Gid)
	vty, _ = strconv.Atoi(g.Gid)
	return uid, gid, vty, nil
}

// parallelStarts is how many routers start at once: starting one is
// mostly waiting on processes (ip netns exec, mount, the daemons
// daemonizing), so a few at a time roughly halves a large lab's start on
// two cores.
const parallelStarts = 4

// startRouters starts every router of nodes, parallelStarts at a time,
// recording each one's daemons as they start. After a failure no more
// routers start; the error names every router that failed.
func (l *Lab) startRouters(ctx context.Context, nodes []NodeLayout) error {
	var (
		mu     sync.Mutex // l.Procs and the state file
		failed atomic.Bool
		wg     sync.WaitGroup
	)
	errs := make([]error, len(nodes))
	sem := make(chan struct{}, parallelStarts)
	for i, nd := range nodes {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if failed.Load() {
				return
			}
			procs, err := l.startRouter(ctx, nd)
			mu.Lock()
			l.Procs = append(l.Procs, procs...)
			if serr := l.save(); err == nil {
				err = serr
			}
			mu.Unlock()
			if err != nil {
				failed.Store(true)
				errs[i] = fmt.Errorf("router %s: %w", nd.Name, err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// startRouter writes a router's configs and starts zebra and the IGP's
// daemon (ospfd or isisd) in its namespace, with /run and /var/tmp bound
// to the router's directory so nothing FRR writes there (ospfd-gr.json,
// /var/tmp/frr) is shared or lands on the host.
//
// It returns the daemons it started, also on error; Down finds any other
// process in the namespace.
func (l *Lab) startRouter(ctx context.Context, nd NodeLayout) ([]Proc, error) {
	uid, gid, vty, err := frrIDs()
	if err != nil {
		return nil, err
	}
	d := l.nodeDir(nd)
	for _, sub := range []string{"etc", "run", "log", "root-run/frr", "var-tmp"} {
		if err := os.MkdirAll(filepath.Join(d, sub), 0o755); err != nil {
			return nil, err
		}
	}
	for _, sub := range []string{"etc", "run", "log", "root-run/frr", "var-tmp"} {
		if err := os.Chown(filepath.Join(d, sub), uid, vty); err != nil {
			return nil, err
		}
	}
	// The login script reads the kernel's table in this namespace.
	if err := os.WriteFile(filepath.Join(d, "netns"), []byte(nd.Namespace+"\n"), 0o644); err != nil {
		return nil, err
	}
	os.Chmod(filepath.Join(d, "etc"), 0o775)
	os.Chmod(filepath.Join(d, "var-tmp"), 0o1777)
	igpd := igpDaemon(l.Layout.igp())
	files := map[string]string{
		"zebra.conf": zebraConf(l.Layout, nd, filepath.Join(d, "log", "zebra.log")),
		"vtysh.conf": vtyshConf(nd),
	}
	if igpd == "isisd" {
		files["isisd.conf"] = isisdConf(l.Layout, nd, filepath.Join(d, "log", "isisd.log"))
	} else {
		files["ospfd.conf"] = ospfdConf(l.Layout, nd, filepath.Join(d, "log", "ospfd.log"))
	}
	for f, text := range files {
		p := filepath.Join(d, "etc", f)
		if err := os.WriteFile(p, []byte(text), 0o664); err != nil {
			return nil, err
		}
		if err := os.Chown(p, uid, vty); err != nil {
			return nil, err
		}
	}
	_ = gid
	bin := filepath.Join(l.Dir, "bin")
	common := fmt.Sprintf("--vty_socket %[1]s/run -z %[1]s/run/zserv.api -P 0", d)
	// ospfd joins AllSPFRouters on every interface through one socket,
	// and Linux allows a socket igmp_max_memberships groups, 20 by
	// default: a router with more links would hear no hellos on the rest.
	// The setting belongs to the router's namespace; it is written only
	// where needed, so that small labs do not need /proc/sys writable.
	sysctl := ""
	if ends := len(l.Layout.Ends(nd.Name)); ends > 16 {
		sysctl = fmt.Sprintf("echo %d > /proc/sys/net/ipv4/igmp_max_memberships\n", ends+20)
	}
	script := fmt.Sprintf(`%[5]smount -n --bind %[1]s/root-run /run
mount -n --bind %[1]s/var-tmp /var/tmp
%[2]s/cg-zebra -d -f %[1]s/etc/zebra.conf -i %[1]s/run/zebra.pid %[3]s
%[2]s/cg-%[4]s -d -f %[1]s/etc/%[4]s.conf -i %[1]s/run/%[4]s.pid %[3]s
`, d, bin, common, igpd, sysctl)
	// Record the namespace's processes even if the daemons' pid files
	// never appear: Down also kills whatever runs in the namespace.
	if err := runDaemonizing(ctx, filepath.Join(d, "log", "start.log"), "ip", "netns", "exec", nd.Namespace, "sh", "-ec", script); err != nil {
		return nil, err
	}
	var procs []Proc
	for _, daemon := range []string{"zebra", igpd} {
		pid, err := waitPidFile(ctx, filepath.Join(d, "run", daemon+".pid"), 10*time.Second)
		if err != nil {
			return procs, fmt.Errorf("%s: %w: %s", daemon, err, daemonFailure(filepath.Join(d, "log", "start.log"), filepath.Join(d, "log", daemon+".log")))
		}
		procs = append(procs, Proc{PID: pid, Comm: "cg-" + daemon, Role: nd.Name + " " + daemon})
	}
	return procs, nil
}
