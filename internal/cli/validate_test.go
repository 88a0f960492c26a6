package cli

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// validateDir writes a topology, a good plan and a plan naming an unknown
// link into a new directory.
func validateDir(t *testing.T, bad bool) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"topo.yaml": "name: t\nnodes:\n  - {name: a}\n  - {name: b}\nlinks:\n  - {id: a-b, a: a, b: b, capacity: 10G}\n  - {id: a-b2, a: a, b: b, capacity: 10G}\n",
		"good.yaml": "title: ok\ntopology: topo.yaml\nsteps:\n  - name: s\n    effects:\n      - {type: link_down, link: a-b}\n",
	}
	if bad {
		files["bad.yaml"] = "title: bad\ntopology: topo.yaml\nsteps:\n  - name: s\n    effects:\n      - {type: link_down, link: a-c}\n"
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestValidateFormats(t *testing.T) {
	dir := validateDir(t, true)
	bad := filepath.Join(dir, "bad.yaml")
	tests := []struct {
		format string
		check  func(t *testing.T, out string)
	}{
		{"text", func(t *testing.T, out string) {
			if !strings.Contains(out, bad+`:6:33: error: step "s" effect 1: unknown link "a-c" (plan/reference)`) {
				t.Errorf("no finding line:\n%s", out)
			}
		}},
		{"github", func(t *testing.T, out string) {
			re := regexp.MustCompile(`(?m)^::error file=([^,]+),line=6,col=33`)
			m := re.FindStringSubmatch(out)
			if m == nil || !strings.HasSuffix(m[1], "bad.yaml") {
				t.Errorf("no annotation with file= and line=:\n%s", out)
			}
		}},
		{"junit", func(t *testing.T, out string) {
			var v struct {
				XMLName xml.Name
				Suites  []struct {
					Cases []struct {
						Name     string     `xml:"name,attr"`
						Failures []struct{} `xml:"failure"`
					} `xml:"testcase"`
				} `xml:"testsuite"`
			}
			if err := xml.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("junit does not parse: %v\n%s", err, out)
			}
			failed, n := 0, 0
			for _, s := range v.Suites {
				for _, c := range s.Cases {
					n++
					failed += min(len(c.Failures), 1)
				}
			}
			if n != 3 || failed != 1 {
				t.Errorf("%d cases, %d failed; want 3 and 1:\n%s", n, failed, out)
			}
		}},
		{"sarif", func(t *testing.T, out string) {
			var v struct {
				Version string `json:"version"`
				Runs    []struct {
					Results []struct {
						RuleID    string `json:"ruleId"`
						Locations []struct {
							Physical struct {
								Region struct {
									StartLine   int `json:"startLine"`
									StartColumn int `json:"startColumn"`
								} `json:"region"`
							} `json:"physicalLocation"`
						} `json:"locations"`
					} `json:"results"`
				} `json:"runs"`
			}
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("sarif does not parse: %v", err)
			}
			if v.Version != "2.1.0" || len(v.Runs) != 1 || len(v.Runs[0].Results) != 1 {
				t.Fatalf("unexpected SARIF: %s", out)
			}
			r := v.Runs[0].Results[0]
			if r.RuleID != "plan/reference" || len(r.Locations) != 1 || r.Locations[0].Physical.Region.StartLine != 6 || r.Locations[0].Physical.Region.StartColumn != 33 {
				t.Errorf("result %+v", r)
			}
		}},
		{"json", func(t *testing.T, out string) {
			var v map[string]any
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("json does not parse: %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			out, errs, code := run(t, "validate", dir, "--format", tt.format)
			if code != 1 {
				t.Errorf("exit %d, want 1; stderr: %s", code, errs)
			}
			tt.check(t, out)
		})
	}
}

func TestValidateExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"clean", []string{"validate", validateDir(t, false)}, 0},
		{"error finding", []string{"validate", validateDir(t, true)}, 1},
		{"examples", []string{"validate", "../../examples/"}, 0},
		{"missing path", []string{"validate", "no/such/dir"}, 1},
		{"unknown format", []string{"validate", "../../examples/", "--format", "xml"}, 1},
		{"no path", []string{"validate"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := run(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errs)
			}
		})
	}
}

// TestCIFiles: the ready-to-copy CI files parse as YAML, and every
// changegate command line in them names an existing verb with existing
// flags.
func TestCIFiles(t *testing.T) {
	files, _ := filepath.Glob("../../docs/ci/*.yml")
	if len(files) < 2 {
		t.Fatalf("CI files: %v", files)
	}
	cmdLine := regexp.MustCompile(`changegate ([^|>;&\n]*)`)
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		n := 0
		for _, m := range cmdLine.FindAllStringSubmatch(string(data), -1) {
			args := strings.Fields(m[1])
			if len(args) == 0 {
				continue
			}
			n++
			a := &app{v: newViper(), stdout: &strings.Builder{}, stderr: &strings.Builder{}}
			root := a.rootCommand()
			cmd, rest, err := root.Find(args)
			if err != nil || cmd == root {
				t.Errorf("%s: %q: no such verb (%v)", file, m[0], err)
				continue
			}
			if err := cmd.ParseFlags(rest); err != nil {
				t.Errorf("%s: %q: %v", file, m[0], err)
			}
		}
		if n < 2 {
			t.Errorf("%s: found %d changegate command lines", file, n)
		}
	}
}
