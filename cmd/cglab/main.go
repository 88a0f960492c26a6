// Command cglab drives the lab harness (package internal/lab) for the
// Makefile's lab-up, lab-down and lab-status targets:
//
//	cglab up     [-name N] [-state DIR] [-base-port P] [-scale S] [-igp ospf|isis] [-timeout D] TOPOLOGY
//	cglab down   [-name N | -state DIR | TOPOLOGY]
//	cglab status [-name N | -state DIR | TOPOLOGY]
//	cglab list
//
// TOPOLOGY is a changegate topology file, or a Topology Zoo GraphML file
// (*.graphml), imported as zoo.Import does (10G where the file gives
// no capacity, OSPF, the lab's loopbacks). -igp overrides the topology's
// IGP. The lab name defaults to the topology file's base name without its
// extension (examples/april-2011.yaml -> april-2011), so up and down given
// the same file agree without parsing it again.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/lab"
	"github.com/changegate/changegate/internal/lab/zoo"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/userfile"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `usage:
  cglab up     [-name N] [-state DIR] [-base-port P] [-scale S] [-igp ospf|isis] [-timeout D] TOPOLOGY
               (TOPOLOGY: a topology file, or a Topology Zoo .graphml file)
  cglab down   [-name N | -state DIR | TOPOLOGY]
  cglab status [-name N | -state DIR | TOPOLOGY]
  cglab list
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	verb := args[0]
	fs := flag.NewFlagSet("cglab "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "lab name (default: the topology file's base name)")
	state := fs.String("state", "", "state directory (default /tmp/cg-lab-<name>)")
	basePort := fs.Int("base-port", 2201, "SSH port of the first router; router i gets base+i (0: any free ports)")
	scale := fs.Float64("scale", lab.DefaultCapacityScale, "divide model capacities by this for tc (1000: 10G -> 10 Mbit/s)")
	timeout := fs.Duration("timeout", 3*time.Minute, "give up on up after this long")
	igp := fs.String("igp", "", "run this IGP (ospf or isis) whatever the topology says")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	topo := fs.Arg(0)
	dir := *state
	if dir == "" {
		n := *name
		if n == "" && topo != "" {
			n = strings.TrimSuffix(filepath.Base(topo), filepath.Ext(topo))
		}
		if n != "" {
			dir = lab.DefaultStateDir(n)
			*name = n
		}
	}
	var err error
	switch verb {
	case "up":
		if topo == "" {
			fmt.Fprint(stderr, usage)
			return 2
		}
		ctx, cancel := context.WithTimeout(ctx, *timeout)
		defer cancel()
		err = up(ctx, topo, *igp, lab.Options{Name: *name, StateDir: dir, BasePort: *basePort, CapacityScale: *scale, Log: stdout}, stdout, stderr)
	case "down":
		if dir == "" {
			fmt.Fprint(stderr, usage)
			return 2
		}
		err = down(ctx, dir, stdout)
	case "status":
		if dir == "" {
			fmt.Fprint(stderr, usage)
			return 2
		}
		err = status(ctx, dir, stdout)
	case "list":
		err = list(stdout)
	default:
		fmt.Fprintf(stderr, "cglab: unknown command %q\n%s", verb, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "cglab %s: %v\n", verb, err)
		return 1
	}
	return 0
}

func up(ctx context.Context, path, igp string, opts lab.Options, stdout, stderr io.Writer) error {
	t0 := time.Now()
	switch igp {
	case "", topology.IGPOSPF, topology.IGPISIS:
	default:
		return fmt.Errorf("-igp %q: use ospf or isis", igp)
	}
	n, err := load(ctx, path, stderr)
	if err != nil {
		return err
	}
	if igp != "" {
		n.IGP = igp
	}
	l, err := lab.Up(ctx, n, opts)
	if err != nil {
		return err
	}
	igpName := "OSPF"
	if l.Layout.IGP == topology.IGPISIS {
		igpName = "IS-IS"
	}
	fmt.Fprintf(stdout, "lab %s up in %.1fs: %d routers, %d links, %s", l.Name, time.Since(t0).Seconds(), len(l.Layout.Nodes), len(l.Layout.Links), igpName)
	if len(l.Layout.Skipped) > 0 {
		fmt.Fprintf(stdout, " (down, not built: %s)", strings.Join(l.Layout.Skipped, ", "))
	}
	fmt.Fprintf(stdout, "\nstate:       %s\nuser:        %s\nkey:         %s\nknown_hosts: %s\npassword:    %s\ninventory:   %s\n\n",
		l.Dir, l.User, l.KeyFile(), l.KnownHostsFile(), l.PasswordFile(), l.InventoryFile())
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ROUTER\tNAMESPACE\tLOOPBACK\tSSH")
	for _, nd := range l.Layout.Nodes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t127.0.0.1:%d\n", nd.Name, nd.Namespace, nd.Loopback, nd.SSHPort)
	}
	tw.Flush()
	if len(l.Layout.Nodes) > 0 {
		show := "show ip ospf neighbor"
		if l.Layout.IGP == topology.IGPISIS {
			show = "show isis neighbor"
		}
		args, _ := l.SSHArgs(l.Layout.Nodes[0].Name, show)
		fmt.Fprintf(stdout, "\ntry: ssh %s\n", strings.Join(args, " "))
	}
	fmt.Fprintf(stdout, "down: go run ./cmd/cglab down -state %s\n", l.Dir)
	return nil
}

// load reads the topology file at path, or imports it when it is a
// Topology Zoo GraphML file, printing the diagnostics to stderr.
func load(ctx context.Context, path string, stderr io.Writer) (*topology.Network, error) {
	var n *topology.Network
	var ds diag.Diagnostics
	var err error
	if strings.EqualFold(filepath.Ext(path), ".graphml") {
		n, ds, err = zoo.Import(path)
	} else {
		n, ds, err = topology.LoadFile(ctx, path, userfile.Scope{})
	}
	for _, d := range ds {
		fmt.Fprintln(stderr, d)
	}
	if ds.HasErrors() { // printed above, whether or not err repeats them
		return nil, fmt.Errorf("%s: invalid topology", path)
	}
	if err != nil {
		return nil, err
	}
	return n, nil
}

func down(ctx context.Context, dir string, stdout io.Writer) error {
	l, err := lab.Open(dir)
	if errors.Is(err, lab.ErrNoLab) {
		fmt.Fprintf(stdout, "no lab in %s\n", dir)
		return nil
	}
	if err != nil {
		return err
	}
	t0 := time.Now()
	if err := l.Down(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "lab %s down in %.2fs: removed %d namespaces, %d processes, user %s, %s\n",
		l.Name, time.Since(t0).Seconds(), len(l.Namespaces), len(l.Procs), l.User, dir)
	return nil
}

func status(ctx context.Context, dir string, stdout io.Writer) error {
	l, err := lab.Open(dir)
	if err != nil {
		return err
	}
	rs, sshd := l.Status(ctx)
	fmt.Fprintf(stdout, "lab %s (%s), ready %v, sshd running %v\n", l.Name, l.Dir, l.Ready, sshd)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ROUTER\tNAMESPACE\tNS\tDAEMONS\tADJACENCIES UP\tSSH")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%s\t%v\t%d/2\t%d/%d\t127.0.0.1:%d\n", r.Name, r.Namespace, r.NSExists, r.Daemons, r.Adjacent, r.Links, r.SSHPort)
	}
	return tw.Flush()
}

func list(stdout io.Writer) error {
	dirs, err := lab.StateDirs()
	if err != nil {
		return err
	}
	for _, d := range dirs {
		fmt.Fprintln(stdout, d)
	}
	return nil
}
