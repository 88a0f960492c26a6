package cli

import (
	"github.com/spf13/cobra"

	"github.com/changegate/changegate/internal/runbook"
	"github.com/changegate/changegate/runbooks"
)

func (a *app) runbookCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "runbook",
		Short: "List, show and render runbooks (parameterised templates of plan steps)",
	}
	cmd.AddCommand(a.runbookListCommand(), a.runbookShowCommand(), a.runbookRenderCommand())
	return cmd
}

// loadRunbooks reads the built-in runbooks and those of the configured
// directories (runbook.dirs) and of --runbooks. Problems in any runbook
// are errors: a library with a broken runbook is not used.
func (a *app) loadRunbooks(cmd *cobra.Command, extra []string) (*runbook.Library, error) {
	cfg, err := a.config(cmd, nil)
	if err != nil {
		return nil, err
	}
	dirs := append(append([]string(nil), cfg.Runbook.Dirs...), extra...)
	lib, ds, err := runbook.Load(cmd.Context(), runbooks.FS, dirs)
	if err != nil {
		return nil, err
	}
	if ds.HasErrors() {
		return nil, diagErr(ds)
	}
	a.printDiags(ds)
	return lib, nil
}
