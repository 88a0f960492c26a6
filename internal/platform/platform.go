package platform

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Platform is everything changegate knows of one platform as data: what
// it is called here and in the tools inventories come from, where its
// scrapligo definition comes from, how changegate sends it
// configuration and what that guarantees, and which configuration
// dialect its lines are written in.
type Platform struct {
	// Name is the platform's name in inventories, plans and runbooks: a
	// scrapligo platform name, or changegate's own (Custom).
	Name string
	// Description says what the platform is, for people.
	Description string
	// Custom is true when changegate ships the platform's scrapligo
	// definition (devices/session/platforms/NAME.yaml) because scrapligo ships
	// none; false when scrapligo's built-in definition is used.
	Custom bool
	// Nornir are the names Nornir inventories give the platform (those of
	// NAPALM, Netmiko and nornir_scrapli), which the Nornir importer maps
	// to it. Its own name is accepted whether it is listed or not.
	Nornir []string
	// Containerlab are the containerlab node kinds (current and legacy
	// names) the containerlab importer maps to it. linux and the plumbing
	// kinds (bridge, host, ...) are the importer's to decide.
	Containerlab []string
	// ConfigFailures are failure strings added to the scrapligo
	// definition's when configuring: what a refused configuration line or
	// a failed commit prints (matched case-sensitively, as substrings).
	// Show commands do not use them, since their output may hold "error:".
	ConfigFailures []string
	// ReadOnly are the prefixes of the commands that only read the
	// device (whole words, such as "show" or "info from state"), which
	// device run sends without --allow-write (CheckReadOnly). Empty means
	// DefaultReadOnly.
	ReadOnly []string
	// Config is how changegate sends configuration and what that
	// guarantees. Its zero value, as registered, is CommandsOnly.
	Config Config
	// Dialect names the configuration language of the platform's lines,
	// the one devconfig's interpreter for it reads ("frr", "iosxe",
	// "junos", ...). Platforms that speak one language share a dialect.
	// Empty when changegate cannot read the platform's configuration.
	Dialect string
}

// Configurable reports whether changegate has a tested way to configure
// the platform. Commands run on every platform.
func (p Platform) Configurable() bool { return len(p.Config.Enter) > 0 }

func (p Platform) clone() Platform {
	p.Nornir = slices.Clone(p.Nornir)
	p.Containerlab = slices.Clone(p.Containerlab)
	p.ConfigFailures = slices.Clone(p.ConfigFailures)
	p.ReadOnly = slices.Clone(p.ReadOnly)
	c := &p.Config
	c.Enter, c.Commit, c.CommitConfirmed = slices.Clone(c.Enter), slices.Clone(c.Commit), slices.Clone(c.CommitConfirmed)
	c.Confirm, c.Abort = slices.Clone(c.Confirm), slices.Clone(c.Abort)
	return p
}

// Config is how changegate configures a platform: the commands it sends
// around the configuration lines, and what the platform then guarantees,
// so that reviewers and policies can see when a guarantee is weaker.
//
// In the commands, {session} stands for the name of the configuration
// session changegate opens ("cg-" and 8 hex digits), and {timeout}, in
// CommitConfirmed only, for the time to confirm within, as Timeout writes
// it.
type Config struct {
	// Method says how configuration is sent, for people.
	Method string
	// Tested says what the method is tested against.
	Tested string
	// Atomic: the lines take effect together at commit or not at all; a
	// refused line leaves the running configuration as it was. Without
	// it every line takes effect as it is sent, and a refused line leaves
	// the lines before it applied.
	Atomic bool
	// ConfirmedCommit: the device reverts a commit by itself unless it is
	// confirmed in time, so a change that cuts changegate off undoes
	// itself.
	ConfirmedCommit bool
	// Rollback: the device keeps previous configurations and can return
	// to one itself. Without it, rollback is the plan's own rollback
	// commands.
	Rollback bool

	// Enter enters configuration mode. Empty when changegate has no
	// tested way to configure the platform: it then refuses to.
	Enter []string
	// Commit commits the lines. Empty when each line takes effect as it
	// is sent.
	Commit []string
	// CommitConfirmed commits as a confirmed commit (ConfirmedCommit).
	CommitConfirmed []string
	// Timeout is how CommitConfirmed writes {timeout}.
	Timeout Timeout
	// Confirm confirms a pending confirmed commit, from exec mode.
	Confirm []string
	// Abort discards uncommitted lines, from configuration mode.
	Abort []string
}

// CommandsOnly is the configuration of a platform changegate has no
// tested way to configure: configuring it is refused (some platforms need
// a commit that a line-by-line method would never send, so the change
// would silently not happen); commands run.
var CommandsOnly = Config{
	Method: "none: commands only (changegate has no tested configuration method)",
	Tested: "scrapligo's definition loads",
}

// Unit is the unit a platform's confirmed commit takes its time in.
type Unit int

const (
	// Seconds: a whole number of seconds, rounded up.
	Seconds Unit = iota + 1
	// Minutes: a whole number of minutes, rounded up.
	Minutes
	// Clock: HH:MM:SS, from whole seconds rounded up.
	Clock
)

// Timeout is how a platform's confirmed commit takes its time: in Unit,
// bounded to Min and Max (counted in the unit, seconds for Clock).
type Timeout struct {
	Unit     Unit
	Min, Max int
}

// format writes d as the platform takes it.
func (t Timeout) format(d time.Duration) string {
	switch t.Unit {
	case Minutes:
		return strconv.Itoa(clamp(int(math.Ceil(d.Minutes())), t.Min, t.Max))
	case Clock:
		s := clamp(int(math.Ceil(d.Seconds())), t.Min, t.Max)
		return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
	default:
		return strconv.Itoa(clamp(int(math.Ceil(d.Seconds())), t.Min, t.Max))
	}
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }

// EnterCommands are the commands that enter configuration mode for
// session.
func (c Config) EnterCommands(session string) []string { return expand(c.Enter, session, "") }

// CommitCommands are the commands that commit session's lines: as a
// confirmed commit, to be confirmed within confirm, when confirm is
// positive and the platform has confirmed commits.
func (c Config) CommitCommands(session string, confirm time.Duration) []string {
	if confirm <= 0 || len(c.CommitConfirmed) == 0 {
		return expand(c.Commit, session, "")
	}
	return expand(c.CommitConfirmed, session, c.Timeout.format(confirm))
}

// ConfirmCommands are the commands that confirm session's pending
// confirmed commit.
func (c Config) ConfirmCommands(session string) []string { return expand(c.Confirm, session, "") }

// AbortCommands are the commands that discard session's uncommitted
// lines.
func (c Config) AbortCommands(session string) []string { return expand(c.Abort, session, "") }

func expand(cmds []string, session, timeout string) []string {
	if len(cmds) == 0 {
		return nil
	}
	r := strings.NewReplacer("{session}", session, "{timeout}", timeout)
	out := make([]string, len(cmds))
	for i, c := range cmds {
		out[i] = r.Replace(c)
	}
	return out
}

var (
	nameRe        = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	placeholderRe = regexp.MustCompile(`\{[^{}]*\}`)
)

// check returns every problem of p, a record about to be registered.
func (p Platform) check() []string {
	var probs []string
	if !nameRe.MatchString(p.Name) {
		probs = append(probs, "name must be lower-case letters, digits and _, starting with a letter")
	}
	if p.Description == "" {
		probs = append(probs, "no description")
	}
	for _, k := range p.Containerlab {
		if k == "" {
			probs = append(probs, "empty containerlab kind")
		}
	}
	for _, n := range p.Nornir {
		if n == "" || n != strings.ToLower(strings.TrimSpace(n)) {
			probs = append(probs, fmt.Sprintf("Nornir name %q must be lower case, without spaces around it (imports are matched in lower case)", n))
		}
	}
	for _, s := range p.ConfigFailures {
		if s == "" {
			probs = append(probs, "empty configuration failure string: every answer would fail")
		}
	}
	if p.Dialect != "" && !nameRe.MatchString(p.Dialect) {
		probs = append(probs, fmt.Sprintf("dialect %q must be lower-case letters, digits and _", p.Dialect))
	}
	return append(probs, p.Config.check()...)
}

// check returns every problem of c: commands that contradict the
// guarantees, and placeholders that are not expanded.
func (c Config) check() []string {
	var probs []string
	if c.Method == "" || c.Tested == "" {
		probs = append(probs, "configuration: say the method and what it is tested against")
	}
	if len(c.Enter) == 0 {
		if len(c.Commit)+len(c.CommitConfirmed)+len(c.Confirm)+len(c.Abort) > 0 || c.Atomic || c.ConfirmedCommit || c.Rollback {
			probs = append(probs, "configuration: commands or guarantees without a way to enter configuration mode")
		}
		return probs
	}
	if c.Atomic && (len(c.Commit) == 0 || len(c.Abort) == 0) {
		probs = append(probs, "configuration: atomic without a commit and a way to discard")
	}
	if c.ConfirmedCommit != (len(c.CommitConfirmed) > 0) || c.ConfirmedCommit && (len(c.Commit) == 0 || len(c.Confirm) == 0) {
		probs = append(probs, "configuration: a confirmed commit needs a plain commit, a confirmed one and a way to confirm, and the guarantee says so")
	}
	if len(c.CommitConfirmed) > 0 && (c.Timeout.Unit < Seconds || c.Timeout.Unit > Clock || c.Timeout.Min < 1 || c.Timeout.Max < c.Timeout.Min) {
		probs = append(probs, fmt.Sprintf("configuration: confirmed commit timeout %+v: want a unit and 1 <= Min <= Max", c.Timeout))
	}
	for _, group := range []struct {
		name    string
		cmds    []string
		timeout bool
	}{{"enter", c.Enter, false}, {"commit", c.Commit, false}, {"commit confirmed", c.CommitConfirmed, true}, {"confirm", c.Confirm, false}, {"abort", c.Abort, false}} {
		for _, cmd := range group.cmds {
			if strings.TrimSpace(cmd) == "" {
				probs = append(probs, fmt.Sprintf("configuration: %s: empty command", group.name))
			}
			for _, ph := range placeholderRe.FindAllString(cmd, -1) {
				if ph != "{session}" && (ph != "{timeout}" || !group.timeout) {
					probs = append(probs, fmt.Sprintf("configuration: %s: %q: %s is not expanded there", group.name, cmd, ph))
				}
			}
		}
	}
	return probs
}
