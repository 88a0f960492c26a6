package lock

import (
	"path/filepath"
	"strings"
	"testing"
)

// FuzzFileName checks that every device name maps to a plain file name in
// the locks directory and back.
func FuzzFileName(f *testing.F) {
	for _, s := range []string{"p2", "a/b", "..", ".", ".x", "a b", "50%", "%2E", "ü", "a\x00b", "x.lock"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, device string) {
		name, err := fileName(device)
		if err != nil {
			return
		}
		if strings.ContainsAny(name, "/\x00") || name[0] == '.' || filepath.Base(name) != name {
			t.Fatalf("fileName(%q) = %q", device, name)
		}
		if back, ok := deviceName(name); !ok || back != device {
			t.Fatalf("deviceName(fileName(%q)) = %q, %v", device, back, ok)
		}
	})
}

// FuzzParseStat checks that parsing /proc/<pid>/stat never panics.
func FuzzParseStat(f *testing.F) {
	f.Add([]byte("4242 (changegate) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 123456 1000 10 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n"))
	f.Add([]byte("7 (a) b) c) Z 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 99"))
	f.Add([]byte(")"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = parseStat(b)
	})
}

func TestParseStat(t *testing.T) {
	tests := []struct {
		in    string
		state byte
		start uint64
		ok    bool
	}{
		{"4242 (changegate) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 123456 1000 10\n", 'S', 123456, true},
		{"7 (a) b) c) Z 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 99", 'Z', 99, true},
		{"7 (x) S 1 2 3", 0, 0, false},
		{"7 x S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 99", 0, 0, false},
		{"7 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 -1", 0, 0, false},
	}
	for _, tt := range tests {
		st, err := parseStat([]byte(tt.in))
		if (err == nil) != tt.ok || st.state != tt.state || st.start != tt.start {
			t.Errorf("parseStat(%q) = %+v, %v", tt.in, st, err)
		}
	}
}
