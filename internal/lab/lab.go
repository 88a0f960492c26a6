package lab

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/changegate/changegate/internal/observe"
	"github.com/changegate/changegate/internal/topology"
)

// System binaries the lab runs.
const (
	frrZebra = "/usr/lib/frr/zebra"
	frrOspfd = "/usr/lib/frr/ospfd"
	frrIsisd = "/usr/lib/frr/isisd"
	sshdBin  = "/usr/sbin/sshd"
)

// Options configure Up. They set values and do no I/O.
type Options struct {
	// Name of the lab (sanitised to a-z, 0-9, -); required.
	Name string
	// StateDir holds configs, keys, logs and the state file; default
	// DefaultStateDir(Name). Its base name must start with "cg-".
	StateDir string
	// Prefix of namespace names; default "cg-".
	Prefix string
	// BasePort gives router i the SSH port BasePort+i; 0 picks free ports.
	BasePort int
	// CapacityScale divides model capacities for tc; default
	// DefaultCapacityScale (10G -> 10 Mbit/s).
	CapacityScale float64
	// ConvergeTimeout bounds the wait for every adjacency to be up (OSPF
	// Full, IS-IS Up); default 30 s. NoWait skips the wait.
	ConvergeTimeout time.Duration
	NoWait          bool
	// Ephemeral marks a test lab that a later test run may remove once
	// the process that made it is gone (see SweepStale).
	Ephemeral bool
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// Lab is a running lab.
type Lab struct {
	State
	log io.Writer
}

// Up builds the lab for n. On error everything created so far is removed
// before Up returns; if the process dies instead, Down on the state
// directory removes it.
func Up(ctx context.Context, n *topology.Network, opts Options) (*Lab, error) {
	if opts.Name == "" || sanitize(opts.Name) == "" {
		return nil, errors.New("lab up: a lab name is required")
	}
	name := sanitize(opts.Name)
	if opts.Prefix == "" {
		opts.Prefix = "cg-"
	}
	if opts.CapacityScale == 0 {
		opts.CapacityScale = DefaultCapacityScale
	}
	if opts.StateDir == "" {
		opts.StateDir = DefaultStateDir(name)
	}
	if opts.ConvergeTimeout == 0 {
		opts.ConvergeTimeout = 30 * time.Second
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	dir, err := filepath.Abs(opts.StateDir)
	if err != nil {
		return nil, fmt.Errorf("lab up: %w", err)
	}
	if !strings.HasPrefix(filepath.Base(dir), "cg-") {
		return nil, fmt.Errorf("lab up: state directory %s must start with cg-", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, stateFile)); err == nil {
		return nil, fmt.Errorf("lab up: %s already holds a lab; take it down first (cglab down -state %s)", dir, dir)
	}
	if err := Preflight(); err != nil {
		return nil, fmt.Errorf("lab up: %w", err)
	}
	ports, err := pickPorts(len(n.Nodes), opts.BasePort)
	if err != nil {
		return nil, fmt.Errorf("lab up: %w", err)
	}
	lay, err := PlanLayout(n, opts.Prefix, opts.CapacityScale, ports)
	if err != nil {
		return nil, fmt.Errorf("lab up: %w", err)
	}
	for _, nd := range lay.Nodes {
		if _, err := os.Stat(filepath.Join("/run/netns", nd.Namespace)); err == nil {
			return nil, fmt.Errorf("lab up: namespace %s already exists (another lab? see `cglab list`, `cglab down`)", nd.Namespace)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lab up: %w", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lab up: %w", err)
	}
	l := &Lab{State: State{
		Name: name, Dir: dir, Prefix: opts.Prefix, Created: time.Now().UTC(),
		OwnerPID: os.Getpid(), Ephemeral: opts.Ephemeral, Layout: lay,
	}, log: opts.Log}
	if err := l.save(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("lab up: %w", err)
	}
	if err := l.build(ctx, opts); err != nil {
		// Clean up with a fresh context: ctx may be what failed.
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if derr := l.Down(dctx); derr != nil {
			return nil, fmt.Errorf("lab up: %w (and cleanup failed: %v; run cglab down -state %s)", err, derr, dir)
		}
		return nil, fmt.Errorf("lab up: %w", err)
	}
	l.Ready = true
	if err := l.save(); err != nil {
		return l, fmt.Errorf("lab up: %w", err)
	}
	return l, nil
}

// Preflight checks that this process can build a lab: root, working
// `ip netns`, and the FRR, OpenSSH and iproute2 binaries. Its error says
// what is missing.
func Preflight() error {
	if os.Geteuid() != 0 {
		return errors.New("must run as root (network namespaces, veth, tc, useradd)")
	}
	var missing []string
	for _, f := range []string{frrZebra, frrOspfd, frrIsisd, sshdBin} {
		if _, err := os.Stat(f); err != nil {
			missing = append(missing, f)
		}
	}
	for _, c := range []string{"ip", "tc", "vtysh", "ssh-keygen", "ssh", "useradd", "userdel", "chpasswd", "unshare", "mount"} {
		if _, err := exec.LookPath(c); err != nil {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing %s (apt-get install -y frr openssh-server iproute2)", strings.Join(missing, ", "))
	}
	if out, err := exec.Command("ip", "netns", "list").CombinedOutput(); err != nil {
		return fmt.Errorf("ip netns does not work: %v: %s", err, bytes.TrimSpace(out))
	}
	return nil
}

func pickPorts(n, base int) ([]int, error) {
	ports := make([]int, n)
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for i := range n {
		addr := "127.0.0.1:0"
		if base > 0 {
			addr = "127.0.0.1:" + strconv.Itoa(base+i)
		}
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("ssh port for router %d: %w", i+1, err)
		}
		ls = append(ls, l)
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports, nil
}

func (l *Lab) logf(format string, args ...any) {
	if l.log != nil {
		fmt.Fprintf(l.log, format+"\n", args...)
	}
}

// run runs a command and returns its output; the error carries the
// command and its output.
func run(ctx context.Context, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return out.String(), nil
}

// runDaemonizing runs a command that starts daemons, with its output in
// the file logPath rather than a pipe: a daemon that keeps the pipe open
// would make Run wait for it.
func runDaemonizing(ctx context.Context, logPath, name string, args ...string) error {
	f, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer f.Close()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Run(); err != nil {
		out, _ := os.ReadFile(logPath)
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

func (l *Lab) build(ctx context.Context, opts Options) error {
	t0 := time.Now()
	bin := filepath.Join(l.Dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	// The kernel names a process after the file it exec'd, so daemons
	// started through these links show as cg-zebra, cg-ospfd, cg-isisd,
	// cg-sshd.
	vtyshPath, _ := exec.LookPath("vtysh")
	for link, target := range map[string]string{"cg-zebra": frrZebra, "cg-ospfd": frrOspfd, "cg-isisd": frrIsisd, "cg-sshd": sshdBin, "cg-vtysh": vtyshPath} {
		if err := os.Symlink(target, filepath.Join(bin, link)); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(bin, "cg-login"), []byte(loginScript(l.Dir)), 0o755); err != nil {
		return err
	}

	lay := l.Layout
	for _, nd := range lay.Nodes {
		l.Namespaces = append(l.Namespaces, nd.Namespace)
		if err := l.save(); err != nil {
			return err
		}
		if _, err := run(ctx, "ip", "netns", "add", nd.Namespace); err != nil {
			return err
		}
		if _, err := run(ctx, "ip", "-n", nd.Namespace, "link", "set", "lo", "up"); err != nil {
			return err
		}
		if _, err := run(ctx, "ip", "-n", nd.Namespace, "addr", "add", nd.Loopback.String()+"/32", "dev", "lo"); err != nil {
			return err
		}
	}
	for _, lk := range lay.Links {
		a, _ := lay.Node(lk.A.Node)
		b, _ := lay.Node(lk.B.Node)
		// Created directly in the namespaces, never in the host's.
		if _, err := run(ctx, "ip", "link", "add", lk.A.Interface, "netns", a.Namespace, "type", "veth", "peer", "name", lk.B.Interface, "netns", b.Namespace); err != nil {
			return fmt.Errorf("link %s: %w", lk.ID, err)
		}
		for _, e := range []struct {
			ns  string
			end End
		}{{a.Namespace, lk.A}, {b.Namespace, lk.B}} {
			if _, err := run(ctx, "ip", "-n", e.ns, "addr", "add", e.end.Addr.String(), "dev", e.end.Interface); err != nil {
				return err
			}
			if _, err := run(ctx, "ip", "-n", e.ns, "link", "set", e.end.Interface, "up"); err != nil {
				return err
			}
			if _, err := run(ctx, "tc", tbfArgs(e.ns, e.end.Interface, lk.ShapedBps)...); err != nil {
				return err
			}
		}
	}
	l.logf("namespaces and links: %d routers, %d links (%.2fs)", len(lay.Nodes), len(lay.Links), time.Since(t0).Seconds())

	t1 := time.Now()
	for _, nd := range lay.Nodes {
		if err := l.startRouter(ctx, nd); err != nil {
			return fmt.Errorf("router %s: %w", nd.Name, err)
		}
	}
	l.logf("FRR daemons started (%.2fs)", time.Since(t1).Seconds())
	if err := l.startSSH(ctx); err != nil {
		return fmt.Errorf("ssh: %w", err)
	}
	if !opts.NoWait {
		t2 := time.Now()
		wctx, cancel := context.WithTimeout(ctx, opts.ConvergeTimeout)
		defer cancel()
		if err := l.WaitConverged(wctx); err != nil {
			return err
		}
		l.logf("%s converged (%.2fs)", igpName(lay.igp()), time.Since(t2).Seconds())
	}
	return nil
}

// tbfArgs shapes egress of one veth end to rate bit/s: a token bucket
// with a 10 ms burst (at least 3000 bytes) and 50 ms of queue.
func tbfArgs(ns, dev string, rate float64) []string {
	burst := int64(rate / 8 / 100)
	if burst < 3000 {
		burst = 3000
	}
	return []string{"-n", ns, "qdisc", "replace", "dev", dev, "root", "tbf",
		"rate", strconv.FormatInt(int64(rate), 10) + "bit", "burst", strconv.FormatInt(burst, 10), "latency", "50ms"}
}

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
		pid, err := waitPidFile(ctx, filepath.Join(d, "run", daemon+".pid"), 5*time.Second)
		if err != nil {
			return fmt.Errorf("%s: %w (log: %s)", daemon, err, filepath.Join(d, "log", daemon+".log"))
		}
		l.Procs = append(l.Procs, Proc{PID: pid, Comm: "cg-" + daemon, Role: nd.Name + " " + daemon})
	}
	return l.save()
}

func waitPidFile(ctx context.Context, path string, limit time.Duration) (int, error) {
	deadline := time.Now().Add(limit)
	for {
		data, err := os.ReadFile(path)
		if err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && pid > 0 {
				return pid, nil
			}
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("no pid file %s after %s", path, limit)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// startSSH generates the host and client keys, the login user, the
// known_hosts file and sshd's config, and starts the lab's sshd.
func (l *Lab) startSSH(ctx context.Context) error {
	sshDir := filepath.Join(l.Dir, "ssh")
	if err := os.MkdirAll(filepath.Join(sshDir, "var-log"), 0o700); err != nil {
		return err
	}
	os.Chmod(sshDir, 0o755) // the login user traverses it to nothing; keys stay 0600
	for _, k := range []string{filepath.Join(sshDir, "host_ed25519"), l.KeyFile()} {
		if _, err := run(ctx, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "cg-lab-"+l.Name, "-f", k); err != nil {
			return err
		}
	}
	hostPub, err := os.ReadFile(filepath.Join(sshDir, "host_ed25519.pub"))
	if err != nil {
		return err
	}
	f := strings.Fields(string(hostPub))
	var kh strings.Builder
	for _, nd := range l.Layout.Nodes {
		fmt.Fprintf(&kh, "[127.0.0.1]:%d %s %s\n", nd.SSHPort, f[0], f[1])
	}
	if err := os.WriteFile(l.KnownHostsFile(), []byte(kh.String()), 0o644); err != nil {
		return err
	}
	userPub, err := os.ReadFile(l.KeyFile() + ".pub")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(sshDir, "authorized_keys"), userPub, 0o644); err != nil {
		return err
	}
	if err := l.createUser(ctx); err != nil {
		return err
	}
	conf := filepath.Join(sshDir, "sshd_config")
	if err := os.WriteFile(conf, []byte(sshdConf(l.Dir, l.Layout, l.User)), 0o644); err != nil {
		return err
	}
	// sshd needs /run/sshd, which exists only once the system service has
	// run, and writes utmp/wtmp/lastlog: give it a private mount namespace
	// with its own /run and /var/log instead of touching the host's.
	script := fmt.Sprintf(`mount -n -t tmpfs -o mode=755 cg-sshd-run /run
mkdir -m 755 /run/sshd
mount -n --bind %[1]s/var-log /var/log
%[2]s -t -f %[3]s
exec %[2]s -f %[3]s
`, sshDir, filepath.Join(l.Dir, "bin", "cg-sshd"), conf)
	if err := runDaemonizing(ctx, filepath.Join(sshDir, "start.log"), "unshare", "-m", "--propagation", "private", "sh", "-ec", script); err != nil {
		return err
	}
	pid, err := waitPidFile(ctx, filepath.Join(sshDir, "sshd.pid"), 5*time.Second)
	if err != nil {
		return fmt.Errorf("sshd: %w", err)
	}
	l.Procs = append(l.Procs, Proc{PID: pid, Comm: "cg-sshd", Role: "sshd"})
	if err := l.save(); err != nil {
		return err
	}
	for _, nd := range l.Layout.Nodes {
		if err := waitPort(ctx, nd.SSHPort, 5*time.Second); err != nil {
			return err
		}
	}
	return os.WriteFile(l.InventoryFile(), l.inventory(), 0o644)
}

// createUser adds the lab's login user (group frrvty, for the vtysh
// sockets) with a random password kept in the state directory.
func (l *Lab) createUser(ctx context.Context) error {
	name := "cg-" + l.Name
	if len(name) > 31 {
		name = strings.TrimRight(name[:31], "-")
	}
	if _, err := user.Lookup(name); err == nil {
		return fmt.Errorf("user %s already exists (left by a lab that was not taken down?)", name)
	}
	l.User, l.UserCreated = name, true
	if err := l.save(); err != nil {
		return err
	}
	home := filepath.Join(l.Dir, "home")
	if _, err := run(ctx, "useradd", "--system", "--no-create-home", "--home-dir", home, "--shell", "/bin/sh", "--gid", "frrvty", name); err != nil {
		return err
	}
	u, err := user.Lookup(name)
	if err != nil {
		return err
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.MkdirAll(home, 0o700); err != nil {
		return err
	}
	if err := os.Chown(home, uid, gid); err != nil {
		return err
	}
	pw := make([]byte, 12)
	rf, err := os.Open("/dev/urandom")
	if err != nil {
		return err
	}
	_, err = io.ReadFull(rf, pw)
	rf.Close()
	if err != nil {
		return err
	}
	pass := fmt.Sprintf("cg-%x", pw)
	if err := os.WriteFile(l.PasswordFile(), []byte(pass+"\n"), 0o600); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "chpasswd")
	cmd.Stdin = strings.NewReader(name + ":" + pass + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("chpasswd: %w: %s", err, out)
	}
	return nil
}

func waitPort(ctx context.Context, port int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("sshd not listening on %s: %w", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

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

// Adjacencies counts a router's IGP adjacencies that are up: OSPF
// neighbours in state Full, or IS-IS adjacencies in state Up.
func (l *Lab) Adjacencies(ctx context.Context, node string) (int, error) {
	if l.Layout.igp() == topology.IGPISIS {
		out, err := l.Vtysh(ctx, node, "show isis neighbor json")
		if err != nil {
			return 0, err
		}
		return countUp([]byte(out))
	}
	out, err := l.Vtysh(ctx, node, "show ip ospf neighbor json")
	if err != nil {
		return 0, err
	}
	return countFull([]byte(out))
}

// countFull counts the neighbours in state Full in the JSON of FRR's
// `show ip ospf neighbor json`.
func countFull(data []byte) (int, error) {
	var v struct {
		Neighbors map[string][]struct {
			NbrState string `json:"nbrState"`
			State    string `json:"state"`
		} `json:"neighbors"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return 0, fmt.Errorf("parse ospf neighbors: %w", err)
	}
	n := 0
	for _, ns := range v.Neighbors {
		for _, nb := range ns {
			st := nb.NbrState
			if st == "" {
				st = nb.State
			}
			if strings.HasPrefix(st, "Full") {
				n++
			}
		}
	}
	return n, nil
}

// countUp counts the adjacencies in state Up in the JSON of FRR 8.4's
// `show isis neighbor json`: {"areas": [{"circuits": [{"adj": "b",
// "interface": "cg-b", "state": "Up", ...}, ...]}]}, where circuits
// without an adjacency (the passive loopback) have no state.
func countUp(data []byte) (int, error) {
	var v struct {
		Areas []struct {
			Circuits []struct {
				State string `json:"state"`
			} `json:"circuits"`
		} `json:"areas"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return 0, fmt.Errorf("parse isis neighbors: %w", err)
	}
	n := 0
	for _, a := range v.Areas {
		for _, c := range a.Circuits {
			if c.State == "Up" {
				n++
			}
		}
	}
	return n, nil
}

// WaitConverged waits until every router has an adjacency up on every
// link of the lab (OSPF Full: the databases are exchanged). On IS-IS,
// where an adjacency comes up before the LSPs that carry it, it also
// waits until every router holds the current LSP of every router it is
// connected to, each router's own LSP lists all its adjacencies, and no
// SPF run is pending.
func (l *Lab) WaitConverged(ctx context.Context) error {
	for {
		pending := ""
		for _, nd := range l.Layout.Nodes {
			want := len(l.Layout.Ends(nd.Name))
			got, err := l.Adjacencies(ctx, nd.Name)
			if err != nil || got < want {
				pending = fmt.Sprintf("%s has %d of %d adjacencies up", nd.Name, got, want)
				if err != nil {
					pending += ": " + err.Error()
				}
				break
			}
		}
		if pending == "" && l.Layout.igp() == topology.IGPISIS {
			pending = l.isisPending(ctx)
		}
		if pending == "" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not converged: %s: %w", l.Layout.igp(), pending, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// isisPending says what keeps the IS-IS routers from having converged,
// or "" when nothing does: see WaitConverged.
func (l *Lab) isisPending(ctx context.Context) string {
	own := map[string]uint32{}             // router -> its own L2 LSP's sequence number
	held := map[string]map[string]uint32{} // router -> system -> sequence number it holds
	system := map[string]string{}          // router -> the name its LSPs go by
	for _, nd := range l.Layout.Nodes {
		out, err := l.Vtysh(ctx, nd.Name, "show isis database detail")
		if err != nil {
			return fmt.Sprintf("%s: %v", nd.Name, err)
		}
		lsps, err := observe.ParseFRRISISDatabase(nd.Name, []byte(out))
		if err != nil {
			return err.Error()
		}
		held[nd.Name] = map[string]uint32{}
		adjs := 0
		for _, lsp := range lsps {
			if lsp.Level != 2 || lsp.Pseudonode != 0 || lsp.Fragment != 0 {
				continue
			}
			held[nd.Name][lsp.System] = lsp.Seq
			if lsp.Own {
				own[nd.Name], system[nd.Name] = lsp.Seq, lsp.System
				adjs = len(lsp.Neighbors)
			}
		}
		if want := len(l.Layout.Ends(nd.Name)); adjs < want {
			return fmt.Sprintf("%s's LSP lists %d of its %d adjacencies", nd.Name, adjs, want)
		}
		out, err = l.Vtysh(ctx, nd.Name, "show isis summary json")
		if err != nil {
			return fmt.Sprintf("%s: %v", nd.Name, err)
		}
		if spfPending([]byte(out)) {
			return nd.Name + " has an SPF run pending"
		}
	}
	for _, nd := range l.Layout.Nodes {
		for _, other := range l.Layout.connected(nd.Name) {
			if seq, ok := held[nd.Name][system[other]]; !ok || seq != own[other] {
				return fmt.Sprintf("%s does not hold %s's current LSP", nd.Name, other)
			}
		}
	}
	return ""
}

// spfPending reports whether FRR's `show isis summary json` says an SPF
// run is pending on some level ("spf": "pending"; FRR 8.4 prints "no
// pending" otherwise). Output that does not read is taken as pending.
func spfPending(data []byte) bool {
	var v struct {
		Areas []struct {
			Levels []struct {
				SPF string `json:"spf"`
			} `json:"levels"`
		} `json:"areas"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return true
	}
	for _, a := range v.Areas {
		for _, lv := range a.Levels {
			if lv.SPF != "" && lv.SPF != "no pending" {
				return true
			}
		}
	}
	return false
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

// SSHArgs returns the arguments for the system ssh client to run command
// on router node over the lab's sshd, with strict host-key checking
// against the lab's known_hosts file. An empty command opens vtysh.
func (l *Lab) SSHArgs(node, command string) ([]string, error) {
	nd, ok := l.Layout.Node(node)
	if !ok {
		return nil, fmt.Errorf("no router %q in the lab", node)
	}
	args := []string{"-p", strconv.Itoa(nd.SSHPort), "-i", l.KeyFile(),
		"-o", "UserKnownHostsFile=" + l.KnownHostsFile(), "-o", "StrictHostKeyChecking=yes",
		"-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "GlobalKnownHostsFile=/dev/null",
		"-o", "ConnectTimeout=5", "-o", "LogLevel=ERROR",
		l.User + "@127.0.0.1"}
	if command != "" {
		args = append(args, command)
	}
	return args, nil
}

// SSH runs command on router node over real SSH (system ssh client).
func (l *Lab) SSH(ctx context.Context, node, command string) (string, error) {
	args, err := l.SSHArgs(node, command)
	if err != nil {
		return "", err
	}
	return run(ctx, "ssh", args...)
}

// Down removes everything the state lists: it kills the recorded
// processes (after checking each one's name), whatever still runs in the
// lab's namespaces or as the lab's user, deletes the namespaces (their
// veths and qdiscs go with them), the user if the lab created it, and the
// state directory. It carries on past errors and reports them all; a
// second Down after a partial one finishes the job.
func (l *Lab) Down(ctx context.Context) error {
	var errs []error
	var pids []int
	for _, p := range l.Procs {
		if procComm(p.PID) == p.Comm {
			pids = append(pids, p.PID)
		}
	}
	// sshd runs in the host's network namespace: if Up died between
	// starting it and recording it, its pid file still names it.
	if data, err := os.ReadFile(filepath.Join(l.Dir, "ssh", "sshd.pid")); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && procComm(pid) == "cg-sshd" {
			pids = append(pids, pid)
		}
	}
	for _, ns := range l.Namespaces {
		if _, err := os.Stat(filepath.Join("/run/netns", ns)); err != nil {
			continue
		}
		out, err := run(ctx, "ip", "netns", "pids", ns)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, f := range strings.Fields(out) {
			if pid, err := strconv.Atoi(f); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	if l.User != "" && l.UserCreated {
		if u, err := user.Lookup(l.User); err == nil {
			pids = append(pids, procsOfUID(u.Uid)...)
		}
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			errs = append(errs, fmt.Errorf("kill %d: %w", pid, err))
		}
	}
	waitGone(ctx, pids, 5*time.Second)
	for _, ns := range l.Namespaces {
		if _, err := os.Stat(filepath.Join("/run/netns", ns)); err != nil {
			continue
		}
		if _, err := run(ctx, "ip", "netns", "del", ns); err != nil {
			errs = append(errs, err)
		}
	}
	if l.User != "" && l.UserCreated {
		if _, err := user.Lookup(l.User); err == nil {
			if _, err := run(ctx, "userdel", l.User); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if len(errs) == 0 {
		if err := os.RemoveAll(l.Dir); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("lab down %s: %w", l.Name, err)
	}
	return nil
}

// procComm is the kernel's name for pid, "" when it is gone.
func procComm(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// procAlive reports whether pid exists and is not a zombie (PID 1 may
// reap late, so kill -0 is not enough).
func procAlive(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || (s[i+2] != 'Z' && s[i+2] != 'X')
}

func procsOfUID(uid string) []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "Uid:" && f[1] == uid {
				out = append(out, pid)
			}
		}
	}
	return out
}

func waitGone(ctx context.Context, pids []int, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		alive := false
		for _, p := range pids {
			if procAlive(p) {
				alive = true
				break
			}
		}
		if !alive {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

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
// there and how many IGP adjacencies are up, and whether sshd runs.
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
	sshd := false
	for _, p := range l.Procs {
		if p.Role == "sshd" && procAlive(p.PID) && procComm(p.PID) == p.Comm {
			sshd = true
		}
	}
	return out, sshd
}

// SweepStale takes down ephemeral (test) labs whose owning process is
// gone, and returns their directories. Labs from `cglab up` are never
// swept: take them down by name.
func SweepStale(ctx context.Context) ([]string, error) {
	dirs, err := StateDirs()
	if err != nil {
		return nil, err
	}
	var swept []string
	var errs []error
	for _, d := range dirs {
		l, err := Open(d)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !l.Ephemeral || procAlive(l.OwnerPID) {
			continue
		}
		if err := l.Down(ctx); err != nil {
			errs = append(errs, err)
			continue
		}
		swept = append(swept, d)
	}
	return swept, errors.Join(errs...)
}
