package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/internal/buildinfo"
	"github.com/changegate/changegate/internal/finding"
	"github.com/changegate/changegate/internal/report"
)

func (a *app) versionCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version [--format text|json]",
		Short: "Print which changegate this is: module version, VCS revision, Go",
		Long: `Print the module version and the VCS revision the binary was built from
(as the Go toolchain records them: a tag, or a pseudo-version naming the
commit, +dirty for uncommitted changes; "devel" under go run), the
commit's time and the Go version. Every JSON document changegate writes
carries the same under "changegate".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := finding.ParseFormat(format, finding.Text, finding.JSON)
			if err != nil {
				return err
			}
			if f == finding.JSON {
				// WriteJSON puts the build under "changegate", as in every
				// JSON document.
				return report.WriteJSON(a.stdout, struct{}{})
			}
			fmt.Fprintln(a.stdout, buildinfo.Read().String())
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}
