package durable

import (
	"os"
	"path/filepath"
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
