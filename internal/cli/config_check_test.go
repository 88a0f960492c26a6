package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/changegate/changegate/internal/fakedev"
)

// TestSettingsOutOfRange: every numeric, duration and rate setting is
// checked wherever it comes from; the error names the key, the value as
// written, where it came from (file:line:col, the variable or the flag)
// and what is allowed. NaN, infinities, negative numbers, bare numbers
// for durations and fractions for counts are refused, never replaced.
func TestSettingsOutOfRange(t *testing.T) {
	tests := []struct {
		name string
		file string            // changegate.yaml; "" for none
		env  map[string]string // CHANGEGATE_* variables
		args []string          // after the verb
		want []string          // the error lines, in order
	}{
		{name: "negative concurrency in the file", file: "apply:\n  concurrency: -1\n",
			want: []string{"changegate.yaml:2:16: apply.concurrency: -1 is out of range (hint: give a whole number from 1 to 1000)"}},
		{name: "zero concurrency is not replaced by 20", file: "apply:\n  concurrency: 0\n",
			want: []string{"changegate.yaml:2:16: apply.concurrency: 0 is out of range (hint: give a whole number from 1 to 1000)"}},
		{name: "fractional concurrency is not truncated", file: "apply: {concurrency: 2.5}\n",
			want: []string{"changegate.yaml:1:22: apply.concurrency: 2.5 is not a whole number (hint: give a whole number from 1 to 1000)"}},
		{name: "NaN tolerance", file: "apply:\n  observe_tolerance: .nan\n",
			want: []string{"changegate.yaml:2:22: apply.observe_tolerance: .nan is not a whole number (hint: give a whole number, 0 or more)"}},
		{name: "negative tolerance", env: map[string]string{"CHANGEGATE_APPLY_OBSERVE_TOLERANCE": "-3"},
			want: []string{"environment variable CHANGEGATE_APPLY_OBSERVE_TOLERANCE: apply.observe_tolerance: -3 is out of range (hint: give a whole number, 0 or more)"}},
		{name: "duration without a unit", file: "apply:\n  rollback_timeout: 600\n",
			want: []string{"changegate.yaml:2:21: apply.rollback_timeout: 600 has no unit (hint: give a duration from 1s to 24h, with its unit, such as 90s or 10m)"}},
		{name: "negative duration", file: "apply:\n  confirm_margin: -2m\n",
			want: []string{"changegate.yaml:2:19: apply.confirm_margin: -2m is out of range (hint: give a duration from 1s to 24h, with its unit, such as 90s or 10m)"}},
		{name: "zero duration is not replaced by the default", env: map[string]string{"CHANGEGATE_APPLY_CONFIRM_MARGIN": "0s"},
			want: []string{"environment variable CHANGEGATE_APPLY_CONFIRM_MARGIN: apply.confirm_margin: 0s is out of range (hint: give a duration from 1s to 24h, with its unit, such as 90s or 10m)"}},
		{name: "duration that does not parse", env: map[string]string{"CHANGEGATE_APPLY_OBSERVE_TIMEOUT": "NaN"},
			want: []string{"environment variable CHANGEGATE_APPLY_OBSERVE_TIMEOUT: apply.observe_timeout: NaN is not a duration (hint: give a duration from 1s to 24h, with its unit, such as 90s or 10m)"}},
		{name: "NaN threshold in the file", file: "dryrun:\n  threshold: .nan\n",
			want: []string{"changegate.yaml:2:14: dryrun.threshold: .nan is not a finite number (hint: give utilisation as a fraction above 0 and at most 10: 0.8 for 80%)"}},
		{name: "infinite threshold", env: map[string]string{"CHANGEGATE_DRYRUN_THRESHOLD": "+Inf"},
			want: []string{"environment variable CHANGEGATE_DRYRUN_THRESHOLD: dryrun.threshold: +Inf is not a finite number (hint: give utilisation as a fraction above 0 and at most 10: 0.8 for 80%)"}},
		{name: "NaN threshold by flag", args: []string{"--threshold", "NaN"},
			want: []string{"flag --threshold: dryrun.threshold: NaN is not a finite number (hint: give utilisation as a fraction above 0 and at most 10: 0.8 for 80%)"}},
		{name: "negative top movers by flag, over the file", file: "dryrun:\n  top_movers: 3\n", args: []string{"--top-movers", "-1"},
			want: []string{"flag --top-movers: dryrun.top_movers: -1 is out of range (hint: give a whole number, 0 or more)"}},
		{name: "zero reference bandwidth is not replaced by 100G", file: "import:\n  reference_bandwidth: 0\n",
			want: []string{"changegate.yaml:2:24: import.reference_bandwidth: 0 is out of range (hint: give a rate above 0, such as 100G or 400M)"}},
		{name: "NaN capacity", file: "import:\n  default_capacity: .nanG\n",
			want: []string{"changegate.yaml:2:21: import.default_capacity: .nanG is not a rate above 0 (hint: give a rate above 0, such as 100G or 400M, or nothing for none)"}},
		{name: "a long value is clipped", env: map[string]string{"CHANGEGATE_APPLY_CONCURRENCY": strings.Repeat("9", 100)},
			want: []string{"environment variable CHANGEGATE_APPLY_CONCURRENCY: apply.concurrency: " + strings.Repeat("9", 40) + "... is not a whole number (hint: give a whole number from 1 to 1000)"}},
		{name: "every problem, in order", file: "apply:\n  concurrency: 100000\ndryrun:\n  top_movers: -2\n", env: map[string]string{"CHANGEGATE_APPLY_ROLLBACK_TIMEOUT": "48h"},
			want: []string{
				"changegate.yaml:2:16: apply.concurrency: 100000 is out of range (hint: give a whole number from 1 to 1000)",
				"changegate.yaml:4:15: dryrun.top_movers: -2 is out of range (hint: give a whole number, 0 or more)",
				"environment variable CHANGEGATE_APPLY_ROLLBACK_TIMEOUT: apply.rollback_timeout: 48h is out of range (hint: give a duration from 1s to 24h, with its unit, such as 90s or 10m)",
			}},
	}
	plan := abs(t, "../../examples/outage-plan.yaml")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			t.Chdir(t.TempDir())
			if tt.file != "" {
				writeFile(t, ".", "changegate.yaml", tt.file)
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			_, errs, code := run(t, append([]string{"dryrun", plan}, tt.args...)...)
			want := strings.Join(tt.want, "\n") + fmt.Sprintf("\nchangegate: %d %s; nothing was done\n", len(tt.want), map[bool]string{true: "error", false: "errors"}[len(tt.want) == 1])
			if code != ExitError || errs != want {
				t.Errorf("exit %d, stderr:\n%s\nwant:\n%s", code, errs, want)
			}
		})
	}
}

// TestSettingsInRange: values at the ends of the ranges, written every
// way the configuration allows, are accepted.
func TestSettingsInRange(t *testing.T) {
	isolate(t)
	plan := abs(t, "../../examples/outage-plan.yaml")
	t.Chdir(t.TempDir())
	writeFile(t, ".", "changegate.yaml", `apply:
  concurrency: 1000
  rollback_timeout: 24h
  confirm_margin: 1s
  observe_tolerance: 0
  observe_timeout: "90s"
dryrun:
  threshold: "10"
  top_movers: 0
import:
  default_capacity: ""
  reference_bandwidth: 1e11
`)
	t.Setenv("CHANGEGATE_APPLY_CONCURRENCY", "1")
	if _, errs, code := run(t, "dryrun", plan, "--n1=false", "--threshold", "0.01"); code != 0 {
		t.Errorf("exit %d: %s", code, errs)
	}
}

// TestEveryNumericSettingHasLimits: a numeric or duration setting added
// to Config without limits would take any value.
func TestEveryNumericSettingHasLimits(t *testing.T) {
	var walk func(prefix string, typ reflect.Type)
	walk = func(prefix string, typ reflect.Type) {
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			tag := f.Tag.Get("mapstructure")
			if tag == "-" || tag == "" {
				continue
			}
			key := prefix + tag
			switch f.Type.Kind() {
			case reflect.Struct:
				walk(key+".", f.Type)
			case reflect.Int, reflect.Int64, reflect.Float64:
				if _, ok := limits[key]; !ok {
					t.Errorf("%s (%s) has no limits", key, f.Type)
				}
			}
		}
	}
	walk("", reflect.TypeOf(Config{}))
	for k := range limits {
		if _, ok := defaults[k]; !ok {
			t.Errorf("limits of %s, which is not a setting", k)
		}
		if problem := limits[k].check(defaults[k]); problem != "" {
			t.Errorf("the default of %s %v %s", k, defaults[k], problem)
		}
	}
	if _, ok := limits["apply.confirm_margin"]; !ok || reflect.TypeOf(ApplyConfig{}.ConfirmMargin) != reflect.TypeOf(time.Duration(0)) {
		t.Error("apply.confirm_margin is not a checked duration")
	}
}

// TestConfirmMarginReachesTheExecutor applies a one-step plan to a fake
// IOS XR device: the confirmed commit is given the step's check at its
// slowest (1s), twice over, plus apply.confirm_margin, from the file or
// the environment.
func TestConfirmMarginReachesTheExecutor(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("CHANGEGATE_STATE_DIR", filepath.Join(dir, "state"))
	// The fake IOS-XR device has no link-state database to read: this
	// test is about the confirm margin, not the network's drift.
	t.Setenv("CHANGEGATE_APPLY_OBSERVE", "false")
	p, err := fakedev.Platform("cisco_iosxr", "a")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := fakedev.Start(context.Background(), fakedev.Options{Personality: p, Users: map[string]string{"admin": "pw"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	kh := filepath.Join(dir, "known_hosts")
	if err := srv.WriteKnownHosts(kh); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "pw", "pw\n")
	writeFile(t, dir, "inventory.yaml", fmt.Sprintf("defaults: {platform: cisco_iosxr, host: 127.0.0.1, username: admin, password: {file: pw}, host_key: {known_hosts: %s}}\ndevices:\n  a: {port: %d}\n", kh, srv.Port()))
	writeFile(t, dir, "topology.yaml", "igp: ospf\nnodes: [{name: a}, {name: b}]\nlinks:\n  - {id: ab, a: \"a:Gi0/0/0/0\", b: \"b:Gi0/0/0/0\", capacity: 10G, metric: 10}\n")
	writeFile(t, dir, "plan.yaml", `title: cost out a-b
risk: low
topology: topology.yaml
inventory: inventory.yaml
steps:
  - name: cost out
    device: a
    config: |
      router ospf 1
       area 0
        interface Gi0/0/0/0
         cost 1000
    rollback_config: |
      router ospf 1
       area 0
        interface Gi0/0/0/0
         cost 10
    effects:
      - {type: set_metric, link: ab, metric: 1000, from: a}
    checks:
      - {name: still a, command: show running-config, expect: {contains: hostname a}, timeout: 1s}
`)
	commits := func() []string {
		var out []string
		for _, in := range srv.Inputs() {
			if strings.HasPrefix(in, "commit") {
				out = append(out, in)
			}
		}
		return out
	}
	tests := []struct {
		name, file, env, want string
	}{
		{"default", "", "", "commit confirmed 122"},
		{"file", "apply: {confirm_margin: 5m, observe: false}\n", "", "commit confirmed 302"},
		{"environment over file", "apply: {confirm_margin: 5m, observe: false}\n", "90s", "commit confirmed 92"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			writeFile(t, dir, "changegate.yaml", tt.file)
			t.Setenv("CHANGEGATE_APPLY_CONFIRM_MARGIN", tt.env)
			before := len(commits())
			out, errs, code := run(t, "apply", "plan.yaml")
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out, errs)
			}
			got := commits()[before:]
			if len(got) == 0 || got[0] != tt.want {
				t.Errorf("commits %q, want %q first", got, tt.want)
			}
		})
	}
}

// TestConfigFileProblems: problems of changegate.yaml are reported at
// their line: unknown keys with the closest key (a mistyped free-form
// key such as approvals.role once, as itself), free-form values of the
// wrong shape saying the shape expected, and a second YAML document,
// which would be ignored.
func TestConfigFileProblems(t *testing.T) {
	const rolesHint = "(hint: write approvals.roles as APPROVER: [ROLE, ...], such as jane@example.net: [network-lead])"
	tests := []struct {
		name, file string
		want       []string
	}{
		{"mistyped roles", "approvals:\n  role:\n    jane@example.net: [network-lead]\n    bob@example.net: [network-lead]\n",
			[]string{`changegate.yaml:2:3: unknown key "approvals.role" (hint: did you mean "approvals.roles"?)`}},
		{"mistyped roles with a scalar", "approvals:\n  rols: network-lead\n",
			[]string{`changegate.yaml:2:3: unknown key "approvals.rols" (hint: did you mean "approvals.roles"?)`}},
		{"mistyped params", "policy:\n  param:\n    capacity: {max_utilization: 0.5}\n",
			[]string{`changegate.yaml:2:3: unknown key "policy.param" (hint: did you mean "policy.params"?)`}},
		{"roles as a scalar", "approvals:\n  roles: network-lead\n",
			[]string{`changegate.yaml:2:10: approvals.roles must be a mapping of approvers to their roles, found "network-lead" ` + rolesHint}},
		{"roles as a list", "approvals:\n  roles: [jane@example.net]\n",
			[]string{`changegate.yaml:2:10: approvals.roles must be a mapping of approvers to their roles, found a list ` + rolesHint}},
		{"an approver's roles as a scalar", "approvals:\n  roles:\n    jane@example.net: network-lead\n",
			[]string{`changegate.yaml:3:23: approvals.roles: jane@example.net must be a list of roles, found "network-lead" ` + rolesHint}},
		{"a role as a mapping", "approvals:\n  roles:\n    jane@example.net: [{lead: true}]\n",
			[]string{`changegate.yaml:3:24: approvals.roles: jane@example.net: a role must be a scalar value, found a mapping ` + rolesHint}},
		{"params as a scalar", "policy:\n  params: 5\n",
			[]string{`changegate.yaml:2:11: policy.params must be a mapping, found "5" (hint: write policy.params as POLICY: {PARAMETER: VALUE}; docs/policies.md lists them)`}},
		{"unknown keys, each at its line", "dryrun:\n  treshold: 0.5\n  top_mover: 3\nfoo: 1\n",
			[]string{
				`changegate.yaml:2:3: unknown key "dryrun.treshold" (hint: did you mean "dryrun.threshold"?)`,
				`changegate.yaml:3:3: unknown key "dryrun.top_mover" (hint: did you mean "dryrun.top_movers"?)`,
				`changegate.yaml:4:1: unknown key "foo" (hint: the keys are listed in docs/config.md)`,
			}},
		{"second document", "dryrun:\n  threshold: 0.5\n---\ndryrun:\n  threshold: 0.9\n",
			[]string{"changegate.yaml:3:1: a second YAML document starts here: one document per file (hint: remove this --- and what follows it, or move that to a file of its own)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			t.Chdir(t.TempDir())
			writeFile(t, ".", "changegate.yaml", tt.file)
			_, errs, code := run(t, "runbook", "list")
			want := strings.Join(tt.want, "\n") + fmt.Sprintf("\nchangegate: %d %s; nothing was done\n", len(tt.want), map[bool]string{true: "error", false: "errors"}[len(tt.want) == 1])
			if code != ExitError || errs != want {
				t.Errorf("exit %d, stderr:\n%s\nwant:\n%s", code, errs, want)
			}
		})
	}
}

// TestRolesRead: approvals.roles keeps the approvers' names as written,
// whatever the case of its keys; an approver without roles has none.
func TestRolesRead(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "changegate.yaml", "Approvals:\n  Roles:\n    Jane@Example.net: [network-lead, ops]\n    bob@example.net:\n")
	doc, err := readConfigDoc(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	var cfg Config
	if err := readFileSettings(doc, &cfg); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"Jane@Example.net": {"network-lead", "ops"}, "bob@example.net": {}}
	if !reflect.DeepEqual(cfg.Approvals.Roles, want) {
		t.Errorf("roles %v, want %v", cfg.Approvals.Roles, want)
	}
}
