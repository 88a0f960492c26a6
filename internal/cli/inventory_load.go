package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/diag"
	"github.com/changegate/changegate/internal/userfile"
	"github.com/changegate/changegate/plans"
)

// The formats an inventory can be read in (--inventory-format,
// inventory.format).
const (
	inventoryNative       = "native"
	inventoryNornir       = "nornir"
	inventoryContainerlab = "containerlab"
)

var inventoryFormats = []string{inventoryNative, inventoryNornir, inventoryContainerlab}

// inventorySource is an inventory file and the format it is written in.
type inventorySource struct {
	// path is a changegate inventory, a Nornir hosts file or the
	// directory holding one, or a containerlab topology.
	path string
	// format is one of inventoryFormats; "" tells them apart by the
	// file's name (see detect).
	format string
}

// source picks the inventory of a verb: flagPath (with
// flagFormat) when given, else the configured one (with its format).
// The error says how to name one when there is none.
func (c InventoryConfig) source(flagPath, flagFormat string) (inventorySource, error) {
	src := inventorySource{path: flagPath, format: flagFormat}
	if src.path == "" {
		src.path = c.File
		if src.format == "" {
			src.format = c.Format
		}
	}
	if src.path == "" {
		return src, errors.New("no inventory: pass --inventory FILE, or set inventory.file in changegate.yaml (docs/config.md)")
	}
	if src.format != "" && !isInventoryFormat(src.format) {
		msg := fmt.Sprintf("unknown inventory format %q: use one of %s", src.format, strings.Join(inventoryFormats, ", "))
		if h := diag.DidYouMean(diag.Near(src.format, inventoryFormats)); h != "" {
			msg += " (" + h + ")"
		}
		return src, errors.New(msg)
	}
	return src, nil
}

func isInventoryFormat(s string) bool {
	for _, f := range inventoryFormats {
		if s == f {
			return true
		}
	}
	return false
}

// detect returns the format of s: its own when set; else a directory or
// a file named hosts.yaml (or .yml) is a Nornir SimpleInventory, a file
// named *.clab.yml (or .yaml) a containerlab topology, and anything else
// a changegate inventory.
func (s inventorySource) detect() string {
	if s.format != "" {
		return s.format
	}
	if st, err := os.Stat(s.path); err == nil && st.IsDir() {
		return inventoryNornir
	}
	base := strings.ToLower(filepath.Base(s.path))
	switch {
	case base == "hosts.yaml" || base == "hosts.yml":
		return inventoryNornir
	case strings.HasSuffix(base, ".clab.yml") || strings.HasSuffix(base, ".clab.yaml"):
		return inventoryContainerlab
	}
	return inventoryNative
}

// file is the file the inventory is read from first (for a Nornir
// directory, its hosts file), to name it in messages and findings.
func (s inventorySource) file() string {
	if s.detect() != inventoryNornir {
		return s.path
	}
	hosts, _, _, err := nornirFiles(s.path)
	if err != nil {
		return s.path
	}
	return hosts
}

// load reads and resolves the inventory. As for devices.Load, the error
// is for I/O only, every problem with the content is a diagnostic, and
// the inventory is nil exactly when the diagnostics hold an error.
func (s inventorySource) load(ctx context.Context) (*devices.Inventory, diag.Diagnostics, error) {
	var (
		inv *devices.Inventory
		ds  diag.Diagnostics
		err error
	)
	switch s.detect() {
	case inventoryNornir:
		hosts, groups, defaults, ferr := nornirFiles(s.path)
		if ferr != nil {
			return nil, nil, fmt.Errorf("inventory: %w", ferr)
		}
		inv, ds, err = devices.FromNornir(ctx, hosts, groups, defaults)
	case inventoryContainerlab:
		inv, ds, err = devices.FromContainerlab(ctx, s.path)
	default:
		inv, ds, err = devices.Load(ctx, s.path)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("inventory: %w", err)
	}
	ds.Sort()
	return inv, ds, nil
}

// nornirFiles finds the files of a Nornir SimpleInventory: path is its
// hosts file or the directory holding hosts.yaml (or hosts.yml); groups
// and defaults are the groups.yaml and defaults.yaml (or .yml) beside
// the hosts file, "" when there are none.
func nornirFiles(path string) (hosts, groups, defaults string, err error) {
	dir := filepath.Dir(path)
	hosts = path
	if st, serr := os.Stat(path); serr == nil && st.IsDir() {
		dir = path
		if hosts = findFile(dir, "hosts"); hosts == "" {
			return "", "", "", fmt.Errorf("%s holds no Nornir hosts.yaml or hosts.yml", path)
		}
	}
	return hosts, findFile(dir, "groups"), findFile(dir, "defaults"), nil
}

// findFile returns dir/name.yaml, else dir/name.yml, else "".
func findFile(dir, name string) string {
	for _, ext := range []string{".yaml", ".yml"} {
		p := filepath.Join(dir, name+ext)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return p // let the reader report why it cannot be read
		}
	}
	return ""
}

// inventoryFlags are --inventory and --inventory-format of the verbs that
// check a plan (check, approve, approvals, review, plan digest, apply): the
// inventory the plan runs with, whose digest is bound with the others.
type inventoryFlags struct{ file, format string }

func (f *inventoryFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.file, "inventory", "", "inventory file the plan runs with (default: the plan's inventory:, else inventory.file of the configuration)")
	cmd.Flags().StringVar(&f.format, "inventory-format", "", "inventory format: native, nornir or containerlab (default: from the file name)")
}

// planInventory reads the inventory plan runs with, which apply uses and
// approvals bind: --inventory, else the plan's inventory:, else
// inventory.file of the configuration. It is nil when none of them names
// one; an inventory that is named but cannot be read is an error.
func (a *app) planInventory(cmd *cobra.Command, cfg Config, plan *plans.Plan, f inventoryFlags) (*devices.Inventory, error) {
	path := f.file
	if path == "" && plan.Inventory != "" {
		var err error
		if path, err = cfg.Paths.scope().Resolve(plan.File, plan.Inventory, userfile.Inventory); err != nil {
			return nil, fmt.Errorf("%s: inventory: %w", plan.InventoryPos, err)
		}
	}
	if path == "" && cfg.Inventory.File == "" {
		return nil, nil
	}
	return a.readInventory(cmd, cfg, path, f.format)
}

// platformsOf is the platform of every device of inv, by name; nil for
// no inventory.
func platformsOf(inv *devices.Inventory) map[string]string {
	if inv == nil {
		return nil
	}
	out := map[string]string{}
	for _, d := range inv.Devices() {
		out[d.Name] = d.Platform
	}
	return out
}

// inventoryDigest is inv's digest, "" for no inventory.
func inventoryDigest(inv *devices.Inventory) string {
	if inv == nil {
		return ""
	}
	return inv.Digest()
}

// loadInventory reads the inventory of a verb: flagPath in flagFormat
// when flagPath is given, else the configured one (inventory.file and
// inventory.format). Warnings are printed; errors come back as
// diagnostics with positions, which Run prints.
func (a *app) loadInventory(cmd *cobra.Command, flagPath, flagFormat string) (*devices.Inventory, error) {
	cfg, err := a.config(cmd, nil)
	if err != nil {
		return nil, err
	}
	return a.readInventory(cmd, cfg, flagPath, flagFormat)
}

// readInventory is loadInventory with the configuration read.
func (a *app) readInventory(cmd *cobra.Command, cfg Config, flagPath, flagFormat string) (*devices.Inventory, error) {
	src, err := cfg.Inventory.source(flagPath, flagFormat)
	if err != nil {
		return nil, err
	}
	inv, ds, err := src.load(cmd.Context())
	if err != nil {
		return nil, err
	}
	if ds.HasErrors() {
		return nil, diagErr(ds)
	}
	a.printDiags(ds)
	return inv, nil
}
