package durable

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestMkdirAll(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "a", "b", "c")
	if err := MkdirAll(dir); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() || fi.Mode().Perm()&0o007 != 0 {
		t.Fatalf("%v %v", fi, err)
	}
	if err := MkdirAll(dir); err != nil {
		t.Errorf("again: %v", err)
	}
	file := filepath.Join(root, "f")
	os.WriteFile(file, nil, 0o600)
	if err := MkdirAll(filepath.Join(file, "x")); err == nil {
		t.Error("a directory under a file was made")
	}
	if err := MkdirAll(file); err == nil {
		t.Error("a file passed for a directory")
	}
	if err := SyncDir(filepath.Join(root, "nope")); err == nil {
		t.Error("synced a directory that is not there")
	}
}

// OpenFile and ReadFile refuse a symbolic link (leaving its target as it
// was) and anything but a regular file, without blocking on a FIFO.
func TestOpenRefusesLinksAndSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	os.WriteFile(target, []byte("secret\n"), 0o600)
	link := filepath.Join(dir, "journal.jsonl")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(dir, "status.json")
	os.Symlink(filepath.Join(dir, "nowhere"), dangling)
	fifo := filepath.Join(dir, "meta.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path, want string
		flag       int
	}{
		{link, "is a symbolic link (to " + target + "): refused", os.O_RDWR | os.O_APPEND},
		{link, "is a symbolic link", os.O_RDONLY},
		{dangling, "is a symbolic link", os.O_WRONLY | os.O_CREATE},
		{fifo, "is not a regular file (a FIFO)", os.O_RDONLY},
		{dir, "is not a regular file (a directory)", os.O_RDONLY},
	} {
		f, err := OpenFile(tt.path, tt.flag, FilePerm)
		if err == nil {
			f.Close()
			t.Errorf("%s opened", tt.path)
			continue
		}
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.path, err, tt.want)
		}
	}
	if _, err := ReadFile(link); !errors.Is(err, ErrNotRegular) {
		t.Errorf("ReadFile through a link: %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "secret\n" {
		t.Errorf("the link's target changed: %q", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "nowhere")); !os.IsNotExist(err) {
		t.Errorf("a file was created through the dangling link: %v", err)
	}
	b, err := ReadFile(target)
	if err != nil || string(b) != "secret\n" {
		t.Errorf("a regular file: %q %v", b, err)
	}
}
