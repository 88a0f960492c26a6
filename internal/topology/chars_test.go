package topology

import (
	"strings"
	"testing"
)

// TestParseRefusesUnsafeNames: the names of a topology reach devices
// (through runbooks) and reports, so control characters, bidirectional
// controls, invisible characters and look-alike letters are refused, at
// the value, naming the character and its offset (issue 12, item 9).
func TestParseRefusesUnsafeNames(t *testing.T) {
	head := "nodes:\n  - {name: p1}\n  - {name: p2}\n"
	link := "links:\n  - {a: p1, b: p2, capacity: 10G}\n"
	tests := []struct {
		name, src, want string
	}{
		{"bidi override in a node name",
			"nodes:\n  - {name: p1}\n  - {name: \"p2\u202E\"}\nlinks:\n  - {a: p1, b: \"p2\u202E\", capacity: 10G}\n",
			`t.yaml:3:12: node 2: name: "p2\u202e" holds U+202E RIGHT-TO-LEFT OVERRIDE, a bidirectional control, at offset 2 (hint: remove it: bidirectional controls make text display in another order than it is read)`},
		{"Cyrillic a in a Latin node name",
			"nodes:\n  - {name: p1}\n  - {name: pаris}\nlinks:\n  - {a: p1, b: pаris, capacity: 10G}\n",
			`t.yaml:3:12: node 2: name: "pаris" holds U+0430 CYRILLIC SMALL LETTER A, a Cyrillic character among Latin ones, at offset 1 (hint: write the name in one script: U+0430 CYRILLIC SMALL LETTER A looks like a Latin letter but is not, so the name looks like another one)`},
		{"line feed in an interface",
			head + "links:\n  - {a: \"p1:eth1\\n shutdown\", b: p2, capacity: 10G}\n",
			`t.yaml:5:9: link "p1:eth1\n shutdown-p2": a: interface: "eth1\n shutdown" holds U+000A LINE FEED, a control character, at offset 4 (hint: remove it: a line break, carriage return, tab or other control character could send another command to a device or rewrite what a terminal shows)`},
		{"zero-width space in a link id",
			head + "links:\n  - {id: \"p1\u200B-p2\", a: p1, b: p2, capacity: 10G}\n",
			`t.yaml:5:10: link 1: id: "p1\u200b-p2" holds U+200B ZERO WIDTH SPACE, an invisible character, at offset 2 (hint: remove it: an invisible character makes a value differ from one that looks the same)`},
		{"carriage return in a site",
			"nodes:\n  - {name: p1, site: \"ams\\r\"}\n  - {name: p2}\n" + link,
			`t.yaml:2:22: node "p1": site: "ams\r" holds U+000D CARRIAGE RETURN, a control character, at offset 3 (hint: remove it: a line break, carriage return, tab or other control character could send another command to a device or rewrite what a terminal shows)`},
		{"escape in a zone",
			"nodes:\n  - {name: p1, zone: \"a\\e[2J\"}\n  - {name: p2}\n" + link,
			`t.yaml:2:22: node "p1": zone: "a\x1b[2J" holds U+001B ESCAPE, a control character, at offset 1 (hint: remove it: a line break, carriage return, tab or other control character could send another command to a device or rewrite what a terminal shows)`},
		{"Greek in a role",
			"nodes:\n  - {name: p1, role: c\u03bfre}\n  - {name: p2}\n" + link,
			`t.yaml:2:22: node "p1": role: "cοre" holds U+03BF GREEK SMALL LETTER OMICRON, a Greek character among Latin ones, at offset 1 (hint: write the name in one script: U+03BF GREEK SMALL LETTER OMICRON looks like a Latin letter but is not, so the name looks like another one)`},
		{"bidi isolate in a class",
			head + "links:\n  - {a: p1, b: p2, capacity: 10G, class: \"gold\u2067\"}\n",
			`t.yaml:5:42: link "p1-p2": class: "gold\u2067" holds U+2067 RIGHT-TO-LEFT ISOLATE, a bidirectional control, at offset 4 (hint: remove it: bidirectional controls make text display in another order than it is read)`},
		{"tab in a shared-risk group",
			head + "links:\n  - {a: p1, b: p2, capacity: 10G, srlg: [\"duct\\t7\"]}\n",
			`t.yaml:5:41: link "p1-p2": shared-risk group: "duct\t7" holds U+0009 CHARACTER TABULATION, a control character, at offset 4 (hint: remove it: a line break, carriage return, tab or other control character could send another command to a device or rewrite what a terminal shows)`},
		{"line feed in the network's name",
			"name: \"april\\nrm -rf\"\n" + head + link,
			`t.yaml:1:7: name: "april\nrm -rf" holds U+000A LINE FEED, a control character, at offset 5 (hint: give one line: a line break would send what follows as another command; write configuration lines as a block (config: |), split on line feeds only)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, ds := Parse("t.yaml", []byte(tt.src), ParseOptions{})
			if n != nil {
				t.Fatalf("parsed:\n%s", tt.src)
			}
			errs := ds.Errors()
			if len(errs) != 1 || errs[0].String() != tt.want {
				t.Fatalf("got %v\nwant %s", ds, tt.want)
			}
		})
	}
}

// TestValidateRefusesUnsafeNamesOfBuiltNetworks: a network an importer
// built is checked the same way.
func TestValidateRefusesUnsafeNamesOfBuiltNetworks(t *testing.T) {
	n := imported()
	n.Nodes[2].Name = "Lond\u202Eon"
	n.Links[1].B = n.Nodes[2].Name
	n.Demands[0].Dst = n.Nodes[2].Name
	ds := n.Validate()
	if len(ds) != 1 || !strings.HasPrefix(ds[0].String(), `zoo.graphml: node 3: name: "Lond\u202eon" holds U+202E RIGHT-TO-LEFT OVERRIDE`) {
		t.Errorf("got %v", ds)
	}
}

// TestParseKeepsNamesInOneScript: accents, another script and Latin with
// Han stay valid names (Cyrillic with Latin in one name does not).
func TestParseKeepsNamesInOneScript(t *testing.T) {
	src := "nodes:\n  - {name: zürich-pe1, site: Zürich}\n  - {name: москва}\n  - {name: 東京-pe1}\n" +
		"links:\n  - {a: zürich-pe1, b: москва, capacity: 10G}\n  - {a: москва, b: 東京-pe1, capacity: 10G}\n"
	if n, ds := Parse("t.yaml", []byte(src), ParseOptions{}); n == nil || len(ds) != 0 {
		t.Fatalf("got %v", ds)
	}
}
