package durable

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// ErrNotRegular is returned, wrapped in a message naming the file, by
// OpenFile and ReadFile for a state file that is a symbolic link or not a
// regular file (a FIFO, a device, a directory).
var ErrNotRegular = errors.New("not a regular file")

// OpenFile opens a file of the state directory (a journal, meta.json,
// status.json, a lock file) like os.OpenFile, but never through a
// symbolic link and only when it is a regular file: a link planted there
// would make changegate read, lock or append to whatever it points at,
// and a FIFO would block it. Either is refused with an error wrapping
// ErrNotRegular that names the file and says what to do; the link's
// target is not touched. The directories above the file are followed as
// usual (the state directory itself may be a link).
func OpenFile(path string, flag int, perm fs.FileMode) (*os.File, error) {
	// O_NONBLOCK: opening a FIFO must not wait for a writer. It changes
	// nothing for a regular file.
	f, err := os.OpenFile(path, flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, perm)
	if err != nil {
		if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return nil, linkError(path)
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		_ = f.Close()
		return nil, fmt.Errorf("%s is not a regular file (%s): refused; changegate only reads and writes regular files in its state directory: %w", path, kind(fi.Mode()), ErrNotRegular)
	}
	// A regular file: leave it as a plain open would have.
	if rc, err := f.SyscallConn(); err == nil {
		_ = rc.Control(func(fd uintptr) { _ = syscall.SetNonblock(int(fd), false) })
	}
	return f, nil
}

// ReadFile reads a file of the state directory, refusing links and
// anything but a regular file as OpenFile does.
func ReadFile(path string) ([]byte, error) {
	f, err := OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

func linkError(path string) error {
	to, _ := os.Readlink(path)
	return fmt.Errorf("%s is a symbolic link (to %s): refused; changegate never follows links in its state directory, since one there would make it read or write another file. Remove the link (its target is left alone) and put the real file back if you have it: %w", path, to, ErrNotRegular)
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return m.Type().String()
}
