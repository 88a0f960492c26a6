package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/changegate/changegate/internal/fakedev"
)

// TestApplyDeniedTouchesNothing applies the outage-shaped example plan
// with an inventory of fake devices: the gate denies it, apply exits 2
// with the verdict, no device is connected to, and no run is created.
// Break-glass without a reason is refused too.
func TestApplyDeniedTouchesNothing(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	t.Setenv("CHANGEGATE_STATE_DIR", state)
	kh := filepath.Join(dir, "known_hosts")
	pw := writeFile(t, dir, "pw", "pw\n")
	var inv strings.Builder
	fmt.Fprintf(&inv, "defaults: {platform: frr_vtysh, host: 127.0.0.1, username: admin, password: {file: %s}, host_key: {known_hosts: %s}}\ndevices:\n", pw, kh)
	var srvs []*fakedev.Server
	for _, n := range []string{"ebs1", "edge1", "p1", "p2", "p5", "s1", "ebs2", "edge2", "p3", "p4", "p6", "s2"} {
		p, _ := fakedev.Platform("frr_vtysh", n)
		srv, err := fakedev.Start(context.Background(), fakedev.Options{Personality: p, Users: map[string]string{"admin": "pw"}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		srv.WriteKnownHosts(kh)
		srvs = append(srvs, srv)
		fmt.Fprintf(&inv, "  %s: {port: %d}\n", n, srv.Port())
	}
	invFile := writeFile(t, dir, "inventory.yaml", inv.String())

	out, errs, code := run(t, "apply", "../../examples/outage-plan.yaml", "--inventory", invFile)
	if code != ExitDenied || !strings.Contains(errs, "DENIED") || !strings.Contains(errs, "apply refused: the gate denies this plan; no device was contacted") {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	_, errs, code = run(t, "apply", "../../examples/outage-plan.yaml", "--inventory", invFile, "--break-glass", " ")
	if code != 1 || !strings.Contains(errs, "--break-glass needs a reason") {
		t.Errorf("break-glass without a reason: exit %d %s", code, errs)
	}
	for i, s := range srvs {
		if s.Connections() != 0 {
			t.Errorf("device %d was connected to", i)
		}
	}
	if _, err := os.Stat(filepath.Join(state, "runs")); !os.IsNotExist(err) {
		t.Errorf("a run was created: %v", err)
	}

	// A policy can refuse break-glass: its denial is not overridable.
	pol := filepath.Join(dir, "policies")
	os.MkdirAll(pol, 0o755)
	writeFile(t, pol, "no_break_glass.rego", `package local.breakglass

import rego.v1

deny contains {"msg": "break-glass is not allowed on this network", "overridable": false} if input.override != null
`)
	_, errs, code = run(t, "apply", "../../examples/outage-plan.yaml", "--inventory", invFile, "--break-glass", "INC-1: restore service", "--policy", pol)
	if code != ExitDenied || !strings.Contains(errs, "cannot be overridden (break-glass is not allowed on this network)") {
		t.Errorf("unoverridable denial: exit %d\n%s", code, errs)
	}
	for i, s := range srvs {
		if s.Connections() != 0 {
			t.Errorf("device %d was connected to after an unoverridable denial", i)
		}
	}

	// Break-glass with a reason runs the denied plan, loudly, and the
	// journal keeps the reason and every denial it overrode.
	out, errs, code = run(t, "apply", "../../examples/outage-plan.yaml", "--inventory", invFile, "--break-glass", "INC-1: restore service", "--format", "json")
	if !strings.Contains(errs, "BREAK-GLASS: the gate denies this plan") || !strings.Contains(errs, "INC-1: restore service") {
		t.Errorf("break-glass: exit %d\n%s\n%s", code, out, errs)
	}
	// --format json: one event per line, the report last.
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var last struct {
		Kind   string
		Report struct{ Run, Status string }
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil || last.Kind != "report" || last.Report.Run == "" || last.Report.Status == "" {
		t.Errorf("last JSON line %q: %v", lines[len(lines)-1], err)
	}
	for _, l := range lines[:len(lines)-1] {
		var ev struct{ Kind string }
		if err := json.Unmarshal([]byte(l), &ev); err != nil || ev.Kind == "" {
			t.Errorf("not an event: %q", l)
		}
	}
	out, _, _ = run(t, "runs")
	f := strings.Fields(strings.Split(out, "\n")[1])
	if len(f) == 0 {
		t.Fatalf("no run listed:\n%s", out)
	}
	show, _, _ := run(t, "runs", "show", f[0])
	if !strings.Contains(show, "BREAK-GLASS by ") || !strings.Contains(show, "override") {
		t.Errorf("runs show does not tell the break-glass:\n%s", show)
	}

	// Disabling every built-in policy does not let the denied plan run:
	// apply refuses, naming each disabled policy that denies and what it
	// says, and touches nothing.
	var all []string
	for _, p := range []string{"approvals", "blast_radius", "capacity", "health", "n1", "reachability", "rollback", "window"} {
		all = append(all, "changegate."+p)
	}
	cfg := writeFile(t, dir, "changegate.yaml", "policy:\n  disable: ["+strings.Join(all, ", ")+"]\n")
	before := make([]int, len(srvs))
	for i, s := range srvs {
		before[i] = s.Connections()
	}
	_, errs, code = run(t, "apply", "../../examples/outage-plan.yaml", "--inventory", invFile, "--config", cfg)
	if code != ExitDenied || !strings.Contains(errs, "apply refused: policies the configuration disables deny this plan (") ||
		!strings.Contains(errs, "changegate: policies disabled by configuration: "+strings.Join(all, ", ")) {
		t.Errorf("every policy disabled: exit %d\n%s", code, errs)
	}
	for _, p := range []string{"changegate.capacity: step 2", "changegate.reachability: step 2", "changegate.n1: step 1", "changegate.blast_radius: step 1"} {
		if !strings.Contains(errs, p) {
			t.Errorf("the refusal does not name %s and what it says:\n%s", p, errs)
		}
	}
	for i, s := range srvs {
		if s.Connections() != before[i] {
			t.Errorf("device %d was connected to with every policy disabled", i)
		}
	}
	// Through break-glass it runs, and the journal keeps the disabled
	// policies and their denials.
	_, errs, _ = run(t, "apply", "../../examples/outage-plan.yaml", "--inventory", invFile, "--config", cfg, "--break-glass", "INC-2: disabled policies", "--format", "json")
	id := regexp.MustCompile(`run (\S+): `).FindStringSubmatch(errs)
	if id == nil {
		t.Fatalf("no run started:\n%s", errs)
	}
	show, _, _ = run(t, "runs", "show", id[1])
	if !strings.Contains(show, "BREAK-GLASS by ") || !strings.Contains(show, "policies disabled by configuration: "+strings.Join(all, ", ")) {
		t.Errorf("runs show does not tell the disabled policies:\n%s", show)
	}
	js, _, _ := run(t, "runs", "show", id[1], "--format", "json")
	var rec struct {
		Run struct {
			Meta struct {
				Digests map[string]string
				Policy  struct {
					Digest   string
					Disabled []string
				}
			}
			Records []struct {
				Type string
				Data struct {
					Denials []struct {
						Policy   string
						Disabled bool
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(js), &rec); err != nil {
		t.Fatal(err)
	}
	m := rec.Run.Meta
	if len(m.Policy.Disabled) != len(all) || m.Policy.Digest != m.Digests["policy"] {
		t.Errorf("meta policy %+v, digests %v", m.Policy, m.Digests)
	}
	var overridden int
	for _, r := range rec.Run.Records {
		if r.Type != "override" {
			continue
		}
		for _, d := range r.Data.Denials {
			if !d.Disabled {
				t.Errorf("override record: denial of %s not marked disabled", d.Policy)
			}
			overridden++
		}
	}
	if overridden == 0 {
		t.Error("no override record with the disabled policies' denials")
	}
}

// TestApplyChecked refuses a run whose plan changed since the verdict
// that was reviewed, and one whose reviewed verdict was a denial.
func TestApplyChecked(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	t.Setenv("CHANGEGATE_STATE_DIR", filepath.Join(dir, "state"))
	writeFile(t, dir, "topology.yaml", readFile(t, "../../examples/lab/topology.yaml"))
	plan := writeFile(t, dir, "plan.yaml", readFile(t, "../../examples/lab/cost-out.yaml"))
	out, errs, code := run(t, "check", plan, "--format", "json")
	if code != 0 {
		t.Fatalf("check: %d %s", code, errs)
	}
	verdict := writeFile(t, dir, "verdict.json", out)
	// Edited after the review: 1000 becomes 900.
	writeFile(t, dir, "plan.yaml", strings.Replace(readFile(t, plan), "ip ospf cost 1000", "ip ospf cost 900", 1))
	_, errs, code = run(t, "apply", plan, "--checked", verdict)
	if code != 1 || !strings.Contains(errs, "apply refused: what would run is not what was checked: plan differs from "+verdict+":11: plan sha256:") {
		t.Errorf("edited plan: exit %d\n%s", code, errs)
	}
	out, _, _ = run(t, "check", "../../examples/outage-plan.yaml", "--format", "json")
	denied := writeFile(t, dir, "denied.json", out)
	_, errs, code = run(t, "apply", "../../examples/outage-plan.yaml", "--checked", denied)
	if code != 1 || !strings.Contains(errs, "the verdict at "+denied+`:7 is "denied", not allowed`) {
		t.Errorf("denied verdict: exit %d\n%s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "state", "runs")); !os.IsNotExist(err) {
		t.Errorf("a run was created: %v", err)
	}
}
