package plans

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// yamlBlocks returns the ```yaml blocks of a Markdown file.
func yamlBlocks(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(data), -1) {
		out = append(out, m[1])
	}
	return out
}

// withoutModeline drops the yaml-language-server comment, whose schema
// path depends on where the file is.
func withoutModeline(s string) string {
	var keep []string
	for _, line := range strings.SplitAfter(s, "\n") {
		if !strings.HasPrefix(line, "# yaml-language-server:") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "")
}

// TestDocExample keeps the complete example of docs/plans.md equal to
// testdata/good-full-plan.yaml, and checks that every plan of the page
// is valid.
func TestDocExample(t *testing.T) {
	blocks := yamlBlocks(t, "../docs/plans.md")
	want, err := os.ReadFile("testdata/good-full-plan.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) == 0 {
		t.Fatal("no yaml blocks in docs/plans.md")
	}
	if diff := cmp.Diff(withoutModeline(string(want)), withoutModeline(blocks[0])); diff != "" {
		t.Errorf("the complete example differs from testdata/good-full-plan.yaml (-file +doc):\n%s", diff)
	}
	plans := 0
	for _, b := range blocks {
		if !regexp.MustCompile(`(?m)^steps:`).MatchString(b) {
			continue // a fragment
		}
		plans++
		if _, ds := Parse("doc.yaml", []byte(b)); len(ds) != 0 {
			t.Errorf("plan in docs/plans.md does not parse cleanly: %v\n%s", ds, b)
		}
	}
	if plans < 2 {
		t.Errorf("found %d plans in docs/plans.md, want the complete example and the smallest plan", plans)
	}
}
