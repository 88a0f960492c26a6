package lock

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/changegate/changegate/internal/durable"
)

// Holder is who holds a lock: the run and its plan, and the process
// running it. Start and Boot identify the process beyond its pid, which
// the kernel reuses.
type Holder struct {
	Run   string    `json:"run"`
	Plan  string    `json:"plan"`
	User  string    `json:"user"`
	Host  string    `json:"host"`
	PID   int       `json:"pid"`
	Start uint64    `json:"start,omitempty"` // the process's start time, clock ticks after boot (/proc/<pid>/stat field 22)
	Boot  string    `json:"boot,omitempty"`  // the kernel's boot id (/proc/sys/kernel/random/boot_id)
	Since time.Time `json:"since"`
}

// Lock is a device's lock as List reports it.
type Lock struct {
	Device string
	Holder Holder
	// Stale says that the holder is gone (see Break); StaleWhy says why
	// the holder is or is not taken to be gone.
	Stale    bool
	StaleWhy string
	// Problem says why the lock file could not be read; Holder is then
	// empty. Such a lock is never stale.
	Problem string
	File    string // the lock file
}

// file is the content of a lock file. Token is new for each Acquire, so
// that a Set removes only the locks it created itself.
type file struct {
	Device string `json:"device"`
	Token  string `json:"token"`
	Holder Holder `json:"holder"`
}

// Locker takes and breaks device locks: one file per device in
// <state>/locks. Its methods are safe for concurrent use, by goroutines and
// by processes sharing the state directory.
type Locker struct {
	dir string
}

// New returns a Locker for the locks in <stateDir>/locks. It does no I/O.
func New(stateDir string) *Locker {
	return &Locker{dir: filepath.Join(stateDir, "locks")}
}

// Dir returns the directory holding the lock files.
func (l *Locker) Dir() string { return l.dir }

// HeldError is a device that another holder has locked.
type HeldError struct {
	Device string
	Holder Holder
	Stale  bool // the holder is gone: the lock can be broken
	// Abandoned says that the holder is a run that died unfinished (its
	// journal says so; the lock package does not read journals, its
	// caller sets this): it may have left changes on its devices, so the
	// way out is to recover it, not to break its locks.
	Abandoned bool
}

func (e *HeldError) Error() string {
	h := e.Holder
	msg := fmt.Sprintf("device %s is locked by run %s (plan %s, %s@%s pid %d) since %s",
		quote(e.Device), h.Run, h.Plan, h.User, h.Host, h.PID, h.Since.UTC().Format(time.RFC3339))
	switch {
	case e.Abandoned:
		msg += "; that run died unfinished and may have left changes on its devices: run `changegate recover " + h.Run + "`, which rolls back what it left and releases its locks"
	case e.Stale:
		msg += "; the holder is gone: break the lock with `changegate lock break " + shellQuote(e.Device) + "`"
	}
	return msg
}

// Acquire locks every device for h, all or nothing. It takes the locks in
// sorted order, so concurrent runs cannot deadlock and of two runs racing
// for overlapping sets at least one, and only one, gets all of them. On the
// first device already locked, by anyone (locks are not re-entrant), it
// releases what it took and returns a *HeldError naming the device and its
// holder, with Stale set when that holder is gone (or an *UnreadableError
// for a lock file that cannot be read). It also stops, releasing
// everything, when ctx is done. Each lock file is written to a temporary
// file, fsynced and then hard-linked into place, which fails if the lock
// exists: a lock is never seen half-written, even after a crash.
//
// h.Run and h.PID are required; a zero h.Since is set to now. The caller
// must Release the set on every path out of the run.
func (l *Locker) Acquire(ctx context.Context, devices []string, h Holder) (*Set, error) {
	if h.Run == "" || h.PID <= 0 {
		return nil, fmt.Errorf("acquire locks: the holder needs a run and a pid (got run %q, pid %d)", h.Run, h.PID)
	}
	if h.Since.IsZero() {
		h.Since = time.Now()
	}
	h.Since = h.Since.UTC()
	devices = slices.Clone(devices)
	slices.Sort(devices)
	devices = slices.Compact(devices)
	for _, d := range devices {
		if _, err := fileName(d); err != nil {
			return nil, fmt.Errorf("acquire locks: %w", err)
		}
	}
	set := &Set{l: l, token: randHex(8)}
	if len(devices) == 0 {
		return set, nil
	}
	if err := durable.MkdirAll(l.dir); err != nil {
		return nil, fmt.Errorf("acquire locks: %w", err)
	}
	for _, d := range devices {
		err := ctx.Err()
		if err == nil {
			err = l.create(d, set.token, h)
		}
		if err != nil {
			if rerr := set.Release(); rerr != nil {
				err = errors.Join(err, rerr)
			}
			var held *HeldError
			var unreadable *UnreadableError
			if errors.As(err, &held) || errors.As(err, &unreadable) {
				return nil, err
			}
			return nil, fmt.Errorf("acquire locks: %w", err)
		}
		set.devices = append(set.devices, d)
	}
	if err := durable.SyncDir(l.dir); err != nil {
		_ = set.Release()
		return nil, fmt.Errorf("acquire locks: %w", err)
	}
	return set, nil
}

// create makes device's lock file, or returns a *HeldError.
func (l *Locker) create(device, token string, h Holder) error {
	name, _ := fileName(device)
	path := filepath.Join(l.dir, name)
	b, err := json.Marshal(file{Device: device, Token: token, Holder: h})
	if err != nil {
		return fmt.Errorf("lock %s: %w", device, err)
	}
	tmp := filepath.Join(l.dir, ".tmp-"+randHex(8))
	if err := writeSynced(tmp, append(b, '\n')); err != nil {
		return fmt.Errorf("lock %s: %w", device, err)
	}
	defer os.Remove(tmp)
	for range 3 {
		err := os.Link(tmp, path)
		if err == nil {
			return nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("lock %s: %w", device, err)
		}
		f, _, err := read(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue // released in the meantime: try again
		}
		if err != nil {
			return &UnreadableError{Device: device, File: path, Err: err}
		}
		stale, _ := gone(f.Holder)
		return &HeldError{Device: device, Holder: f.Holder, Stale: stale}
	}
	return fmt.Errorf("lock %s: its lock file keeps appearing and disappearing", device)
}

// Set is the locks one Acquire took.
type Set struct {
	l     *Locker
	token string // in each of the set's lock files

	mu      sync.Mutex
	devices []string // held, in the order taken
}

// Devices returns the devices the set still holds, sorted.
func (s *Set) Devices() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.devices)
}

// Release removes the set's locks, in reverse order. It removes a lock
// file only if it is still the one this set created (same token): a lock
// broken and retaken by another run is left alone, and since every removal
// (Release, Break) takes the removers' flock, no Break can slip between
// that check and the removal. It tries every lock and returns the
// failures joined; it is safe to call again, and a set that holds nothing
// releases nothing.
func (s *Set) Release() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.devices) == 0 {
		return nil
	}
	unlock, err := s.l.lockRemovers()
	if errors.Is(err, fs.ErrNotExist) {
		s.devices = nil // the locks directory is gone, and our locks with it
		return nil
	}
	if err != nil {
		return fmt.Errorf("release locks: %w", err)
	}
	defer unlock()
	var errs []error
	var kept []string
	for i := len(s.devices) - 1; i >= 0; i-- {
		d := s.devices[i]
		name, _ := fileName(d)
		path := filepath.Join(s.l.dir, name)
		f, _, err := read(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			errs = append(errs, fmt.Errorf("release %s: %w", d, err))
			kept = append(kept, d)
			continue
		case f.Token != s.token:
			continue // not ours any more
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("release %s: %w", d, err))
			kept = append(kept, d)
		}
	}
	slices.Reverse(kept)
	s.devices = kept
	if err := durable.SyncDir(s.l.dir); err != nil {
		errs = append(errs, fmt.Errorf("release locks: %w", err))
	}
	return errors.Join(errs...)
}

// List returns every lock, sorted by device, saying of each whether its
// holder is gone. A lock file it cannot read is listed with Problem set.
// No locks directory means no locks.
func (l *Locker) List() ([]Lock, error) {
	entries, err := os.ReadDir(l.dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("list locks: %w", err)
	}
	var out []Lock
	for _, e := range entries {
		device, ok := deviceName(e.Name())
		if !ok {
			continue
		}
		// Anything under a lock's name counts: a symbolic link or a
		// directory there is listed as unreadable, never as free.
		path := filepath.Join(l.dir, e.Name())
		lk := Lock{Device: device, File: path}
		f, _, err := read(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue // released while we listed
		case err != nil:
			lk.Problem = err.Error()
		default:
			lk.Holder = f.Holder
			lk.Stale, lk.StaleWhy = gone(f.Holder)
		}
		out = append(out, lk)
	}
	slices.SortFunc(out, func(a, b Lock) int { return strings.Compare(a.Device, b.Device) })
	return out, nil
}

// ErrNotLocked is returned, wrapped, by Break for a device that has no lock.
var ErrNotLocked = errors.New("not locked")

// Break removes the lock on device if its holder is gone (see Lock.Stale)
// and returns that holder. A lock whose holder may be alive is refused
// with a *HeldError carrying its details, and so is a lock taken on
// another host: changegate cannot see that host's processes, so such a
// lock is removed by hand once its run is known to be over.
//
// Breaking is race-safe: Break and Release take turns removing locks (an
// flock on <state>/locks/.remove), so the stale lock cannot be replaced
// between being judged and being removed; and as a guard against hands
// editing the directory, the lock file is renamed aside and checked to be
// the very lock judged stale before it is removed, and put back if not.
func (l *Locker) Break(device string) (Holder, error) {
	name, err := fileName(device)
	if err != nil {
		return Holder{}, fmt.Errorf("break lock: %w", err)
	}
	path := filepath.Join(l.dir, name)
	if _, err := os.Stat(l.dir); errors.Is(err, fs.ErrNotExist) {
		return Holder{}, fmt.Errorf("break lock: device %s is %w", quote(device), ErrNotLocked)
	}
	unlock, err := l.lockRemovers()
	if err != nil {
		return Holder{}, fmt.Errorf("break lock on %s: %w", device, err)
	}
	defer unlock()

	f, raw, err := read(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Holder{}, fmt.Errorf("break lock: device %s is %w", quote(device), ErrNotLocked)
	}
	if err != nil {
		return Holder{}, fmt.Errorf("break lock refused: %w", &UnreadableError{Device: device, File: path, Err: err})
	}
	stale, why := gone(f.Holder)
	if !stale {
		if host, _ := os.Hostname(); f.Holder.Host != host {
			why += "; once that run is known to be over, remove " + path + " by hand"
		}
		return f.Holder, fmt.Errorf("%w: %s; not breaking the lock", &HeldError{Device: device, Holder: f.Holder}, why)
	}
	aside := filepath.Join(l.dir, ".broken-"+randHex(8))
	if err := os.Rename(path, aside); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Holder{}, fmt.Errorf("break lock: device %s is %w", quote(device), ErrNotLocked)
		}
		return Holder{}, fmt.Errorf("break lock on %s: %w", device, err)
	}
	moved, err := os.ReadFile(aside)
	if err != nil || !bytes.Equal(moved, raw) {
		// Not the lock we judged: put it back where it was.
		if lerr := os.Link(aside, path); lerr != nil {
			return Holder{}, fmt.Errorf("break lock on %s: the lock changed while breaking it and could not be put back (%v); it is in %s", device, lerr, aside)
		}
		_ = os.Remove(aside)
		return Holder{}, fmt.Errorf("break lock on %s: the lock changed while breaking it; left in place", device)
	}
	if err := os.Remove(aside); err != nil {
		return Holder{}, fmt.Errorf("break lock on %s: %w", device, err)
	}
	if err := durable.SyncDir(l.dir); err != nil {
		return Holder{}, fmt.Errorf("break lock on %s: %w", device, err)
	}
	return f.Holder, nil
}

// BreakUnreadable removes device's lock file when it cannot be read (see
// UnreadableError), and returns its path. Nobody can tell who holds such
// a lock, so the caller must have checked that no run is using the device:
// this is for a person who did, never for a run. A lock that can be read
// is refused (Break judges those), and so is a lock file replaced while
// breaking it. A symbolic link is removed, not its target. Like Break it
// takes the removers' flock, and it renames the file aside and checks it
// is the very file judged before removing it.
func (l *Locker) BreakUnreadable(device string) (string, error) {
	name, err := fileName(device)
	if err != nil {
		return "", fmt.Errorf("break lock: %w", err)
	}
	path := filepath.Join(l.dir, name)
	if _, err := os.Stat(l.dir); errors.Is(err, fs.ErrNotExist) {
		return path, fmt.Errorf("break lock: device %s is %w", quote(device), ErrNotLocked)
	}
	unlock, err := l.lockRemovers()
	if err != nil {
		return path, fmt.Errorf("break lock on %s: %w", device, err)
	}
	defer unlock()
	judged, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, fmt.Errorf("break lock: device %s is %w", quote(device), ErrNotLocked)
	}
	if err != nil {
		return path, fmt.Errorf("break lock on %s: %w", device, err)
	}
	if f, _, err := read(path); err == nil {
		return path, fmt.Errorf("break lock refused: the lock on %s can be read (held by run %s): use `changegate lock break %s`, which breaks it only if its holder is gone", quote(device), f.Holder.Run, shellQuote(device))
	} else if errors.Is(err, fs.ErrNotExist) {
		return path, fmt.Errorf("break lock: device %s is %w", quote(device), ErrNotLocked)
	}
	aside := filepath.Join(l.dir, ".broken-"+randHex(8))
	if err := os.Rename(path, aside); err != nil {
		return path, fmt.Errorf("break lock on %s: %w", device, err)
	}
	moved, err := os.Lstat(aside)
	if err != nil || !os.SameFile(judged, moved) {
		if lerr := os.Rename(aside, path); lerr != nil {
			return path, fmt.Errorf("break lock on %s: the lock changed while breaking it and could not be put back (%v); it is in %s", device, lerr, aside)
		}
		return path, fmt.Errorf("break lock on %s: the lock changed while breaking it; left in place", device)
	}
	if err := os.Remove(aside); err != nil {
		return path, fmt.Errorf("break lock on %s: %w", device, err)
	}
	if err := durable.SyncDir(l.dir); err != nil {
		return path, fmt.Errorf("break lock on %s: %w", device, err)
	}
	return path, nil
}

// UnreadableError is a device whose lock file exists but cannot be read
// as a lock: garbled, cut short, written by hand, or a symbolic link or
// other non-regular file. Nobody can tell who holds it, so the device
// counts as locked: Acquire refuses it, Break does not break it, Release
// leaves it.
type UnreadableError struct {
	Device string
	File   string
	Err    error
}

func (e *UnreadableError) Error() string {
	return fmt.Sprintf("device %s is locked, but its lock file %s is unreadable (%v): changegate cannot tell who holds it, so it stays locked. Check that no run is using %s (changegate runs, changegate lock list), then remove the lock with `changegate lock break %s --unreadable`",
		quote(e.Device), e.File, e.Err, quote(e.Device), shellQuote(e.Device))
}

func (e *UnreadableError) Unwrap() error { return e.Err }

// lockRemovers takes the removers' flock, waiting for another Break or
// Release to finish.
func (l *Locker) lockRemovers() (func(), error) {
	f, err := durable.OpenFile(filepath.Join(l.dir, ".remove"), os.O_RDONLY|os.O_CREATE, durable.FilePerm)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("flock %s: %w", f.Name(), err)
	}
	return func() { _ = f.Close() }, nil
}

// read reads and decodes a lock file, returning its bytes too. It never
// follows a symbolic link, and it takes for a lock only what Acquire
// writes: the device of the file's name, a token, and a holder with a
// run, a pid and a time. Anything else is an error: such a file is not
// a lock anyone can judge, so the device must not be taken for free.
func read(path string) (file, []byte, error) {
	b, err := durable.ReadFile(path)
	if err != nil {
		return file{}, nil, err
	}
	var f file
	if err := json.Unmarshal(b, &f); err != nil {
		return file{}, b, fmt.Errorf("not a lock: %w", err)
	}
	device, _ := deviceName(filepath.Base(path))
	switch {
	case f.Device != device:
		return file{}, b, fmt.Errorf("not a lock: it names device %q, not %q", f.Device, device)
	case f.Token == "":
		return file{}, b, errors.New("not a lock: no token")
	case f.Holder.Run == "":
		return file{}, b, errors.New("not a lock: no holder run")
	case f.Holder.PID <= 0:
		return file{}, b, fmt.Errorf("not a lock: holder pid %d", f.Holder.PID)
	case f.Holder.Since.IsZero():
		return file{}, b, errors.New("not a lock: no time it was taken")
	}
	return f, b, nil
}

// writeSynced creates path with data and fsyncs it.
func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, durable.FilePerm)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
	}
	return err
}

// quote returns device as is when it is plain, else quoted.
func quote(device string) string {
	if plain(device) {
		return device
	}
	return fmt.Sprintf("%q", device)
}

// shellQuote returns device as a shell word.
func shellQuote(device string) string {
	if plain(device) {
		return device
	}
	return "'" + strings.ReplaceAll(device, "'", `'\''`) + "'"
}

func plain(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.ContainsRune("-_.:/@+", c):
		default:
			return false
		}
	}
	return true
}
