package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/devices/session"
	"github.com/changegate/changegate/internal/finding"
	"github.com/changegate/changegate/internal/health"
	"github.com/changegate/changegate/internal/report"
	"github.com/changegate/changegate/plans"
)

func (a *app) deviceCheckCommand() *cobra.Command {
	var file, invFormat, format, topoFile, step, transcript string
	var pre, post, once bool
	var concurrency int
	cmd := &cobra.Command{
		Use:   "check PLAN (--step N|NAME | --pre | --post) [--inventory FILE]",
		Short: "Run a plan's health checks now, read-only, to try them before the change",
		Long: `Run the health checks of one step of the plan (--step, by number from 1
or by name), or the plan's pre_checks (--pre) or post_checks (--post), on
the devices now, over SSH, exactly as apply will run them after the step:
same commands, same expectations, same retries, interval and timeout
(--once tries each check once). A check without a device runs on every
device of its step.

Nothing is configured: only the checks' commands are sent, and a check
whose command is not read-only (configure, clear, reload, write, copy,
delete, request, commit, rollback, debug, shutdown, set, no) is refused
before anything is sent.

The inventory is --inventory FILE, else the plan's inventory:, else
inventory.file of the configuration.

Exit status: 0 every check passed, 2 a check failed (its reason, the command
and what the device answered are printed), 1 bad input.

PLAN - reads the plan from standard input; the files it names are then
relative to the working directory (docs/plans.md).`,
		Example: `  changegate device check plan.yaml --step 2 --inventory /tmp/cg-lab-april-2011/inventory.yaml
  changegate device check plan.yaml --pre --once --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := finding.ParseFormat(format, finding.Text, finding.JSON)
			if err != nil {
				return err
			}
			a.plan = args[0]
			if err := a.readStdinPlan(cmd.Context(), args[0]); err != nil {
				return err
			}
			cfg, err := a.config(cmd, nil)
			if err != nil {
				return err
			}
			plan, _, err := a.loader(cfg).Inputs(cmd.Context(), args[0], topoFile)
			if err != nil {
				return err
			}
			title, checks, err := selectChecks(plan, step, pre, post)
			if err != nil {
				return err
			}
			if file == "" {
				if file, err = plan.InventoryFile(cfg.Paths.scope()); err != nil {
					return err
				}
			}
			inv, err := a.loadInventory(cmd, file, invFormat)
			if err != nil {
				return err
			}
			var names []string
			for _, c := range checks {
				names = append(names, c.device)
			}
			if _, err := inv.Select(names); err != nil {
				return fmt.Errorf("%s: %w", title, err)
			}
			compiled := make([]health.On, len(checks))
			for i, c := range checks {
				if err := readOnly(c.spec.Command); err != nil {
					return fmt.Errorf("%s: %s: check %q: %w", c.spec.Pos, title, c.spec.Name, err)
				}
				if once {
					c.spec.Retries = 0
				}
				k, err := health.Compile(c.spec)
				if err != nil {
					return fmt.Errorf("%s: %s: %w", c.spec.Pos, title, err)
				}
				compiled[i] = health.On{Check: k, Device: c.device}
			}
			pool := session.NewPool(inv, session.DialOptions{Prompter: terminalPrompter{in: a.stdin, out: a.stderr}})
			t0 := time.Now()
			results := health.RunAll(cmd.Context(), pool, compiled, health.RunOptions{Concurrency: concurrency})
			pool.Close()
			if transcript != "" {
				if err := writeTranscripts(transcript, pool, uniq(names)); err != nil {
					return err
				}
			}
			failed := 0
			for _, r := range results {
				if !r.Passed {
					failed++
				}
			}
			if f == finding.JSON {
				err = report.WriteJSON(a.stdout, struct {
					Plan    string          `json:"plan"`
					Checked string          `json:"checked"`
					Passed  bool            `json:"passed"`
					Results []health.Result `json:"results"`
				}{plan.File, title, failed == 0, results})
			} else {
				report.CheckResults(a.stdout, title, results, time.Since(t0))
			}
			if err != nil {
				return err
			}
			if failed > 0 {
				return errChecksFailed
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&step, "step", "", "the step whose checks to run: its number (from 1) or name")
	cmd.Flags().BoolVar(&pre, "pre", false, "run the plan's pre_checks")
	cmd.Flags().BoolVar(&post, "post", false, "run the plan's post_checks")
	cmd.Flags().BoolVar(&once, "once", false, "try each check once, without its retries")
	cmd.Flags().StringVar(&file, "inventory", "", "inventory file (default: the plan's inventory:, else inventory.file of the configuration)")
	cmd.Flags().StringVar(&invFormat, "inventory-format", "", "inventory format: native, nornir or containerlab (default: from the file name)")
	cmd.Flags().StringVar(&topoFile, "topology", "", "topology file (default: the plan's topology:), for runbook steps")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&transcript, "transcript", "", "write the redacted session transcripts to this file")
	cmd.Flags().IntVar(&concurrency, "concurrency", 20, "checks run at once")
	return cmd
}

// errChecksFailed makes Run exit with ExitDenied: the checks ran and
// some failed, which the output already says.
var errChecksFailed = fmt.Errorf("%w: a health check failed", errDenied)

// deviceCheck is a check and the device it runs on.
type deviceCheck struct {
	spec   plans.Check
	device string
}

// selectChecks returns the checks chosen by --step, --pre or --post, each
// with its device, and a title naming what was chosen.
func selectChecks(p *plans.Plan, step string, pre, post bool) (string, []deviceCheck, error) {
	n := 0
	for _, b := range []bool{step != "", pre, post} {
		if b {
			n++
		}
	}
	if n != 1 {
		return "", nil, fmt.Errorf("say which checks to run: --step N (1 to %d, or a step's name), --pre or --post", len(p.Steps))
	}
	var out []deviceCheck
	switch {
	case pre:
		for _, c := range p.PreChecks {
			out = append(out, deviceCheck{c, c.Device})
		}
		if len(out) == 0 {
			return "", nil, fmt.Errorf("%s has no pre_checks", p.File)
		}
		return "pre_checks", out, nil
	case post:
		for _, c := range p.PostChecks {
			out = append(out, deviceCheck{c, c.Device})
		}
		if len(out) == 0 {
			return "", nil, fmt.Errorf("%s has no post_checks", p.File)
		}
		return "post_checks", out, nil
	}
	idx := -1
	if i, err := strconv.Atoi(step); err == nil {
		if i < 1 || i > len(p.Steps) {
			return "", nil, fmt.Errorf("--step %d: the plan has steps 1 to %d", i, len(p.Steps))
		}
		idx = i - 1
	} else {
		var names []string
		for i, s := range p.Steps {
			names = append(names, s.Name)
			if s.Name == step {
				idx = i
			}
		}
		if idx < 0 {
			return "", nil, fmt.Errorf("--step %q: no step by that name (steps: %s)", step, strings.Join(names, ", "))
		}
	}
	s := p.Steps[idx]
	title := fmt.Sprintf("step %d %q", idx+1, s.Name)
	for _, c := range s.Checks {
		if c.Device != "" {
			out = append(out, deviceCheck{c, c.Device})
			continue
		}
		for _, d := range s.Devices {
			out = append(out, deviceCheck{c, d})
		}
	}
	if len(out) == 0 {
		return title, nil, fmt.Errorf("%s has no health checks to run", title)
	}
	return title, out, nil
}

// readOnlyVerbs start commands that change a device; device check
// refuses them.
var readOnlyVerbs = []string{"configure", "conf", "clear", "reload", "write", "copy", "delete", "request", "commit", "rollback", "debug", "shutdown", "set", "no", "reboot", "restart", "erase", "format", "install", "enter", "edit", "load", "tools"}

// readOnly refuses a command whose first word changes the device.
func readOnly(command string) error {
	f := strings.Fields(strings.ToLower(command))
	if len(f) == 0 {
		return fmt.Errorf("empty command")
	}
	for _, v := range readOnlyVerbs {
		if f[0] == v {
			return fmt.Errorf("command %q is not read-only (it starts with %q); device check sends only read-only commands", command, f[0])
		}
	}
	return nil
}

func uniq(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
