package cli

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/finding"
	"github.com/changegate/changegate/internal/report"
)

func (a *app) inventoryShowCommand() *cobra.Command {
	var file, invFormat, format string
	cmd := &cobra.Command{
		Use:   "show [DEVICE ...] [--inventory FILE]",
		Short: "List the inventory's devices, or show where each setting of some comes from",
		Long: `Without DEVICE, list every device of the inventory: platform, address,
credentials, host-key policy and groups. With DEVICE names, show each of
those devices setting by setting, with the layer (device, group, defaults,
built-in default) and file:line:column each value comes from.

Credentials are shown as references (env:NET_PASSWORD, file:PATH, agent,
prompt), never as their values: show reads no secret.

The inventory is --inventory FILE, else inventory.file of changegate.yaml.
A directory or a file named hosts.yaml is read as a Nornir SimpleInventory,
a *.clab.yml file as a containerlab topology, anything else as a changegate
inventory; --inventory-format says which outright.

The JSON form is the inventory's (docs/inventory.md#json-form), with only
the devices named when some are.`,
		Example: `  changegate inventory show --inventory inventory.yaml
  changegate inventory show p1 pe1
  changegate inventory show --inventory lab.clab.yml --format json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := finding.ParseFormat(format, finding.Text, finding.JSON)
			if err != nil {
				return err
			}
			inv, err := a.loadInventory(cmd, file, invFormat)
			if err != nil {
				return err
			}
			devs, err := inv.Select(args)
			if err != nil {
				return err
			}
			switch {
			case f == finding.JSON:
				return report.WriteJSON(a.stdout, struct {
					Files   []string          `json:"files"`
					Devices []*devices.Device `json:"devices"`
				}{inv.Files, devs})
			case len(args) == 0:
				return writeInventoryTable(a.stdout, inv, devs)
			default:
				return writeDeviceSources(a.stdout, devs)
			}
		},
	}
	cmd.Flags().StringVar(&file, "inventory", "", "inventory file (default: inventory.file of the configuration)")
	inventoryFormatFlag(cmd, &invFormat)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

// writeInventoryTable lists devs, one line each.
func writeInventoryTable(w io.Writer, inv *devices.Inventory, devs []*devices.Device) error {
	fmt.Fprintf(w, "%s: %s\n\n", inv.Name(), plural(len(devs), "device"))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DEVICE\tPLATFORM\tADDRESS\tUSERNAME\tPASSWORD\tKEY\tHOST KEY\tGROUPS")
	for _, d := range devs {
		key := credential(d.Key)
		if !d.Passphrase.IsZero() {
			key += " (passphrase " + d.Passphrase.String() + ")"
		}
		groups := strings.Join(d.Groups, ",")
		if groups == "" {
			groups = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.Name, d.Platform, address(d),
			credential(d.Username), credential(d.Password), key, hostKey(d.HostKey), groups)
	}
	return tw.Flush()
}

// writeDeviceSources writes each device setting by setting, with where
// each value comes from.
func writeDeviceSources(w io.Writer, devs []*devices.Device) error {
	for i, d := range devs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "device %s (%s)\n", d.Name, d.Pos)
		fmt.Fprintf(w, "  looked up in: %s\n", strings.Join(d.Inherits, ", "))
		groups := strings.Join(d.Groups, ", ")
		if groups == "" {
			groups = "none"
		}
		fmt.Fprintf(w, "  groups: %s\n\n", groups)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  SETTING\tVALUE\tFROM")
		for _, s := range []struct{ field, value string }{
			{devices.FieldPlatform, d.Platform},
			{devices.FieldHost, d.Host},
			{devices.FieldPort, strconv.Itoa(d.Port)},
			{devices.FieldUsername, d.Username.String()},
			{devices.FieldPassword, d.Password.String()},
			{devices.FieldKey, d.Key.String()},
			{devices.FieldPassphrase, d.Passphrase.String()},
			{devices.FieldHostKey, d.HostKey.String()},
			{devices.FieldConnectTimeout, d.Timeouts.Connect.String()},
			{devices.FieldCommandTimeout, d.Timeouts.Command.String()},
		} {
			from := "not set"
			if src, ok := d.Source(s.field); ok {
				from = src.String()
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", s.field, s.value, from)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// address is host:port, with an IPv6 address in brackets.
func address(d *devices.Device) string {
	return net.JoinHostPort(d.Host, strconv.Itoa(d.Port))
}

// credential is the reference (never the value), or - for none.
func credential(c devices.Credential) string {
	if c.IsZero() {
		return "-"
	}
	return c.String()
}

// hostKey is the host-key policy in a table cell.
func hostKey(h devices.HostKeyPolicy) string {
	if h.InsecureIgnore {
		return "INSECURE: not verified"
	}
	return "known_hosts " + h.KnownHosts
}
