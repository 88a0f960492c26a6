package platform

import (
	"fmt"
	"slices"
	"strings"
)

// DefaultReadOnly is the read-only command prefix of a platform that
// names none: show.
var DefaultReadOnly = []string{"show"}

// ReadOnlyFilters are the output filters a read-only command may pipe
// its output through (the word after |). Filters that write (Junos
// `| save`, IOS `| redirect`, `| tee`, `| append`) are not among them.
var ReadOnlyFilters = []string{
	"as", "begin", "count", "display", "except", "exclude", "find", "grep", "include",
	"json", "last", "match", "no-more", "section", "trim",
}

// ReadOnlyPrefixes are the prefixes of p's read-only commands, as word
// sequences: p.ReadOnly, else DefaultReadOnly.
func (p Platform) ReadOnlyPrefixes() []string {
	if len(p.ReadOnly) > 0 {
		return slices.Clone(p.ReadOnly)
	}
	return slices.Clone(DefaultReadOnly)
}

// CheckReadOnly returns nil when command only reads the device: it starts
// with one of p's read-only prefixes, word for word and written in full
// (the CLI's abbreviations, such as IOS's "sh", are not recognised), and
// pipes its output, if at all, only through ReadOnlyFilters; it has no
// redirection (>) and no command separator (;). Otherwise the error says
// why and which commands are read-only.
func (p Platform) CheckReadOnly(command string) error {
	prefixes := p.ReadOnlyPrefixes()
	which := func() string {
		return fmt.Sprintf("read-only commands on %s start with %s", p.Name, quoteList(prefixes))
	}
	if i := strings.IndexAny(command, ";>"); i >= 0 {
		return fmt.Errorf("it has %q (a separator or a redirection); %s", command[i], which())
	}
	segs := strings.Split(command, "|")
	words := strings.Fields(strings.ToLower(segs[0]))
	ok := false
	for _, pre := range prefixes {
		pw := strings.Fields(pre)
		if len(words) >= len(pw) && slices.Equal(words[:len(pw)], pw) {
			ok = true
			break
		}
	}
	if !ok {
		return fmt.Errorf("it does not start with a read-only prefix; %s", which())
	}
	for _, s := range segs[1:] {
		f := strings.Fields(strings.ToLower(s))
		if len(f) == 0 || !slices.Contains(ReadOnlyFilters, f[0]) {
			w := ""
			if len(f) > 0 {
				w = " " + f[0]
			}
			return fmt.Errorf("it pipes its output through %q, which is not a read-only filter (they are %s)", "|"+w, strings.Join(ReadOnlyFilters, ", "))
		}
	}
	return nil
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}
