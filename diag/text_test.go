package diag

import (
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// injection is the value of issue 12 that became seven lines on a router.
const injection = "uplink\n end\n clear ip ospf process\n configure terminal\n hostname PWNED"

func TestTextProblems(t *testing.T) {
	type want struct {
		class   CharClass
		offset  int
		r       rune
		warning bool
	}
	ok := want{}
	tests := []struct {
		name string
		s    string
		kind TextKind
		want want // the first problem; zero: none
	}{
		{"plain name", "p1", KindName, ok},
		{"name with dots, dashes and a space", "core-1.ams step 2", KindName, ok},
		{"Latin with accents", "zürich-pe1", KindName, ok},
		{"one other script", "москва-pe1", KindLine, ok},
		{"whole Cyrillic name", "москва", KindName, ok},
		{"Latin with Han and kana", "東京-pe1", KindName, ok},
		{"Latin with Hangul", "서울-pe1", KindName, ok},
		{"empty", "", KindName, ok},

		{"line feed in a parameter", injection, KindLine, want{ClassControl, 6, '\n', false}},
		{"line feed in a name", "a\nb", KindName, want{ClassControl, 1, '\n', false}},
		{"line feed in a title", "a\nb", KindTitle, want{ClassControl, 1, '\n', false}},
		{"line feed in a block", "a\nb", KindBlock, ok},
		{"carriage return in a block", "a\r\nb", KindBlock, want{ClassControl, 1, '\r', false}},
		{"carriage return in a line", "interface eth0\r", KindLine, want{ClassControl, 14, '\r', false}},
		{"tab in a line", "show\tversion", KindLine, want{ClassControl, 4, '\t', false}},
		{"tab in a title", "a\tb", KindTitle, want{ClassControl, 1, '\t', false}},
		{"tab in a block", "a\tb", KindBlock, ok},
		{"NUL", "a\x00", KindBlock, want{ClassControl, 1, 0, false}},
		{"escape", "a\x1b[2J", KindTitle, want{ClassControl, 1, 0x1b, false}},
		{"DEL", "a\x7f", KindLine, want{ClassControl, 1, 0x7f, false}},
		{"C1 next line", "a\u0085b", KindBlock, want{ClassControl, 1, 0x85, false}},
		{"C1 CSI", "a\u009b31m", KindName, want{ClassControl, 1, 0x9b, false}},
		{"line separator", "a\u2028b", KindBlock, want{ClassControl, 1, 0x2028, false}},
		{"paragraph separator", "a\u2029b", KindName, want{ClassControl, 1, 0x2029, false}},

		{"right-to-left override in a name", "p1\u202Ep2", KindName, want{ClassBidi, 2, 0x202E, false}},
		{"left-to-right embedding", "\u202Aa", KindLine, want{ClassBidi, 0, 0x202A, false}},
		{"pop directional formatting", "a\u202C", KindTitle, want{ClassBidi, 1, 0x202C, false}},
		{"isolate in a block", "ab\u2066c\u2069", KindBlock, want{ClassBidi, 2, 0x2066, false}},
		{"first strong isolate", "\u2068x", KindName, want{ClassBidi, 0, 0x2068, false}},
		{"right-to-left mark", "a\u200Fb", KindTitle, want{ClassBidi, 1, 0x200F, false}},
		{"Arabic letter mark", "a\u061Cb", KindName, want{ClassBidi, 1, 0x061C, false}},

		{"zero-width space in a name", "p\u200B1", KindName, want{ClassInvisible, 1, 0x200B, false}},
		{"zero-width non-joiner", "p\u200C1", KindLine, want{ClassInvisible, 1, 0x200C, false}},
		{"zero-width joiner", "p\u200D1", KindName, want{ClassInvisible, 1, 0x200D, false}},
		{"word joiner", "p\u20601", KindName, want{ClassInvisible, 1, 0x2060, false}},
		{"byte order mark", "\uFEFFp1", KindName, want{ClassInvisible, 0, 0xFEFF, false}},
		{"soft hyphen", "p\u00AD1", KindLine, want{ClassInvisible, 1, 0xAD, false}},
		{"Hangul filler", "p\u31641", KindName, want{ClassInvisible, 1, 0x3164, false}},
		{"variation selector", "p\uFE0F", KindName, want{ClassInvisible, 1, 0xFE0F, false}},
		{"tag character", "p\U000E0041", KindName, want{ClassInvisible, 1, 0xE0041, false}},
		{"zero-width space in a title is warned", "Drain\u200B p2", KindTitle, want{ClassInvisible, 5, 0x200B, true}},

		{"no-break space in a name", "p\u00A01", KindName, want{ClassSpace, 1, 0xA0, false}},
		{"ideographic space in a line", "a\u3000b", KindLine, want{ClassSpace, 1, 0x3000, false}},
		{"no-break space in a title", "Drain\u00A0p2", KindTitle, ok},
		{"private use", "p\uE0001", KindName, want{ClassNoGlyph, 1, 0xE000, false}},
		{"noncharacter in a title is warned", "a\uFFFF", KindTitle, want{ClassNoGlyph, 1, 0xFFFF, true}},
		{"not UTF-8", "p\xff1", KindName, want{ClassNotUTF8, 1, 0xff, false}},
		{"not UTF-8 in a block", "a\xc3", KindBlock, want{ClassNotUTF8, 1, 0xc3, false}},

		{"Cyrillic a in a Latin name", "pаris", KindName, want{ClassMixedScript, 1, 'а', false}},
		{"Cyrillic a first", "аpple", KindName, want{ClassMixedScript, 0, 'а', false}},
		{"Greek omicron in a Latin name", "r\u03bfuter1", KindName, want{ClassMixedScript, 1, 'ο', false}},
		{"Latin o in a Cyrillic name", "мoсква", KindName, want{ClassMixedScript, 1, 'o', false}},
		{"a name across words", "москва pe1", KindName, want{ClassMixedScript, 7, 'p', false}},
		{"Cyrillic e in a config word", "interface \u0435th0", KindLine, want{ClassMixedScript, 10, 'е', false}},
		{"words in different scripts in a line", "description uplink to Москва", KindLine, ok},
		{"mixed word in a title is warned", "Drain pаris", KindTitle, want{ClassMixedScript, 7, 'а', true}},
		{"Han with Hangul and kana", "東京서울ひ", KindName, want{ClassMixedScript, 4, 'ひ', false}},

		{"full-width digit", "p\uFF11", KindName, want{ClassNotNFKC, 1, 0xFF11, false}},
		{"mathematical letters", "\U0001D429\U0001D7CF", KindName, want{ClassNotNFKC, 0, 0x1D429, false}},
		{"ligature", "\uFB01ber", KindName, want{ClassNotNFKC, 0, 0xFB01, false}},
		{"Kelvin sign", "\u212Aelvin", KindName, want{ClassNotNFKC, 0, 0x212A, false}},
		{"decomposed accent", "ze\u0301rich", KindName, want{ClassNotNFKC, 2, 0x301, false}},
		{"full-width letter in a line is allowed", "description ｆｕｌｌ", KindLine, ok},
		{"ellipsis in a title", "Drain p2…", KindTitle, ok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := TextProblems(tt.s, tt.kind)
			if tt.want == ok {
				if len(ps) > 0 {
					t.Fatalf("TextProblems(%q, %s) = %v, want none", tt.s, tt.kind, ps)
				}
				return
			}
			if len(ps) == 0 {
				t.Fatalf("TextProblems(%q, %s) found nothing, want %+v", tt.s, tt.kind, tt.want)
			}
			p := ps[0]
			got := want{p.Class, p.Offset, p.Rune, p.Warning}
			if got != tt.want {
				t.Errorf("TextProblems(%q, %s)[0] = %+v (%s), want %+v", tt.s, tt.kind, got, p, tt.want)
			}
			if p.Class != ClassNotUTF8 && !strings.HasPrefix(tt.s[p.Byte:], string(p.Rune)) {
				t.Errorf("Byte %d does not point at %s", p.Byte, p.Char())
			}
		})
	}
}

func TestCheckTextMessage(t *testing.T) {
	var ds Diagnostics
	y := YAML{File: "plan.yaml", Diags: &ds}
	root := y.Parse([]byte("params:\n  description: \"" + strings.ReplaceAll(injection, "\n", `\n`) + "\"\n"))
	v := root.Content[1].Content[1]
	if y.CheckText(v, `parameter "description"`, KindLine) {
		t.Fatal("CheckText accepted a value with line breaks")
	}
	want := `plan.yaml:2:16: parameter "description": "uplink\n end\n clear ip ospf "… holds U+000A LINE FEED, a control character, at offset 6 (and 3 more)` +
		` (hint: give one line: a line break would send what follows as another command; write configuration lines as a block (config: |), split on line feeds only)`
	if len(ds) != 1 || ds[0].String() != want {
		t.Fatalf("got %v\nwant %s", ds, want)
	}

	ds = nil
	if !ds.CheckText(Pos{File: "plan.yaml", Line: 1, Col: 8}, "plan: title", "Drain\u200Bp2", KindTitle) {
		t.Fatal("a warned character refused the value")
	}
	if len(ds) != 1 || ds[0].Severity != Warning || !strings.Contains(ds[0].Msg, `"Drain\u200bp2" holds U+200B ZERO WIDTH SPACE, an invisible character, at offset 5`) {
		t.Errorf("got %v, want a warning naming U+200B", ds)
	}

	ds = nil
	ds.CheckText(Pos{File: "inv.yaml", Line: 3, Col: 3}, "device name", "pаris", KindName)
	if len(ds) != 1 || !strings.Contains(ds[0].String(), `U+0430 CYRILLIC SMALL LETTER A, a Cyrillic character among Latin ones, at offset 1`) ||
		!strings.Contains(ds[0].Hint, "write the name in one script") {
		t.Errorf("got %v", ds)
	}
}

func TestCheckTextLongValueExcerpt(t *testing.T) {
	s := strings.Repeat("a", 100) + "\u202E" + strings.Repeat("b", 100)
	err := CheckString("command", s, KindLine)
	if err == nil {
		t.Fatal("accepted")
	}
	msg := err.Error()
	if !strings.Contains(msg, `…"aaaaaaaaaaaaaaaaaaaa\u202ebbbbbbbbbbbbbbbbbbbb"…`) || !strings.Contains(msg, "at offset 100") {
		t.Errorf("message %q does not quote the value around the character", msg)
	}
	if !utf8.ValidString(msg) || strings.ContainsRune(msg, '\u202E') {
		t.Errorf("message %q holds the character raw", msg)
	}
}

func TestCheckStringWarningsPass(t *testing.T) {
	if err := CheckString("title", "Drain\u200Bp2", KindTitle); err != nil {
		t.Errorf("a warned character is an error: %v", err)
	}
	err := CheckString("command", "show version\nconfigure terminal", KindLine)
	te, ok := err.(*TextError)
	if !ok || te.Problem.Rune != '\n' || te.Problem.Offset != 12 {
		t.Errorf("got %#v, want a *TextError at the line feed", err)
	}
}

func TestYAMLCheckTextSkipsNonScalars(t *testing.T) {
	var ds Diagnostics
	y := YAML{File: "f.yaml", Diags: &ds}
	if !y.CheckText(nil, "x", KindName) || !y.CheckText(&yaml.Node{Kind: yaml.MappingNode}, "x", KindName) || len(ds) != 0 {
		t.Errorf("non-scalars: %v", ds)
	}
}

func TestEscape(t *testing.T) {
	tests := []struct{ in, one, lines string }{
		{"p1", "p1", "p1"},
		{"a\nb", `a\nb`, "a\nb"},
		{"a\r\nb\tc", `a\r\nb\tc`, "a\\r\nb\\tc"},
		{"a\x1b[2Jb", `a\x1b[2Jb`, `a\x1b[2Jb`},
		{"p1\u202Ep2", `p1\u202ep2`, `p1\u202ep2`},
		{"p\u200B1", `p\u200b1`, `p\u200b1`},
		{"a\u0085b\u2028", `a\u0085b\u2028`, `a\u0085b\u2028`},
		{"p\U000E0041", `p\U000e0041`, `p\U000e0041`},
		{"a\xffb", `a\xffb`, `a\xffb`},
		{"pаris москва 東京 …", "pаris москва 東京 …", "pаris москва 東京 …"},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.one {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.one)
		}
		if got := EscapeLines(tt.in); got != tt.lines {
			t.Errorf("EscapeLines(%q) = %q, want %q", tt.in, got, tt.lines)
		}
	}
}

func TestCharName(t *testing.T) {
	for r, want := range map[rune]string{
		'\n': "U+000A LINE FEED", '\r': "U+000D CARRIAGE RETURN", 0x1: "U+0001", 0x202E: "U+202E RIGHT-TO-LEFT OVERRIDE",
		'а': "U+0430 CYRILLIC SMALL LETTER A", 0xE000: "U+E000",
	} {
		if got := CharName(r); got != want {
			t.Errorf("CharName(%U) = %q, want %q", r, got, want)
		}
	}
}

func TestDiagnosticStringEscapes(t *testing.T) {
	d := Diagnostic{Pos: Pos{File: "a\u202Eb.yaml", Line: 1}, Msg: "unknown node p1\rp2", Hint: "x\x1b[2J"}
	want := `a\u202eb.yaml:1: unknown node p1\rp2 (hint: x\x1b[2J)`
	if got := d.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
