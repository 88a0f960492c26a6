package session

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/changegate/changegate/devices"
)

// Pool keeps one session per device open for the length of a run (a
// check, an apply), so that each device is connected to once. A broken
// session (timeout, lost connection) is replaced on next use. Calls for
// one device are serialised; calls for different devices run in
// parallel. Pool implements health.Runner.
type Pool struct {
	inv  *devices.Inventory
	opts DialOptions

	mu      sync.Mutex
	entries map[string]*poolEntry
	closed  bool
}

type poolEntry struct {
	mu      sync.Mutex // held while the device is in use
	session *Session
	dials   int
	// transcripts of sessions replaced after they broke, oldest first.
	old [][]byte
}

// NewPool returns a pool of sessions to inv's devices.
func NewPool(inv *devices.Inventory, opts DialOptions) *Pool {
	return &Pool{inv: inv, opts: opts, entries: map[string]*poolEntry{}}
}

func (p *Pool) entry(device string) (*poolEntry, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, fmt.Errorf("device %s: %w: the pool is closed", device, ErrClosed)
	}
	e, ok := p.entries[device]
	if !ok {
		e = &poolEntry{}
		p.entries[device] = e
	}
	return e, nil
}

// With runs f with an open session to device, dialling it if the pool
// has none (or its session broke). f has the device to itself.
func (p *Pool) With(ctx context.Context, device string, f func(*Session) error) error {
	d, err := p.inv.Lookup(device)
	if err != nil {
		return err
	}
	e, err := p.entry(device)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.session != nil && !e.session.alive() {
		e.old = append(e.old, e.session.Transcript())
		e.session.Close()
		e.session = nil
	}
	if e.session == nil {
		s, err := Dial(ctx, d, p.opts)
		if err != nil {
			return err
		}
		e.session, e.dials = s, e.dials+1
	}
	return f(e.session)
}

// RunOutput runs command on device; see Session.Run.
func (p *Pool) RunOutput(ctx context.Context, device, command string) (*Output, error) {
	out := &Output{Device: device, Command: command}
	err := p.With(ctx, device, func(s *Session) error {
		var err error
		out, err = s.Run(ctx, command)
		return err
	})
	return out, err
}

// Run runs command on device and returns its output text, with what
// had arrived when it fails: the health.Runner interface.
func (p *Pool) Run(ctx context.Context, device, command string) (string, error) {
	out, err := p.RunOutput(ctx, device, command)
	return out.Text, err
}

// Exec runs command on device through an SSH exec request beside its
// CLI session and returns its standard output; see Session.Exec.
func (p *Pool) Exec(ctx context.Context, device, command string) (string, error) {
	var text string
	err := p.With(ctx, device, func(s *Session) error {
		out, err := s.Exec(ctx, command)
		text = out.Text
		return err
	})
	return text, err
}

// Reset closes device's session, keeping its transcript, so that its
// next command runs on a new connection: for a caller that finds an
// answer it cannot trust (nothing at all where the command always prints
// something), after which the session may be out of step with the
// device.
func (p *Pool) Reset(device string) {
	p.mu.Lock()
	e, ok := p.entries[device]
	p.mu.Unlock()
	if !ok {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.session != nil {
		e.old = append(e.old, e.session.Transcript())
		e.session.Close()
		e.session = nil
	}
}

// Dials returns how many connections the pool opened to device.
func (p *Pool) Dials(device string) int {
	p.mu.Lock()
	e, ok := p.entries[device]
	p.mu.Unlock()
	if !ok {
		return 0
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.dials
}

// Transcript returns every transcript of device's sessions in this pool,
// redacted, oldest first; nil if it was never connected to.
func (p *Pool) Transcript(device string) []byte {
	p.mu.Lock()
	e, ok := p.entries[device]
	p.mu.Unlock()
	if !ok {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []byte
	for _, t := range e.old {
		out = append(out, t...)
	}
	if e.session != nil {
		out = append(out, e.session.Transcript()...)
	}
	return out
}

// Close closes every session. Calls after Close fail with ErrClosed.
func (p *Pool) Close() error {
	p.mu.Lock()
	p.closed = true
	entries := p.entries
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, e := range entries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.mu.Lock()
			defer e.mu.Unlock()
			if e.session != nil {
				e.old = append(e.old, e.session.Transcript())
				e.session.Close()
				e.session = nil
			}
		}()
	}
	wg.Wait()
	return nil
}

// Result is one device's answer in RunAll.
type Result struct {
	Output *Output
	Err    error
}

// RunAll runs command on every device, at most concurrency at a time
// (1 if less), and returns the results by device name. It returns when
// every device has answered or failed, or ctx is done.
func (p *Pool) RunAll(ctx context.Context, devices []string, command string, concurrency int) map[string]Result {
	results := make([]Result, len(devices))
	var g errgroup.Group
	g.SetLimit(max(concurrency, 1))
	for i, d := range devices {
		g.Go(func() error {
			if ctx.Err() != nil {
				results[i] = Result{Output: &Output{Device: d, Command: command}, Err: fmt.Errorf("device %s: not run: %w", d, context.Cause(ctx))}
				return nil
			}
			o, err := p.RunOutput(ctx, d, command)
			results[i] = Result{Output: o, Err: err}
			return nil
		})
	}
	_ = g.Wait() // the tasks return no error: a failure is in its Result
	out := make(map[string]Result, len(devices))
	for i, d := range devices {
		out[d] = results[i]
	}
	return out
}
