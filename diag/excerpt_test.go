package diag

import (
	"errors"
	"strings"
	"testing"
)

func TestExcerpt(t *testing.T) {
	long := strings.Repeat("b3BlbnNzaC1rZXktdjE", 10)
	tests := []struct{ in, want string }{
		{"p1", `"p1"`},
		{"a\nb\x1b[31m", `"a\nb\x1b[31m"`},
		{"evil\u202egnp.exe", `"evil\u202egnp.exe"`},
		{long, `"` + long[:ExcerptRunes] + `…"`},
		{strings.Repeat("é", 60), `"` + strings.Repeat("é", ExcerptRunes) + `…"`},
	}
	for _, tt := range tests {
		if got := Excerpt(tt.in); got != tt.want {
			t.Errorf("Excerpt(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// Every message goes through clipArgs: a value quoted with %q is cut to
// an excerpt, other strings and errors are made printable, numbers pass.
func TestMessagesClipContent(t *testing.T) {
	secret := "-----BEGIN OPENSSH PRIVATE KEY----- " + strings.Repeat("QUJDREVGR0hJSktMTU5PUA", 20)
	var ds Diagnostics
	ds.Add(Pos{File: "p.yaml", Line: 3}, "hint", "topology must be a mapping, found %q", secret)
	ds.Warn(Pos{File: "p.yaml", Line: 4}, "", "%s: %v (%d)", "name\x1b]0;pwned\x07", errors.New("line1\nline2"), 42)
	if got := ds[0].Msg; len(got) > 100 || !strings.HasSuffix(got, `…"`) || strings.Contains(got, "QUJDREVGR0hJSktMTU5PUA") {
		t.Errorf("quoted content not clipped: %s", got)
	}
	if got, want := ds[1].Msg, `name\x1b]0;pwned\a: line1\nline2 (42)`; got != want {
		t.Errorf("message = %s, want %s", got, want)
	}
}

func TestVerbsOf(t *testing.T) {
	for _, tt := range []struct{ format, want string }{
		{"%s: %q is not %d%%", "sqd"},
		{"%-10s|%5.2f|%*d|%+v|%#x", "sfddvx"},
		{"no verbs", ""},
		{"trailing %", ""},
	} {
		if got := string(verbsOf(tt.format)); got != tt.want {
			t.Errorf("verbsOf(%q) = %q, want %q", tt.format, got, tt.want)
		}
	}
}

func TestClip(t *testing.T) {
	for in, want := range map[string]string{
		"p1-p2":                     "p1-p2",
		"a\x1b[2Jb\u202ec\u200bd\n": `a\x1b[2Jb\u202ec\u200bd\n`,
		`back\slash "quote"`:        `back\slash "quote"`,
		strings.Repeat("x", 60):     strings.Repeat("x", ExcerptRunes) + "…",
	} {
		if got := Clip(in); got != want {
			t.Errorf("Clip(%q) = %q, want %q", in, got, want)
		}
	}
}
