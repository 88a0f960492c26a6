package userfile

import (
	"bytes"
	"testing"
	"unicode/utf8"
)

// FuzzTextCheck feeds data to the stream's text check in reads of every
// size that the fuzzer picks, and checks that it refuses exactly what is
// not UTF-8 or holds a NUL, at the first such byte, wherever the reads
// cut the sequences.
func FuzzTextCheck(f *testing.F) {
	f.Add([]byte("plain ascii"), uint8(3))
	f.Add([]byte("zürich→genève"), uint8(1))
	f.Add([]byte("a\xffb"), uint8(2))
	f.Add([]byte("\xe2\x82"), uint8(1))
	f.Add([]byte("ok\x00"), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, step uint8) {
		n := int(step)%17 + 1
		r := &reader{}
		bad, at := false, 0
		for i := 0; i < len(data) && !bad; i += n {
			end := min(i+n, len(data))
			if off, b := r.checkText(data[i:end]); b {
				bad, at = true, i+off
			}
		}
		if !bad && len(r.pending) > 0 {
			bad, at = true, len(data)-len(r.pending)
		}
		want := !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0
		if bad != want {
			t.Fatalf("refused = %v, want %v for %q in reads of %d", bad, want, data, n)
		}
		if bad {
			first := firstBad(data)
			if at != first {
				t.Fatalf("refused at %d, want %d for %q in reads of %d", at, first, data, n)
			}
		}
	})
}

// firstBad is the offset of the first byte that is NUL or starts an
// invalid (or cut) UTF-8 sequence.
func firstBad(data []byte) int {
	for i := 0; i < len(data); {
		if data[i] == 0 {
			return i
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}
