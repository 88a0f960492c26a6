package lock

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// CurrentHolder describes this process as the holder of run's locks for
// plan: user, host, pid, the process's start time and boot id from /proc
// (zero where /proc is missing), and now as Since.
func CurrentHolder(run, plan string) Holder {
	h := Holder{Run: run, Plan: plan, PID: os.Getpid(), Since: time.Now().UTC()}
	h.Host, _ = os.Hostname()
	if u, err := user.Current(); err == nil {
		h.User = u.Username
	} else {
		h.User = os.Getenv("USER")
	}
	if st, err := readStat(h.PID); err == nil {
		h.Start = st.start
	}
	h.Boot = bootID()
	return h
}

// gone reports whether the holder h is known to have ended, and why or
// why it cannot tell. Only a holder on this host can be judged: it is gone
// when the machine has rebooted since (another boot id), when its pid does
// not exist or is a zombie, or when the pid now belongs to a process that
// started at another time (the pid was reused). When in doubt, such as for
// another host or a /proc entry it cannot read, the holder is taken to be
// alive.
func gone(h Holder) (bool, string) {
	host, _ := os.Hostname()
	if h.Host != host {
		return false, fmt.Sprintf("the holder runs on host %s, where changegate cannot see its processes", h.Host)
	}
	if boot := bootID(); h.Boot != "" && boot != "" && h.Boot != boot {
		return true, "the host has rebooted since the lock was taken"
	}
	if h.PID <= 0 {
		return true, fmt.Sprintf("the lock names no process (pid %d)", h.PID)
	}
	st, err := readStat(h.PID)
	switch {
	case err == nil:
		if st.state == 'Z' || st.state == 'X' {
			return true, fmt.Sprintf("process %d has exited", h.PID)
		}
		if h.Start != 0 && st.start != h.Start {
			return true, fmt.Sprintf("process %d has exited and its pid belongs to another process now", h.PID)
		}
		return false, fmt.Sprintf("process %d is still running", h.PID)
	case errors.Is(err, fs.ErrNotExist):
		if _, err := os.Stat("/proc/self/stat"); err == nil {
			return true, fmt.Sprintf("process %d has exited", h.PID)
		}
		// No /proc: ask the kernel. EPERM means it exists, under another user.
		if err := syscall.Kill(h.PID, 0); errors.Is(err, syscall.ESRCH) {
			return true, fmt.Sprintf("process %d has exited", h.PID)
		}
		return false, fmt.Sprintf("process %d is still running", h.PID)
	default:
		return false, fmt.Sprintf("cannot tell whether process %d is running: %v", h.PID, err)
	}
}

// stat is what the lock package needs from /proc/<pid>/stat.
type stat struct {
	state byte   // field 3: R, S, D, Z, X, ...
	start uint64 // field 22: start time, in clock ticks after boot
}

func readStat(pid int) (stat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return stat{}, err
	}
	return parseStat(b)
}

// parseStat parses /proc/<pid>/stat. The second field, the command name
// in parentheses, may itself hold spaces and parentheses, so fields are
// counted from the last ')'.
func parseStat(b []byte) (stat, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return stat{}, errors.New("parse /proc stat: no command name")
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state); field 22 (starttime) is f[19].
	if len(f) < 20 || len(f[0]) != 1 {
		return stat{}, fmt.Errorf("parse /proc stat: %d fields after the command name, want at least 20", len(f))
	}
	start, err := strconv.ParseUint(f[19], 10, 64)
	if err != nil {
		return stat{}, fmt.Errorf("parse /proc stat: start time: %w", err)
	}
	return stat{state: f[0][0], start: start}, nil
}

// bootID returns the kernel's boot id, or "" where there is none.
func bootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
