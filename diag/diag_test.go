package diag

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestMappingReportsUnknownAndDuplicateKeys(t *testing.T) {
	var ds Diagnostics
	y := YAML{File: "f.yaml", Diags: &ds}
	root := y.Parse([]byte("name: a\ncapcity: 10G\nname: b\nzzz: 1\n"))
	var got []string
	y.Mapping(root, "link 1", map[string]Field{
		"name":     func(_, v *yaml.Node) { got = append(got, v.Value) },
		"capacity": nil,
	})
	want := []string{
		`f.yaml:2:1: link 1: unknown field "capcity" (hint: did you mean "capacity"?)`,
		`f.yaml:3:1: link 1: duplicate key "name" (hint: remove one of them (the first is at line 1))`,
		`f.yaml:4:1: link 1: unknown field "zzz" (hint: known fields: capacity, name)`,
	}
	if len(ds) != len(want) {
		t.Fatalf("got %d diagnostics, want %d: %v", len(ds), len(want), ds)
	}
	for i, w := range want {
		if ds[i].String() != w {
			t.Errorf("diagnostic %d:\n got %s\nwant %s", i, ds[i], w)
		}
	}
	if len(got) != 1 || got[0] != "a" {
		t.Errorf("handler saw %v, want only the first name", got)
	}
}

func TestScalars(t *testing.T) {
	tests := []struct {
		src  string
		kind string
		ok   bool
	}{
		{"x: 12", "int", true}, {"x: 1_000", "int", true}, {"x: ten", "int", false}, {"x: [1]", "int", false},
		{"x: 0.5", "float", true}, {"x: nope", "float", false},
		{"x: yes", "bool", true}, {"x: maybe", "bool", false},
		{"x: abc", "string", true}, {"x: ", "string", false}, {"x: {a: 1}", "string", false},
	}
	for _, tt := range tests {
		t.Run(tt.src+"/"+tt.kind, func(t *testing.T) {
			var ds Diagnostics
			y := YAML{File: "f.yaml", Diags: &ds}
			v := y.Parse([]byte(tt.src)).Content[1]
			var ok bool
			switch tt.kind {
			case "int":
				_, ok = y.Int(v, "x")
			case "float":
				_, ok = y.Float(v, "x")
			case "bool":
				_, ok = y.Bool(v, "x")
			case "string":
				_, ok = y.String(v, "x")
			}
			if ok != tt.ok || ds.HasErrors() == tt.ok {
				t.Errorf("ok=%v diags=%v, want ok=%v", ok, ds, tt.ok)
			}
			for _, d := range ds {
				if d.Pos.Line != 1 || d.Hint == "" {
					t.Errorf("diagnostic without position or hint: %v", d)
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, src := range []string{"", "a: [1,", "\t- x"} {
		var ds Diagnostics
		if n := (YAML{File: "f.yaml", Diags: &ds}).Parse([]byte(src)); n != nil || !ds.HasErrors() {
			t.Errorf("Parse(%q) = %v, %v; want nil and an error", src, n, ds)
		}
	}
}

func TestListErrorNamesEveryProblem(t *testing.T) {
	var ds Diagnostics
	ds.Add(Pos{File: "a.yaml", Line: 3, Col: 5}, "fix it", "first")
	ds.Warn(Pos{File: "a.yaml", Line: 1}, "", "a warning")
	ds.Add(Pos{File: "a.yaml"}, "", "second")
	err := ds.Err()
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, w := range []string{"2 problems:", "a.yaml:3:5: first (hint: fix it)", "a.yaml:1: warning: a warning", "a.yaml: second"} {
		if !strings.Contains(msg, w) {
			t.Errorf("error lacks %q:\n%s", w, msg)
		}
	}
	if (Diagnostics{}).Err() != nil || ds.Warnings().Err() != nil {
		t.Error("warnings alone must not be an error")
	}
}

func TestSyntaxErrorLine(t *testing.T) {
	tests := []struct {
		name string
		src  string
		line int
	}{
		{"key at the wrong indent", "nodes:\n  - name: r1\n  links: []\n", 3},
		{"unclosed flow list", "a: 1\nb: 2\nc: [1, 2\nd: 4\n", 3},
		{"tab indent", "a:\n  b: 1\n\tc: 2\n", 3},
		{"bad mapping late", "a: 1\nb: 2\nc: 3\nd: 4\ne: : 5\n", 5},
		{"unclosed quote", "a: 1\nb: \"x\nc: 3\n", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ds Diagnostics
			if n := (YAML{File: "f.yaml", Diags: &ds}).Parse([]byte(tt.src)); n != nil || len(ds) != 1 {
				t.Fatalf("Parse = %v, %v", n, ds)
			}
			if ds[0].Pos.Line != tt.line {
				t.Errorf("line %d, want %d: %s", ds[0].Pos.Line, tt.line, ds[0])
			}
		})
	}
}

// TestOneDocumentPerFile: a second YAML document would be ignored by every
// reader, so it is an error at the --- that starts it; empty documents
// after the first lose nothing and are allowed.
func TestOneDocumentPerFile(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string // the one diagnostic; "" for none
	}{
		{"one document", "a: 1\n", ""},
		{"leading ---", "---\na: 1\n", ""},
		{"document end marker", "a: 1\n...\n", ""},
		{"trailing ---", "a: 1\n---\n", ""},
		{"trailing --- and a comment", "a: 1\n---\n# done\n", ""},
		{"second document", "a: 1\n---\nb: 2\n",
			"f.yaml:2:1: a second YAML document starts here: one document per file (hint: remove this --- and what follows it, or move that to a file of its own)"},
		{"second document after comments", "a: 1\n\n# next\n---\n# c\nb: 2\n",
			"f.yaml:4:1: a second YAML document starts here: one document per file (hint: remove this --- and what follows it, or move that to a file of its own)"},
		{"scalar on the --- line", "a: 1\n--- b\n",
			"f.yaml:2:1: a second YAML document starts here: one document per file (hint: remove this --- and what follows it, or move that to a file of its own)"},
		{"third document after an empty second", "a: 1\n---\n---\nc: 3\n",
			"f.yaml:3:1: a second YAML document starts here: one document per file (hint: remove this --- and what follows it, or move that to a file of its own)"},
		{"syntax error in the second document", "a: 1\n---\nb: [\n",
			"f.yaml:3: invalid YAML: did not find expected node content, in a second YAML document (one document per file) (hint: remove this --- and what follows it, or move that to a file of its own)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ds Diagnostics
			root := (YAML{File: "f.yaml", Diags: &ds}).Parse([]byte(tt.src))
			if root == nil || root.Kind != yaml.MappingNode || root.Content[0].Value != "a" {
				t.Errorf("the first document is not returned: %v", root)
			}
			switch {
			case tt.want == "" && len(ds) != 0:
				t.Errorf("unexpected %v", ds)
			case tt.want != "" && (len(ds) != 1 || ds[0].String() != tt.want):
				t.Errorf("got %v\nwant %s", ds, tt.want)
			}
		})
	}
	// An empty first document followed by one with content: the second is
	// reported, and not as an empty file.
	var ds Diagnostics
	if root := (YAML{File: "f.yaml", Diags: &ds}).Parse([]byte("---\n---\na: 1\n")); root != nil && !IsNull(root) || len(ds) != 1 || ds[0].Pos.Line != 2 {
		t.Errorf("empty first document: %v, %v", root, ds)
	}
}

// TestParseAllowEmpty: with AllowEmpty a file without a document is no
// error (an empty changegate.yaml is allowed); a second document still is.
func TestParseAllowEmpty(t *testing.T) {
	for src, errs := range map[string]int{"": 0, "# nothing\n": 0, "a: 1\n---\nb: 2\n": 1, "---\n---\nb: 2\n": 1} {
		var ds Diagnostics
		(YAML{File: "f.yaml", Diags: &ds, AllowEmpty: true}).Parse([]byte(src))
		if len(ds) != errs {
			t.Errorf("Parse(%q): %v, want %d errors", src, ds, errs)
		}
	}
}
