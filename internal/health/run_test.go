package health

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/changegate/changegate/plans"
)

// gateRunner answers "up DEVICE" and counts the calls in flight. The
// first hold calls wait until hold calls are in flight at once, so that
// a bound of hold is reached and not merely allowed.
type gateRunner struct {
	hold     int64
	calls    atomic.Int64
	inFlight atomic.Int64
	maxSeen  atomic.Int64
	once     sync.Once
	full     chan struct{}
}

func (g *gateRunner) Run(ctx context.Context, device, command string) (string, error) {
	n := g.inFlight.Add(1)
	defer g.inFlight.Add(-1)
	for {
		m := g.maxSeen.Load()
		if n <= m || g.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	if c := g.calls.Add(1); c <= g.hold {
		if c == g.hold {
			g.once.Do(func() { close(g.full) })
		}
		select {
		case <-g.full:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	return "up " + device, nil
}

func onDevices(t *testing.T, n int) []On {
	t.Helper()
	c := check(plans.ExpectContains, "up")
	k := mustCompile(t, c)
	cs := make([]On, n)
	for i := range cs {
		cs[i] = On{Check: k, Device: fmt.Sprintf("r%d", i)}
	}
	return cs
}

func TestRunAllOrderAndBound(t *testing.T) {
	for _, tt := range []struct {
		concurrency int
		bound       int64
	}{
		{-1, 1}, {0, 1}, {1, 1}, {3, 3}, {12, 12}, {50, 12},
	} {
		t.Run(fmt.Sprint(tt.concurrency), func(t *testing.T) {
			cs := onDevices(t, 12)
			g := &gateRunner{hold: tt.bound, full: make(chan struct{})}
			var mu sync.Mutex
			started, finished := map[int]int{}, map[int]int{}
			res := RunAll(context.Background(), g, cs, RunOptions{
				Concurrency: tt.concurrency,
				Started:     func(i int) { mu.Lock(); started[i]++; mu.Unlock() },
				Finished: func(i int, r Result) {
					mu.Lock()
					defer mu.Unlock()
					if r.Device != cs[i].Device {
						t.Errorf("Finished(%d) with the result of %s", i, r.Device)
					}
					finished[i]++
				},
			})
			if len(res) != len(cs) {
				t.Fatalf("%d results for %d checks", len(res), len(cs))
			}
			for i, r := range res {
				if r.Device != cs[i].Device || !r.Passed {
					t.Errorf("result %d = %s passed=%v (%s); want %s passed", i, r.Device, r.Passed, r.Reason, cs[i].Device)
				}
				if started[i] != 1 || finished[i] != 1 {
					t.Errorf("check %d: Started %d times, Finished %d times; want once each", i, started[i], finished[i])
				}
			}
			if m := g.maxSeen.Load(); m != tt.bound {
				t.Errorf("at most %d checks ran at once; want %d", m, tt.bound)
			}
		})
	}
}

// cancelRunner cancels the run on its first call and waits for it.
type cancelRunner struct {
	cancel context.CancelFunc
	calls  atomic.Int64
}

func (c *cancelRunner) Run(ctx context.Context, device, command string) (string, error) {
	c.calls.Add(1)
	c.cancel()
	<-ctx.Done()
	return "", ctx.Err()
}

func TestRunAllCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cs := onDevices(t, 5)
	r := &cancelRunner{cancel: cancel}
	res := RunAll(ctx, r, cs, RunOptions{Concurrency: 1})
	if len(res) != len(cs) {
		t.Fatalf("%d results for %d checks", len(res), len(cs))
	}
	if n := r.calls.Load(); n != 1 {
		t.Errorf("%d commands sent after the run was cancelled; want only the first", n-1)
	}
	for i, x := range res {
		if x.Passed || x.Device != cs[i].Device {
			t.Errorf("result %d = %+v", i, x)
		}
	}
	if len(res[0].Attempts) != 1 {
		t.Errorf("the first check made %d attempts; want 1", len(res[0].Attempts))
	}
	for _, x := range res[1:] {
		if len(x.Attempts) != 0 || !strings.HasPrefix(x.Reason, "not run: context canceled") {
			t.Errorf("%s after cancellation: %d attempts, reason %q; want not run", x.Device, len(x.Attempts), x.Reason)
		}
	}
}
