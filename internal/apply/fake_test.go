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
	"github.com/changegate/changegate/internal/journal"
)

// fakeNet is a Target whose devices hold key/value configuration: a line
// "set KEY VALUE" sets, "show KEY" prints the value. Refuse makes lines
// fail; frozen (after a simulated crash) makes every call fail without
// effect.
type fakeNet struct {
	mu      sync.Mutex
	config  map[string]map[string]string // device -> key -> value
	refuse  map[string]bool              // "device|line" refused
	hang    map[string]bool              // "device|line": times out after taking effect
	guar    session.Guarantees
	pending map[string]bool
	calls   []string // "device: line", in order
	frozen  bool
}

func newFakeNet(devs ...string) *fakeNet {
	n := &fakeNet{config: map[string]map[string]string{}, refuse: map[string]bool{}, hang: map[string]bool{}, pending: map[string]bool{}}
	for _, d := range devs {
		n.config[d] = map[string]string{"cost": "10"}
	}
	return n
}

var errFrozen = errors.New("the process is dead")

func (n *fakeNet) Configure(ctx context.Context, device string, lines []string, opts session.ConfigOptions) (*session.ConfigResult, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	res := &session.ConfigResult{Guarantees: n.guar}
	if n.frozen {
		return res, errFrozen
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if _, ok := n.config[device]; !ok {
		return res, fmt.Errorf("device %s: %w", device, session.ErrConnect)
	}
	if n.pending[device] {
		return res, fmt.Errorf("device %s: a confirmed commit awaits confirmation", device)
	}
	staged := maps.Clone(n.config[device])
	for _, l := range lines {
		n.calls = append(n.calls, device+": "+l)
		res.Outputs = append(res.Outputs, &session.Output{Device: device, Command: l})
		if n.refuse[device+"|"+l] {
			res.Outputs[len(res.Outputs)-1].Text = "% Invalid input"
			if !n.guar.Atomic {
				n.config[device] = staged
			}
			return res, fmt.Errorf("device %s: %q: %w", device, l, session.ErrCommandFailed)
		}
		f := strings.Fields(l)
		if len(f) == 3 && f[0] == "set" {
			staged[f[1]] = f[2]
		}
		if n.hang[device+"|"+l] {
			n.config[device] = staged
			return res, fmt.Errorf("device %s: %w", device, session.ErrTimeout)
		}
		if !n.guar.Atomic {
			res.Applied++
		}
	}
	n.config[device] = staged
	res.Committed, res.Applied = true, len(lines)
	if n.guar.ConfirmedCommit && opts.ConfirmWithin > 0 {
		n.pending[device] = true
		res.PendingConfirm, res.ConfirmBy = true, time.Now().Add(opts.ConfirmWithin)
	}
	return res, nil
}

func (n *fakeNet) Confirm(ctx context.Context, device string) ([]*session.Output, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.frozen {
		return nil, errFrozen
	}
	n.calls = append(n.calls, device+": confirm")
	if !n.pending[device] {
		return nil, errors.New("nothing pending")
	}
	delete(n.pending, device)
	return nil, nil
}

func (n *fakeNet) Run(ctx context.Context, device, command string) (string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.frozen {
		return "", errFrozen
	}
	f := strings.Fields(command)
	if len(f) == 2 && f[0] == "show" {
		return f[1] + " " + n.config[device][f[1]], nil
	}
	return "", fmt.Errorf("unknown command %q", command)
}

func (n *fakeNet) Guarantees(string) session.Guarantees { return n.guar }

func (n *fakeNet) snapshot() map[string]map[string]string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := map[string]map[string]string{}
	for d, c := range n.config {
		out[d] = maps.Clone(c)
	}
	return out
}

func (n *fakeNet) freeze() {
	n.mu.Lock()
	n.frozen = true
	n.mu.Unlock()
}

// memJournal keeps records in memory; after dieAfter records (when set)
// it refuses to write and calls onDeath once (a simulated kill).
type memJournal struct {
	mu       sync.Mutex
	records  []journal.Record
	dieAfter int
	onDeath  func()
}

func (j *memJournal) Append(r journal.Record) (journal.Record, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.dieAfter > 0 && len(j.records) >= j.dieAfter {
		return r, errFrozen
	}
	r.Seq, r.Time = len(j.records)+1, time.Now()
	j.records = append(j.records, r)
	if j.dieAfter > 0 && len(j.records) == j.dieAfter && j.onDeath != nil {
		j.onDeath()
	}
	return r, nil
}

func (j *memJournal) types() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []string
	for _, r := range j.records {
		s := r.Type
		if r.Device != "" {
			s += "@" + r.Device
		}
		out = append(out, s)
	}
	return out
}

func (j *memJournal) all() []journal.Record {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.records)
}
