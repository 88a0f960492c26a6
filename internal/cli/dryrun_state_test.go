package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dryrun --write-state writes the model after the last step: the
// topology file with the values the plan changes, comments kept, as
// apply writes it after an applied run.
func TestDryRunWriteState(t *testing.T) {
	isolate(t)
	for _, plan := range []string{"lab/cost-out.yaml", "safe-plan.yaml", "outage-plan.yaml"} {
		t.Run(plan, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "after.yaml")
			_, errs, code := run(t, "dryrun", filepath.Join("..", "..", "examples", plan), "--n1=false", "--write-state", out)
			if code != 0 || !strings.Contains(errs, "wrote the state after the last step (sha256:") || !strings.Contains(errs, out) {
				t.Fatalf("exit %d\n%s", code, errs)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "write-state-"+strings.NewReplacer("/", "-", ".yaml", ".yaml").Replace(plan), string(got))
		})
	}
	_, errs, code := run(t, "dryrun", "--topology", "../../examples/lab/topology.yaml", "--write-state", filepath.Join(t.TempDir(), "x.yaml"))
	if code != 1 || !strings.Contains(errs, "--write-state writes the state after a plan's last step: give a plan") {
		t.Errorf("without a plan: exit %d\n%s", code, errs)
	}
}
