// Package durable creates files and directories so that they survive a
// crash: directories are fsynced after entries are added to them; and it
// opens the files of the state directory without following symbolic
// links, and only when they are regular files. The run journal and the
// device locks build on it.
package durable

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Permissions asked for; the umask trims them (to 0750 and 0640 under
// the usual 022). Others never get access.
const (
	DirPerm  = 0o770
	FilePerm = 0o660
)

// MkdirAll creates dir and any missing parents, fsyncing the parent of
// each directory it creates so that the new entry survives a crash.
func MkdirAll(dir string) error {
	fi, err := os.Stat(dir)
	if err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%s is not a directory", dir)
		}
		return nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := MkdirAll(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, DirPerm); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return SyncDir(parent)
}

// SyncDir fsyncs a directory, making the creation, renaming or removal of
// its entries durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
