package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/devices/session"
	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/finding"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/platform"
	"github.com/changegate/changegate/internal/report"
)

func (a *app) deviceRunCommand() *cobra.Command {
	var file, invFormat, format, transcript string
	var all, allowWrite bool
	var concurrency int
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "run DEVICE[,DEVICE...] COMMAND... [--inventory FILE]",
		Short: "Run one command on devices over SSH and print what they answer",
		Long: `Connect to each device of the inventory named (comma-separated, or --all)
over SSH, checking its host key, and run COMMAND (the remaining arguments,
joined by spaces) at the platform's default privilege level.

With one device the output is printed as the device gave it (without the
echoed command and the prompt), so it can be piped. With several, each
answer is headed "=== DEVICE". An answer holding one of the platform's
failure strings (a refused command, "% Unknown command", "syntax error";
one naming what does not exist, FRR's "% Can't find interface ...") is a
failure, and is still printed; so are a timeout and a lost connection,
whose partial output is printed too. Failures, naming the device and the
failure string matched, go to standard error.

It is read-only by default: the command must start with a read-only
prefix of every device's platform ("show"; "display" on Huawei VRP and HPE
Comware; "show", "info from state" or "info from running" on Nokia SR
Linux; docs/devices.md lists them), written in full, piping
its output only through filters (| include, | match, | display json, ...),
with no ";" and no ">". Anything else (configure, clear, reload, ...) is
refused before anything is sent, unless --allow-write is given: the run is
then recorded in the audit log of the state directory (audit.log: who,
when, which devices, the command, and which devices failed), before the
command is sent and after.

Exit codes: 0 every device answered without a failure string; 1 any
device failed, a command that is not read-only without --allow-write, or
bad input (docs/devices.md).

--transcript FILE writes each session's raw transcript (what the devices
sent, which echoes what was typed) with credentials and secret-looking
configuration values redacted.

Credentials come from the inventory's references; one written as
{prompt: true} is asked for on the terminal.`,
		Example: `  changegate device run p1 show ip ospf neighbor --inventory /tmp/cg-lab-april-2011/inventory.yaml
  changegate device run p1,p2 'show ip route 198.18.0.5/32 json' --format json
  changegate device run --all show version --concurrency 50`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := finding.ParseFormat(format, finding.Text, finding.JSON)
			if err != nil {
				return err
			}
			cfg, err := a.config(cmd, nil)
			if err != nil {
				return err
			}
			inv, err := a.loader(cfg).Inventory(cmd.Context(), devices.InventoryFile{Path: file, Format: invFormat})
			if err != nil {
				return err
			}
			var names []string
			if all {
				names = inv.Names()
			} else {
				if len(args) < 2 {
					return errors.New("give a device and a command: changegate device run DEVICE COMMAND")
				}
				names, args = splitNames(args[0]), args[1:]
			}
			command := strings.TrimSpace(strings.Join(args, " "))
			if command == "" {
				return errors.New("the command is empty")
			}
			// Sent as typed: a line break in it would send another command.
			if err := diag.CheckString("the command", command, diag.KindLine); err != nil {
				return err
			}
			selected, err := inv.Select(names)
			if err != nil {
				return err
			}
			stateDir := ""
			if allowWrite {
				if stateDir, err = cfg.State.dir(); err != nil {
					return err
				}
				if err := journal.Audit(stateDir, journal.AuditEntry{Event: "start", Verb: "device run --allow-write", Devices: names, Command: session.RedactConfig(command)}); err != nil {
					return fmt.Errorf("%w: --allow-write runs only when recorded", err)
				}
			} else if err := readOnlyOn(selected, command); err != nil {
				return err
			}
			ctx, cancel := withTimeout(cmd.Context(), timeout)
			defer cancel()
			pool := session.NewPool(inv, session.DialOptions{Prompter: terminalPrompter{in: a.stdin, out: a.stderr}})
			results := pool.RunAll(ctx, names, command, concurrency)
			pool.Close()
			if transcript != "" {
				if err := writeTranscripts(transcript, pool, names); err != nil {
					return err
				}
			}
			failed := map[string]string{}
			for _, n := range names {
				if err := results[n].Err; err != nil {
					failed[n] = err.Error()
				}
			}
			if allowWrite {
				for n, why := range failed {
					failed[n] = session.RedactConfig(why) // it quotes the command
				}
				if err := journal.Audit(stateDir, journal.AuditEntry{Event: "end", Verb: "device run --allow-write", Devices: names, Command: session.RedactConfig(command), Failed: failed}); err != nil {
					fmt.Fprintf(a.stderr, "changegate: %v\n", err)
				}
			}
			if f == finding.JSON {
				if err := report.WriteJSON(a.stdout, runDocument(names, results)); err != nil {
					return err
				}
			} else {
				for _, n := range names {
					r := results[n]
					if len(names) > 1 {
						fmt.Fprintf(a.stdout, "=== %s (%s)\n", n, r.Output.Took.Round(time.Millisecond))
					}
					if r.Output.Text != "" {
						fmt.Fprintln(a.stdout, r.Output.Text)
					}
					if r.Err != nil {
						fmt.Fprintf(a.stderr, "changegate: %v\n", r.Err)
						if r.Output.Partial && r.Output.Text != "" {
							fmt.Fprintf(a.stderr, "changegate: the output above from %s is partial: it is what arrived before the failure\n", n)
						}
					}
				}
			}
			if len(failed) > 0 {
				return fmt.Errorf("%d of %d devices failed", len(failed), len(names))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&file, "inventory", "", "inventory file (default: inventory.file of the configuration)")
	cmd.Flags().StringVar(&invFormat, "inventory-format", "", "inventory format: native, nornir or containerlab (default: from the file name)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&transcript, "transcript", "", "write the redacted session transcripts to this file")
	cmd.Flags().BoolVar(&all, "all", false, "run on every device of the inventory (every argument is then the command)")
	cmd.Flags().BoolVar(&allowWrite, "allow-write", false, "send a command that is not read-only (recorded in the state directory's audit.log)")
	cmd.Flags().IntVar(&concurrency, "concurrency", 20, "devices talked to at once")
	cmd.Flags().DurationVar(&timeout, "timeout", 0, "overall time limit (0: none beyond each device's own timeouts)")
	return cmd
}

// readOnlyOn refuses command unless it is read-only on the platform of
// every device (platform.Platform.CheckReadOnly).
func readOnlyOn(devs []*devices.Device, command string) error {
	reg := platform.Builtin()
	for _, d := range devs {
		p, ok := reg.Lookup(d.Platform)
		if !ok {
			return fmt.Errorf("device %s: unknown platform %q", d.Name, d.Platform)
		}
		if err := p.CheckReadOnly(command); err != nil {
			return fmt.Errorf("device %s: %q is not read-only: %w. Nothing was sent; to send it anyway, add --allow-write (the run is recorded in the state directory's audit.log)", d.Name, command, err)
		}
	}
	return nil
}

func splitNames(s string) []string {
	var out []string
	for _, n := range strings.Split(s, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

type runResult struct {
	*session.Output
	TookSeconds float64 `json:"took_seconds"`
	Error       string  `json:"error,omitempty"`
}

func runDocument(names []string, results map[string]session.Result) any {
	out := make([]runResult, 0, len(names))
	for _, n := range names {
		r := results[n]
		rr := runResult{Output: r.Output, TookSeconds: r.Output.Took.Seconds()}
		if r.Err != nil {
			rr.Error = r.Err.Error()
		}
		out = append(out, rr)
	}
	return struct {
		Results []runResult `json:"results"`
	}{out}
}

// writeTranscripts writes the pool's transcripts of names to path, each
// headed by its device.
func writeTranscripts(path string, pool *session.Pool, names []string) error {
	var b strings.Builder
	for _, n := range names {
		t := pool.Transcript(n)
		if t == nil {
			continue
		}
		fmt.Fprintf(&b, "### device %s\n%s", n, t)
		if !strings.HasSuffix(b.String(), "\n") {
			b.WriteByte('\n')
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("write transcript: %w", err)
	}
	return nil
}
