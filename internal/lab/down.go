package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Down removes everything the state lists: it kills the recorded
// processes (after checking each one's name), whatever still runs in the
// lab's namespaces or as the lab's user, deletes the namespaces (their
// veths and qdiscs go with them), the user if the lab created it, and the
// state directory. It carries on past errors and reports them all; a
// second Down after a partial one finishes the job.
func (l *Lab) Down(ctx context.Context) error {
	var errs []error
	var pids []int
	for _, p := range l.Procs {
		if procComm(p.PID) == p.Comm {
			pids = append(pids, p.PID)
		}
	}
	// The sshds run in the host's network namespace: if Up died between
	// starting one and recording it, its pid file still names it
	// (ssh/sshd.pid is where a lab of an earlier version kept its one).
	pidFiles, _ := filepath.Glob(filepath.Join(l.Dir, "ssh", "sshd-*", "sshd.pid"))
	for _, f := range append(pidFiles, filepath.Join(l.Dir, "ssh", "sshd.pid")) {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && procComm(pid) == "cg-sshd" {
			pids = append(pids, pid)
		}
	}
	for _, ns := range l.Namespaces {
		if _, err := os.Stat(filepath.Join("/run/netns", ns)); err != nil {
			continue
		}
		out, err := run(ctx, "ip", "netns", "pids", ns)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, f := range strings.Fields(out) {
			if pid, err := strconv.Atoi(f); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	if l.User != "" && l.UserCreated {
		if u, err := user.Lookup(l.User); err == nil {
			pids = append(pids, procsOfUID(u.Uid)...)
		}
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			errs = append(errs, fmt.Errorf("kill %d: %w", pid, err))
		}
	}
	waitGone(ctx, pids, 5*time.Second)
	for _, ns := range l.Namespaces {
		if _, err := os.Stat(filepath.Join("/run/netns", ns)); err != nil {
			continue
		}
		if _, err := run(ctx, "ip", "netns", "del", ns); err != nil {
			errs = append(errs, err)
		}
	}
	if l.User != "" && l.UserCreated {
		if _, err := user.Lookup(l.User); err == nil {
			if _, err := run(ctx, "userdel", l.User); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if len(errs) == 0 {
		if err := os.RemoveAll(l.Dir); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("lab down %s: %w", l.Name, err)
	}
	return nil
}

// SweepStale takes down ephemeral (test) labs whose owning process is
// gone, and returns their directories. Labs from `cglab up` are never
// swept: take them down by name.
func SweepStale(ctx context.Context) ([]string, error) {
	dirs, err := StateDirs()
	if err != nil {
		return nil, err
	}
	var swept []string
	var errs []error
	for _, d := range dirs {
		l, err := Open(d)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !l.Ephemeral || procAlive(l.OwnerPID) {
			continue
		}
		if err := l.Down(ctx); err != nil {
			errs = append(errs, err)
			continue
		}
		swept = append(swept, d)
	}
	return swept, errors.Join(errs...)
}
