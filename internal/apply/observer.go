package apply

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/changegate/changegate/devices/session"
	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/observe"
	"github.com/changegate/changegate/internal/topology"
)

// ModelObserver compares what the routers forward with the dry-run's
// prediction (package observe): it runs the platform's commands through
// the Target, reads the routes, and compares them with the predicted
// next hops of each device in the state. Routers take time to converge
// after a change, so a comparison that differs is tried again every
// Interval until Timeout.
type ModelObserver struct {
	Net       *topology.Network
	Predictor *dryrun.Predictor
	Target    Target
	// Tolerance is how many destinations per device may differ.
	Tolerance int
	// Timeout bounds the wait for the routers to converge (default 60s);
	// Interval is the wait between tries (default 1s).
	Timeout  time.Duration
	Interval time.Duration
	// Settled, when above 0, is how long a difference may stay exactly as
	// it is in a comparison of a network in which nothing has been
	// changed (ObserveUnchanged: before a run's first step) before it is
	// reported: nothing is converging, so waiting out Timeout would only
	// delay the answer (a stale model).
	Settled time.Duration

	// noShell remembers, per device, why its kernel cannot be read (its
	// SSH offers no shell), so that it is not asked again.
	noShell sync.Map
}

// Shell is a Target that can also run a command through a device's
// operating-system shell, beside its CLI (session.Session.Exec): how a
// router's kernel forwarding table is read. PoolTarget implements it.
type Shell interface {
	Exec(ctx context.Context, device, command string) (string, error)
}

// CanObserve says why the routers of devices cannot be compared with the
// model, or "" when they can: every node needs a loopback, and every
// device a platform observe knows.
func CanObserve(net *topology.Network, devices []string, platform func(string) string) string {
	var missing []string
	for _, n := range net.Nodes {
		if n.Loopback == "" {
			missing = append(missing, n.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Sprintf("%d nodes have no loopback: in the topology (%s)", len(missing), strings.Join(first(missing, 5), ", "))
	}
	for _, d := range devices {
		if _, err := observe.Commands(platform(d), net.IGP); err != nil {
			return fmt.Sprintf("device %s: %v", d, err)
		}
	}
	return ""
}

func first(xs []string, n int) []string {
	if len(xs) > n {
		return append(xs[:n:n], "...")
	}
	return xs
}

// Observe implements Observer: one Observation per router compared, in
// parallel. With devs nil it compares the whole network: every node of
// the topology that the inventory can reach and observe can read (the
// others are listed as not compared, with why). Otherwise the routers
// compared are devs (those the step touched) and every other router the
// model predicts forwards differently in state than in the state before
// or after it (draining a router changes its neighbours' routes, not its
// own), where the inventory can reach it.
//
// Each router's forwarding is read from its kernel where the platform
// can show it (observe.KernelCommands, run through the device's shell,
// Shell) and from its routing daemon otherwise, which the Observation
// says; the next hops are compared link by link.
func (o *ModelObserver) Observe(ctx context.Context, state int, devs []string) ([]Observation, error) {
	return o.observe(ctx, state, devs, 0)
}

// ObserveUnchanged implements UnchangedObserver: Observe, for a network in
// which nothing has been changed, where a difference that stays as it is
// for Settled is reported at once.
func (o *ModelObserver) ObserveUnchanged(ctx context.Context, state int, devs []string) ([]Observation, error) {
	return o.observe(ctx, state, devs, o.Settled)
}

func (o *ModelObserver) observe(ctx context.Context, state int, devs []string, settled time.Duration) ([]Observation, error) {
	var skipped []Observation
	var err error
	if devs == nil {
		devs, skipped = o.network()
	} else if devs, err = o.affected(ctx, state, devs); err != nil {
		return nil, err
	}
	predicted, err := o.Predictor.Links(ctx, state, devs)
	if err != nil {
		return nil, err
	}
	timeout, interval := o.Timeout, o.Interval
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	if interval <= 0 {
		interval = time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out := make([]Observation, len(devs))
	var wg sync.WaitGroup
	for i, d := range devs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = o.device(ctx, d, predicted[d], interval, settled)
		}()
	}
	wg.Wait()
	return append(out, skipped...), nil
}

// network returns every node of the topology the target can reach and
// observe can read, and the others as Observations not compared.
func (o *ModelObserver) network() (devs []string, skipped []Observation) {
	for _, n := range o.Net.Nodes {
		platform := o.Target.Guarantees(n.Name).Platform
		if platform == "" {
			why := "not compared: no device of the inventory is this node"
			skipped = append(skipped, Observation{Device: n.Name, Passed: true, Skipped: why, Explanation: why})
			continue
		}
		if _, err := observe.Commands(platform, o.Net.IGP); err != nil {
			why := "not compared: " + err.Error()
			skipped = append(skipped, Observation{Device: n.Name, Passed: true, Skipped: why, Explanation: why})
			continue
		}
		devs = append(devs, n.Name)
	}
	return devs, skipped
}

// device compares one device until it matches or ctx ends.
func (o *ModelObserver) device(ctx context.Context, d string, predicted map[string][]dryrun.Via, interval, settled time.Duration) Observation {
	platform := o.Target.Guarantees(d).Platform
	cmds, err := observe.Commands(platform, o.Net.IGP)
	if err != nil {
		return Observation{Device: d, Error: err.Error(), Explanation: err.Error()}
	}
	return converge(ctx, interval, settled, func() Observation { return o.once(ctx, d, platform, cmds, predicted) })
}

// converge calls once until it passes or ctx ends, interval apart. When
// ctx ends during a try, so that the try could not read the router (an
// error, not a comparison), it reports the last comparison made instead:
// what the router was last seen to forward, not that the deadline cut a
// command short. A difference is never passed: it is tried again until
// ctx ends, and then reported as it was last seen; with settled above 0
// (nothing has been changed, so nothing converges), a difference that
// stays exactly the same for settled is reported then.
func converge(ctx context.Context, interval, settled time.Duration, once func() Observation) Observation {
	var last, compared Observation
	seen := false
	var since time.Time // when the difference compared was first seen as it is
	sameTries := 0
	for try := 1; ; try++ {
		last = once()
		if last.Passed {
			if try > 1 {
				last.Explanation += fmt.Sprintf(" (converged after %d tries)", try)
			}
			return last
		}
		if last.Error == "" {
			if !seen || last.Explanation != compared.Explanation {
				since, sameTries = time.Now(), 0
			}
			sameTries++
			compared, seen = last, true
			if settled > 0 && sameTries > 1 && time.Since(since) >= settled {
				last.Explanation += fmt.Sprintf(" (the same in %d reads over %s, with nothing changed yet: not convergence)", sameTries, time.Since(since).Round(time.Second))
				return last
			}
		} else if ctx.Err() != nil && seen {
			compared.Explanation += fmt.Sprintf(" (still so after %d tries; the last, cut short by the deadline, read nothing)", try)
			return compared
		}
		select {
		case <-ctx.Done():
			last.Explanation += fmt.Sprintf(" (still so after %d tries)", try)
			return last
		case <-time.After(interval):
		}
	}
}

func (o *ModelObserver) once(ctx context.Context, d, platform string, cmds []string, predicted map[string][]dryrun.Via) Observation {
	outputs := map[string]string{}
	for _, c := range cmds {
		text, err := o.Target.Run(ctx, d, c)
		if err != nil {
			return Observation{Device: d, Error: err.Error(), Explanation: fmt.Sprintf("%s: %v", c, err)}
		}
		outputs[c] = text
	}
	noKernel, err := o.readKernel(ctx, d, platform, outputs)
	if err != nil {
		return Observation{Device: d, Error: err.Error(), Explanation: err.Error()}
	}
	obs, err := observe.Read(o.Net, d, platform, outputs)
	if err != nil {
		return Observation{Device: d, Error: err.Error(), Explanation: err.Error()}
	}
	cmp, err := observe.Compare(predicted, obs, o.Tolerance)
	if err != nil {
		return Observation{Device: d, Error: err.Error(), Explanation: err.Error()}
	}
	expl := cmp.String()
	if noKernel != "" {
		expl += " (read from the routing daemon, not the kernel: " + noKernel + ")"
	}
	return Observation{Device: d, Passed: cmp.OK, Source: obs.Source, Explanation: expl}
}

// readKernel runs the platform's kernel commands on d through the
// target's shell into outputs. It returns why the kernel was not read
// ("" when it was, or the platform has none), or an error that is worth
// another try (a device that did not answer).
func (o *ModelObserver) readKernel(ctx context.Context, d, platform string, outputs map[string]string) (string, error) {
	kcmds := observe.KernelCommands(platform)
	if len(kcmds) == 0 {
		return "", nil
	}
	sh, ok := o.Target.(Shell)
	if !ok {
		return "the target runs no shell commands", nil
	}
	if why, ok := o.noShell.Load(d); ok {
		return why.(string), nil
	}
	read := map[string]string{}
	for _, c := range kcmds {
		text, err := sh.Exec(ctx, d, c)
		if errors.Is(err, session.ErrNoShell) {
			why := fmt.Sprintf("the device offers no shell for %q: %v", c, err)
			o.noShell.Store(d, why)
			return why, nil
		}
		if err != nil {
			return "", fmt.Errorf("%s: %w", c, err)
		}
		read[c] = text
	}
	maps.Copy(outputs, read)
	return "", nil
}

// affected adds to devs the routers whose predicted forwarding differs
// between state and its neighbouring states, that the target can reach
// and observe can read.
func (o *ModelObserver) affected(ctx context.Context, state int, devs []string) ([]string, error) {
	var all []string
	for _, n := range o.Net.Nodes {
		all = append(all, n.Name)
	}
	cur, err := o.Predictor.Links(ctx, state, all)
	if err != nil {
		return nil, err
	}
	out := append([]string(nil), devs...)
	for _, other := range []int{state - 1, state + 1} {
		if other < 0 || other >= o.Predictor.States() {
			continue
		}
		routes, err := o.Predictor.Links(ctx, other, all)
		if err != nil {
			return nil, err
		}
		for _, n := range all {
			if slices.Contains(out, n) || maps.EqualFunc(cur[n], routes[n], slices.Equal[[]dryrun.Via]) {
				continue
			}
			if _, err := observe.Commands(o.Target.Guarantees(n).Platform, o.Net.IGP); err == nil {
				out = append(out, n)
			}
		}
	}
	return out, nil
}
