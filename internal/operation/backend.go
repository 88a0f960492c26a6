package operation

import (
	"context"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/devices/session"
	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/lock"
)

// Backend runs operations on the network: it loads and checks what it is
// asked to run (Loader), takes the devices' locks, keeps the run's
// journal and drives the devices. Locks, journals and devices come in
// through small interfaces, so that a server can give a shared store
// (several gate hosts) and its own workers; the CLI gives the state
// directory's files and SSH (LockDir, JournalDir, SSH).
type Backend struct {
	Loader
	Locks    Locker
	Journals Journals
	Devices  Devices
	// AfterRecord, when set (by tests only), is called after every
	// journal record of a run: the crash tests kill the process there.
	AfterRecord func(journal.Record)
}

// Locker holds the devices' locks: a run holds the lock of every device
// it may touch, from before its first change to its end.
type Locker interface {
	// Acquire takes the locks of devices for holder, all or none; a
	// device another holds is refused with a *lock.HeldError.
	Acquire(ctx context.Context, devices []string, holder lock.Holder) (Lease, error)
	// List lists the locks held.
	List() ([]lock.Lock, error)
	// Break removes the lock of device, returning who held it.
	Break(device string) (lock.Holder, error)
}

// Lease is the locks a run holds.
type Lease interface {
	Release() error
}

// Journals keeps the runs' journals.
type Journals interface {
	// Create starts the journal of a new run.
	Create(run string, meta journal.Meta) (Journal, error)
	// Open opens the journal of a run that did not finish, to append
	// to it (recover, resume), with what it holds.
	Open(run string) (Journal, *journal.Run, error)
	// Read reads a run's journal.
	Read(run string) (*journal.Run, error)
	// List summarises every run.
	List() ([]journal.Summary, error)
	// Path is where a run's journal is, to name it in messages.
	Path(run string) string
}

// Journal is one run's journal, open for appending.
type Journal interface {
	apply.Journal
	SetStatus(journal.Status) error
	Path() string
	Close() error
}

// Devices opens sessions to the devices of an inventory.
type Devices interface {
	// Target returns what configures and queries the devices of inv, and
	// a function that closes its sessions.
	Target(inv *devices.Inventory) (apply.Target, func())
}

// LockDir is the device locks of a state directory (package lock).
type LockDir struct{ *lock.Locker }

// Acquire implements Locker.
func (d LockDir) Acquire(ctx context.Context, devs []string, h lock.Holder) (Lease, error) {
	s, err := d.Locker.Acquire(ctx, devs, h)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// JournalDir is the journals of a state directory (package journal).
type JournalDir string

// Create implements Journals.
func (d JournalDir) Create(run string, meta journal.Meta) (Journal, error) {
	j, err := journal.Create(string(d), run, meta)
	if err != nil {
		return nil, err
	}
	return j, nil
}

// Open implements Journals.
func (d JournalDir) Open(run string) (Journal, *journal.Run, error) {
	j, r, err := journal.Open(string(d), run)
	if err != nil {
		return nil, nil, err
	}
	return j, r, nil
}

// Read implements Journals.
func (d JournalDir) Read(run string) (*journal.Run, error) { return journal.Read(string(d), run) }

// List implements Journals.
func (d JournalDir) List() ([]journal.Summary, error) { return journal.List(string(d)) }

// Path implements Journals.
func (d JournalDir) Path(run string) string { return journal.PathOf(string(d), run) }

// SSH reaches the devices over SSH (package devices/session), through a pool of
// sessions per run.
type SSH struct {
	// Prompter asks for credentials the inventory says to prompt for.
	Prompter devices.Prompter
}

// Target implements Devices.
func (s SSH) Target(inv *devices.Inventory) (apply.Target, func()) {
	pool := session.NewPool(inv, session.DialOptions{Prompter: s.Prompter})
	return apply.PoolTarget{Pool: pool, Inventory: inv}, func() { pool.Close() }
}
