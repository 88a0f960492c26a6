package userfile

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkRead reads a 16 MiB demand matrix (the size of a large
// network's) through Read, against os.ReadFile of the same file: the cost
// of the checks (regular file, size, text, private key) per byte.
func BenchmarkRead(b *testing.B) {
	path := filepath.Join(b.TempDir(), "demands.csv")
	line := []byte("zürich-core-01,genève-edge-12,12.5G\n")
	if err := os.WriteFile(path, bytes.Repeat(line, (16<<20)/len(line)), 0o644); err != nil {
		b.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("userfile.Read", func(b *testing.B) {
		b.SetBytes(st.Size())
		for b.Loop() {
			if _, err := Read(context.Background(), path, Demands); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("os.ReadFile", func(b *testing.B) {
		b.SetBytes(st.Size())
		for b.Loop() {
			if _, err := os.ReadFile(path); err != nil {
				b.Fatal(err)
			}
		}
	})
}
