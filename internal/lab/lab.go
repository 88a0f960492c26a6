package lab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

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
	// BasePort gives router i the SSH port BasePort+i; 0 picks free ports
	// below the kernel's ephemeral range (see pickPorts).
	BasePort int
	// CapacityScale divides model capacities for tc; default
	// DefaultCapacityScale (10G -> 10 Mbit/s).
	CapacityScale float64
	// ConvergeTimeout bounds the wait for every adjacency to be up (OSPF
	// Full, IS-IS Up); default 30 s plus 1 s per router (90 s for 60
	// routers: the wait reads every router each round). NoWait skips the
	// wait.
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
// directory removes it. Up first marks every file descriptor of this
// process above 2 close-on-exec, so that the daemons it starts inherit
// none of the caller's open files (and locks); see docs/lab.md for sizes
// and timings.
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
		opts.ConvergeTimeout = 30*time.Second + time.Duration(len(n.Nodes))*time.Second
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
	// Before anything is started: nothing the lab starts may inherit the
	// caller's open files.
	if err := closeInheritedOnExec(); err != nil {
		return nil, fmt.Errorf("lab up: %w", err)
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

// pickPorts returns n SSH ports on 127.0.0.1 that nothing listens on:
// base, base+1, ... when base > 0 (any of them taken is an error), else
// free ports below the kernel's ephemeral range, from a random start.
// Not ephemeral ones: between the pick and sshd's start (seconds on a
// large lab) any outgoing connection on the host may take one of those
// as its local port, and sshd then cannot listen on it.
func pickPorts(n, base int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	if base > 0 {
		ports := make([]int, n)
		for i := range n {
			l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(base+i))
			if err != nil {
				return nil, fmt.Errorf("ssh port for router %d: %w", i+1, err)
			}
			ls = append(ls, l)
			ports[i] = base + i
		}
		return ports, nil
	}
	lo, hi := freePortsLow, ephemeralLow()
	if hi-lo < n {
		return nil, fmt.Errorf("%d ssh ports wanted, %d..%d (below the ephemeral ports) hold %d: give a base port", n, lo, hi-1, hi-lo)
	}
	var ports []int
	start := lo + rand.IntN(hi-lo)
	for k := 0; k < hi-lo && len(ports) < n; k++ {
		p := lo + (start-lo+k)%(hi-lo)
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			continue
		}
		ls = append(ls, l)
		ports = append(ports, p)
	}
	if len(ports) < n {
		return nil, fmt.Errorf("only %d of %d ssh ports free in %d..%d: give a base port", len(ports), n, lo, hi-1)
	}
	return ports, nil
}

// freePortsLow is the lowest port pickPorts picks without a base port.
const freePortsLow = 10000

// ephemeralLow is the first port of the kernel's ephemeral range
// (net.ipv4.ip_local_port_range), 32768 if it cannot be read.
func ephemeralLow() int {
	data, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err == nil {
		if f := strings.Fields(string(data)); len(f) == 2 {
			if v, err := strconv.Atoi(f[0]); err == nil && v > freePortsLow {
				return v
			}
		}
	}
	return 32768
}

func (l *Lab) logf(format string, args ...any) {
	if l.log != nil {
		fmt.Fprintf(l.log, format+"\n", args...)
	}
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
	if err := l.startRouters(ctx, lay.Nodes); err != nil {
		return err
	}
	l.logf("FRR daemons started (%.2fs)", time.Since(t1).Seconds())
	t3 := time.Now()
	if err := l.startSSH(ctx); err != nil {
		return fmt.Errorf("ssh: %w", err)
	}
	l.logf("%d sshd serving %d routers (%.2fs)", len(sshdGroups(l.Dir, lay.Nodes)), len(lay.Nodes), time.Since(t3).Seconds())
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
