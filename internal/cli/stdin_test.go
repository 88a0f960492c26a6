package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runStdin(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

// "-" reads the plan from standard input for check, dryrun, review, plan
// digest and device check; the files it names are relative to the
// working directory and must be inside its repository; the verbs that
// need the plan's file refuse it and say why.
func TestStdinPlan(t *testing.T) {
	isolate(t)
	plan := readFile(t, "../../examples/safe-plan.yaml")
	outage := readFile(t, "../../examples/outage-plan.yaml")
	wantDigest, errs, code := run(t, "plan", "digest", "../../examples/safe-plan.yaml")
	if code != 0 {
		t.Fatal(errs)
	}
	wantDigest = strings.Fields(wantDigest)[1]
	examples, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(examples)

	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stdout string // part of it
		stderr string // part of it
	}{
		{"check", plan, []string{"check", "-"}, 0, "ALLOWED  CHG-2011-04-21-B Line card upgrade on primary router p2, p2-p4 to 400G (safely) (<stdin>)", ""},
		{"check denied", outage, []string{"check", "-", "--format", "json"}, ExitDenied, `"file": "\u003cstdin\u003e"`, ""},
		{"dryrun", plan, []string{"dryrun", "-"}, 0, "april-2011", ""},
		{"review", plan, []string{"review", "-"}, 0, "`<stdin>`: 10 steps checked", ""},
		{"plan digest: the file's digest", plan, []string{"plan", "digest", "-"}, 0, wantDigest + "  <stdin>", ""},
		{"a syntax error names <stdin>", "title: x\nsteps: [\n", []string{"check", "-"}, 1, "", "<stdin>:"},
		{"empty", "", []string{"check", "-"}, 1, "", "<stdin>"},
		{"a NUL byte", "title: x\x00\n", []string{"check", "-"}, 1, "", "<stdin>"},
		{"approve refuses", plan, []string{"approve", "-", "--key", "k"}, 1, "",
			"a plan from standard input (-) cannot be used here: approve writes the approval beside the plan file (PLAN.approvals/); save the plan to a file and give its path"},
		{"approvals refuses", plan, []string{"approvals", "-"}, 1, "", "approvals are read from beside the plan file"},
		{"apply refuses", plan, []string{"apply", "-"}, 1, "", "apply records the plan file in the run's journal"},
		{"validate", plan, []string{"validate", "-"}, 0, "2 cases checked, 0 failed", ""},
		{"validate with files", plan, []string{"validate", "-", "april-2011.yaml", "--format", "json"}, 0, `"file": "<stdin>"`, ""},
		{"validate: syntax and a reference at once", strings.Replace(plan, "device: p2", "device: nope", 1) + "\nbogus: 1\n", []string{"validate", "-"}, 1, "<stdin>:36:13: error: pre_checks check \"p2 has its four OSPF neighbours\": unknown device \"nope\"", "2 errors in 1 of 2 files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := runStdin(t, tt.stdin, tt.args...)
			if code != tt.code || !strings.Contains(out, tt.stdout) || !strings.Contains(errs, tt.stderr) {
				t.Errorf("exit %d (want %d)\nstdout %s\nstderr %s\nwant stdout with %q, stderr with %q", code, tt.code, out, errs, tt.stdout, tt.stderr)
			}
		})
	}
}

// A plan from standard input names files relative to the working
// directory, inside the working directory's repository only.
func TestStdinPlanScope(t *testing.T) {
	isolate(t)
	safePlan := readFile(t, "../../examples/safe-plan.yaml")
	base := t.TempDir()
	repo := filepath.Join(base, "repo")
	if err := os.MkdirAll(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	topo := readFile(t, "../../examples/april-2011.yaml")
	if !strings.Contains(safePlan, "\ntopology: april-2011.yaml\n") {
		t.Fatal("safe-plan.yaml names another topology")
	}
	writeFile(t, base, "outside.yaml", topo)
	writeFile(t, repo, "inside.yaml", topo)
	t.Chdir(repo)
	safe := safePlan
	plan := func(topology string) string {
		return strings.Replace(safe, "\ntopology: april-2011.yaml\n", "\ntopology: "+topology+"\n", 1)
	}
	_, errs, code := runStdin(t, plan("inside.yaml"), "dryrun", "-")
	if code != 0 {
		t.Errorf("inside: exit %d: %s", code, errs)
	}
	_, errs, code = runStdin(t, plan("../outside.yaml"), "dryrun", "-")
	if code != 1 || !strings.Contains(errs, "outside") || !strings.Contains(errs, repo) {
		t.Errorf("outside: exit %d: %s", code, errs)
	}
}
