package diag

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/unicode/runenames"
)

// TextKind says what a value is, which decides the characters it may
// hold. docs/plans.md ("Characters") lists what each kind refuses and
// what it only warns about; every parser checks its values with
// TextProblems (through Diagnostics.CheckText, YAML.CheckText or
// CheckString), so that there is one definition.
type TextKind int

const (
	// KindName is an identifier: a node, link, interface, site, zone,
	// class, device, group, host, platform, approver, plan id or ticket,
	// or a runbook parameter naming one. Names are matched by equality
	// and reach devices, so anything that makes two names look alike is
	// refused: control characters (tab and line breaks included),
	// bidirectional controls, invisible characters, spaces other than
	// U+0020, characters without a visible form, letters of two scripts
	// in one name (Latin with Cyrillic or Greek, say; Latin with Han,
	// Hiragana, Katakana, Hangul or Bopomofo is allowed, as Unicode's
	// "highly restrictive" profile allows), and characters not in NFKC
	// form (full-width or mathematical letters, ligatures, decomposed
	// accents).
	KindName TextKind = iota
	// KindLine is one line of words that reaches a device or names
	// something in a report: a configuration line, a check's command, a
	// string parameter, a step or check name, an author. It refuses
	// what KindName refuses, except that it may mix scripts between
	// words (each word in one script) and need not be in NFKC form.
	KindLine
	// KindTitle is one line of free text for people (a plan's title).
	// Control characters (tab included) and bidirectional controls are
	// refused; invisible characters, characters without a visible form
	// and words mixing scripts are warned about.
	KindTitle
	// KindBlock is free text over several lines (a description, a
	// check's expected text): KindTitle, with line feeds and tabs
	// allowed. A carriage return is refused: lines are split on line
	// feeds only.
	KindBlock
)

func (k TextKind) String() string {
	switch k {
	case KindName:
		return "name"
	case KindLine:
		return "line"
	case KindTitle:
		return "title"
	}
	return "text"
}

// CharClass says why a character is refused or warned about.
type CharClass int

const (
	// ClassControl: C0 controls (tab, line feed, carriage return,
	// escape, ...), DEL, C1 controls, and the line and paragraph
	// separators U+2028 and U+2029.
	ClassControl CharClass = iota + 1
	// ClassBidi: bidirectional controls (U+061C, U+200E, U+200F,
	// U+202A-U+202E, U+2066-U+2069), which make text display in another
	// order than it is read.
	ClassBidi
	// ClassInvisible: format characters and other default-ignorable
	// characters (zero-width space and joiners, word joiner, byte order
	// mark, soft hyphen, variation selectors, tags, ...).
	ClassInvisible
	// ClassSpace: a space other than U+0020 (no-break space, en space,
	// ideographic space, ...).
	ClassSpace
	// ClassNoGlyph: a private-use, unassigned or noncharacter code point.
	ClassNoGlyph
	// ClassNotUTF8: a byte that is not part of valid UTF-8.
	ClassNotUTF8
	// ClassMixedScript: a letter of another script than the rest of the
	// name (or word).
	ClassMixedScript
	// ClassNotNFKC: a character that Unicode normalisation (NFKC) turns
	// into another: a compatibility character, or a combining mark not
	// composed with the letter before it.
	ClassNotNFKC
)

// TextProblem is one character a value may not hold, or should not.
type TextProblem struct {
	// Offset is where the character is: how many characters (runes)
	// come before it in the value; Byte is the same in bytes.
	Offset, Byte int
	// Rune is the character; for ClassNotUTF8, the byte.
	Rune  rune
	Class CharClass
	// Warning is true when the kind of value only warns about Class.
	Warning bool
	// Script is the script of Rune and Among that of the rest of the
	// name or word (ClassMixedScript).
	Script, Among string
	// Plain is the value in NFKC form (ClassNotNFKC).
	Plain string
}

// Char names the character: "U+0430 CYRILLIC SMALL LETTER A", or
// "byte 0xFF" for ClassNotUTF8.
func (p TextProblem) Char() string {
	if p.Class == ClassNotUTF8 {
		return fmt.Sprintf("byte 0x%02X", p.Rune)
	}
	return CharName(p.Rune)
}

// What says what kind of character it is, for messages: "a control
// character", "a Cyrillic letter among Latin ones", ...
func (p TextProblem) What() string {
	switch p.Class {
	case ClassControl:
		return "a control character"
	case ClassBidi:
		return "a bidirectional control"
	case ClassInvisible:
		return "an invisible character"
	case ClassSpace:
		return "a space other than U+0020"
	case ClassNoGlyph:
		return "a character with no visible form"
	case ClassNotUTF8:
		return "not UTF-8"
	case ClassMixedScript:
		return fmt.Sprintf("a %s character among %s ones", p.Script, p.Among)
	case ClassNotNFKC:
		if c := string(p.Rune); norm.NFKC.String(c) != c {
			return "a compatibility character"
		}
		if unicode.Is(unicode.M, p.Rune) {
			return "a combining mark not composed with the character before it"
		}
		return "a character not in normal form (NFKC)"
	}
	return "a character"
}

func (p TextProblem) String() string {
	return fmt.Sprintf("%s (%s) at offset %d", p.Char(), p.What(), p.Offset)
}

// hint says what to do about p in a value of kind k.
func (p TextProblem) hint(k TextKind) string {
	switch p.Class {
	case ClassControl:
		if k == KindLine && (p.Rune == '\n' || p.Rune == '\r') {
			return "give one line: a line break would send what follows as another command; write configuration lines as a block (config: |), split on line feeds only"
		}
		return "remove it: a line break, carriage return, tab or other control character could send another command to a device or rewrite what a terminal shows"
	case ClassBidi:
		return "remove it: bidirectional controls make text display in another order than it is read"
	case ClassInvisible:
		return "remove it: an invisible character makes a value differ from one that looks the same"
	case ClassSpace:
		return "use a plain space (U+0020), or none"
	case ClassNoGlyph:
		return "remove it: it has no agreed visible form"
	case ClassNotUTF8:
		return "save the file as UTF-8"
	case ClassMixedScript:
		if k == KindName {
			return fmt.Sprintf("write the name in one script: %s looks like a %s letter but is not, so the name looks like another one", CharName(p.Rune), p.Among)
		}
		return fmt.Sprintf("write each word in one script: %s looks like a %s letter but is not", CharName(p.Rune), p.Among)
	case ClassNotNFKC:
		return fmt.Sprintf("write it in plain form: %s", strconv.Quote(p.Plain))
	}
	return ""
}

// controlNames are the Unicode name aliases of the controls people meet;
// the character database names no control (runenames says "<control>").
var controlNames = map[rune]string{
	'\t': "CHARACTER TABULATION", '\n': "LINE FEED", '\r': "CARRIAGE RETURN",
	0x1B: "ESCAPE", 0x7F: "DELETE", 0x85: "NEXT LINE",
}

// CharName is "U+" and the code point of r, and its Unicode name when it
// has one: "U+000A LINE FEED", "U+202E RIGHT-TO-LEFT OVERRIDE".
func CharName(r rune) string {
	name := controlNames[r]
	if name == "" {
		name = runenames.Name(r)
	}
	if name == "" || strings.HasPrefix(name, "<") {
		return fmt.Sprintf("U+%04X", r)
	}
	return fmt.Sprintf("U+%04X %s", r, name)
}

// TextProblems returns the characters s may not hold as a value of kind
// k, and those it is warned about (Warning), in the order of the value.
// A value with none returns nil. It never panics, whatever s holds.
func TextProblems(s string, k TextKind) []TextProblem {
	var out []TextProblem
	plainASCII := true
	n := 0
	for i := 0; i < len(s); n++ {
		r, size := utf8.DecodeRuneInString(s[i:])
		p := TextProblem{Offset: n, Byte: i, Rune: r}
		if r >= utf8.RuneSelf {
			plainASCII = false
		}
		switch {
		case r == utf8.RuneError && size <= 1:
			p.Class, p.Rune = ClassNotUTF8, rune(s[i])
		case r == ' ' || (r > ' ' && r < 0x7F):
		case r == '\n' || r == '\t':
			if k != KindBlock {
				p.Class = ClassControl
			}
		case unicode.Is(unicode.Cc, r) || r == '\u2028' || r == '\u2029':
			p.Class = ClassControl
		case unicode.Is(unicode.Bidi_Control, r):
			p.Class = ClassBidi
		case invisible(r):
			p.Class, p.Warning = ClassInvisible, k >= KindTitle
		case unicode.Is(unicode.Zs, r):
			if k <= KindLine {
				p.Class = ClassSpace
			}
		case !unicode.IsPrint(r):
			p.Class, p.Warning = ClassNoGlyph, k >= KindTitle
		}
		if p.Class != 0 {
			out = append(out, p)
		}
		i += size
	}
	if plainASCII {
		return out
	}
	if k == KindName {
		out = append(out, mixedScripts(s, 0, 0, k)...)
	} else {
		out = append(out, mixedWords(s, k)...)
	}
	if k == KindName {
		if p, ok := notNFKC(s); ok {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Byte < out[j].Byte })
	return out
}

// invisible reports whether r is a default-ignorable character: a format
// character (Cf), another default-ignorable code point (U+034F, U+115F,
// U+3164, ...) or a variation selector.
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)
}

// Refused returns the first problem of ps that is not only a warning.
func Refused(ps []TextProblem) (TextProblem, bool) {
	for _, p := range ps {
		if !p.Warning {
			return p, true
		}
	}
	return TextProblem{}, false
}

// CheckText records in ds the problems of the value s of kind k (see
// TextProblems), written at pos; what names the value in messages
// ("step 2: name"). The first refused character is an error; when there
// is none, the first warned one is a warning. The message names the
// character escaped (U+000A), its offset in the value and the value,
// clipped and quoted. It returns false when s is refused.
func (ds *Diagnostics) CheckText(pos Pos, what, s string, k TextKind) bool {
	ps := TextProblems(s, k)
	if len(ps) == 0 {
		return true
	}
	if p, ok := Refused(ps); ok {
		msg, hint := describe(what, s, p, ps, k)
		ds.Add(pos, hint, "%s", msg)
		return false
	}
	msg, hint := describe(what, s, ps[0], ps, k)
	ds.Warn(pos, hint, "%s", msg)
	return true
}

// CheckText checks the scalar value of n as a value of kind k, as
// Diagnostics.CheckText does, at the position of n. A node that is not a
// scalar is left alone (String and its kin report it).
func (y YAML) CheckText(n *yaml.Node, what string, k TextKind) bool {
	n = Deref(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return true
	}
	return y.Diags.CheckText(y.Pos(n), what, n.Value, k)
}

// TextError is the error of CheckString: the value holds a character
// its kind refuses.
type TextError struct {
	What, Value string
	Kind        TextKind
	Problem     TextProblem
	// Problems are all the problems of the value, Problem among them.
	Problems []TextProblem
}

func (e *TextError) Error() string { return e.Message() + " (hint: " + e.Hint() + ")" }

// Message says what is wrong, as a Diagnostic's message does: what,
// the value clipped and quoted, the character and its offset.
func (e *TextError) Message() string {
	msg, _ := describe(e.What, e.Value, e.Problem, e.Problems, e.Kind)
	return msg
}

// Hint says what to do about it.
func (e *TextError) Hint() string { return e.Problem.hint(e.Kind) }

// CheckString checks s as a value of kind k (see TextProblems), for
// values that come from neither a file nor a YAML node (the command
// line, an approval): it returns a *TextError naming the first refused
// character, or nil. Warnings are dropped.
func CheckString(what, s string, k TextKind) error {
	ps := TextProblems(s, k)
	if p, ok := Refused(ps); ok {
		return &TextError{What: what, Value: s, Kind: k, Problem: p, Problems: ps}
	}
	return nil
}

// describe writes the message and hint of problem p of value s.
func describe(what, s string, p TextProblem, all []TextProblem, k TextKind) (msg, hint string) {
	var b strings.Builder
	if what != "" {
		b.WriteString(what)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%s holds %s, %s, at offset %d", around(s, p.Byte), p.Char(), p.What(), p.Offset)
	if more := countLike(all, p.Warning) - 1; more > 0 {
		fmt.Fprintf(&b, " (and %d more)", more)
	}
	return b.String(), p.hint(k)
}

func countLike(ps []TextProblem, warning bool) int {
	n := 0
	for _, p := range ps {
		if p.Warning == warning {
			n++
		}
	}
	return n
}

// aroundRunes is how much of a value a message quotes on each side of
// the character it is about: with it, at most 41 characters, within the
// 48 that any message may quote of a file.
const aroundRunes = 20

// around quotes s around byte offset at, clipped, every character that
// could mislead escaped.
func around(s string, at int) string {
	start, end := at, at
	for i := 0; i < aroundRunes && start > 0; i++ {
		_, size := utf8.DecodeLastRuneInString(s[:start])
		start -= size
	}
	for i := 0; i <= aroundRunes && end < len(s); i++ {
		_, size := utf8.DecodeRuneInString(s[end:])
		end += size
	}
	q := strconv.Quote(s[start:end])
	if start > 0 {
		q = "…" + q
	}
	if end < len(s) {
		q += "…"
	}
	return q
}

// Escape returns s on one line with every character that could mislead
// a reader or drive a terminal escaped as strconv.Quote escapes it: line
// feeds, carriage returns, tabs and other controls (\n, \r, \t, \x1b,
// \u0085), bidirectional controls (\u202e), invisible characters
// (\u200b), the line and paragraph separators, and bytes that are not
// UTF-8 (\xff). Other characters are kept. Renderers use it as the last
// line of defence for text that should have been refused where it was
// read.
func Escape(s string) string { return escape(s, false) }

// EscapeLines is Escape keeping line feeds, for text whose line breaks
// are its own (a report that the caller built line by line).
func EscapeLines(s string) string { return escape(s, true) }

func escape(s string, keepLF bool) string {
	safe := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && !(keepLF && c == '\n') || c >= 0x7F {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n' && keepLF:
			b.WriteByte('\n')
		case unicode.Is(unicode.Cc, r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r) || invisible(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// notNFKC reports the first character of s that NFKC normalisation
// changes, with the normalised value.
func notNFKC(s string) (TextProblem, bool) {
	if norm.NFKC.IsNormalString(s) {
		return TextProblem{}, false
	}
	start, _ := norm.NFKC.Span([]byte(s), true)
	if start >= len(s) { // cannot happen: s is not normal, so something is left
		start = 0
	}
	// The span ends where a segment starts (at the letter a combining
	// mark belongs to, say): point at the character of the segment that
	// changes, else at its first combining mark, else at its start.
	seg := s[start:]
	changed, mark := -1, -1
	for i, r := range seg {
		if i > 0 && norm.NFKC.PropertiesString(seg[i:]).BoundaryBefore() {
			break
		}
		if c := string(r); changed < 0 && norm.NFKC.String(c) != c {
			changed = i
		}
		if mark < 0 && unicode.Is(unicode.M, r) {
			mark = i
		}
	}
	at := start
	switch {
	case changed >= 0:
		at += changed
	case mark >= 0:
		at += mark
	}
	r, _ := utf8.DecodeRuneInString(s[at:])
	return TextProblem{Class: ClassNotNFKC, Plain: norm.NFKC.String(s), Byte: at, Rune: r,
		Offset: utf8.RuneCountInString(s[:at])}, true
}

// mixedWords checks each word of s (a run of letters, marks and digits)
// for mixed scripts.
func mixedWords(s string, k TextKind) []TextProblem {
	var out []TextProblem
	start, n, startN := -1, 0, 0
	for i, r := range s + " " {
		inWord := unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r)
		switch {
		case inWord && start < 0:
			start, startN = i, n
		case !inWord && start >= 0:
			out = append(out, mixedScripts(s[start:i], start, startN, k)...)
			start = -1
		}
		n++
	}
	return out
}

// mixedScripts checks that the letters of s (at byte offset byteOff and
// rune offset runeOff of the value) are of one script, or of scripts
// that Unicode's "highly restrictive" profile lets mix (Latin with Han
// and Japanese kana, with Han and Bopomofo, with Han and Hangul). It
// returns at most one problem: the first character of a script other
// than the dominant one (the one with the most characters, Latin on a
// tie) that cannot mix with it.
func mixedScripts(s string, byteOff, runeOff int, k TextKind) []TextProblem {
	type use struct {
		name  string
		count int
	}
	var uses []use
	for _, r := range s {
		if r < utf8.RuneSelf && !isASCIILetter(r) {
			continue
		}
		sc := scriptOf(r)
		if sc == "" {
			continue
		}
		if i := slices.IndexFunc(uses, func(u use) bool { return u.name == sc }); i >= 0 {
			uses[i].count++
		} else {
			uses = append(uses, use{sc, 1})
		}
	}
	if len(uses) < 2 {
		return nil
	}
	names := make([]string, len(uses))
	for i, u := range uses {
		names[i] = u.name
	}
	if mayMix(names) {
		return nil
	}
	dom := uses[0]
	for _, u := range uses[1:] {
		if u.count > dom.count || u.count == dom.count && u.name == "Latin" {
			dom = u
		}
	}
	n := runeOff
	for i, r := range s {
		sc := ""
		if r >= utf8.RuneSelf || isASCIILetter(r) {
			sc = scriptOf(r)
		}
		if sc != "" && sc != dom.name && !mayMix([]string{dom.name, sc}) {
			return []TextProblem{{Offset: n, Byte: byteOff + i, Rune: r, Class: ClassMixedScript,
				Warning: k >= KindTitle, Script: sc, Among: dom.name}}
		}
		n++
	}
	// Every script mixes with the dominant one, but not all together
	// (Hangul and Hiragana beside Han): point at the first that breaks.
	n = runeOff
	var seen []string
	for i, r := range s {
		sc := ""
		if r >= utf8.RuneSelf || isASCIILetter(r) {
			sc = scriptOf(r)
		}
		if sc != "" && !slices.Contains(seen, sc) {
			seen = append(seen, sc)
			if !mayMix(seen) {
				return []TextProblem{{Offset: n, Byte: byteOff + i, Rune: r, Class: ClassMixedScript,
					Warning: k >= KindTitle, Script: sc, Among: dom.name}}
			}
		}
		n++
	}
	return nil
}

func isASCIILetter(r rune) bool { return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' }

// mixable are the sets of scripts one name may mix (Unicode Technical
// Standard #39, "highly restrictive").
var mixable = [][]string{
	{"Latin", "Han", "Hiragana", "Katakana"},
	{"Latin", "Han", "Bopomofo"},
	{"Latin", "Han", "Hangul"},
}

func mayMix(scripts []string) bool {
	if len(scripts) < 2 {
		return true
	}
	for _, set := range mixable {
		all := true
		for _, s := range scripts {
			if !slices.Contains(set, s) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

type scriptTable struct {
	name  string
	table *unicode.RangeTable
}

// scriptTables are the scripts of unicode.Scripts but Common and
// Inherited (which belong to every script), by name.
var scriptTables = sync.OnceValue(func() []scriptTable {
	out := make([]scriptTable, 0, len(unicode.Scripts))
	for name, t := range unicode.Scripts {
		if name != "Common" && name != "Inherited" {
			out = append(out, scriptTable{name, t})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
})

// scriptOf returns the script of r, or "" for Common and Inherited
// characters (digits, punctuation, most combining marks) and unassigned
// ones.
func scriptOf(r rune) string {
	if isASCIILetter(r) {
		return "Latin"
	}
	if r < utf8.RuneSelf || unicode.In(r, unicode.Common, unicode.Inherited) {
		return ""
	}
	for _, t := range scriptTables() {
		if unicode.Is(t.table, r) {
			return t.name
		}
	}
	return ""
}
