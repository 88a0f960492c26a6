package health

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/changegate/changegate/plans"
)

// Runner runs one command on a device and returns its output as text. It
// must return once ctx is done (with ctx's error or one wrapping it), and
// should return whatever output it already has alongside an error.
type Runner interface {
	Run(ctx context.Context, device, command string) (string, error)
}

// Check is a compiled health check, ready to run any number of times,
// from any number of goroutines.
type Check struct {
	spec     plans.Check
	interval time.Duration
	timeout  time.Duration
	match    func(ctx context.Context, output string) (passed bool, reason string, err error)
}

// Compile checks c and compiles its expectation once: the regular
// expression of a regex check, the Rego expression of a json check, the
// TextFSM template and the Rego expression of a textfsm check. A
// Timeout of 0 means plans.DefaultCheckTimeout; Interval is taken as
// given (0 is no wait). Errors name the check.
func Compile(c plans.Check) (*Check, error) {
	fail := func(format string, args ...any) (*Check, error) {
		return nil, fmt.Errorf("check %q: %w", c.Name, fmt.Errorf(format, args...))
	}
	switch {
	case strings.TrimSpace(c.Command) == "":
		return fail("no command")
	case c.Retries < 0:
		return fail("retries is %d; it must be 0 or more", c.Retries)
	case c.Interval < 0:
		return fail("interval is %s; it must be 0 or more", c.Interval)
	case c.Timeout < 0:
		return fail("timeout is %s; it must be greater than 0", c.Timeout)
	case c.Expect.Value == "":
		return fail("expect %s has no value", c.Expect.Kind)
	}
	k := &Check{spec: c, interval: c.Interval, timeout: c.Timeout}
	if k.timeout == 0 {
		k.timeout = plans.DefaultCheckTimeout
	}
	want := c.Expect.Value
	switch c.Expect.Kind {
	case plans.ExpectContains:
		k.match = func(_ context.Context, out string) (bool, string, error) {
			if strings.Contains(out, want) {
				return true, fmt.Sprintf("output contains %q", want), nil
			}
			return false, fmt.Sprintf("output does not contain %q", want), nil
		}
	case plans.ExpectRegex:
		re, err := regexp.Compile(want)
		if err != nil {
			return fail("regex: %w", err)
		}
		k.match = func(_ context.Context, out string) (bool, string, error) {
			return matchRegex(re, out)
		}
	case plans.ExpectJSON:
		e, err := compileRego(want)
		if err != nil {
			return nil, fmt.Errorf("check %q: %w", c.Name, err)
		}
		k.match = e.evalJSON
	case plans.ExpectTextFSM:
		m, err := compileTextFSM(c.Expect)
		if err != nil {
			return nil, fmt.Errorf("check %q: %w", c.Name, err)
		}
		k.match = m.match
	default:
		var kinds []string
		for _, x := range plans.ExpectKinds() {
			kinds = append(kinds, string(x))
		}
		return fail("unknown expect kind %q (known: %s)", c.Expect.Kind, strings.Join(kinds, ", "))
	}
	return k, nil
}

// Spec returns the check as compiled.
func (c *Check) Spec() plans.Check { return c.spec }

// maxQuoted bounds the matched text quoted in a reason.
const maxQuoted = 80

func matchRegex(re *regexp.Regexp, out string) (bool, string, error) {
	if loc := re.FindStringIndex(out); loc != nil {
		return true, fmt.Sprintf("regex %s matches %q", re, cut(out[loc[0]:loc[1]], maxQuoted)), nil
	}
	// The regex is matched against the whole output; count the lines it
	// would match on their own, which tells a missing (?m) from a value
	// that is simply not there.
	lines := splitLines(out)
	n := 0
	for _, l := range lines {
		if re.MatchString(l) {
			n++
		}
	}
	if n == 0 {
		return false, fmt.Sprintf("regex %s matched 0 lines (of %d)", re, len(lines)), nil
	}
	return false, fmt.Sprintf("regex %s does not match the output, though it matches %d of its %d lines on their own: ^ and $ match at the start and end of the whole output; start the regex with (?m) to match them at each line", re, n, len(lines)), nil
}

// Result is what running a check on a device found.
type Result struct {
	Check   string `json:"check"`
	Device  string `json:"device"`
	Command string `json:"command"`
	// Attempts are the tries made, in order; every output received is
	// kept. Empty when the context was done before the first try.
	Attempts []Attempt `json:"attempts"`
	Passed   bool      `json:"passed"`
	// Reason says why the check passed or failed, from its last try.
	Reason string `json:"reason"`
}

// Attempt is one try of a check.
type Attempt struct {
	// Output is the command's output, whole, even when Err is set.
	Output string
	// Err is set when the command failed or timed out, or the expression
	// could not be evaluated.
	Err     error
	Passed  bool
	Reason  string
	Started time.Time
	Took    time.Duration
}

// attemptJSON is an Attempt as JSON: Err as its message, Took in seconds.
type attemptJSON struct {
	Output      string    `json:"output"`
	Error       string    `json:"error,omitempty"`
	Passed      bool      `json:"passed"`
	Reason      string    `json:"reason"`
	Started     time.Time `json:"started"`
	TookSeconds float64   `json:"took_seconds"`
}

// MarshalJSON writes Err as its message and Took in seconds.
func (a Attempt) MarshalJSON() ([]byte, error) {
	var msg string
	if a.Err != nil {
		msg = a.Err.Error()
	}
	return json.Marshal(attemptJSON{a.Output, msg, a.Passed, a.Reason, a.Started, a.Took.Seconds()})
}

// UnmarshalJSON reads what MarshalJSON writes; Err is then an error with
// the message written (its type and chain are not kept).
func (a *Attempt) UnmarshalJSON(b []byte) error {
	var j attemptJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*a = Attempt{Output: j.Output, Passed: j.Passed, Reason: j.Reason, Started: j.Started, Took: time.Duration(math.Round(j.TookSeconds * float64(time.Second)))}
	if j.Error != "" {
		a.Err = errors.New(j.Error)
	}
	return nil
}

// Run runs the check on device: up to 1+Retries tries, Interval apart,
// each bounded by Timeout, all of them by ctx. It stops at the first try
// that passes. Run never returns an error: a failure is in the Result.
func (c *Check) Run(ctx context.Context, r Runner, device string) Result {
	res := Result{Check: c.spec.Name, Device: device, Command: c.spec.Command}
	tries := 1 + c.spec.Retries
	for i := 0; i < tries; i++ {
		if i > 0 && c.interval > 0 {
			t := time.NewTimer(c.interval)
			select {
			case <-ctx.Done():
				t.Stop()
			case <-t.C:
			}
		}
		if ctx.Err() != nil {
			break
		}
		a := c.try(ctx, r, device)
		res.Attempts = append(res.Attempts, a)
		if a.Passed {
			res.Passed = true
			res.Reason = fmt.Sprintf("%s (attempt %d of %d)", a.Reason, i+1, tries)
			return res
		}
	}
	n := len(res.Attempts)
	switch {
	case n == 0:
		res.Reason = fmt.Sprintf("not run: %v", context.Cause(ctx))
	case n < tries:
		res.Reason = fmt.Sprintf("stopped after %d of %d attempts (%v); last attempt: %s", n, tries, context.Cause(ctx), res.Attempts[n-1].Reason)
	case n == 1:
		res.Reason = res.Attempts[0].Reason
	default:
		res.Reason = fmt.Sprintf("%s (all %d attempts failed)", res.Attempts[n-1].Reason, n)
	}
	return res
}

func (c *Check) try(ctx context.Context, r Runner, device string) Attempt {
	tctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	a := Attempt{Started: time.Now()}
	out, err := r.Run(tctx, device, c.spec.Command)
	a.Output = out
	if err != nil {
		if ctx.Err() == nil && errors.Is(tctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %s: %w", c.timeout, err)
		}
		a.Err = fmt.Errorf("run %q: %w", c.spec.Command, err)
		a.Reason = a.Err.Error()
		a.Took = time.Since(a.Started)
		return a
	}
	a.Passed, a.Reason, a.Err = c.match(tctx, out)
	a.Took = time.Since(a.Started)
	return a
}
