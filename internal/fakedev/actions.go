package fakedev

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The pieces platforms.go's tables are built from: patterns, prompts, and
// the actions commands take.

// re compiles a pattern that must match the whole line.
func re(pattern string) *regexp.Regexp { return regexp.MustCompile(`^(?:` + pattern + `)$`) }

// in lists the modes a command is valid in.
func in(modes ...string) []string { return modes }

// hostPrompt is prefix + hostname + suffix, e.g. "r1#".
func hostPrompt(prefix, suffix string) func(*State) string {
	return func(st *State) string { return prefix + st.Hostname() + suffix }
}

// configPrompt is the Cisco-style configuration prompt, "r1(config)#" or
// "r1(config-router)#" in a sub-mode.
func configPrompt(prefix string) func(*State) string {
	return func(st *State) string { return prefix + st.Hostname() + "(config" + dash(st.Sub()) + ")#" }
}

// dash is "-"+s, or "" for no sub-mode.
func dash(s string) string {
	if s == "" {
		return ""
	}
	return "-" + s
}

// action is a Command's Do.
type action = func(st *State, args []string) string

// do runs f and answers nothing.
func do(f func(*State)) action {
	return func(st *State, _ []string) string {
		f(st)
		return ""
	}
}

// enter moves to mode's top level with a shared candidate.
func enter(mode string) action {
	return func(st *State, _ []string) string {
		st.enter(mode)
		st.private = false
		return ""
	}
}

// enterPrivate enters mode with a candidate that is the session's own
// (Junos "configure private", SR Linux "enter candidate private").
func enterPrivate(mode string) action {
	return func(st *State, _ []string) string {
		st.enter(mode)
		st.private = true
		return ""
	}
}

// quit ends the shell after this answer.
func quit(st *State, _ []string) string {
	st.exit = true
	return ""
}

// sub takes the line as configuration and enters the sub-mode label.
func sub(label string) action {
	return func(st *State, args []string) string {
		if out := st.configLine(args[0]); out != "" {
			return out
		}
		st.sub = label
		return ""
	}
}

// subFrom is sub with the label taken from submatch i.
func subFrom(i int) action {
	return func(st *State, args []string) string { return sub(args[i])(st, args) }
}

// up leaves a sub-mode for the mode's top level.
func up(st *State, _ []string) string {
	st.sub = ""
	return ""
}

// upOr leaves a sub-mode, or does top at a mode's top level.
func upOr(top action) action {
	return func(st *State, args []string) string {
		if st.sub != "" {
			return up(st, args)
		}
		return top(st, args)
	}
}

// printf answers format with the first submatch.
func printf(format string) action {
	return func(_ *State, args []string) string { return fmt.Sprintf(format, args[1]) }
}

// running prints the committed lines between a header (with %s for the
// hostname) and a footer.
func running(header, footer string) action {
	return func(st *State, _ []string) string {
		return fmt.Sprintf(header, st.Hostname()) + "\n" + lines(st.srv.Committed()) + footer
	}
}

// lines joins ls with a newline after each.
func lines(ls []string) string {
	if len(ls) == 0 {
		return ""
	}
	return strings.Join(ls, "\n") + "\n"
}

// number parses an optional decimal argument, def when it is absent.
func number(s string, def int) (int, bool) {
	if s == "" {
		return def, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}
