package journal

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/changegate/changegate/internal/durable"
)

// writeAtomic replaces dir/name with data: it writes a temporary file in
// dir, fsyncs it, renames it over name and fsyncs dir. A reader sees the
// old content or the new, never a mix, even if the process dies.
func writeAtomic(dir, name string, data []byte) (err error) {
	tmp := filepath.Join(dir, "."+name+".tmp-"+randHex(4))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, durable.FilePerm)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if err = f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return err
	}
	return durable.SyncDir(dir)
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// errBusy says that another open file description holds a conflicting
// flock on the journal: a writer is alive.
var errBusy = errors.New("the journal is open for writing by another process")

// lockWriter takes the exclusive writer's flock on f. A reader probing
// liveness (probeLive) holds a shared flock for a few microseconds, so a
// conflict is retried briefly before it is taken to mean a live writer.
func lockWriter(f *os.File) error {
	for i := 0; ; i++ {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return fmt.Errorf("flock %s: %w", f.Name(), err)
		}
		if i == 20 {
			return errBusy
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// probeLive reports whether a writer holds the journal at path: a process
// that has it open through Create or Open and has not closed it or died
// (the kernel drops a flock when its holder exits, however it exits).
func probeLive(path string) bool {
	f, err := durable.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
	if err != nil {
		return errors.Is(err, syscall.EWOULDBLOCK)
	}
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}
