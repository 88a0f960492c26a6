package discover

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/changegate/changegate/internal/observe"
	"github.com/changegate/changegate/internal/topology"
)

// Runner runs one command on one device of the inventory and returns
// what it printed (devices/session's Pool is one).
type Runner interface {
	Run(ctx context.Context, device, command string) (string, error)
}

// platforms are the platforms discovery reads, by their names in the
// platform registry, and for each the IGPs it reads and their commands.
// The platforms other than FRR are read on OSPF and IS-IS networks
// (platforms.go): their parsers are verified against recordings written
// from vendors' documentation and published outputs, not against real
// routers.
var platforms = map[string]map[string][]string{
	"frr_vtysh": {
		topology.IGPOSPF: {frrOSPFDatabaseCommand, frrInterfacesCommand},
		topology.IGPISIS: {frrISISDatabaseCommand, frrISISHostnamesCommand, frrInterfacesCommand},
	},
	"cisco_iosxe": {
		topology.IGPOSPF: {iosxeOSPFDatabaseCommand, iosInterfacesCommand},
		topology.IGPISIS: {iosISISDatabaseCommand, iosInterfacesCommand},
	},
	"cisco_iosxr": {
		topology.IGPOSPF: {iosxrOSPFDatabaseCommand, iosInterfacesCommand},
		topology.IGPISIS: {iosISISDatabaseCommand, iosInterfacesCommand},
	},
	"arista_eos": {
		topology.IGPOSPF: {eosOSPFDatabaseCommand, eosInterfacesCommand},
		topology.IGPISIS: {eosISISDatabaseCommand, eosInterfacesCommand},
	},
	"juniper_junos": {
		topology.IGPOSPF: {junosOSPFDatabaseCommand, junosInterfacesCommand},
		topology.IGPISIS: {junosISISDatabaseCommand, junosInterfacesCommand},
	},
	"nokia_srl": {
		topology.IGPOSPF: {srlOSPFDatabaseCommand, srlInterfacesCommand},
		topology.IGPISIS: {srlISISDatabaseCommand, srlInterfacesCommand},
	},
}

// Platforms lists the platforms discovery reads, sorted.
func Platforms() []string {
	var out []string
	for p := range platforms {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// Commands returns the commands Discover runs on a router of platform in
// a network running igp ("ospf" or "isis").
func Commands(platform, igp string) ([]string, error) {
	byIGP, ok := platforms[platform]
	if !ok {
		return nil, fmt.Errorf("discover: platform %q is not supported; supported platforms: %s", platform, strings.Join(Platforms(), ", "))
	}
	cmds, ok := byIGP[igp]
	if !ok {
		var on []string
		for _, g := range []string{topology.IGPOSPF, topology.IGPISIS} {
			if _, ok := byIGP[g]; ok {
				on = append(on, g)
			}
		}
		return nil, fmt.Errorf("discover: platform %q is not read on %q networks (discovery reads it on: %s)", platform, igp, strings.Join(on, ", "))
	}
	return slices.Clone(cmds), nil
}

// Options tunes Discover.
type Options struct {
	// IGP is the network's IGP: topology.IGPOSPF (the default) or
	// topology.IGPISIS.
	IGP string
	// Concurrency is how many devices are read at once (default 16).
	Concurrency int
	// Settle bounds how long Discover keeps reading while the routers'
	// databases differ (the area converging); default 15s. Interval is
	// the wait between reads (default 1s).
	Settle   time.Duration
	Interval time.Duration
}

// Read parses what each device printed (outputs[device][command], every
// command of Commands for igp) and builds the topology (BuildOSPF, or
// BuildISIS for igp "isis"). Every device is read as FRR (frr_vtysh);
// ReadPlatforms reads devices of other platforms.
func Read(igp string, outputs map[string]map[string]string) (*topology.Network, []string, error) {
	return ReadPlatforms(igp, nil, outputs)
}

// ReadPlatforms is Read for devices of any platform discovery reads:
// devices maps a device name to its platform; a device it does not name
// is FRR (frr_vtysh). Routers of different platforms may be read together
// (a mixed area): the database is the same, only how it is printed
// differs.
func ReadPlatforms(igp string, devices map[string]string, outputs map[string]map[string]string) (*topology.Network, []string, error) {
	if igp == "" {
		igp = topology.IGPOSPF
	}
	if _, err := Commands("frr_vtysh", igp); err != nil {
		return nil, nil, err
	}
	names := make([]string, 0, len(outputs))
	for n := range outputs {
		names = append(names, n)
	}
	slices.Sort(names)
	routers := make([]Router, 0, len(names))
	var errs []error
	for _, n := range names {
		platform := cmp.Or(devices[n], "frr_vtysh")
		cmds, err := Commands(platform, igp)
		if err != nil {
			errs = append(errs, fmt.Errorf("device %s: %w", n, err))
			continue
		}
		out := outputs[n]
		missing := false
		for _, c := range cmds {
			if _, ok := out[c]; !ok {
				errs = append(errs, fmt.Errorf("discover %s: no output for %q (run every command of discover.Commands)", n, c))
				missing = true
			}
		}
		if missing {
			continue
		}
		r := Router{Name: n}
		parse := func(c string, f func(name string, data []byte) error) {
			if err := f(fmt.Sprintf("%s %q", n, c), []byte(out[c])); err != nil {
				errs = append(errs, fmt.Errorf("discover %s: %w", n, err))
			}
		}
		if p, ok := readers[platform]; ok {
			if igp == topology.IGPISIS {
				parse(p.isisCommand, func(name string, data []byte) (err error) {
					r.ISIS, err = p.isis(name, data)
					return err
				})
			} else {
				parse(p.databaseCommand, func(name string, data []byte) (err error) {
					r.Database, err = p.database(name, data)
					return err
				})
			}
			parse(p.interfacesCommand, func(name string, data []byte) (err error) {
				r.Interfaces, err = p.interfaces(name, data)
				return err
			})
			ownByAddress(r.ISIS, r.Interfaces)
			routers = append(routers, r)
			continue
		}
		parse(frrInterfacesCommand, func(name string, data []byte) (err error) {
			r.Interfaces, err = ParseFRRInterfaces(name, data)
			return err
		})
		switch igp {
		case topology.IGPISIS:
			parse(frrISISDatabaseCommand, func(name string, data []byte) (err error) {
				r.ISIS, err = observe.ParseFRRISISDatabase(name, data)
				return err
			})
			parse(frrISISHostnamesCommand, func(name string, data []byte) (err error) {
				r.Hostnames, err = ParseFRRISISHostnames(name, data)
				return err
			})
		default:
			parse(frrOSPFDatabaseCommand, func(name string, data []byte) (err error) {
				r.Database, err = ParseFRROSPFDatabase(name, data)
				return err
			})
		}
		routers = append(routers, r)
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	if igp == topology.IGPISIS {
		if frr, other := platformMix(names, devices); frr && other {
			nameNeighborsByHostname(routers)
		}
		return BuildISIS(routers)
	}
	return BuildOSPF(routers)
}

// platformMix says whether devices (names; a device devices does not
// name is FRR) has FRR routers, and routers of other platforms.
func platformMix(names []string, devices map[string]string) (frr, other bool) {
	for _, n := range names {
		if p := cmp.Or(devices[n], "frr_vtysh"); p == "frr_vtysh" {
			frr = true
		} else {
			other = true
		}
	}
	return frr, other
}

// nameNeighborsByHostname writes the IS reachability entries FRR prints
// by system id ("1980.1800.0002.00") with the hostname FRR's hostname
// tables give the system ("b.00"), as the other platforms' parsers write
// them, so that the copies of one database read from FRR and from other
// platforms in a mixed network compare equal. A network of FRR routers
// only is read as printed.
func nameNeighborsByHostname(routers []Router) {
	names := map[string]string{}
	for _, r := range routers {
		for _, h := range r.Hostnames {
			names[h.SystemID] = h.Hostname
		}
	}
	for _, r := range routers {
		for i := range r.ISIS {
			for k, n := range r.ISIS[i].Neighbors {
				if sys, pn, ok := cutPseudonode(n.Neighbor); ok {
					if h, ok := names[strings.ToLower(sys)]; ok {
						r.ISIS[i].Neighbors[k].Neighbor = h + "." + pn
					}
				}
			}
		}
	}
}

// Discover reads the topology of the network made of devices (device
// name -> platform): it runs Commands on every device through r and
// builds the topology (Read). While the routers' databases differ it
// reads again, Interval apart, for up to Settle.
func Discover(ctx context.Context, r Runner, devices map[string]string, opts Options) (*topology.Network, []string, error) {
	igp := opts.IGP
	if igp == "" {
		igp = topology.IGPOSPF
	}
	if len(devices) == 0 {
		return nil, nil, errors.New("discover: the inventory has no devices")
	}
	names := make([]string, 0, len(devices))
	for n := range devices {
		names = append(names, n)
	}
	slices.Sort(names)
	cmds := map[string][]string{}
	var bad []string
	for _, n := range names {
		c, err := Commands(devices[n], igp)
		if err != nil {
			bad = append(bad, fmt.Sprintf("device %s: %v", n, err))
		}
		cmds[n] = c
	}
	if len(bad) > 0 {
		return nil, nil, errors.New(strings.Join(bad, "\n"))
	}
	settle, interval := opts.Settle, opts.Interval
	if settle <= 0 {
		settle = 15 * time.Second
	}
	if interval <= 0 {
		interval = time.Second
	}
	concurrency := opts.Concurrency
	if concurrency <= 0 {
		concurrency = 16
	}
	deadline := time.Now().Add(settle)
	for {
		outputs, err := runAll(ctx, r, names, cmds, concurrency)
		if err != nil {
			return nil, nil, err
		}
		net, warnings, err := ReadPlatforms(igp, devices, outputs)
		if err == nil || !errors.Is(err, ErrNotConverged) || time.Now().After(deadline) {
			return net, warnings, err
		}
		select {
		case <-ctx.Done():
			return nil, nil, fmt.Errorf("%w (and then: %w)", err, context.Cause(ctx))
		case <-time.After(interval):
		}
	}
}

// runAll runs every device's commands, concurrency devices at a time.
func runAll(ctx context.Context, r Runner, names []string, cmds map[string][]string, concurrency int) (map[string]map[string]string, error) {
	outputs := make(map[string]map[string]string, len(names))
	errs := make([]error, len(names))
	var mu sync.Mutex
	var g errgroup.Group
	g.SetLimit(concurrency)
	for i, n := range names {
		g.Go(func() error {
			out := map[string]string{}
			for _, c := range cmds[n] {
				text, err := runNonEmpty(ctx, r, n, c)
				if err != nil {
					errs[i] = fmt.Errorf("discover %s: %q: %w", n, c, err)
					return nil
				}
				out[c] = text
			}
			mu.Lock()
			outputs[n] = out
			mu.Unlock()
			return nil
		})
	}
	_ = g.Wait() // the errors are collected per device, all of them reported
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return outputs, nil
}

// emptyReads is how many times a command whose answer came back empty
// is run again before the empty answer is kept (and reported by its
// parser). Every command discovery runs prints something on a router
// whose IGP runs (a JSON object, a table header); an empty answer is a
// read that went wrong. Seen twice in CI on a loaded machine, on one of
// the 26 lab routers: once an empty answer to `show ip ospf database
// router json`, once, after such an empty answer was read again on the
// same session, two answers in one (the first read had returned before
// the router's output, which the second then collected with its own).
// So the command is run again on a new session where the runner can
// give one (resetter), not on the one that went out of step.
const emptyReads = 2

// resetter is a Runner that can drop a device's session, so that the
// next command to it runs on a new connection (session.Pool, through
// apply.PoolTarget).
type resetter interface {
	Reset(device string)
}

// runNonEmpty runs command on device, again on a new session when its
// answer is empty.
func runNonEmpty(ctx context.Context, r Runner, device, command string) (string, error) {
	for try := 0; ; try++ {
		text, err := r.Run(ctx, device, command)
		if err != nil || strings.TrimSpace(text) != "" || try == emptyReads || ctx.Err() != nil {
			return text, err
		}
		if rs, ok := r.(resetter); ok {
			rs.Reset(device)
		}
	}
}
