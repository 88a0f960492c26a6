package platform

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestBuiltin(t *testing.T) {
	if err := registerBuiltin(NewRegistry()); err != nil {
		t.Fatal(err)
	}
	r := Builtin()
	names := r.Names()
	if len(names) == 0 || names[0] != "frr_vtysh" {
		t.Errorf("names %v: want frr_vtysh first", names)
	}
	// The configurable platforms come first: runbooks list them in this
	// order.
	var configurable []string
	for i, p := range r.All() {
		if p.Configurable() {
			configurable = append(configurable, p.Name)
			if i >= 1 && !r.list[i-1].Configurable() {
				t.Errorf("%s is configurable but registered after a platform that is not", p.Name)
			}
		}
	}
	if want := []string{"frr_vtysh", "cisco_iosxe", "cisco_iosxr", "juniper_junos", "arista_eos", "nokia_srl"}; !slices.Equal(configurable, want) {
		t.Errorf("configurable %v, want %v", configurable, want)
	}
	if err := r.Register(Platform{Name: "new_one", Description: "x"}); err == nil || !strings.Contains(err.Error(), "sealed") {
		t.Errorf("register on the built-in registry: %v", err)
	}
	if r.Known("new_one") || !r.Known("frr_vtysh") || r.Known("") || r.Known("frr") {
		t.Error("Known")
	}
}

func TestRegistryLookups(t *testing.T) {
	r := NewRegistry()
	for _, p := range []Platform{
		{Name: "b_os", Description: "B", Nornir: []string{"b", "b_os"}, Containerlab: []string{"b-kind"}},
		{Name: "a_os", Description: "A", ConfigFailures: []string{"% Bad"}, Config: Config{Method: "m", Tested: "t", Enter: []string{"conf"}}},
	} {
		if err := r.Register(p); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.Names(); !slices.Equal(got, []string{"b_os", "a_os"}) {
		t.Errorf("names %v: want registration order", got)
	}
	b, ok := r.Lookup("b_os")
	if !ok || b.Description != "B" || b.Configurable() {
		t.Errorf("lookup b_os: %+v %v", b, ok)
	}
	if b.Config.Method != CommandsOnly.Method || b.Config.Tested != CommandsOnly.Tested {
		t.Errorf("a zero configuration registers as commands only: %+v", b.Config)
	}
	if _, ok := r.Lookup("b"); ok {
		t.Error("a Nornir name is not a platform")
	}
	if n := r.Nornir(); len(n) != 2 || n["b"] != "b_os" || n["b_os"] != "b_os" {
		t.Errorf("nornir %v", n)
	}
	if k := r.Containerlab(); len(k) != 1 || k["b-kind"] != "b_os" {
		t.Errorf("containerlab %v", k)
	}
	if p, ok := r.FromNornir("b"); !ok || p != "b_os" {
		t.Errorf("from Nornir b: %q %v", p, ok)
	}
	if p, ok := r.FromNornir("a_os"); ok {
		t.Errorf("from Nornir a_os, a platform's name but none of its Nornir names: %q", p)
	}
	if p, ok := r.FromContainerlab("b-kind"); !ok || p != "b_os" {
		t.Errorf("from containerlab b-kind: %q %v", p, ok)
	}
	if _, ok := r.FromContainerlab("b_os"); ok {
		t.Error("a platform's name is no containerlab kind")
	}
	// What a lookup returns is a copy.
	a, _ := r.Lookup("a_os")
	a.ConfigFailures[0], a.Config.Enter[0] = "changed", "changed"
	r.Nornir()["x"] = "a_os"
	r.All()[0].Nornir[0] = "changed"
	if a, _ := r.Lookup("a_os"); a.ConfigFailures[0] != "% Bad" || a.Config.Enter[0] != "conf" || r.Nornir()["x"] != "" {
		t.Error("a caller changed the registry")
	}
	if b, _ := r.Lookup("b_os"); b.Nornir[0] != "b" {
		t.Error("a caller changed the registry through All")
	}
}

func TestRegisterRefuses(t *testing.T) {
	atomic := func(c Config) Config {
		c.Method, c.Tested = "m", "t"
		return c
	}
	full := Config{Method: "m", Tested: "t", Atomic: true, ConfirmedCommit: true,
		Enter: []string{"conf"}, Commit: []string{"commit"}, CommitConfirmed: []string{"commit confirmed {timeout}"},
		Timeout: Timeout{Unit: Seconds, Min: 1, Max: 60}, Confirm: []string{"confirm"}, Abort: []string{"abort"}}
	with := func(f func(*Config)) Config {
		c := full
		f(&c)
		return c
	}
	tests := []struct {
		name string
		p    Platform
		want []string
	}{
		{"taken name", Platform{Name: "x_os", Description: "X"}, []string{"platform x_os: registered twice"}},
		{"bad name and no description", Platform{Name: "X OS"}, []string{"name must be lower-case", "no description"}},
		{"Nornir name taken", Platform{Name: "y_os", Description: "Y", Nornir: []string{"x"}}, []string{`Nornir name "x" is already x_os's`}},
		{"Nornir name another's name", Platform{Name: "y_os", Description: "Y", Nornir: []string{"x_os"}}, []string{`Nornir name "x_os" is the name of another platform`}},
		{"name another's Nornir name", Platform{Name: "x", Description: "Y"}, []string{"the name is a Nornir name of x_os"}},
		{"Nornir name twice", Platform{Name: "y_os", Description: "Y", Nornir: []string{"y", "y"}}, []string{`Nornir name "y" listed twice`}},
		{"Nornir name in capitals", Platform{Name: "y_os", Description: "Y", Nornir: []string{"YOS"}}, []string{`Nornir name "YOS" must be lower case`}},
		{"containerlab kind taken", Platform{Name: "y_os", Description: "Y", Containerlab: []string{"x-kind"}}, []string{`containerlab kind "x-kind" is already x_os's`}},
		{"empty failure string", Platform{Name: "y_os", Description: "Y", ConfigFailures: []string{""}}, []string{"empty configuration failure string"}},
		{"guarantee without commands", Platform{Name: "y_os", Description: "Y", Config: atomic(Config{Atomic: true})}, []string{"guarantees without a way to enter"}},
		{"atomic without abort", Platform{Name: "y_os", Description: "Y", Config: with(func(c *Config) { c.Abort = nil })}, []string{"atomic without a commit and a way to discard"}},
		{"confirmed without confirm", Platform{Name: "y_os", Description: "Y", Config: with(func(c *Config) { c.Confirm = nil })}, []string{"a confirmed commit needs"}},
		{"confirmed commands without the guarantee", Platform{Name: "y_os", Description: "Y", Config: with(func(c *Config) { c.ConfirmedCommit = false })}, []string{"a confirmed commit needs"}},
		{"no timeout unit", Platform{Name: "y_os", Description: "Y", Config: with(func(c *Config) { c.Timeout.Unit = 0 })}, []string{"confirmed commit timeout"}},
		{"timeout bounds", Platform{Name: "y_os", Description: "Y", Config: with(func(c *Config) { c.Timeout.Min, c.Timeout.Max = 10, 5 })}, []string{"confirmed commit timeout"}},
		{"timeout outside commit confirmed", Platform{Name: "y_os", Description: "Y", Config: with(func(c *Config) { c.Commit = []string{"commit {timeout}"} })},
			[]string{`commit: "commit {timeout}": {timeout} is not expanded there`}},
		{"unknown placeholder", Platform{Name: "y_os", Description: "Y", Config: with(func(c *Config) { c.Enter = []string{"configure {name}"} })},
			[]string{`enter: "configure {name}": {name} is not expanded there`}},
		{"empty command", Platform{Name: "y_os", Description: "Y", Config: with(func(c *Config) { c.Abort = []string{" "} })}, []string{"abort: empty command"}},
		{"no method", Platform{Name: "y_os", Description: "Y", Config: with(func(c *Config) { c.Method = "" })}, []string{"say the method"}},
		{"bad dialect", Platform{Name: "y_os", Description: "Y", Dialect: "IOS XE"}, []string{`dialect "IOS XE"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRegistry()
			if err := r.Register(Platform{Name: "x_os", Description: "X", Nornir: []string{"x"}, Containerlab: []string{"x-kind"}}); err != nil {
				t.Fatal(err)
			}
			err := r.Register(tt.p)
			if err == nil {
				t.Fatal("registered")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if len(r.Names()) != 1 || len(r.Nornir()) != 1 || len(r.Containerlab()) != 1 {
				t.Error("a refused record was partly registered")
			}
		})
	}
	if err := NewRegistry().Register(Platform{Name: "y_os", Description: "Y", Config: full}); err != nil {
		t.Errorf("a whole record: %v", err)
	}
}

func TestConfigCommands(t *testing.T) {
	c := Config{
		Enter:           []string{"configure session {session}"},
		Commit:          []string{"commit"},
		CommitConfirmed: []string{"commit {session} within {timeout}"},
		Confirm:         []string{"configure session {session} commit", "end"},
		Abort:           []string{"abort"},
	}
	if got := c.EnterCommands("cg-1"); !slices.Equal(got, []string{"configure session cg-1"}) {
		t.Errorf("enter %q", got)
	}
	if got := c.ConfirmCommands("cg-1"); !slices.Equal(got, []string{"configure session cg-1 commit", "end"}) {
		t.Errorf("confirm %q", got)
	}
	if got := c.AbortCommands("cg-1"); !slices.Equal(got, []string{"abort"}) {
		t.Errorf("abort %q", got)
	}
	if got := (Config{}).EnterCommands("cg-1"); got != nil {
		t.Errorf("no commands: %q", got)
	}
	tests := []struct {
		unit     Unit
		min, max int
		confirm  time.Duration
		want     string
	}{
		{Seconds, 30, 65535, 0, "commit"},
		{Seconds, 30, 65535, -time.Second, "commit"},
		{Seconds, 30, 65535, time.Second, "commit cg-1 within 30"},
		{Seconds, 30, 65535, 90*time.Second + time.Millisecond, "commit cg-1 within 91"},
		{Seconds, 30, 65535, 100 * time.Hour, "commit cg-1 within 65535"},
		{Minutes, 1, 65535, time.Second, "commit cg-1 within 1"},
		{Minutes, 1, 65535, 61 * time.Second, "commit cg-1 within 2"},
		{Clock, 1, 86399, time.Millisecond, "commit cg-1 within 00:00:01"},
		{Clock, 1, 86399, time.Hour + 2*time.Minute + 3*time.Second, "commit cg-1 within 01:02:03"},
		{Clock, 1, 86399, 30 * time.Hour, "commit cg-1 within 23:59:59"},
	}
	for _, tt := range tests {
		c.Timeout = Timeout{Unit: tt.unit, Min: tt.min, Max: tt.max}
		if got := c.CommitCommands("cg-1", tt.confirm); !slices.Equal(got, []string{tt.want}) {
			t.Errorf("unit %d, confirm within %v: %q, want %q", tt.unit, tt.confirm, got, tt.want)
		}
	}
	c.CommitConfirmed = nil
	if got := c.CommitCommands("cg-1", time.Minute); !slices.Equal(got, []string{"commit"}) {
		t.Errorf("without confirmed commits: %q", got)
	}
}
