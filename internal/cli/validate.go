package cli

import (
	"fmt"
	"io"
	"slices"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/buildinfo"
	"github.com/changegate/changegate/internal/finding"
	"github.com/changegate/changegate/internal/validate"
)

func (a *app) validateCommand() *cobra.Command {
	var format string
	var reportFlags []string
	var workers int
	cmd := &cobra.Command{
		Use:   "validate PATH ...",
		Short: "Check every plan, topology, runbook and policy under the paths (for CI)",
		Long: `Find the plans, topologies, runbooks and Rego policies under the given files
and directories (recursively; hidden and testdata directories are skipped
unless a file in them is named) and check each one (- is a plan read from
standard input, whose files are relative to the working directory):

  plans       parse, health checks compile, runbook steps expand, name
              nodes, links and devices of their topology, and dry-run (the
              steady state of every step; no N-1)
  topologies  parse and validate
  runbooks    parse, render every example for every platform (and its
              health checks compile), dry-run it
  policies    compile with the built-in library; their *_test.rego pass

The device inventory that changegate.yaml names (inventory.file) is
checked too, whatever the paths.

YAML files are told apart by their top-level keys (docs/validate.md);
changegate.yaml and other YAML files are skipped. Each topology is loaded
and compiled once, however many plans use it. Policy evaluation and the N-1
analysis are changegate check's job.

Formats: text (default), json, junit, sarif, github (workflow commands that
annotate the lines of a pull request).

Exit codes: 0 no error finding (warnings allowed), 1 an error finding or
bad input.`,
		Example: `  changegate validate .
  changegate validate plans/ topologies/ --format github
  changegate validate . --format sarif > validate.sarif
  changegate validate . --format junit > validate.xml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if slices.Contains(args, "-") {
				if err := a.readStdinPlan(cmd.Context(), "-"); err != nil {
					return err
				}
			}
			a.plan = args[0]

			cfg, err := a.config(cmd, nil)
			if err != nil {
				return err
			}
			f, err := finding.ParseFormat(format)
			if err != nil {
				return err
			}
			reports, err := parseReports(reportFlags)
			if err != nil {
				return err
			}
			opts := validate.Options{
				PolicyParams: cfg.Policy.Params,
				Workers:      workers,
				RunbookDirs:  cfg.Runbook.Dirs,
				Scope:        cfg.Paths.scope(),
				Stdin:        a.stdinPlan,
			}
			if cfg.Inventory.File != "" {
				src, err := a.loader(cfg).InventoryFile(devices.InventoryFile{})
				if err != nil {
					return err
				}
				opts.Inventory = &validate.Inventory{Path: src.Name(), Load: func() (*devices.Inventory, diag.Diagnostics, error) {
					return src.Load(cmd.Context())
				}}
			}
			res, err := validate.Run(cmd.Context(), args, opts)
			if err != nil {
				return err
			}
			r := &finding.Report{
				Tool: "changegate", Version: buildinfo.Read().Version,
				URI:   "https://github.com/changegate/changegate",
				Rules: validate.Rules(),
				Cases: res.Cases,
			}
			if f == finding.Text {
				for _, s := range res.Skipped {
					fmt.Fprintf(a.stdout, "skipped %s: %s\n", s.Path, s.Reason)
				}
			}
			if err := finding.Write(a.stdout, f, r); err != nil {
				return err
			}
			if err := writeReports(reports, func(w io.Writer, f finding.Format) error { return finding.Write(w, f, r) }); err != nil {
				return err
			}
			if r.Failed() {
				s := r.Summary()
				return fmt.Errorf("validate: %s in %d of %d files", plural(s.Errors, "error"), s.Failed, s.Cases)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json, junit, sarif or github")
	cmd.Flags().StringArrayVar(&reportFlags, "report", nil, reportFlagUsage)
	cmd.Flags().IntVar(&workers, "jobs", 0, "how many files to check at once (default: the number of CPUs)")
	return cmd
}
