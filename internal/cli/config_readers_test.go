package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// notReadingConfig are the commands that do not read the configuration,
// as docs/config.md lists them; every other command reads it (a missing
// --config file is an error for it).
var notReadingConfig = []string{"changegate version", "changegate device platforms", "changegate completion", "changegate help"}

func TestConfigReaders(t *testing.T) {
	isolate(t)
	root := (&app{v: newViper()}).rootCommand()
	root.InitDefaultCompletionCmd()
	root.InitDefaultHelpCmd()
	var leaves []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if len(c.Commands()) == 0 {
			leaves = append(leaves, c)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	// Flags some verbs need before they get as far as the configuration.
	extra := map[string][]string{
		"changegate approve":         {"--key", "k"},
		"changegate device check":    {"--pre"},
		"changegate topology import": {"--from", "graphml"},
		"changegate topology diff":   {"../../examples/april-2011.yaml"},
	}
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	for _, c := range leaves {
		path := c.CommandPath()
		if slices.ContainsFunc(notReadingConfig, func(p string) bool { return path == p || strings.HasPrefix(path, p+" ") }) {
			continue
		}
		t.Run(path, func(t *testing.T) {
			args := strings.Fields(strings.TrimPrefix(path, "changegate "))
			for _, try := range [][]string{nil, {"../../examples/april-2011.yaml"}, {"../../examples/april-2011.yaml", "x"}} {
				if c.Args == nil || c.Args(c, try) == nil {
					args = append(append(args, try...), extra[path]...)
					break
				}
			}
			_, errs, code := run(t, append(args, "--config", missing)...)
			if code != 1 || !strings.Contains(errs, "read configuration "+missing) {
				t.Errorf("%v: exit %d, %s; reads no configuration? then add it to notReadingConfig and docs/config.md", args, code, errs)
			}
		})
	}
	// The docs list the same.
	doc, err := os.ReadFile("../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range notReadingConfig {
		if !strings.Contains(string(doc), "`"+strings.TrimPrefix(p, "changegate ")+"`") {
			t.Errorf("docs/config.md does not name %s among the commands that do not read the configuration", p)
		}
	}
}
