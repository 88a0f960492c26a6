package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/fakedev"
	"github.com/changegate/changegate/internal/journal"
)

// fakeDevices starts a fake FRR router for each name and writes an
// inventory of them to dir/inventory.yaml.
func fakeDevices(t *testing.T, dir string, names ...string) (string, map[string]*fakedev.Server) {
	t.Helper()
	kh := filepath.Join(dir, "known_hosts")
	pw := writeFile(t, dir, "pw", "pw\n")
	var inv strings.Builder
	fmt.Fprintf(&inv, "defaults: {platform: frr_vtysh, host: 127.0.0.1, username: admin, password: {file: %s}, host_key: {known_hosts: %s}}\ndevices:\n", pw, kh)
	srvs := map[string]*fakedev.Server{}
	for _, n := range names {
		p, _ := fakedev.Platform("frr_vtysh", n)
		srv, err := fakedev.Start(context.Background(), fakedev.Options{Personality: p, Users: map[string]string{"admin": "pw"}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		srv.WriteKnownHosts(kh)
		srvs[n] = srv
		fmt.Fprintf(&inv, "  %s: {port: %d}\n", n, srv.Port())
	}
	return writeFile(t, dir, "inventory.yaml", inv.String()), srvs
}

func connections(srvs map[string]*fakedev.Server) int {
	n := 0
	for _, s := range srvs {
		n += s.Connections()
	}
	return n
}

// onlyRun returns the id of the one run in the state directory that is
// not in seen, and adds it there.
func newRun(t *testing.T, state string, seen map[string]bool) journal.Summary {
	t.Helper()
	runs, err := journal.List(state)
	if err != nil {
		t.Fatal(err)
	}
	var found []journal.Summary
	for _, r := range runs {
		if !seen[r.Meta.RunID] {
			found = append(found, r)
			seen[r.Meta.RunID] = true
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d new runs: %+v", len(found), found)
	}
	return found[0]
}

const triangle = `igp: ospf
nodes: [{name: a}, {name: b}, {name: c}]
links:
  - {id: ab, a: "a:ab", b: "b:ab", capacity: 10G, metric: 10}
  - {id: ac, a: "a:ac", b: "c:ac", capacity: 40G, metric: 10}
  - {id: cb, a: "c:cb", b: "b:cb", capacity: 40G, metric: 10}
demands:
  - {src: a, dst: b, rate: %s}
`

// costOut raises the cost of ac on both ends, one end per step; a
// medium-risk change, which needs one approval.
const costOut = `title: cost out ac
risk: medium
author: alice@example.net
topology: topology.yaml
pre_checks:
  - {name: a is a, device: a, command: show running-config, expect: {contains: hostname a}}
steps:
  - name: cost out ac on a
    device: a
    config: ["interface ac", " ip ospf cost 100"]
    rollback_config: ["interface ac", " ip ospf cost 10"]
    effects: [{type: set_metric, link: ac, metric: 100, from: a}]
    checks:
      - {name: cost 100, command: show running-config, expect: {contains: ip ospf cost 100}}
  - name: cost out ac on c
    device: c
    config: ["interface ac", " ip ospf cost 100"]
    rollback_config: ["interface ac", " ip ospf cost 10"]
    effects: [{type: set_metric, link: ac, metric: 100, from: c}]
    checks:
      - {name: cost 100 on c, command: show running-config, expect: {contains: ip ospf cost 100}}
post_checks:
  - {name: c is c, device: c, command: show running-config, expect: {contains: hostname c}}
`

// TestRecoverRefusesAndRevert applies a plan that succeeds, then: recover
// of that run is refused without contacting any device; revert writes the
// inverse plan, which the gate denies without its approval (no device
// contacted); approved, revert applies it (the rollback lines, last step
// first), and the journal records it as a revert of the run. A second
// revert, and recover of the revert, are refused.
func TestRecoverRefusesAndRevert(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	t.Setenv("CHANGEGATE_STATE_DIR", state)
	t.Setenv("CHANGEGATE_APPLY_OBSERVE", "false")
	invFile, srvs := fakeDevices(t, dir, "a", "b", "c")
	writeFile(t, dir, "topology.yaml", fmt.Sprintf(triangle, "2G"))
	plan := writeFile(t, dir, "plan.yaml", costOut)
	jane := newKey(t, dir, "jane")
	writeFile(t, dir, "allowed_signers", fmt.Sprintf("jane@example.net namespaces=\"changegate\" %s\n", jane))
	cfg := writeFile(t, dir, "changegate.yaml", "approvals:\n  allowed_signers: allowed_signers\n")
	cg := func(args ...string) (string, string, int) {
		t.Helper()
		return run(t, append([]string{"--config", cfg}, args...)...)
	}
	if _, errs, code := cg("approve", plan, "--key", filepath.Join(dir, "jane"), "--inventory", invFile); code != 0 {
		t.Fatalf("approve: %s", errs)
	}
	out, errs, code := cg("apply", plan, "--inventory", invFile)
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errs)
	}
	seen := map[string]bool{}
	applied := newRun(t, state, seen).Meta.RunID

	// recover: refused, saying what the run is and what to do.
	before := connections(srvs)
	_, errs, code = cg("recover", applied)
	if code != 1 || !strings.Contains(errs, "recover refused: run "+applied+" ended: it succeeded") || !strings.Contains(errs, "changegate revert "+applied) {
		t.Errorf("recover of a run that succeeded: exit %d\n%s", code, errs)
	}
	if strings.Contains(errs, "may still be in place") {
		t.Errorf("recover calls the run's changes leftovers:\n%s", errs)
	}
	if connections(srvs) != before {
		t.Errorf("recover contacted a device")
	}
	if r, _ := journal.Read(state, applied); r.Status != journal.Succeeded || len(r.Records) == 0 || r.Records[len(r.Records)-1].Type != apply.RecordRunEnd {
		t.Errorf("recover changed the run: %s, last record %+v", r.Status, r.Records[len(r.Records)-1])
	}

	// revert without the inverse plan's approval: written, denied.
	inverse := filepath.Join(dir, "plan.revert-"+applied+".yaml")
	model := filepath.Join(dir, "plan.revert-"+applied+".topology.yaml")
	_, errs, code = cg("revert", applied)
	if code != ExitDenied || !strings.Contains(errs, "wrote the inverse plan of run "+applied) || !strings.Contains(errs, `risk "medium" needs 1 approval, has 0 valid`) ||
		!strings.Contains(errs, "revert of run "+applied+" refused: the gate denies its inverse plan "+inverse) {
		t.Fatalf("revert before approval: exit %d\n%s", code, errs)
	}
	if connections(srvs) != before {
		t.Errorf("a denied revert contacted a device")
	}
	if _, err := os.Stat(model); err != nil {
		t.Error(err)
	}
	text := readFile(t, inverse)
	for _, want := range []string{"title: 'revert: cost out ac'", "risk: medium", "author: alice@example.net", "topology: plan.revert-" + applied + ".topology.yaml", "name: undo cost out ac on c"} {
		if !strings.Contains(text, want) {
			t.Errorf("inverse plan lacks %q:\n%s", want, text)
		}
	}
	if strings.Index(text, "undo cost out ac on c") > strings.Index(text, "undo cost out ac on a") {
		t.Errorf("inverse steps not in reverse order:\n%s", text)
	}
	// Its steps are not edited by hand: the same text again is written
	// again as it was.
	if _, errs, code = cg("revert", applied, "--write"); code != 0 || !strings.Contains(errs, "unchanged") {
		t.Errorf("--write again: exit %d\n%s", code, errs)
	}

	// Approved, the revert runs: rollback lines, step 2's first.
	if _, errs, code = cg("approve", inverse, "--key", filepath.Join(dir, "jane"), "--inventory", invFile); code != 0 {
		t.Fatalf("approve the inverse: %s", errs)
	}
	out, errs, code = cg("revert", applied)
	if code != 0 || !strings.Contains(errs, "run "+applied+" is reverted, by run ") {
		t.Fatalf("revert: exit %d\n%s%s", code, out, errs)
	}
	reverted := newRun(t, state, seen)
	if reverted.Meta.Extra["revert_of"] != applied || reverted.Status != journal.Succeeded {
		t.Errorf("revert run: %+v", reverted)
	}
	r, err := journal.Read(state, reverted.Meta.RunID)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	var revertRec apply.RevertData
	for _, rec := range r.Records {
		switch rec.Type {
		case apply.RecordRevert:
			if err := apply.DecodeData(rec, &revertRec); err != nil {
				t.Error(err)
			}
		case apply.RecordConfigIntent:
			var d apply.ConfigIntentData
			if err := apply.DecodeData(rec, &d); err != nil {
				t.Error(err)
			}
			order = append(order, rec.Device+":"+strings.Join(d.Lines, "/"))
		}
	}
	if revertRec.Of != applied || revertRec.Plan != plan {
		t.Errorf("revert record: %+v", revertRec)
	}
	if want := []string{"c:interface ac/ ip ospf cost 10", "a:interface ac/ ip ospf cost 10"}; strings.Join(order, ";") != strings.Join(want, ";") {
		t.Errorf("configured %q, want %q", order, want)
	}
	for _, d := range []string{"a", "c"} {
		if in := srvs[d].Inputs(); !slices.ContainsFunc(in, func(l string) bool { return strings.TrimSpace(l) == "ip ospf cost 10" }) {
			t.Errorf("%s never got its rollback line: %q", d, in)
		}
	}
	show, _, _ := cg("runs", "show", reverted.Meta.RunID)
	if !strings.Contains(show, "REVERT of run "+applied) {
		t.Errorf("runs show of the revert:\n%s", show)
	}

	// Once reverted, not again; and the revert is not recovered either.
	if _, errs, code = cg("revert", applied); code != 1 || !strings.Contains(errs, "was reverted already, by run "+reverted.Meta.RunID) {
		t.Errorf("second revert: exit %d\n%s", code, errs)
	}
	if _, errs, code = cg("recover", reverted.Meta.RunID); code != 1 || !strings.Contains(errs, "ended: it succeeded") {
		t.Errorf("recover of the revert: exit %d\n%s", code, errs)
	}
}

// upgrade raises ab from 10G to 40G: with 9G from a to b, ab was at 90%
// before (the baseline is only warned about) and is at 22.5% after. Its
// second step changes nothing for ab.
const upgrade = `title: upgrade ab
risk: low
topology: topology.yaml
pre_checks:
  - {name: a is a, device: a, command: show running-config, expect: {contains: hostname a}}
steps:
  - name: upgrade ab
    device: a
    config: ["interface ab", " bandwidth 40000000"]
    rollback_config: ["interface ab", " bandwidth 10000000"]
    effects: [{type: set_capacity, link: ab, capacity: 40G}]
    rollback: [{type: set_capacity, link: ab, capacity: 10G}]
    checks:
      - {name: ab is 40G, command: show running-config, expect: {contains: bandwidth 40000000}}
  - name: cost ac
    device: a
    config: ["interface ac", " ip ospf cost 5"]
    rollback_config: ["interface ac", " ip ospf cost 10"]
    effects: [{type: set_metric, link: ac, metric: 5, from: a}]
    checks:
      - {name: cost 5, command: show running-config, expect: {contains: ip ospf cost 5}}
post_checks:
  - {name: a is still a, device: a, command: show running-config, expect: {contains: hostname a}}
`

// TestRevertCheckedFromTheNetworkAfter: the gate checks a revert from the
// network as the run left it. Undoing the upgrade of a hot link puts it
// back over its threshold, in the revert's second step (undo upgrade
// ab), not its first: from the network before the run, the first step
// would already look overloaded. The model the revert is checked from is
// written beside the plan and has ab at 40G.
func TestRevertCheckedFromTheNetworkAfter(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	t.Setenv("CHANGEGATE_STATE_DIR", state)
	t.Setenv("CHANGEGATE_APPLY_OBSERVE", "false")
	invFile, srvs := fakeDevices(t, dir, "a", "b", "c")
	writeFile(t, dir, "topology.yaml", fmt.Sprintf(triangle, "9G"))
	plan := writeFile(t, dir, "plan.yaml", upgrade)
	out, errs, code := run(t, "apply", plan, "--inventory", invFile)
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errs)
	}
	applied := newRun(t, state, map[string]bool{}).Meta.RunID

	if _, errs, code = run(t, "revert", applied, "--write"); code != 0 {
		t.Fatalf("revert --write: exit %d\n%s", code, errs)
	}
	model := readFile(t, filepath.Join(dir, "plan.revert-"+applied+".topology.yaml"))
	if !strings.Contains(model, "capacity: 40G") || strings.Count(model, "capacity: 10G") != 0 || !strings.Contains(model, "metric: {ab: 5, ba: 10}") {
		t.Errorf("the model after the run:\n%s", model)
	}
	before := connections(srvs)
	_, errs, code = run(t, "revert", applied)
	if code != ExitDenied || !strings.Contains(errs, `step 2 "undo upgrade ab": link ab a->b at 90%`) {
		t.Errorf("revert: exit %d\n%s", code, errs)
	}
	if strings.Contains(errs, `step 1 "undo cost ac": link ab`) {
		t.Errorf("the revert was checked from the network before the run:\n%s", errs)
	}
	if connections(srvs) != before {
		t.Errorf("a denied revert contacted a device")
	}

	// The inverse plan edited beyond its metadata: refused, whatever the
	// gate would say.
	inverse := filepath.Join(dir, "plan.revert-"+applied+".yaml")
	writeFile(t, dir, filepath.Base(inverse), strings.Replace(readFile(t, inverse), "bandwidth 10000000", "bandwidth 40000000", 1))
	_, errs, code = run(t, "revert", applied)
	if code != 1 || !strings.Contains(errs, "is not the inverse of run "+applied+": its steps") || !strings.Contains(errs, "kept as it is") {
		t.Errorf("edited inverse: exit %d\n%s", code, errs)
	}
	// So is a model that is not the network after the run.
	run(t, "revert", applied, "--write")
	writeFile(t, dir, "plan.revert-"+applied+".topology.yaml", strings.Replace(model, "capacity: 40G", "capacity: 100G", 1))
	_, errs, code = run(t, "revert", applied)
	if code != 1 || !strings.Contains(errs, "is not the model of the network after the run") {
		t.Errorf("edited model: exit %d\n%s", code, errs)
	}
	if connections(srvs) != before {
		t.Errorf("a refused revert contacted a device")
	}

	// A later run changes a again: the network is no longer as the run
	// left it, so its revert is refused until the later run is undone.
	later := writeFile(t, dir, "later.yaml", strings.NewReplacer("title: upgrade ab", "title: later", "40000000", "20000000", "40G", "20G").Replace(upgrade))
	if out, errs, code := run(t, "apply", later, "--inventory", invFile); code != 0 {
		t.Fatalf("apply later: exit %d\n%s%s", code, out, errs)
	}
	_, errs, code = run(t, "revert", applied)
	if code != 1 || !strings.Contains(errs, "changed the network after run "+applied+", on a, and was not reverted") {
		t.Errorf("revert after a later run: exit %d\n%s", code, errs)
	}
}

// A plan that leaves its effects to its configuration is reverted from
// what its configuration did: the model after the run has ac costed out
// in both directions, and the inverse plan undoes exactly that, so the
// gate allows it (no effects declared against what the configuration
// does, a rollback that restores the state before each step).
func TestRevertOfEffectsReadFromConfiguration(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	t.Setenv("CHANGEGATE_STATE_DIR", state)
	t.Setenv("CHANGEGATE_APPLY_OBSERVE", "false")
	invFile, _ := fakeDevices(t, dir, "a", "b", "c")
	writeFile(t, dir, "topology.yaml", fmt.Sprintf(triangle, "2G"))
	derived := regexp.MustCompile(`(?m)^    effects: .*\n`).ReplaceAllString(strings.Replace(costOut, "risk: medium", "risk: low", 1), "")
	if strings.Contains(derived, "effects:") {
		t.Fatalf("the plan still declares effects:\n%s", derived)
	}
	plan := writeFile(t, dir, "plan.yaml", derived)
	if out, errs, code := run(t, "apply", plan, "--inventory", invFile); code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errs)
	}
	applied := newRun(t, state, map[string]bool{}).Meta.RunID
	if _, errs, code := run(t, "revert", applied, "--write"); code != 0 {
		t.Fatalf("revert --write: exit %d\n%s", code, errs)
	}
	model := readFile(t, filepath.Join(dir, "plan.revert-"+applied+".topology.yaml"))
	if !strings.Contains(model, "metric_ab: 100") && !strings.Contains(model, "metric: 100") {
		t.Errorf("the model after the run does not have ac costed out:\n%s", model)
	}
	inverse := filepath.Join(dir, "plan.revert-"+applied+".yaml")
	out, errs, code := run(t, "check", inverse, "--inventory", invFile)
	if code != ExitOK {
		t.Fatalf("check of the inverse plan: exit %d\n%s%s\n%s", code, out, errs, readFile(t, inverse))
	}
}
