package finding

import (
	"strings"
	"testing"
)

// TestGitHubShowsUnsafeCharactersEscaped: an annotation cannot reorder
// or hide its text with a bidirectional control, an escape or an
// invisible character; line breaks stay the runner's %0D%0A.
func TestGitHubShowsUnsafeCharactersEscaped(t *testing.T) {
	r := &Report{Cases: []Case{{Findings: []Finding{{Severity: Error, Rule: "r\u202E", File: "a\u2066.yaml", Line: 1,
		Message: "node \"p1\u202E2p\" \x1b[2J\r\nx\u200B"}}}}}
	got := string(write(t, GitHub, r))
	want := `::error file=a\u2066.yaml,line=1,title=r\u202e::node "p1\u202e2p" \x1b[2J%0D%0Ax\u200b` + "\n"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if strings.ContainsAny(got, "\u202E\u2066\u200B\x1b") {
		t.Errorf("raw character in %q", got)
	}
}
