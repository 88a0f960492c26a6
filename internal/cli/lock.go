package cli

import (
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/internal/lock"
	"github.com/changegate/changegate/internal/operation"
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
			stateDir, err := a.stateDir(cmd)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "DEVICE\tRUN\tPLAN\tBY\tSINCE\tSTATE")
			var unreadable []lock.Lock
			for _, lk := range locks {
				if lk.Problem != "" {
					// Nothing in the file can be trusted: no holder, no time.
					unreadable = append(unreadable, lk)
					fmt.Fprintf(tw, "%s\t?\t?\t?\t?\tUNREADABLE (counts as held; see below)\n", lk.Device)
					continue
				}
				state := "held"
				switch {
				case lk.Stale && operation.Recoverable(operation.JournalDir(stateDir), lk.Holder.Run):
					state = "STALE (its run died unfinished: recover " + lk.Holder.Run + ")"
				case lk.Stale:
					state = "STALE (holder gone: lock break " + lk.Device + ")"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s@%s pid %d\t%s\t%s\n", lk.Device, lk.Holder.Run, lk.Holder.Plan, lk.Holder.User, lk.Holder.Host, lk.Holder.PID, lk.Holder.Since.Local().Format(time.DateTime), state)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			for _, lk := range unreadable {
				fmt.Fprintf(a.stdout, "\n%s\n", &lock.UnreadableError{Device: lk.Device, File: lk.File, Err: errors.New(lk.Problem)})
			}
			return nil
		},
	}
	var unreadable bool
	brk := &cobra.Command{
		Use:   "break DEVICE [--unreadable]",
		Short: "Break a stale device lock (its holder is gone); a live holder's lock is refused",
		Long: `Break the lock on DEVICE when the process that holds it is gone (it died
without releasing it). A lock whose holder is alive is never broken. If the
dead run changed devices, 'changegate recover RUN' does this itself and rolls
the run back: prefer it.

A lock file that cannot be read (garbled, written by hand, a symbolic link)
names no holder that could be judged, so it is never broken this way. Once
you have checked that no run is using DEVICE (changegate runs), remove it
with --unreadable, which removes only such a file (a link, not its target).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := a.locker(cmd)
			if err != nil {
				return err
			}
			if unreadable {
				path, err := l.BreakUnreadable(args[0])
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stderr, "removed the unreadable lock file %s of %s\n", path, args[0])
				return nil
			}
			h, err := l.Break(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "broke the lock on %s held by run %s (%s@%s pid %d, since %s)\n", args[0], h.Run, h.User, h.Host, h.PID, h.Since.Local().Format(time.DateTime))
			if stateDir, err := a.stateDir(cmd); err == nil && operation.Recoverable(operation.JournalDir(stateDir), h.Run) {
				fmt.Fprintf(a.stderr, "changegate: run %s died unfinished and may have left changes on %s: `changegate recover %s` rolls back what it left\n", h.Run, args[0], h.Run)
			}
			return nil
		},
	}
	brk.Flags().BoolVar(&unreadable, "unreadable", false, "remove a lock file that cannot be read, after you checked that no run uses the device")
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
