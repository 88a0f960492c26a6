package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestRunbookVerbs(t *testing.T) {
	out, errs, code := run(t, "runbook", "list")
	if code != 0 || !strings.Contains(out, "router-maintenance-drain  built-in") || !strings.Contains(out, "  ospf,isis  Set the IGP metric") || !strings.Contains(out, "  any        Shut down") {
		t.Fatalf("list: exit %d\n%s%s", code, out, errs)
	}
	out, errs, code = run(t, "runbook", "show", "link-metric")
	if code != 0 || !strings.Contains(out, "restore_metric  metric (1..65535 OSPF, 1..16777214 IS-IS)  (required)") || !strings.Contains(out, "igps: ospf, isis (the topology's igp chooses the form)") {
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
	// The rendered plan says the platform it is written for, so the gate
	// reads its configuration: every effect comes from a line.
	if !strings.Contains(readFile(t, plan), "\nplatform: juniper_junos\n") {
		t.Errorf("the rendered plan does not name its platform:\n%s", readFile(t, plan))
	}
	if !strings.Contains(out, `(p2: "set protocols ospf overload", line`) || strings.Contains(out, "not modelled") {
		t.Errorf("the rendered plan's effects are not read from its configuration:\n%s", out)
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

	// IS-IS: the topology's igp chooses the form; without a topology,
	// --igp does, and a runbook with both forms needs one of them.
	isis := writeFile(t, dir, "lab-isis.yaml", readFile(t, "../../examples/lab-isis/topology.yaml"))
	isisPlan := filepath.Join(dir, "isis.yaml")
	if _, errs, code = run(t, "runbook", "render", "router-maintenance-drain", "--param", "device=d", "--param", "metric=1000",
		"--platform", "frr_vtysh", "--topology", isis, "-o", isisPlan); code != 0 {
		t.Fatalf("render for IS-IS: exit %d: %s", code, errs)
	}
	if got := readFile(t, isisPlan); !strings.Contains(got, "isis metric 1000") || !strings.Contains(got, "set-overload-bit") || strings.Contains(got, "ospf") {
		t.Errorf("rendered for IS-IS:\n%s", got)
	}
	if out, errs, code = run(t, "dryrun", isisPlan, "--n1=false"); code != 0 || !strings.Contains(out, "3 steps") {
		t.Fatalf("dryrun of the IS-IS plan: exit %d\n%s%s", code, out, errs)
	}
	out, errs, code = run(t, "runbook", "render", "router-drain", "--param", "device=d", "--platform", "cisco_iosxr", "--igp", "isis")
	if code != 0 || !strings.Contains(out, "router isis 1") {
		t.Errorf("render --igp isis: exit %d\n%s%s", code, out, errs)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--platform", "frr_vtysh"}, "--param: runbook router-drain has forms for OSPF and IS-IS: say which IGP the network runs"},
		{[]string{"--platform", "frr_vtysh", "--igp", "ospf", "--topology", isis}, "--param: rendering for OSPF, but the topology's igp is isis"},
	} {
		_, errs, code = run(t, append([]string{"runbook", "render", "router-drain", "--param", "device=d"}, tc.args...)...)
		if code != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, missing %q in:\n%s", tc.args, code, tc.want, errs)
		}
	}
}
