package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/lock"
)

// candidates runs the shell's completion request (cobra's __complete) and
// returns the candidates, without their descriptions, and the
// directive line.
func candidates(t *testing.T, args ...string) (cands []string, directive, stderr string) {
	t.Helper()
	out, errs, code := run(t, append([]string{"__complete"}, args...)...)
	if code != 0 {
		t.Fatalf("__complete %v: exit %d: %s", args, code, errs)
	}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(l, ":") {
			directive = l
			continue
		}
		name, _, _ := strings.Cut(l, "\t")
		cands = append(cands, name)
	}
	return cands, directive, errs
}

func TestCompletion(t *testing.T) {
	isolate(t)
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	stateDir := filepath.Join(state, "changegate")
	dir := t.TempDir()
	inv := writeFile(t, dir, "inventory.yaml", "defaults:\n  platform: frr_vtysh\n  host: 127.0.0.1\ndevices:\n  p1: {}\n  p2: {}\n  p3: {}\n")
	old, now := journal.NewRunID(time.Now().Add(-time.Hour)), journal.NewRunID(time.Now())
	fakeRun(t, stateDir, old, journal.Succeeded)
	fakeRun(t, stateDir, now, journal.Succeeded)
	locks, err := lock.New(stateDir).Acquire(context.Background(), []string{"p2"}, lock.Holder{Run: now, Plan: "x.yaml", PID: os.Getpid()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { locks.Release() })

	const noFile = ":4" // ShellCompDirectiveNoFileComp
	tests := []struct {
		name      string
		args      []string
		want      []string
		directive string
	}{
		{"check --format", []string{"check", "--format", ""}, []string{"text", "json", "junit", "sarif", "github"}, noFile},
		{"validate --format", []string{"validate", "--format", ""}, []string{"text", "json", "junit", "sarif", "github"}, noFile},
		{"review --format", []string{"review", "x.yaml", "--format", ""}, []string{"markdown", "html"}, noFile},
		{"device run --format", []string{"device", "run", "--format", ""}, []string{"text", "json"}, noFile},
		{"apply --format", []string{"apply", "--format", ""}, []string{"text", "json"}, noFile},
		{"--inventory-format", []string{"inventory", "show", "--inventory-format", ""}, []string{"native", "nornir", "containerlab"}, noFile},
		{"topology import --from", []string{"topology", "import", "--from", ""}, []string{"graphml", "containerlab"}, noFile},
		{"a plan is a YAML file", []string{"check", ""}, []string{"yaml", "yml"}, ":8"},
		{"after the plan, nothing", []string{"check", "x.yaml", ""}, nil, noFile},
		{"runbook names", []string{"runbook", "show", ""}, []string{"interface-state", "link-metric", "router-drain", "router-maintenance-drain", "router-undrain"}, noFile},
		{"devices of the inventory", []string{"device", "run", "--inventory", inv, ""}, []string{"p1", "p2", "p3"}, ":6"},
		{"the rest of a device list", []string{"device", "run", "--inventory", inv, "p2,"}, []string{"p2,p1", "p2,p3"}, ":6"},
		{"no device after --all", []string{"device", "run", "--all", "--inventory", inv, ""}, nil, noFile},
		{"inventory show: the others", []string{"inventory", "show", "--inventory", inv, "p1", ""}, []string{"p2", "p3"}, noFile},
		{"no inventory: no devices, quietly", []string{"device", "run", ""}, nil, ":6"},
		{"an unreadable inventory: no devices, quietly", []string{"device", "run", "--inventory", filepath.Join(dir, "missing.yaml"), ""}, nil, ":6"},
		{"run ids, newest first", []string{"runs", "show", ""}, []string{now, old}, ":36"},
		{"recover", []string{"recover", ""}, []string{now, old}, ":36"},
		{"locked devices", []string{"lock", "break", ""}, []string{"p2"}, noFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, directive, errs := candidates(t, tt.args...)
			if strings.Join(got, " ") != strings.Join(tt.want, " ") || directive != tt.directive {
				t.Errorf("got %q %s, want %q %s", got, directive, tt.want, tt.directive)
			}
			if strings.Contains(errs, "changegate:") {
				t.Errorf("noisy: %s", errs)
			}
		})
	}
	// Platforms: every one the registry knows.
	got, _, _ := candidates(t, "runbook", "render", "router-drain", "--platform", "")
	if len(got) < 6 || got[0] != "frr_vtysh" {
		t.Errorf("platforms: %q", got)
	}
}

// Every --format flag completes to at least two formats: a new verb's
// flag whose usage names its formats in another way would complete to
// nothing.
func TestCompletionEveryFormat(t *testing.T) {
	root := (&app{v: newViper()}).rootCommand()
	var all []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		all = append(all, c)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	for _, c := range all {
		if f := c.Flags().Lookup("format"); f != nil {
			if w := formatWords(f.Usage); len(w) < 2 {
				t.Errorf("%s --format %q completes to %v", c.CommandPath(), f.Usage, w)
			}
		}
	}
}
