package devices

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/changegate/changegate/diag"
)

// The formats an inventory can be written in.
const (
	FormatNative       = "native"       // changegate's inventory (docs/inventory.md)
	FormatNornir       = "nornir"       // a Nornir SimpleInventory
	FormatContainerlab = "containerlab" // a containerlab topology
)

// Formats are the inventory formats, in the order they are documented.
var Formats = []string{FormatNative, FormatNornir, FormatContainerlab}

// InventoryFile is an inventory file and the format it is written in.
type InventoryFile struct {
	// Path is a changegate inventory, a Nornir hosts file or the
	// directory holding one, or a containerlab topology.
	Path string
	// Format is one of Formats; "" tells them apart by the file's name
	// (see Detect).
	Format string
}

// Check refuses a format that is none of Formats, suggesting the
// closest.
func (s InventoryFile) Check() error {
	if s.Format == "" || knownFormat(s.Format) {
		return nil
	}
	msg := fmt.Sprintf("unknown inventory format %q: use one of %s", s.Format, strings.Join(Formats, ", "))
	if h := diag.DidYouMean(diag.Near(s.Format, Formats)); h != "" {
		msg += " (" + h + ")"
	}
	return errors.New(msg)
}

func knownFormat(f string) bool {
	for _, k := range Formats {
		if f == k {
			return true
		}
	}
	return false
}

// Detect returns the format of s: its own when set; else a directory or
// a file named hosts.yaml (or .yml) is a Nornir SimpleInventory, a file
// named *.clab.yml (or .yaml) a containerlab topology, and anything else
// a changegate inventory.
func (s InventoryFile) Detect() string {
	if s.Format != "" {
		return s.Format
	}
	if st, err := os.Stat(s.Path); err == nil && st.IsDir() {
		return FormatNornir
	}
	base := strings.ToLower(filepath.Base(s.Path))
	switch {
	case base == "hosts.yaml" || base == "hosts.yml":
		return FormatNornir
	case strings.HasSuffix(base, ".clab.yml") || strings.HasSuffix(base, ".clab.yaml"):
		return FormatContainerlab
	}
	return FormatNative
}

// Name is the file the inventory is read from first (for a Nornir
// directory, its hosts file), to name it in messages and findings.
func (s InventoryFile) Name() string {
	if s.Detect() != FormatNornir {
		return s.Path
	}
	hosts, _, _, err := NornirFiles(s.Path)
	if err != nil {
		return s.Path
	}
	return hosts
}

// Load reads and resolves the inventory in its format. As for Load, the
// error is for I/O only, every problem with the content is a diagnostic
// (sorted), and the inventory is nil exactly when the diagnostics hold an
// error.
func (s InventoryFile) Load(ctx context.Context) (*Inventory, diag.Diagnostics, error) {
	if err := s.Check(); err != nil {
		return nil, nil, err
	}
	var (
		inv *Inventory
		ds  diag.Diagnostics
		err error
	)
	switch s.Detect() {
	case FormatNornir:
		hosts, groups, defaults, ferr := NornirFiles(s.Path)
		if ferr != nil {
			return nil, nil, fmt.Errorf("inventory: %w", ferr)
		}
		inv, ds, err = FromNornir(ctx, hosts, groups, defaults)
	case FormatContainerlab:
		inv, ds, err = FromContainerlab(ctx, s.Path)
	default:
		inv, ds, err = Load(ctx, s.Path)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("inventory: %w", err)
	}
	ds.Sort()
	return inv, ds, nil
}

// NornirFiles finds the files of a Nornir SimpleInventory: path is its
// hosts file or the directory holding hosts.yaml (or hosts.yml); groups
// and defaults are the groups.yaml and defaults.yaml (or .yml) beside
// the hosts file, "" when there are none.
func NornirFiles(path string) (hosts, groups, defaults string, err error) {
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

// PlatformsByDevice is the platform of every device of inv, by name; nil for no
// inventory.
func (inv *Inventory) PlatformsByDevice() map[string]string {
	if inv == nil {
		return nil
	}
	out := map[string]string{}
	for _, d := range inv.Devices() {
		out[d.Name] = d.Platform
	}
	return out
}
