package cli

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// --report FORMAT=FILE writes the same result as --format FORMAT would,
// in the same run, for check and validate; a bad one is refused before
// anything runs.
func TestReports(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"check denied", []string{"check", "../../examples/outage-plan.yaml"}, ExitDenied},
		{"check allowed", []string{"check", "../../examples/safe-plan.yaml"}, 0},
		{"validate", []string{"validate", "../../examples/april-2011.yaml", "../../examples/safe-plan.yaml"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var args []string
			files := map[string]string{}
			for _, f := range []string{"junit", "json", "sarif", "text"} {
				files[f] = filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+"."+f)
				args = append(args, "--report", f+"="+files[f])
			}
			out, errs, code := run(t, append(append(append([]string(nil), tt.args...), "--format", "github"), args...)...)
			if code != tt.code {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if !strings.Contains(out, "::") && tt.args[0] == "check" { // validate finds nothing here
				t.Errorf("stdout is not the github format:\n%s", out)
			}
			for f, file := range files {
				want, _, _ := run(t, append(append([]string(nil), tt.args...), "--format", f)...)
				if got := readFile(t, file); normalizeTimes(got) != normalizeTimes(want) {
					t.Errorf("--report %s differs from --format %s:\n%s\n---\n%s", f, f, got, want)
				}
			}
		})
	}
	for _, bad := range []struct{ flag, want string }{
		{"junit", `--report "junit": write FORMAT=FILE`},
		{"junit=", `--report "junit=": write FORMAT=FILE`},
		{"yaml=x", `unknown format "yaml"`},
	} {
		_, errs, code := run(t, "check", "../../examples/safe-plan.yaml", "--report", bad.flag)
		if code != 1 || !strings.Contains(errs, bad.want) {
			t.Errorf("--report %s: exit %d %s", bad.flag, code, errs)
		}
	}
}

var timeRE = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)|time="[0-9.]+"|"time_seconds": [0-9.e-]+`)

// normalizeTimes hides the times two runs write differently.
func normalizeTimes(s string) string { return timeRE.ReplaceAllString(s, "TIME") }
