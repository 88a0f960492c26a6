package policy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/rego"
)

// A runaway policy ends at the limit with a denial that names it and its
// rule, never with a crash or a stack trace: a long loop at the time
// limit, a huge comprehension at the memory limit. The other policies
// are still evaluated.
func TestRunawayPolicyEndsAtTheLimit(t *testing.T) {
	for _, tt := range []struct {
		name, src string
		opts      Options
		want      string
	}{
		{"time", `package site.slow

deny contains "never" if {
	some i in numbers.range(1, 100000)
	some j in numbers.range(1, 100000)
	i + j < 0
}
`, Options{Timeout: 200 * time.Millisecond}, "policy site.slow did not finish within the time limit of 200ms (policy.timeout) and was stopped; it was in rule deny (%s/slow.rego:3), so the change is denied"},
		{"memory", `package site.slow

big := [x | some x in numbers.range(1, 1000000000)]

deny contains "never" if count(big) < 0
`, Options{Timeout: time.Hour, MemoryLimit: 64 << 20}, "policy site.slow needed more than 64MiB of memory (policy.memory_limit) and was stopped; it was in rule big (%s/slow.rego:3), so the change is denied"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"slow.rego": tt.src})
			opts := tt.opts
			opts.Dirs = []string{dir}
			e := load(t, opts)
			d := eval(t, e, map[string]any{"values": []any{11}})
			var slow, other bool
			for _, r := range d.Results {
				switch r.Policy {
				case "site.slow":
					slow = true
					if want := fmt.Sprintf(tt.want, dir); r.Kind != Deny || !r.EvalError || r.Msg != want {
						t.Errorf("got %+v\nwant the denial %q", r, want)
					}
					if strings.Contains(r.Msg, "goroutine") {
						t.Errorf("stack trace in %q", r.Msg)
					}
				case "changegate.limits":
					other = true
				}
			}
			if !slow || !other || !d.Denied() {
				t.Errorf("results %+v", d.Results)
			}
		})
	}
}

// An evaluation that ignores cancellation is abandoned after the grace
// period; a panic is an error, not a crash; a cancelled context is the
// caller's error.
func TestBounded(t *testing.T) {
	defer func(g time.Duration) { grace = g }(grace)
	grace = 10 * time.Millisecond
	block := make(chan struct{})
	defer close(block)
	_, err := bounded(context.Background(), 10*time.Millisecond, 1<<40, func(context.Context) (rego.ResultSet, error) {
		<-block
		return nil, nil
	})
	if !errors.Is(err, errTimeout) {
		t.Errorf("stuck evaluation: %v, want errTimeout", err)
	}
	_, err = bounded(context.Background(), time.Hour, 1<<40, func(context.Context) (rego.ResultSet, error) {
		panic("boom")
	})
	if err == nil || !strings.Contains(err.Error(), "the policy engine failed: boom") {
		t.Errorf("panic: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = bounded(ctx, time.Hour, 1<<40, func(ctx context.Context) (rego.ResultSet, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	rs, err := bounded(context.Background(), time.Hour, 1<<40, func(context.Context) (rego.ResultSet, error) {
		return rego.ResultSet{{}}, nil
	})
	if err != nil || len(rs) != 1 {
		t.Errorf("finished: %v %v", rs, err)
	}
}

func TestLimitsRefuseNonsense(t *testing.T) {
	for _, opts := range []Options{{Timeout: -time.Second}, {MemoryLimit: -1}} {
		if _, err := Load(context.Background(), Options{Timeout: opts.Timeout, MemoryLimit: opts.MemoryLimit, builtinFS: testFS()}); err == nil || !strings.Contains(err.Error(), "give a positive") {
			t.Errorf("%+v: %v", opts, err)
		}
	}
}
