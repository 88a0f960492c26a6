package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/internal/policy"
)

func (a *app) policyTestCommand() *cobra.Command {
	var noBuiltins, verbose bool
	cmd := &cobra.Command{
		Use:   "test [DIR ...]",
		Short: "Run the Rego unit tests of the built-in policies and yours",
		Long: `Run the Rego unit tests (rules named test_* in *_test.rego files) of the
built-in policies and of the given directories (and policy.dirs from the
configuration), with the policy parameters of the configuration, the way
"opa test" does.

Exit codes: 0 every test passed, 1 a test failed or a policy does not compile.`,
		Example: `  changegate policy test
  changegate policy test ./my-policies --no-builtins -v`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.config(cmd, nil)
			if err != nil {
				return err
			}
			opts := cfg.Policy.options(args)
			opts.Disable, opts.NoBuiltins = nil, noBuiltins
			results, err := policy.RunTests(cmd.Context(), opts)
			var ce *policy.CompileError
			if errors.As(err, &ce) {
				return diagErr(ce.Diags)
			}
			if err != nil {
				return err
			}
			if len(results) == 0 {
				return fmt.Errorf("no tests found: tests are rules named test_* in *_test.rego files")
			}
			var pass, fail, skip int
			for _, r := range results {
				name := strings.TrimPrefix(r.Package, "data.") + "." + r.Name
				loc := ""
				if r.Location != nil {
					loc = fmt.Sprintf("%s:%d: ", r.Location.File, r.Location.Row)
				}
				switch {
				case r.Skip:
					skip++
					if verbose {
						fmt.Fprintf(a.stdout, "SKIP  %s\n", name)
					}
				case r.Error != nil:
					fail++
					fmt.Fprintf(a.stdout, "ERROR %s%s: %v\n", loc, name, r.Error)
				case r.Fail:
					fail++
					fmt.Fprintf(a.stdout, "FAIL  %s%s (%v)\n", loc, name, r.Duration)
					if len(r.Output) > 0 {
						fmt.Fprintf(a.stdout, "      %s\n", strings.ReplaceAll(strings.TrimSpace(string(r.Output)), "\n", "\n      "))
					}
				default:
					pass++
					if verbose {
						fmt.Fprintf(a.stdout, "PASS  %s (%v)\n", name, r.Duration)
					}
				}
			}
			fmt.Fprintf(a.stdout, "%d passed, %d failed, %d skipped\n", pass, fail, skip)
			if fail > 0 {
				return fmt.Errorf("%d of %d policy tests failed", fail, len(results))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&noBuiltins, "no-builtins", false, "test only the given directories, not the built-in policies")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "list every test, not only failures")
	return cmd
}
