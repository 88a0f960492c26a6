package diag

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ExcerptRunes is the most characters of a file's content that a message
// quotes: enough for any name, too few for a secret's worth of a file that
// was not what it was taken for.
const ExcerptRunes = 48

// argRunes is the most characters a message takes from any one argument
// that is not quoted content (a path, an error): a backstop, far above
// what any message of changegate's own holds.
const argRunes = 1000

// Excerpt quotes s as a message shows content from a user's file: at most
// ExcerptRunes characters, then "…", with every character that is not
// printable (control characters, bidi controls, zero-width and other
// format characters) escaped. A message never quotes more of a file than
// this, so that a file that is not what it was taken for (a key, an
// environment) is not printed.
func Excerpt(s string) string {
	return strconv.Quote(clip(s, ExcerptRunes))
}

// clip cuts s to n characters, ending with "…" when it was longer.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for j := range s {
		if count == n {
			i = j
			break
		}
		count++
	}
	return s[:i] + "…"
}

// clipArgs makes the arguments of a message safe to show: an argument
// formatted with %q is a value from a file and is clipped to an Excerpt;
// any other string, error or Stringer is escaped (Escape) and clipped to
// argRunes characters. Numbers and other values pass unchanged. Code
// that puts a file's content in a message any other way clips it itself,
// with Excerpt.
func clipArgs(format string, args []any) []any {
	if len(args) == 0 {
		return args
	}
	out := make([]any, len(args))
	copy(out, args)
	verbs := verbsOf(format)
	for i, a := range out {
		verb := byte('v')
		if i < len(verbs) {
			verb = verbs[i]
		}
		var s string
		switch v := a.(type) {
		case string:
			s = v
		case error:
			s = v.Error()
		case fmt.Stringer:
			s = v.String()
		default:
			continue
		}
		if verb == 'q' {
			out[i] = clip(s, ExcerptRunes)
			continue
		}
		if verb == 's' || verb == 'v' {
			out[i] = Escape(clip(s, argRunes))
		}
	}
	return out
}

// verbsOf lists the verb of each argument of a fmt format, in order
// (formats with explicit argument indexes are not used here).
func verbsOf(format string) []byte {
	var verbs []byte
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		for i < len(format) && strings.IndexByte("+-# 0123456789.*", format[i]) >= 0 {
			if format[i] == '*' {
				verbs = append(verbs, 'd')
			}
			i++
		}
		if i < len(format) && format[i] != '%' {
			verbs = append(verbs, format[i])
		}
	}
	return verbs
}

// Clip is what Excerpt shows of s, without the quotes: s clipped to
// ExcerptRunes characters, every character that is not printable
// escaped. It is for content of a file that a message shows as a name
// rather than as a quoted value (a link made of two node names, a key
// type).
func Clip(s string) string {
	var b strings.Builder
	for _, r := range clip(s, ExcerptRunes) {
		if r == ' ' || strconv.IsPrint(r) {
			b.WriteRune(r)
			continue
		}
		q := strconv.QuoteRune(r)
		b.WriteString(q[1 : len(q)-1])
	}
	return b.String()
}
