package cli

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/internal/lock"
)

func (a *app) lockCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lock",
		Short: "List device locks held by runs; break a stale one",
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the device locks: device, run, plan, who, since, and whether the holder is gone",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := a.locker(cmd)
			if err != nil {
				return err
			}
			locks, err := l.List()
			if err != nil {
				return err
			}
			if len(locks) == 0 {
				fmt.Fprintln(a.stderr, "no device is locked")
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "DEVICE\tRUN\tPLAN\tBY\tSINCE\tSTATE")
			for _, lk := range locks {
				state := "held"
				if lk.Stale {
					state = "STALE (holder gone: lock break " + lk.Device + ")"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s@%s pid %d\t%s\t%s\n", lk.Device, lk.Holder.Run, lk.Holder.Plan, lk.Holder.User, lk.Holder.Host, lk.Holder.PID, lk.Holder.Since.Local().Format(time.DateTime), state)
			}
			return tw.Flush()
		},
	}
	brk := &cobra.Command{
		Use:   "break DEVICE",
		Short: "Break a stale device lock (its holder is gone); a live holder's lock is refused",
		Long: `Break the lock on DEVICE when the process that holds it is gone (it died
without releasing it). A lock whose holder is alive is never broken. If the
dead run changed devices, 'changegate recover RUN' does this itself and rolls
the run back: prefer it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := a.locker(cmd)
			if err != nil {
				return err
			}
			h, err := l.Break(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "broke the lock on %s held by run %s (%s@%s pid %d, since %s)\n", args[0], h.Run, h.User, h.Host, h.PID, h.Since.Local().Format(time.DateTime))
			return nil
		},
	}
	cmd.AddCommand(list, brk)
	return cmd
}

func (a *app) locker(cmd *cobra.Command) (*lock.Locker, error) {
	dir, err := a.stateDir(cmd)
	if err != nil {
		return nil, err
	}
	return lock.New(dir), nil
}

// stateDir is the configured state directory (state.dir).
func (a *app) stateDir(cmd *cobra.Command) (string, error) {
	cfg, err := a.config(cmd, nil)
	if err != nil {
		return "", err
	}
	return cfg.State.dir()
}
