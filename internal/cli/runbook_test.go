package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestRunbookVerbs(t *testing.T) {
	out, errs, code := run(t, "runbook", "list")
	if code != 0 || !strings.Contains(out, "router-maintenance-drain  built-in") {
		t.Fatalf("list: exit %d\n%s%s", code, out, errs)
	}
	out, errs, code = run(t, "runbook", "show", "link-metric")
	if code != 0 || !strings.Contains(out, "restore_metric  int (1..65535)       (required)") {
		t.Fatalf("show: exit %d\n%s%s", code, out, errs)
	}
	dir := t.TempDir()
	topo := writeFile(t, dir, "april-2011.yaml", readFile(t, "../../examples/april-2011.yaml"))
	plan := filepath.Join(dir, "plan.yaml")
	_, errs, code = run(t, "runbook", "render", "router-maintenance-drain", "--param", "device=p2", "--param", "metric=500",
		"--platform", "juniper_junos", "--topology", topo, "-o", plan)
	if code != 0 {
		t.Fatalf("render: exit %d: %s", code, errs)
	}
	out, errs, code = run(t, "dryrun", plan, "--n1=false")
	if code != 0 || !strings.Contains(out, "5 steps") {
		t.Fatalf("dryrun of the rendered plan: exit %d\n%s%s", code, out, errs)
	}
	_, errs, code = run(t, "runbook", "render", "link-metric", "--param", "device=p22", "--param", "lnk=x",
		"--platform", "frr_vtysh", "--topology", "../../examples/april-2011.yaml")
	for _, w := range []string{`--param: runbook link-metric has no parameter "lnk" (hint: did you mean "link"?)`,
		`--param: parameter "device" (device): "p22" is not a node of the topology (hint: did you mean "p2"?)`} {
		if code != 1 || !strings.Contains(errs, w) {
			t.Errorf("bad params: exit %d, missing %q in:\n%s", code, w, errs)
		}
	}
	if _, errs, code = run(t, "runbook", "show", "link-metrc"); code != 1 || !strings.Contains(errs, `did you mean "link-metric"?`) {
		t.Errorf("unknown runbook: exit %d: %s", code, errs)
	}
}
