package cli

import (
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/lock"
	"github.com/changegate/changegate/internal/platform"
)

// Shell completion (docs/completion.md). Cobra's completion command
// writes the scripts (changegate completion bash|zsh|fish|powershell);
// this file says what completes where: the values of the flags that take
// one of a few words, plan files, runbook names, devices of the
// inventory, locked devices and run ids. A completion never fails
// noisily (a problem means no candidates, and nothing is printed) and
// never talks to a device: it reads the configuration, the inventory
// file, the runbook directories and the state directory only.

// flagWords are the values of the flags that take one of a few words,
// by flag name, where the name means the same on every verb. --format
// differs by verb: its values are read from its usage (formatWords).
var flagWords = map[string][]string{
	"inventory-format": {"native", "nornir", "containerlab"},
	"from":             {"graphml", "containerlab"},
	"demands":          {"uniform", "gravity"},
	"metric":           {"inverse-capacity", "hop"},
	"igp":              {"ospf", "isis"},
}

// knownFormats are the output formats of every verb.
var knownFormats = []string{"text", "json", "junit", "sarif", "github", "markdown", "html"}

var wordRE = regexp.MustCompile(`[a-z]+`)

// formatWords are the formats a --format flag's usage names, in its
// order ("output format: text, json, junit, sarif or github").
func formatWords(usage string) []string {
	var out []string
	for _, w := range wordRE.FindAllString(usage, -1) {
		if slices.Contains(knownFormats, w) && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// planArg completes a plan: a YAML file (or - for standard input, which
// shells need not offer).
func planArg(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return []cobra.Completion{"yaml", "yml"}, cobra.ShellCompDirectiveFilterFileExt
}

// registerCompletions gives every command of the tree under root its
// completions.
func (a *app) registerCompletions(root *cobra.Command) {
	args := map[string]cobra.CompletionFunc{
		"changegate check":          planArg,
		"changegate dryrun":         planArg,
		"changegate review":         planArg,
		"changegate approve":        planArg,
		"changegate approvals":      planArg,
		"changegate apply":          planArg,
		"changegate plan digest":    planArg,
		"changegate device check":   planArg,
		"changegate runbook show":   a.completeRunbooks,
		"changegate runbook render": a.completeRunbooks,
		"changegate device run":     a.completeDeviceList,
		"changegate inventory show": a.completeDevices,
		"changegate lock break":     a.completeLocked,
		"changegate recover":        a.completeRuns,
		"changegate revert":         a.completeRuns,
		"changegate runs show":      a.completeRuns,
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if f, ok := args[c.CommandPath()]; ok {
			c.ValidArgsFunction = f
		}
		c.Flags().VisitAll(func(fl *pflag.Flag) {
			var words []string
			switch fl.Name {
			case "format":
				words = formatWords(fl.Usage)
			case "platform":
				words = platform.Builtin().Names()
			default:
				words = flagWords[fl.Name]
			}
			if len(words) > 0 {
				// Registering twice is the only error: not possible on a fresh tree.
				_ = c.RegisterFlagCompletionFunc(fl.Name, cobra.FixedCompletions(words, cobra.ShellCompDirectiveNoFileComp))
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// quiet makes a completion silent: warnings the configuration or a file
// would print go nowhere (the shell would show them among the
// candidates).
func (a *app) quiet() func() {
	saved := a.stderr
	a.stderr = io.Discard
	return func() { a.stderr = saved }
}

// completeRunbooks completes a runbook name: the built-in runbooks and
// those of runbook.dirs and --runbooks, each with its title.
func (a *app) completeRunbooks(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	defer a.quiet()()
	extra, _ := cmd.Flags().GetStringArray("runbooks")
	lib, err := a.loadRunbooks(cmd, extra)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []cobra.Completion
	for _, rb := range lib.All() {
		out = append(out, cobra.CompletionWithDesc(rb.Name, rb.Title))
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// inventoryNames are the devices of the inventory of --inventory (and
// --inventory-format), else of the configuration; nil when it cannot be
// read. Only the file is read: no device is talked to.
func (a *app) inventoryNames(cmd *cobra.Command) []string {
	defer a.quiet()()
	cfg, err := a.config(cmd, nil)
	if err != nil {
		return nil
	}
	path, _ := cmd.Flags().GetString("inventory")
	format, _ := cmd.Flags().GetString("inventory-format")
	inv, err := a.loader(cfg).Inventory(cmd.Context(), devices.InventoryFile{Path: path, Format: format})
	if err != nil {
		return nil
	}
	return inv.Names()
}

// completeDevices completes device names, one per argument.
func (a *app) completeDevices(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	for _, n := range a.inventoryNames(cmd) {
		if !slices.Contains(args, n) {
			out = append(out, n)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeDeviceList completes device run's first argument, a
// comma-separated list of devices: the names not yet in the list, after
// what is typed up to its last comma. The command that follows is not
// completed.
func (a *app) completeDeviceList(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if all, _ := cmd.Flags().GetBool("all"); all || len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	typed, head := "", ""
	if i := strings.LastIndex(toComplete, ","); i >= 0 {
		head, typed = toComplete[:i+1], toComplete[:i]
	}
	have := splitNames(typed)
	var out []cobra.Completion
	for _, n := range a.inventoryNames(cmd) {
		if !slices.Contains(have, n) {
			out = append(out, head+n)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// completionStateDir is the state directory the configuration names,
// read without a word on problems (a completion never prints any).
func (a *app) completionStateDir(cmd *cobra.Command) (string, bool) {
	defer a.quiet()()
	cfg, err := a.config(cmd, nil)
	if err != nil {
		return "", false
	}
	dir, err := cfg.State.dir()
	return dir, err == nil
}

// completeRuns completes a run id from the state directory, newest
// first, each with its plan's title.
func (a *app) completeRuns(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	dir, ok := a.completionStateDir(cmd)
	if !ok {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	runs, err := journal.List(dir)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []cobra.Completion
	for _, r := range runs {
		if r.Meta.RunID == "" {
			continue
		}
		out = append(out, cobra.CompletionWithDesc(r.Meta.RunID, strings.TrimSpace(string(r.Status)+" "+r.Meta.PlanTitle)))
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
}

// completeLocked completes a device whose lock is in the state
// directory.
func (a *app) completeLocked(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	dir, ok := a.completionStateDir(cmd)
	if !ok {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	locks, err := lock.New(dir).List()
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []cobra.Completion
	for _, l := range locks {
		if l.Device != "" {
			out = append(out, l.Device)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
