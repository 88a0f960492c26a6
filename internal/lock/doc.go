// Package lock keeps apply runs off each other's devices: a run locks
// every device it will touch before its first step, and a second run that
// needs any of them is refused with the holder's run, plan, user, host,
// pid and time.
//
// A lock is a file, <state>/locks/<device>.lock, holding JSON: the device,
// a token naming the Acquire that made it, and the Holder. It appears
// atomically (written to a temporary file, fsynced, then hard-linked into
// place, which fails if the lock exists), so it is never seen half
// written. Device names are escaped into file names one to one
// (url.PathEscape, and a leading '.' as %2E), so '/', "..", spaces and
// anything else in a name stay inside the directory.
//
// A lock is stale when its holder is known to be gone: it was taken on
// this host, and the host has rebooted since, or its pid is not running,
// or the pid now belongs to a process that started at another time (the
// start time of /proc/<pid>/stat field 22 guards against pid reuse).
// Stale locks are reported (HeldError.Stale, Lock.Stale) but never broken
// implicitly: Break removes one on request, and refuses a holder that may
// be alive, including any holder on another host.
//
// A lock file that cannot be read as a lock (garbled, hand-written, a
// symbolic link, which is never followed) is unreadable
// (UnreadableError, Lock.Problem): nobody can tell who holds it, so the
// device counts as locked; only BreakUnreadable, on a person's word that
// no run uses the device, removes it.
//
// It does not wait for locks, lock anything but devices, or talk to
// devices; and it relies on local POSIX file systems (hard links, flock,
// /proc on Linux). The state directory is shared by everyone who runs
// changegate on the host; its permissions decide who may take locks.
package lock
