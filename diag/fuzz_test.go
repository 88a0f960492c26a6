package diag

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FuzzTextProblems checks the character check on any input: it never
// panics, its problems point at the characters they name, the kinds are
// ordered (what a looser kind refuses, a stricter one refuses too), a
// name it accepts holds nothing unsafe, its messages hold nothing unsafe
// raw, and Escape leaves nothing unsafe.
func FuzzTextProblems(f *testing.F) {
	for _, s := range []string{
		"", "p1", injection, "a\r\nb", "p1\u202Ep2", "pаris", "p\u200B1", "p\uFF11", "ze\u0301rich",
		"東京서울ひ", "\xff\xfe", "a\x1b[2J", "Drain p2…", "москва pe1", "\U0001D429", "\u1100\u1161", "a\u0308\u0301",
	} {
		f.Add(s)
	}
	kinds := []TextKind{KindName, KindLine, KindTitle, KindBlock}
	f.Fuzz(func(t *testing.T, s string) {
		refused := make([]bool, len(kinds))
		for i, k := range kinds {
			ps := TextProblems(s, k)
			for j, p := range ps {
				if p.Byte < 0 || p.Byte >= len(s) {
					t.Fatalf("%s: problem %d at byte %d of %d", k, j, p.Byte, len(s))
				}
				if p.Offset != utf8.RuneCountInString(s[:p.Byte]) {
					t.Fatalf("%s: offset %d, but %d runes come before byte %d", k, p.Offset, utf8.RuneCountInString(s[:p.Byte]), p.Byte)
				}
				if p.Class == ClassNotUTF8 {
					if rune(s[p.Byte]) != p.Rune {
						t.Fatalf("%s: byte %d is 0x%02X, problem names 0x%02X", k, p.Byte, s[p.Byte], p.Rune)
					}
				} else if r, _ := utf8.DecodeRuneInString(s[p.Byte:]); r != p.Rune {
					t.Fatalf("%s: byte %d holds %U, problem names %U", k, p.Byte, r, p.Rune)
				}
				if j > 0 && ps[j-1].Byte > p.Byte {
					t.Fatalf("%s: problems out of order: %v", k, ps)
				}
			}
			_, refused[i] = Refused(ps)
			if err := CheckString("value", s, k); (err != nil) != refused[i] {
				t.Fatalf("%s: CheckString = %v, Refused = %v", k, err, refused[i])
			} else if err != nil {
				msg := err.Error()
				if !utf8.ValidString(msg) || Escape(msg) != msg {
					t.Fatalf("%s: message %q holds unsafe characters", k, msg)
				}
			}
		}
		for i := 1; i < len(kinds); i++ {
			if refused[i] && !refused[i-1] {
				t.Fatalf("%s refuses %q but %s accepts it", kinds[i], s, kinds[i-1])
			}
		}
		if !refused[0] {
			if !utf8.ValidString(s) || !norm.NFKC.IsNormalString(s) {
				t.Fatalf("name %q accepted: not UTF-8 or not NFKC", s)
			}
			for _, r := range s {
				if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Co) || unicode.Is(unicode.Zs, r) && r != ' ' {
					t.Fatalf("name %q accepted with %U", s, r)
				}
			}
		}
		if !refused[3] {
			for _, r := range s {
				if r == '\r' || unicode.Is(unicode.Bidi_Control, r) || unicode.Is(unicode.Cc, r) && r != '\n' && r != '\t' {
					t.Fatalf("block %q accepted with %U", s, r)
				}
			}
		}
		one, lines := Escape(s), EscapeLines(s)
		if !utf8.ValidString(one) || !utf8.ValidString(lines) {
			t.Fatalf("Escape(%q) is not UTF-8", s)
		}
		for _, r := range one {
			if unicode.In(r, unicode.Cc, unicode.Bidi_Control, unicode.Cf, unicode.Zl, unicode.Zp) {
				t.Fatalf("Escape(%q) = %q holds %U", s, one, r)
			}
		}
		if strings.ContainsRune(strings.ReplaceAll(lines, "\n", ""), '\r') || strings.Count(lines, "\n") != strings.Count(s, "\n") {
			t.Fatalf("EscapeLines(%q) = %q", s, lines)
		}
	})
}
