package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The attack: a policy directory in package
// changegate.params.approvals (or blast_radius) rewrote the built-in
// parameters, and apply ran what the gate denies. Such a directory is
// refused at load, by check and apply alike, naming file:line and the
// package; nothing runs.
func TestUserPolicyCannotRewriteBuiltinParams(t *testing.T) {
	isolate(t)
	t.Setenv("CHANGEGATE_STATE_DIR", filepath.Join(t.TempDir(), "state"))
	for _, pkg := range []string{"changegate.params.approvals", "changegate.params.blast_radius"} {
		dir := t.TempDir()
		writeFile(t, dir, "p.rego", "package "+pkg+"\n\nrequired := {\"low\": 0, \"medium\": 0, \"high\": 0, \"\": 0}\n\nmax_devices_per_step := 100\n")
		want := filepath.ToSlash(dir) + "/p.rego:1:1: package " + pkg + " is in the built-in namespace changegate"
		for _, verb := range []string{"check", "review", "apply"} {
			out, errs, code := run(t, verb, outagePlan, "--policy", dir)
			if code != ExitError || !strings.Contains(errs, want) {
				t.Errorf("%s --policy %s: exit %d, want 1 with %q\n%s%s", verb, pkg, code, want, out, errs)
			}
		}
	}
}

// Every parameter that differs from its default and every disabled
// policy is in the policy digest and shown by check (every format) and
// review (both formats); the user's policies read theirs from the
// configuration.
func TestPolicySettingsShown(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	pol := filepath.Join(dir, "pol")
	os.MkdirAll(pol, 0o755)
	writeFile(t, pol, "limits.rego", `package site.limits

import data.changegate.user_params.site.limits as params

deny contains {"msg": sprintf("step %d: %d devices, at most %d", [s.index, count(s.devices), params.max_devices]), "step": s.index} if {
	some s in input.plan.steps
	count(s.devices) > params.max_devices
}
`)
	cfg := writeFile(t, dir, "changegate.yaml", `policy:
  dirs: [pol]
  disable: [changegate.window]
  params:
    capacity: {threshold: 0.7}
    site.limits: {max_devices: 0}
`)
	wantText := []string{
		"disabled by configuration: changegate.window",
		"capacity.threshold: 0.7 (default 0.8)",
		"site.limits.max_devices: 0",
	}
	out, errs, code := run(t, "check", safePlan, "--config", cfg)
	if code != ExitDenied || !strings.Contains(out, "DENY  site.limits: step 1: 1 devices, at most 0") {
		t.Fatalf("the user policy did not get its parameter: exit %d\n%s%s", code, out, errs)
	}
	header := out[:strings.Index(out, "\n\n")]
	for _, w := range wantText {
		if !strings.Contains(header, w) {
			t.Errorf("check header lacks %q:\n%s", w, header)
		}
	}

	js, _, _ := run(t, "check", safePlan, "--config", cfg, "--format", "json")
	var doc struct {
		Digests        struct{ Policy string }
		PolicySettings struct {
			Disabled []string
			Params   []struct {
				Policy, Name   string
				Value, Default json.RawMessage
			}
		} `json:"policy_settings"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	ps := doc.PolicySettings
	if len(ps.Disabled) != 1 || len(ps.Params) != 2 || ps.Params[0].Name != "threshold" || string(ps.Params[0].Default) != "0.8" || ps.Params[1].Policy != "site.limits" || ps.Params[1].Default != nil {
		t.Errorf("policy_settings %+v", ps)
	}
	plain, _, _ := run(t, "check", safePlan, "--format", "json", "--policy", pol, "--config", writeFile(t, dir, "plain.yaml", "policy:\n  params:\n    site.limits: {max_devices: 0}\n"))
	if policyDigest(t, plain) == doc.Digests.Policy {
		t.Error("the settings do not change the policy digest")
	}

	list, _, _ := run(t, "policy", "list", "--config", cfg)
	for _, w := range []string{"disabled by configuration: changegate.window", "parameter set by configuration: capacity.threshold: 0.7 (default 0.8)", "policy digest: " + doc.Digests.Policy} {
		if !strings.Contains(list, w) {
			t.Errorf("policy list lacks %q:\n%s", w, list)
		}
	}
	for _, format := range []string{"github", "sarif", "junit"} {
		out, _, _ := run(t, "check", safePlan, "--config", cfg, "--format", format)
		for _, w := range append(wantText[1:], "changegate.window is disabled by configuration") {
			if !strings.Contains(out, w) {
				t.Errorf("check --format %s lacks %q:\n%s", format, w, out)
			}
		}
	}
	for _, format := range []string{"markdown", "html"} {
		out, errs, _ := run(t, "review", safePlan, "--config", cfg, "--format", format)
		for _, w := range []string{"disabled: changegate.window", "capacity.threshold: 0.7 (default 0.8)", "site.limits.max"} {
			if !strings.Contains(out, w) {
				t.Errorf("review --format %s lacks %q:\n%s%s", format, w, out, errs)
			}
		}
	}
}

// Policies cannot reach the network or the environment (refused at load,
// with file:line), and a runaway policy ends at policy.timeout with a
// denial naming it and its rule, never a stack trace. The limits refuse
// values that are not positive.
func TestPolicyIOAndTimeLimit(t *testing.T) {
	isolate(t)
	for _, tt := range []struct{ name, expr, col string }{
		{"http.send", `http.send({"method": "POST", "url": "http://127.0.0.1:9/", "body": input.plan}).status_code == 200`, "2"},
		{"net.lookup_ip_addr", `count(net.lookup_ip_addr("example.com")) > 0`, "8"},
	} {
		dir := t.TempDir()
		writeFile(t, dir, "leak.rego", "package leak\n\ndeny contains \"x\" if {\n\t"+tt.expr+"\n}\n")
		_, errs, code := run(t, "check", safePlan, "--policy", dir)
		want := filepath.ToSlash(dir) + "/leak.rego:4:" + tt.col + ": " + tt.name + " is not available to policies"
		if code != ExitError || !strings.Contains(errs, want) {
			t.Errorf("%s: exit %d, want 1 with %q:\n%s", tt.name, code, want, errs)
		}
	}

	dir := t.TempDir()
	writeFile(t, dir, "slow.rego", `package site.slow

deny contains "never" if {
	some i in numbers.range(1, 100000)
	some j in numbers.range(1, 100000)
	i + j < 0
}
`)
	cfg := writeFile(t, dir, "changegate.yaml", "policy:\n  timeout: 300ms\n")
	out, errs, code := run(t, "check", safePlan, "--policy", dir, "--config", cfg)
	want := "DENY  site.slow: policy site.slow did not finish within the time limit of 300ms (policy.timeout) and was stopped; it was in rule deny (" + filepath.ToSlash(dir) + "/slow.rego:3)"
	if code != ExitDenied || !strings.Contains(out, want) {
		t.Errorf("exit %d, want 2 with %q:\n%s%s", code, want, out, errs)
	}
	if strings.Contains(out+errs, "goroutine") {
		t.Errorf("stack trace:\n%s%s", out, errs)
	}

	// Each message names the key and the value; the exact words may come
	// from the general settings check.
	for _, tt := range []struct {
		setting string
		want    []string
	}{
		{"timeout: 0s", []string{"policy.timeout", "0s", "with its unit"}},
		{"timeout: -1s", []string{"policy.timeout", "-1s"}},
		{"timeout: .nan", []string{"policy.timeout"}},
		{"timeout: 10", []string{"policy.timeout", "unit"}},
		{"memory_limit: 0", []string{"policy.memory_limit", `"0"`, "give a positive size"}},
		{"memory_limit: -1GiB", []string{"policy.memory_limit", `"-1GiB"`, "give a size"}},
		{"memory_limit: 2GB", []string{"policy.memory_limit", `"2GB"`, "give a size"}},
	} {
		cfg := writeFile(t, dir, "bad.yaml", "policy:\n  "+tt.setting+"\n")
		_, errs, code := run(t, "check", safePlan, "--config", cfg)
		if code != ExitError {
			t.Errorf("%s: exit %d, want 1:\n%s", tt.setting, code, errs)
		}
		for _, w := range tt.want {
			if !strings.Contains(errs, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", tt.setting, w, errs)
			}
		}
	}
}
