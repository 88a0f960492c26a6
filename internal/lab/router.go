package lab

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
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

// startRouter writes a router's configs and starts zebra and the IGP's
// daemon (ospfd or isisd) in its namespace, with /run and /var/tmp bound
// to the router's directory so nothing FRR writes there (ospfd-gr.json,
// /var/tmp/frr) is shared or lands on the host.
func (l *Lab) startRouter(ctx context.Context, nd NodeLayout) error {
	uid, gid, vty, err := frrIDs()
	if err != nil {
		return err
	}
	d := l.nodeDir(nd)
	for _, sub := range []string{"etc", "run", "log", "root-run/frr", "var-tmp"} {
		if err := os.MkdirAll(filepath.Join(d, sub), 0o755); err != nil {
			return err
		}
	}
	for _, sub := range []string{"etc", "run", "log", "root-run/frr", "var-tmp"} {
		if err := os.Chown(filepath.Join(d, sub), uid, vty); err != nil {
			return err
		}
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
			return err
		}
		if err := os.Chown(p, uid, vty); err != nil {
			return err
		}
	}
	_ = gid
	bin := filepath.Join(l.Dir, "bin")
	common := fmt.Sprintf("--vty_socket %[1]s/run -z %[1]s/run/zserv.api -P 0", d)
	script := fmt.Sprintf(`mount -n --bind %[1]s/root-run /run
mount -n --bind %[1]s/var-tmp /var/tmp
%[2]s/cg-zebra -d -f %[1]s/etc/zebra.conf -i %[1]s/run/zebra.pid %[3]s
%[2]s/cg-%[4]s -d -f %[1]s/etc/%[4]s.conf -i %[1]s/run/%[4]s.pid %[3]s
`, d, bin, common, igpd)
	// Record the namespace's processes even if the daemons' pid files
	// never appear: Down also kills whatever runs in the namespace.
	if err := runDaemonizing(ctx, filepath.Join(d, "log", "start.log"), "ip", "netns", "exec", nd.Namespace, "sh", "-ec", script); err != nil {
		return err
	}
	for _, daemon := range []string{"zebra", igpd} {
		pid, err := waitPidFile(ctx, filepath.Join(d, "run", daemon+".pid"), 10*time.Second)
		if err != nil {
			return fmt.Errorf("%s: %w: %s", daemon, err, daemonFailure(filepath.Join(d, "log", "start.log"), filepath.Join(d, "log", daemon+".log")))
		}
		l.Procs = append(l.Procs, Proc{PID: pid, Comm: "cg-" + daemon, Role: nd.Name + " " + daemon})
	}
	return l.save()
}
