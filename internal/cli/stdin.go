package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/changegate/changegate/internal/operation"
	"github.com/changegate/changegate/userfile"
)

// readStdinPlan reads the plan from standard input when the plan
// argument is "-" (operation.StdinPlan): check, dryrun, review and plan
// digest take it, as kubectl and conftest do. The files the plan names
// are then relative to the working directory, inside its repository
// (docs/plans.md). Standard input that is a terminal (a character
// device) is refused: no plan would come.
func (a *app) readStdinPlan(ctx context.Context, arg string) error {
	if arg != operation.StdinPlan {
		return nil
	}
	if isTerminalReader(a.stdin) {
		return errors.New("- reads the plan from standard input, which is a terminal or a device (such as /dev/null), not a plan: pipe the plan in (changegate check - < plan.yaml) or give its file")
	}
	data, err := userfile.ReadStream(ctx, a.stdin, operation.StdinName, userfile.Plan)
	if err != nil {
		return err
	}
	if data == nil {
		data = []byte{}
	}
	a.stdinPlan = data
	return nil
}

// needsPlanFile refuses "-" for the verbs that need the plan's file, and
// says why.
func needsPlanFile(arg, why string) error {
	if arg == operation.StdinPlan {
		return fmt.Errorf("a plan from standard input (-) cannot be used here: %s; save the plan to a file and give its path", why)
	}
	return nil
}
