package health

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// On is a compiled check and the device it runs on.
type On struct {
	Check  *Check
	Device string
}

// RunOptions say how RunAll runs its checks. They hold values and
// callbacks only.
type RunOptions struct {
	// Concurrency bounds the checks run at once; less than 1 is 1.
	Concurrency int
	// Started, if set, is called just before check i runs, on the
	// goroutine that runs it.
	Started func(i int)
	// Finished, if set, is called with check i's result as soon as it
	// has one, on the goroutine that ran it, before RunAll returns.
	Finished func(i int, r Result)
}

// RunAll runs every check on its device through r, at most
// o.Concurrency at a time, each with its own retries, interval and
// timeout (see Check.Run), and returns the results in the order of cs.
// It returns once every check has a result. When ctx is done the checks
// still to run are not sent: their results say "not run" and why.
func RunAll(ctx context.Context, r Runner, cs []On, o RunOptions) []Result {
	results := make([]Result, len(cs))
	var g errgroup.Group
	g.SetLimit(max(o.Concurrency, 1))
	for i, c := range cs {
		g.Go(func() error {
			if o.Started != nil {
				o.Started(i)
			}
			results[i] = c.Check.Run(ctx, r, c.Device)
			if o.Finished != nil {
				o.Finished(i, results[i])
			}
			return nil
		})
	}
	_ = g.Wait() // the tasks return no error: a failure is in its Result
	return results
}
