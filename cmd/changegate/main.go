// Command changegate is a change-control gate for network operations:
// it dry-runs change plans step by step against a model of the network.
package main

import (
	"context"
	"os"

	"github.com/changegate/changegate/internal/cli"
)

func main() {
	ctx, stop := interruptible(context.Background(), os.Stderr, os.Exit)
	code := exitCode(ctx, cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	stop()
	os.Exit(code)
}
