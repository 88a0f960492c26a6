package cli

import (
	"context"
	"fmt"
	"os"
	"time"
)

// writeOutput writes data to the file out, or to standard output when out
// is "" or "-"; written to a file, summary (when not "") is said on
// standard error after "wrote FILE: ".
func (a *app) writeOutput(out string, data []byte, summary string) error {
	if out == "" || out == "-" {
		_, err := a.stdout.Write(data)
		return err
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if summary != "" {
		fmt.Fprintf(a.stderr, "wrote %s: %s\n", out, summary)
	}
	return nil
}

// withTimeout is ctx bounded by timeout when it is above 0 (a --timeout
// flag), else ctx as it is.
func withTimeout(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout > 0 {
		return context.WithTimeout(ctx, timeout)
	}
	return ctx, func() {}
}
