package fakedev

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// This file is the specification of each built-in CLI: its prompts, the
// commands it knows, and its error texts. Mode names follow scrapligo's
// privilege levels so that tests can say which level a prompt belongs to.
// Prompts are checked against scrapligo v1.4.3's assets/platforms/*.yaml
// patterns in platforms_test.go.

// The built-in platforms' mode names, for Personality.Respond.
const (
	ModeExec     = "exec"
	ModePrivExec = "privilege-exec"
	ModeConfig   = "configuration"
	ModeSession  = "configuration-session" // EOS "configure session NAME"
)

// platforms holds the built-in personalities by platform name.
var platforms = map[string]func(host string) *Personality{
	"frr_vtysh":     frrVtysh,
	"cisco_iosxe":   ciscoIOSXE,
	"cisco_iosxr":   ciscoIOSXR,
	"juniper_junos": juniperJunos,
	"arista_eos":    aristaEOS,
	"nokia_srl":     nokiaSRL,
}

// hostnameRe keeps hostnames inside what every platform's prompt pattern
// accepts (scrapligo allows 1-63 of [\w.\-@/:] including XR's
// "RP/0/RP0/CPU0:" prefix).
var hostnameRe = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,40}$`)

// Platform returns a new personality for the named platform with the given
// hostname.
func Platform(name, hostname string) (*Personality, error) {
	build, ok := platforms[name]
	if !ok {
		return nil, fmt.Errorf("fakedev: unknown platform %q (known: %s)",
			name, strings.Join(PlatformNames(), ", "))
	}
	if !hostnameRe.MatchString(hostname) {
		return nil, fmt.Errorf("fakedev: hostname %q: want 1-40 of letters, digits, '_', '.', '-'", hostname)
	}
	return build(hostname), nil
}

// PlatformNames lists the built-in platforms, sorted.
func PlatformNames() []string {
	names := make([]string, 0, len(platforms))
	for n := range platforms {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// frrVtysh is FRRouting's vtysh. Configuration applies line by line.
func frrVtysh(host string) *Personality {
	unknown := func(_ *State, line string) string { return "% Unknown command: " + line }
	return &Personality{
		Name: "frr_vtysh", Hostname: host, Start: ModeExec,
		Modes: map[string]Mode{
			ModeExec:   {Prompt: hostPrompt("", "#")},                 // r1#
			ModeConfig: {Prompt: configPrompt(""), Config: Immediate}, // r1(config)#, r1(config-router)#
		},
		Commands: []Command{
			{Match: re(`terminal length \d+`)},
			{Modes: in(ModeExec), Match: re(`configure(?: terminal)?`), Do: enter(ModeConfig)},
			{Modes: in(ModeExec), Match: re(`exit|quit`), Do: quit},
			{Modes: in(ModeExec), Line: "show running-config",
				Do: running("Building configuration...\n\nCurrent configuration:\n!\nhostname %s", "!\nend")},
			{Modes: in(ModeConfig), Line: "end", Do: enter(ModeExec)},
			{Modes: in(ModeConfig), Match: re(`exit|quit`), Do: upOr(enter(ModeExec))},
			{Modes: in(ModeConfig), Match: re(`router (?:ospf6?|bgp|isis|rip)\b.*`), Do: sub("router")},
			{Modes: in(ModeConfig), Match: re(`interface \S+.*`), Do: sub("if")},
			{Modes: in(ModeConfig), Match: re(`route-map \S+ (?:permit|deny) \d+`), Do: sub("route-map")},
		},
		Unknown:  unknown,
		Rejected: unknown,
	}
}

// ciscoIOSXE is IOS-XE, logged in at privilege level 15. Configuration
// applies line by line. "enable" needs no password here.
func ciscoIOSXE(host string) *Personality {
	return &Personality{
		Name: "cisco_iosxe", Hostname: host, Start: ModePrivExec,
		Modes: map[string]Mode{
			ModeExec:     {Prompt: hostPrompt("", ">")},                 // r1>
			ModePrivExec: {Prompt: hostPrompt("", "#")},                 // r1#
			ModeConfig:   {Prompt: configPrompt(""), Config: Immediate}, // r1(config)#, r1(config-if)#
		},
		Commands: []Command{
			{Modes: in(ModeExec, ModePrivExec), Match: re(`terminal (?:length|width) \d+`)},
			{Modes: in(ModeExec), Line: "enable", Do: enter(ModePrivExec)},
			{Modes: in(ModePrivExec), Line: "disable", Do: enter(ModeExec)},
			{Modes: in(ModeExec, ModePrivExec), Match: re(`exit|logout|quit`), Do: quit},
			{Modes: in(ModePrivExec), Match: re(`conf(?:igure)?(?: t(?:erminal)?)?`),
				Output: "Enter configuration commands, one per line.  End with CNTL/Z.", Do: enter(ModeConfig)},
			{Modes: in(ModePrivExec), Match: re(`write(?: memory)?`), Output: "Building configuration...\n[OK]"},
			{Modes: in(ModePrivExec), Line: "show running-config",
				Do: running("Building configuration...\n\nCurrent configuration:\n!\nhostname %s\n!", "!\nend")},
			{Modes: in(ModeConfig), Line: "end", Do: enter(ModePrivExec)},
			{Modes: in(ModeConfig), Line: "exit", Do: upOr(enter(ModePrivExec))},
			{Modes: in(ModeConfig), Match: re(`interface \S+.*`), Do: sub("if")},
			{Modes: in(ModeConfig), Match: re(`router \S+.*`), Do: sub("router")},
			{Modes: in(ModeConfig), Match: re(`line \S+.*`), Do: sub("line")},
			{Modes: in(ModeConfig), Match: re(`route-map \S+.*`), Do: sub("route-map")},
		},
		Unknown:  ciscoInvalid,
		Rejected: ciscoInvalid,
	}
}

// xrUncommitted is the question IOS XR asks when leaving configuration
// with a dirty candidate.
const xrUncommitted = "Uncommitted changes found, commit them before exiting(yes/no/cancel)? [cancel]:"

// ciscoIOSXR is IOS XR: configuration goes to the session's candidate
// until "commit"; "commit confirmed N" (30-65535 seconds) waits for a
// plain "commit".
func ciscoIOSXR(host string) *Personality {
	const rp = "RP/0/RP0/CPU0:"
	return &Personality{
		Name: "cisco_iosxr", Hostname: host, Start: ModeExec,
		Modes: map[string]Mode{
			ModeExec:   {Prompt: hostPrompt(rp, "#")},                 // RP/0/RP0/CPU0:r1#
			ModeConfig: {Prompt: configPrompt(rp), Config: Candidate}, // RP/0/RP0/CPU0:r1(config)#
		},
		Commands: []Command{
			{Modes: in(ModeExec), Match: re(`terminal (?:length|width) \d+`)},
			{Modes: in(ModeExec), Match: re(`configure(?: terminal)?`), Do: enter(ModeConfig)},
			{Modes: in(ModeExec), Line: "configure exclusive", Do: enterPrivate(ModeConfig)},
			{Modes: in(ModeExec), Match: re(`exit|logout|quit`), Do: quit},
			{Modes: in(ModeExec), Line: "show configuration commit list", Do: xrCommitList},
			{Modes: in(ModeExec), Line: "show running-config",
				Do: running("Building configuration...\n!! IOS XR Configuration\nhostname %s", "end")},
			{Modes: in(ModeConfig), Line: "commit", Do: xrCommit},
			{Modes: in(ModeConfig), Match: re(`commit confirmed(?: (\d+))?`), Do: xrCommitConfirmed},
			{Modes: in(ModeConfig), Line: "abort", Do: func(st *State, _ []string) string {
				st.discard()
				st.enter(ModeExec)
				return ""
			}},
			{Modes: in(ModeConfig), Line: "end", Do: xrEnd},
			{Modes: in(ModeConfig), Line: "exit", Do: upOr(xrEnd)},
			{Modes: in(ModeConfig), Line: "root", Do: up},
			{Modes: in(ModeConfig), Line: "show configuration", Do: func(st *State, _ []string) string {
				return "Building configuration...\n!! IOS XR Configuration\n" + lines(st.candidate()) + "end"
			}},
			{Modes: in(ModeConfig), Match: re(`router (ospf|bgp|isis)\b.*`), Do: subFrom(1)},
			{Modes: in(ModeConfig), Match: re(`interface \S+.*`), Do: sub("if")},
		},
		Unknown:  ciscoInvalid,
		Rejected: ciscoInvalid,
	}
}

func xrCommit(st *State, _ []string) string {
	if !st.Dirty() && !st.srv.confirm() {
		return "% No configuration changes to commit."
	}
	st.commit()
	return ""
}

func xrCommitConfirmed(st *State, args []string) string {
	if n, ok := number(args[1], 30); !ok || n < 30 || n > 65535 {
		return ciscoInvalid(st, args[0])
	}
	if !st.Dirty() {
		return "% No configuration changes to commit."
	}
	st.commitConfirmed()
	return ""
}

func xrEnd(st *State, _ []string) string {
	if !st.Dirty() {
		st.enter(ModeExec)
		return ""
	}
	st.askFor(xrUncommitted, func(st *State, answer string) string {
		switch strings.ToLower(answer) {
		case "yes", "y":
			st.commit()
			st.enter(ModeExec)
		case "no", "n":
			st.discard()
			st.enter(ModeExec)
		}
		return "" // anything else cancels, as the default does
	})
	return ""
}

func xrCommitList(st *State, _ []string) string {
	var b strings.Builder
	b.WriteString("SNo. Label/ID              User      Line                Client      Time Stamp\n")
	b.WriteString("~~~~ ~~~~~~~~              ~~~~      ~~~~                ~~~~~~      ~~~~~~~~~~")
	n := st.srv.commitCount()
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "\n%-4d %-21d %-9s %-19s %-11s %s",
			i, 1000000000+n-i+1, st.User(), "vty0:node0_RP0_CPU0", "CLI", "Thu Jan  1 00:00:00 2026")
	}
	return b.String()
}

// juniperJunos is Junos: "set"/"delete" lines go to the candidate until
// "commit"; "commit confirmed N" (minutes) waits for another "commit".
func juniperJunos(host string) *Personality {
	enterMsg := "Entering configuration mode"
	privMsg := "warning: uncommitted changes will be discarded on exit\n" + enterMsg
	return &Personality{
		Name: "juniper_junos", Hostname: host, Start: ModeExec,
		Modes: map[string]Mode{
			ModeExec: {Prompt: func(st *State) string { // admin@r1>
				return st.User() + "@" + st.Hostname() + "> "
			}},
			ModeConfig: {Config: Candidate, Prompt: func(st *State) string { // [edit] + admin@r1#
				return "[edit]\n" + st.User() + "@" + st.Hostname() + "# "
			}},
		},
		ConfigLine: re(`(?:set|delete|activate|deactivate|annotate|insert|rename|copy|protect|unprotect)\s.*`),
		Commands: []Command{
			{Modes: in(ModeExec), Match: re(`set cli screen-width (\d+)`), Do: printf("Screen width set to %s")},
			{Modes: in(ModeExec), Match: re(`set cli screen-length (\d+)`), Do: printf("Screen length set to %s")},
			{Modes: in(ModeExec), Line: "set cli complete-on-space off", Output: "Disabling complete-on-space"},
			{Modes: in(ModeExec), Line: "configure", Output: enterMsg, Do: enter(ModeConfig)},
			{Modes: in(ModeExec), Match: re(`configure (?:private|exclusive)`), Output: privMsg, Do: enterPrivate(ModeConfig)},
			{Modes: in(ModeExec), Match: re(`exit|quit`), Do: quit},
			{Modes: in(ModeExec), Line: "show configuration | display set", Do: func(st *State, _ []string) string {
				return strings.TrimSuffix(lines(st.srv.Committed()), "\n")
			}},
			{Modes: in(ModeConfig), Line: "commit", Output: "commit complete", Do: do((*State).commit)},
			{Modes: in(ModeConfig), Line: "commit check", Output: "configuration check succeeds"},
			{Modes: in(ModeConfig), Line: "commit and-quit", Output: "commit complete\nExiting configuration mode",
				Do: func(st *State, _ []string) string {
					st.commit()
					st.enter(ModeExec)
					return ""
				}},
			{Modes: in(ModeConfig), Match: re(`commit confirmed(?: (\d+))?`), Do: junosCommitConfirmed},
			{Modes: in(ModeConfig), Match: re(`rollback(?: 0)?`), Output: "load complete", Do: do((*State).discard)},
			{Modes: in(ModeConfig), Match: re(`exit configuration-mode|exit|quit`), Do: junosExit},
			{Modes: in(ModeConfig), Line: "top"},
		},
		Unknown:  func(st *State, _ string) string { return caret(st) + "\nunknown command." },
		Rejected: func(st *State, _ string) string { return caret(st) + "\nsyntax error." },
	}
}

func junosCommitConfirmed(st *State, args []string) string {
	n, ok := number(args[1], 10)
	if !ok || n < 1 || n > 65535 {
		return caret(st) + "\nsyntax error."
	}
	st.commitConfirmed()
	return fmt.Sprintf("configuration check succeeds\n"+
		"commit confirmed will be automatically rolled back in %d minutes unless confirmed\ncommit complete", n)
}

func junosExit(st *State, _ []string) string {
	out := "Exiting configuration mode"
	if st.Dirty() {
		out = "The configuration has been changed but not committed\n" + out
		if st.private {
			st.discard()
		}
	}
	st.enter(ModeExec)
	st.private = false
	return out
}

// aristaEOS is EOS: "configure" applies line by line; "configure session
// NAME" keeps lines in a named session until "commit", and "commit timer
// HH:MM:SS" waits for "configure session NAME commit".
func aristaEOS(host string) *Personality {
	leave := func(st *State) {
		st.session = ""
		st.enter(ModePrivExec)
	}
	return &Personality{
		Name: "arista_eos", Hostname: host, Start: ModePrivExec,
		Modes: map[string]Mode{
			ModeExec:     {Prompt: hostPrompt("", ">")},                 // sw1>
			ModePrivExec: {Prompt: hostPrompt("", "#")},                 // sw1#
			ModeConfig:   {Prompt: configPrompt(""), Config: Immediate}, // sw1(config)#
			ModeSession: {Config: Candidate, Prompt: func(st *State) string { // sw1(config-s-chg123)#
				name := st.Session()
				if len(name) > 6 {
					name = name[:6] // EOS shows the first six characters
				}
				return st.Hostname() + "(config-s-" + name + dash(st.Sub()) + ")#"
			}},
		},
		Commands: []Command{
			{Modes: in(ModeExec, ModePrivExec), Match: re(`terminal (?:length|width) \d+`)},
			{Modes: in(ModeExec), Line: "enable", Do: enter(ModePrivExec)},
			{Modes: in(ModePrivExec), Line: "disable", Do: enter(ModeExec)},
			{Modes: in(ModeExec, ModePrivExec), Match: re(`exit|logout|quit`), Do: quit},
			{Modes: in(ModePrivExec), Match: re(`configure(?: terminal)?`), Do: enter(ModeConfig)},
			{Modes: in(ModePrivExec), Match: re(`configure session (\S+) commit`), Do: func(st *State, args []string) string {
				if !st.srv.confirm() {
					return "% Error: no commit timer pending for session " + args[1]
				}
				return ""
			}},
			{Modes: in(ModePrivExec), Match: re(`configure session (\S+)`), Do: func(st *State, args []string) string {
				st.enter(ModeSession)
				st.session = args[1]
				return ""
			}},
			{Modes: in(ModePrivExec), Line: "show running-config",
				Do: running("! Command: show running-config\n!\nhostname %s\n!", "!\nend")},
			{Modes: in(ModeConfig), Line: "end", Do: enter(ModePrivExec)},
			{Modes: in(ModeConfig), Line: "exit", Do: upOr(enter(ModePrivExec))},
			{Modes: in(ModeSession), Line: "commit", Do: func(st *State, _ []string) string {
				st.commit()
				leave(st)
				return ""
			}},
			{Modes: in(ModeSession), Match: re(`commit timer (\d{1,2}):(\d{2}):(\d{2})`), Do: func(st *State, args []string) string {
				if args[1]+args[2]+args[3] == "000000" {
					return "% Invalid input"
				}
				st.commitConfirmed()
				leave(st)
				return ""
			}},
			{Modes: in(ModeSession), Line: "abort", Do: func(st *State, _ []string) string {
				st.discard()
				leave(st)
				return ""
			}},
			{Modes: in(ModeSession), Line: "end", Do: func(st *State, _ []string) string {
				leave(st) // the session and its lines stay for a later commit
				return ""
			}},
			{Modes: in(ModeSession), Line: "exit", Do: upOr(func(st *State, _ []string) string {
				leave(st)
				return ""
			})},
			{Modes: in(ModeConfig, ModeSession), Match: re(`interface \S+.*`), Do: sub("if")},
			{Modes: in(ModeConfig, ModeSession), Match: re(`router \S+.*`), Do: sub("router")},
		},
		Unknown:  func(*State, string) string { return "% Invalid input" },
		Rejected: func(*State, string) string { return "% Invalid input" },
	}
}

// nokiaSRL is SR Linux: "enter candidate private" collects lines until
// "commit now"; "commit confirmed" waits for "tools system configuration
// confirmed-accept".
func nokiaSRL(host string) *Personality {
	return &Personality{
		Name: "nokia_srl", Hostname: host, Start: ModeExec,
		Modes: map[string]Mode{
			ModeExec: {Prompt: func(st *State) string { // --{ running }--[  ]-- + A:srl1#
				return "--{ running }--[  ]--\nA:" + st.Hostname() + "# "
			}},
			ModeConfig: {Config: Candidate, Prompt: func(st *State) string { // --{ * candidate private private-admin }--[  ]-- + A:srl1#
				flags, name := " ", "shared default"
				if st.Dirty() {
					flags = " * "
				}
				if st.private {
					name = "private private-" + st.User()
				}
				return "--{" + flags + "candidate " + name + " }--[  ]--\nA:" + st.Hostname() + "# "
			}},
		},
		Commands: []Command{
			{Match: re(`environment cli-engine type basic|environment complete-on-space false`)},
			{Match: re(`quit`), Do: quit},
			{Modes: in(ModeExec), Line: "exit", Do: quit},
			{Modes: in(ModeExec), Line: "enter candidate private", Do: enterPrivate(ModeConfig)},
			{Modes: in(ModeExec), Match: re(`enter candidate(?: shared)?`), Do: enter(ModeConfig)},
			{Modes: in(ModeConfig), Line: "enter running", Do: enter(ModeExec)},
			{Modes: in(ModeExec), Match: re(`info flat(?: from running)?`), Do: func(st *State, _ []string) string {
				return strings.TrimSuffix(lines(st.srv.Committed()), "\n")
			}},
			{Modes: in(ModeConfig), Line: "commit now", Output: "All changes have been committed. Leaving candidate mode.",
				Do: func(st *State, _ []string) string {
					st.commit()
					st.enter(ModeExec)
					return ""
				}},
			{Modes: in(ModeConfig), Line: "commit stay", Output: "All changes have been committed. Starting new transaction.",
				Do: do((*State).commit)},
			{Modes: in(ModeConfig), Match: re(`commit confirmed(?: timeout (\d+)s?)?`), Do: func(st *State, args []string) string {
				n, ok := number(args[1], 600)
				if !ok || n < 1 {
					return "Error: Parsing error: invalid timeout '" + args[1] + "'"
				}
				st.commitConfirmed()
				st.enter(ModeExec)
				return fmt.Sprintf("All changes have been committed. Leaving candidate mode.\n"+
					"Commit confirmed: changes will be rolled back in %d seconds unless accepted", n)
			}},
			{Modes: in(ModeConfig), Line: "discard now", Output: "All changes have been discarded. Leaving candidate mode.",
				Do: func(st *State, _ []string) string {
					st.discard()
					st.enter(ModeExec)
					return ""
				}},
			{Modes: in(ModeConfig), Line: "discard stay", Do: do((*State).discard)},
			{Line: "tools system configuration confirmed-accept", Do: func(st *State, _ []string) string {
				if !st.srv.confirm() {
					return "Error: there is no commit awaiting confirmation"
				}
				return ""
			}},
			{Line: "tools system configuration confirmed-reject", Do: func(st *State, _ []string) string {
				if !st.srv.rollback() {
					return "Error: there is no commit awaiting confirmation"
				}
				return ""
			}},
		},
		Unknown: func(_ *State, line string) string {
			return "Error: Unknown token '" + strings.Fields(line)[0] + "'."
		},
		Rejected: func(_ *State, line string) string {
			f := strings.Fields(line)
			return "Error: Parsing error: Unknown token '" + f[len(f)-1] + "'."
		},
	}
}

// ciscoInvalid is IOS's and IOS XR's answer to a line it cannot parse.
func ciscoInvalid(st *State, _ string) string {
	return caret(st) + "\n% Invalid input detected at '^' marker."
}
