package diag

import (
	"fmt"
	"strings"
	"testing"
)

func TestNear(t *testing.T) {
	routers := []string{"p1", "p2", "p3", "p4", "p5", "p6", "edge1", "ebs1"}
	links := []string{"p1-p2", "p1-p3", "p2-p4", "p3-p4", "edge1-p1"}
	tests := []struct {
		name       string
		s          string
		candidates []string
		want       []string
	}{
		{"one clearly closest", "p1-p33", []string{"p1-p3", "p2-p4"}, []string{"p1-p3"}},
		{"one clearly closest, others two edits further", "capacty", []string{"capacity", "class", "srlg"}, []string{"capacity"}},
		{"two characters swapped are one edit", "mut", []string{"mtu", "vars", "type"}, []string{"mtu"}},
		{"a swap and a substitution", "metirx", []string{"metric", "class"}, []string{"metric"}},
		{"nothing close", "zzzzzz", []string{"p1-p3"}, nil},
		{"no candidates", "p1", nil, nil},
		{"several equally close routers", "p7", routers, []string{"p1", "p2", "p3", "p4", "p5", "p6"}},
		{"link ids one character apart", "p1-p4", links, []string{"p1-p2", "p1-p3", "p2-p4", "p3-p4"}},
		{"second within one edit of the best", "edg1", routers, []string{"edge1", "ebs1"}},
		{"close but two edits further than the best is left out", "frankfurt-2", []string{"frankfurt-1", "frankfurt-abc"}, []string{"frankfurt-1"}},
		{"an exact match wins alone", "p1", []string{"p2", "p1", "p3"}, []string{"p1"}},
		{"duplicates listed once", "p7", []string{"p1", "p1", "p2"}, []string{"p1", "p2"}},
		{"ordered by distance, then name", "abcd", []string{"wxyz", "abxy", "abc", "abce", "bcd"}, []string{"abc", "abce", "bcd", "abxy"}},
		{"a short name is one edit from its typos", "p9", []string{"p1", "p2", "s1", "p10"}, []string{"p1", "p2"}},
		{"a doubled character in a short name", "p33", []string{"p1", "p2", "p3"}, []string{"p3"}},
		{"threshold grows with the length", "frr_vtyshhhh", []string{"frr_vtysh", "cisco_iosxe"}, []string{"frr_vtysh"}},
		{"characters, not bytes", "zürich", []string{"zurich", "munich"}, []string{"zurich"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Near(tt.s, tt.candidates)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Near(%q) = %q, want %q", tt.s, got, tt.want)
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"", "abc", 3}, {"abc", "", 3}, {"p1", "p1", 0},
		{"p1", "p2", 1}, {"link", "lnik", 1}, {"mut", "mtu", 1}, {"ab", "ba", 1},
		{"kitten", "sitting", 3}, {"ca", "abc", 3}, // OSA edits no character twice: not 2
		{"zürich", "zurich", 1}, {"endpionts", "endpoints", 1}, {"endpionts", "endpoint", 2},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := editDistance(tt.b, tt.a); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d (symmetric)", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestDidYouMean(t *testing.T) {
	tests := []struct {
		names []string
		want  string
	}{
		{nil, ""},
		{[]string{"p1-p3"}, `did you mean "p1-p3"?`},
		{[]string{"p1-p2", "p1-p3"}, `did you mean one of: "p1-p2", "p1-p3"?`},
		{[]string{"p1", "p2", "p3", "p4", "p5"}, `did you mean one of: "p1", "p2", "p3", "p4", "p5"?`},
		{[]string{"p1", "p2", "p3", "p4", "p5", "p6", "p7"}, `did you mean one of: "p1", "p2", "p3", "p4", "p5" (and 2 more)?`},
		{[]string{`a"b`}, `did you mean "a\"b"?`},
	}
	for _, tt := range tests {
		if got := DidYouMean(tt.names); got != tt.want {
			t.Errorf("DidYouMean(%q) = %s, want %s", tt.names, got, tt.want)
		}
	}
	field := func(s string) string { return "." + s }
	if got, want := DidYouMeanAs([]string{"metric"}, field), "did you mean .metric?"; got != want {
		t.Errorf("DidYouMeanAs = %s, want %s", got, want)
	}
	if got, want := DidYouMeanAs([]string{"device", "devices"}, field), "did you mean one of: .device, .devices?"; got != want {
		t.Errorf("DidYouMeanAs = %s, want %s", got, want)
	}
}

// TestMappingUnknownFieldHint: the walker's hint for a mistyped key
// follows the same rule.
func TestMappingUnknownFieldHint(t *testing.T) {
	tests := []struct{ key, want string }{
		{"capacty", `did you mean "capacity"?`},
		{"Metric", `did you mean "metric"?`}, // keys are compared lowered
		{"srl", `did you mean one of: "src", "srlg"?`},
		{"zzzzzzz", "known fields: capacity, metric, src, srlg"},
	}
	fields := map[string]Field{"capacity": nil, "metric": nil, "srlg": nil, "src": nil}
	for _, tt := range tests {
		var ds Diagnostics
		y := YAML{File: "t.yaml", Diags: &ds}
		y.Mapping(y.Parse([]byte(tt.key+": 1\n")), "link 1", fields)
		if len(ds) != 1 || ds[0].Hint != tt.want || !strings.Contains(ds[0].Msg, tt.key) {
			t.Errorf("%s: got %v, want one error with hint %s", tt.key, ds, tt.want)
		}
	}
}
