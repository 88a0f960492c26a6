package policy

import (
	"context"
	"errors"
	"fmt"
	"runtime/metrics"
	"sync/atomic"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// Why an evaluation was stopped.
var (
	errTimeout = errors.New("time limit")
	errMemory  = errors.New("memory limit")
)

// heapPoll is how often the heap is measured while a policy evaluates.
const heapPoll = 5 * time.Millisecond

// grace is how long a stopped evaluation gets to return. OPA stops at
// its next step, and built-in functions that may run long look at the
// cancellation; one that does not is left running in the background
// (its result is never used) rather than holding the gate.
var grace = time.Second

// heapMetric is the bytes of heap objects, live or not yet swept: what
// the runaway allocation of a policy makes grow.
const heapMetric = "/memory/classes/heap/objects:bytes"

func heapBytes() int64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
}

type outcome struct {
	rs  rego.ResultSet
	err error
}

// bounded runs eval under a time limit (none when timeout is 0) and a
// limit on how much the heap may grow meanwhile. It returns eval's results, or errTimeout or
// errMemory when a limit stopped it, or ctx's error when ctx ended. A
// panic in eval is returned as an error, never as a crash.
func bounded(ctx context.Context, timeout time.Duration, memLimit int64, eval func(context.Context) (rego.ResultSet, error)) (rego.ResultSet, error) {
	ectx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if timeout > 0 {
		timer := time.AfterFunc(timeout, func() { cancel(errTimeout) })
		defer timer.Stop()
	}

	base := heapBytes()
	done := make(chan outcome, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- outcome{err: fmt.Errorf("the policy engine failed: %v", r)}
			}
		}()
		rs, err := eval(ectx)
		done <- outcome{rs, err}
	}()

	tick := time.NewTicker(heapPoll)
	defer tick.Stop()
	ticks, stop := tick.C, ectx.Done()
	var abandon <-chan time.Time
	stopped := func() error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return context.Cause(ectx)
	}
	for {
		select {
		case o := <-done:
			if o.err != nil && ectx.Err() != nil {
				return nil, stopped()
			}
			return o.rs, o.err
		case <-ticks:
			if heapBytes()-base > memLimit {
				cancel(errMemory)
			}
		case <-stop:
			ticks, stop = nil, nil
			abandon = time.After(grace)
		case <-abandon:
			return nil, stopped()
		}
	}
}

// ruleTracer remembers the last rule an evaluation entered, so that a
// policy stopped by a limit can say where it was.
type ruleTracer struct {
	last atomic.Pointer[ast.Rule]
}

var _ topdown.QueryTracer = (*ruleTracer)(nil)

func (t *ruleTracer) Enabled() bool               { return true }
func (t *ruleTracer) Config() topdown.TraceConfig { return topdown.TraceConfig{} }
func (t *ruleTracer) TraceEvent(ev topdown.Event) {
	if ev.Op != topdown.EnterOp {
		return
	}
	if r, ok := ev.Node.(*ast.Rule); ok {
		t.last.Store(r)
	}
}

// where names the rule the evaluation was in, as "rule deny
// (site/slow.rego:3)", or "" when unknown.
func (t *ruleTracer) where() string {
	if t == nil {
		return ""
	}
	r := t.last.Load()
	if r == nil || r.Head == nil {
		return ""
	}
	name := r.Head.Ref().String()
	if r.Location == nil {
		return "rule " + name
	}
	return fmt.Sprintf("rule %s (%s:%d)", name, r.Location.File, r.Location.Row)
}
