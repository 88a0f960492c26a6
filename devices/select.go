package devices

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/changegate/changegate/diag"
)

// Select returns the devices of inv named, in the order named, or every
// device when names is empty. Every unknown name is reported, each with
// the close device names as a hint.
func (inv *Inventory) Select(names []string) ([]*Device, error) {
	if len(names) == 0 {
		return inv.Devices(), nil
	}
	var out []*Device
	var unknown []string
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		d, ok := inv.Device(n)
		if !ok {
			m := fmt.Sprintf("%q", n)
			if h := diag.DidYouMean(diag.Near(n, inv.Names())); h != "" {
				m += " (" + h + ")"
			}
			unknown = append(unknown, m)
			continue
		}
		out = append(out, d)
	}
	if len(unknown) > 0 {
		noun := "device"
		if len(unknown) > 1 {
			noun = "devices"
		}
		return nil, fmt.Errorf("%s has no %s %s; changegate inventory show lists them", inv.Name(), noun, strings.Join(unknown, ", "))
	}
	return out, nil
}

// Name names the inventory by its files: "inventory FILE, ...".
func (inv *Inventory) Name() string {
	return "inventory " + strings.Join(inv.Files, ", ")
}

// Lookup returns the device of inv named name, or an error wrapping
// ErrUnknownDevice that names the close device names.
func (inv *Inventory) Lookup(name string) (*Device, error) {
	if d, ok := inv.Device(name); ok {
		return d, nil
	}
	names := inv.Names()
	sort.Strings(names)
	if h := diag.DidYouMean(diag.Near(name, names)); h != "" {
		return nil, fmt.Errorf("%w %q: %s", ErrUnknownDevice, name, h)
	}
	return nil, fmt.Errorf("%w %q (the inventory has %d devices)", ErrUnknownDevice, name, len(names))
}

// ErrUnknownDevice: the inventory has no device by that name.
var ErrUnknownDevice = errors.New("no device in the inventory named")
