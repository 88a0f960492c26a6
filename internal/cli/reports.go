package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/changegate/changegate/internal/finding"
)

// extraReport is a --report FORMAT=FILE: the same result written again,
// in another format, to a file, so that CI runs a verb once for every
// format it needs (docs/ci.md).
type extraReport struct {
	format finding.Format
	file   string
}

// parseReports reads the --report flags, refusing a bad one before
// anything runs.
func parseReports(flags []string) ([]extraReport, error) {
	var out []extraReport
	for _, r := range flags {
		f, file, ok := strings.Cut(r, "=")
		if !ok || file == "" {
			return nil, fmt.Errorf("--report %q: write FORMAT=FILE, such as junit=check.xml", r)
		}
		format, err := finding.ParseFormat(f)
		if err != nil {
			return nil, fmt.Errorf("--report %q: %w", r, err)
		}
		out = append(out, extraReport{format: format, file: file})
	}
	return out, nil
}

// writeReports renders each report with render into its file.
func writeReports(reports []extraReport, render func(io.Writer, finding.Format) error) error {
	for _, r := range reports {
		var b bytes.Buffer
		if err := render(&b, r.format); err != nil {
			return err
		}
		if err := os.WriteFile(r.file, b.Bytes(), 0o644); err != nil {
			return fmt.Errorf("--report %s=%s: %w", r.format, r.file, err)
		}
	}
	return nil
}

// reportFlagUsage is the usage of --report.
const reportFlagUsage = "also write the result in FORMAT to FILE (FORMAT=FILE, such as junit=check.xml); repeat for more"
