package finding

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// FuzzWriters writes arbitrary text through every writer and checks that
// the JSON and XML stay well-formed and round-trip their text, that the
// SARIF stays valid, and that no text can add a line to the GitHub output.
func FuzzWriters(f *testing.F) {
	f.Add("plans/a.yaml", "plan/unknown-link", `link "x" does not exist`, "use one of: a, b", "plans", "a", 3, 5, uint8(0))
	f.Add("", "r", "<script>&amp;]]></script>\x00\x1b[31m", "%0A\r\n::error::x", "", "", 0, 0, uint8(1))
	f.Add("dir with space/ü,x:y.yaml", "r,1:x", "🚦 Zürich\u202e\uFFFE\xff", "100%", "s\ns", "n\tn", -1, 7, uint8(2))
	f.Add(`C:\a\b.yaml`, "--", "]]>", "", "x", "y", 1, 0, uint8(0))
	f.Fuzz(func(t *testing.T, file, rule, msg, hint, suite, name string, line, col int, sev uint8) {
		if rule == "" {
			rule = "r"
		}
		severity := []Severity{Error, Warning, Note}[int(sev)%3]
		fd := Finding{Severity: severity, Rule: rule, Message: msg, Hint: hint, File: file, Line: line, Col: col,
			Facts: map[string]any{"text": msg}}
		r := &Report{
			Tool: "changegate", Version: hint,
			Rules: []Rule{{ID: rule, Title: msg, Description: hint}},
			Cases: []Case{
				{Suite: suite, Name: name, File: file, Findings: []Finding{fd, fd}},
				{Suite: suite, Name: msg, File: hint},
			},
		}
		for _, format := range Formats() {
			out := write(t, format, r)
			switch format {
			case JSON:
				var doc jsonReport
				if err := json.Unmarshal(out, &doc); err != nil {
					t.Fatalf("json: %v\n%s", err, out)
				}
				if len(doc.Findings) != 2 || doc.Findings[0].Rule != viaJSON(t, rule) || doc.Findings[1].Message != viaJSON(t, msg) {
					t.Fatalf("json findings = %+v", doc.Findings)
				}
			case SARIF:
				if err := validateSARIF(t, out); err != nil {
					t.Fatalf("sarif: %v\n%s", err, out)
				}
			case JUnit:
				checkXML(t, out)
				var doc junitSuites
				if err := xml.Unmarshal(out, &doc); err != nil {
					t.Fatalf("junit: %v\n%s", err, out)
				}
				if doc.Tests != 2 {
					t.Fatalf("junit tests = %d, want 2", doc.Tests)
				}
			case GitHub:
				lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
				if len(lines) != 2 {
					t.Fatalf("github: %d lines for 2 findings:\n%s", len(lines), out)
				}
				for _, l := range lines {
					if !strings.HasPrefix(l, "::"+githubCommand(severity)+" ") || strings.ContainsAny(l, "\r") {
						t.Fatalf("github line %q", l)
					}
				}
			case Text:
				// Every line is a finding, an indented continuation, or the summary.
				for _, l := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
					if strings.ContainsAny(l, "\r\x1b\x00") {
						t.Fatalf("text line %q holds a control character", l)
					}
				}
			}
		}
	})
}

// checkXML reads every token of doc, failing on any syntax error or
// character XML 1.0 does not allow.
func checkXML(t *testing.T, doc []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("junit is not well-formed XML: %v\n%s", err, doc)
		}
	}
}

// viaJSON is s as encoding/json gives it back: invalid UTF-8 becomes
// U+FFFD, byte by byte.
func viaJSON(t *testing.T, s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var out string
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
