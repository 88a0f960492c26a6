package userfile

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
)

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	small := Kind{Name: "plan", Limit: 64}
	write(t, filepath.Join(dir, "ok.yaml"), []byte("id: x\ntitle: ünïcode\n"))
	write(t, filepath.Join(dir, "big.yaml"), bytes.Repeat([]byte("a"), 65))
	write(t, filepath.Join(dir, "limit.yaml"), bytes.Repeat([]byte("a"), 64))
	write(t, filepath.Join(dir, "nul.yaml"), []byte("id: x\x00y"))
	write(t, filepath.Join(dir, "latin1.yaml"), []byte("id: caf\xe9\n"))
	write(t, filepath.Join(dir, "cut.yaml"), []byte("id: \xc3"))
	write(t, filepath.Join(dir, "key"), []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"))
	write(t, filepath.Join(dir, "rsakey"), []byte("x: 1\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\n"))
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("ok.yaml", filepath.Join(dir, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		path   string
		want   error  // nil: read
		detail string // in the message
	}{
		{"text", "ok.yaml", nil, ""},
		{"at the limit", "limit.yaml", nil, ""},
		{"a symbolic link given by the user", "link.yaml", nil, ""},
		{"over the limit", "big.yaml", ErrTooLarge, "larger than 64 bytes, the most a plan may be (the limit is passed at DIR/big.yaml:1:65)"},
		{"NUL", "nul.yaml", ErrNotText, "(a NUL byte at DIR/nul.yaml:1:6, byte 5)"},
		{"not UTF-8", "latin1.yaml", ErrNotText, "(bytes that are not UTF-8 at DIR/latin1.yaml:1:8, byte 7)"},
		{"a cut UTF-8 sequence at the end", "cut.yaml", ErrNotText, "(a cut UTF-8 sequence at DIR/cut.yaml:1:5, byte 4)"},
		{"FIFO", "fifo", ErrNotRegular, "is a FIFO"},
		{"directory", ".", ErrNotRegular, "is a directory"},
		{"OpenSSH private key", "key", ErrSecret, "holds a private key (its header is at DIR/key:1)"},
		{"PEM private key", "rsakey", ErrSecret, "holds a private key (its header is at DIR/rsakey:2)"},
		{"missing", "nope.yaml", os.ErrNotExist, "no such file"},
		{"/dev/zero", "/dev/zero", ErrNotRegular, "character device"},
		{"/proc/self/environ", "/proc/self/environ", ErrNotRegular, "a file of /proc"},
		{"/sys", "/sys/kernel/mm/transparent_hugepage/enabled", ErrNotRegular, "/sys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.path
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			if _, err := os.Stat(p); tt.want != os.ErrNotExist && err != nil {
				t.Skipf("%s: %v", p, err)
			}
			data, err := Read(context.Background(), p, small)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Read: %v", err)
				}
				if want, _ := os.ReadFile(p); !bytes.Equal(data, want) {
					t.Fatalf("Read = %q, want %q", data, want)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Read: err = %v, want %v", err, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Read: err %T is not an *Error", err)
			}
			if msg := err.Error(); !strings.Contains(msg, strings.ReplaceAll(tt.detail, "DIR", dir)) || !strings.Contains(msg, p) {
				t.Errorf("message %q lacks %q or the path", msg, tt.detail)
			}
			if strings.Contains(err.Error(), "b3Bl") || strings.Contains(err.Error(), "MIIE") {
				t.Errorf("message quotes the key: %q", err)
			}
		})
	}
}

// TestOpenStreams checks the stream form: the limit, the text check across
// reads of one byte at a time (a UTF-8 sequence and a key marker cut
// between reads), and the context.
func TestOpenStreams(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "ok.csv"), []byte("src,dst,rate\nzürich,genève,1G\n"))
	write(t, filepath.Join(dir, "bad.csv"), []byte("src,dst,rate\nzürich,\xffgenève,1G\n"))
	write(t, filepath.Join(dir, "key.csv"), []byte("a,b\n-----BEGIN EC PRIVATE KEY-----\n"))
	write(t, filepath.Join(dir, "big.csv"), bytes.Repeat([]byte("a,b,1\n"), 20))
	kind := Kind{Name: "demand file", Limit: 100}
	read := func(name string, oneByte bool) ([]byte, error) {
		rc, err := Open(context.Background(), filepath.Join(dir, name), kind)
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		var r io.Reader = rc
		if oneByte {
			r = iotest.OneByteReader(rc)
		}
		return io.ReadAll(r)
	}
	for _, oneByte := range []bool{false, true} {
		if data, err := read("ok.csv", oneByte); err != nil || !strings.Contains(string(data), "genève") {
			t.Errorf("ok.csv (one byte %v): %q, %v", oneByte, data, err)
		}
		if _, err := read("bad.csv", oneByte); !errors.Is(err, ErrNotText) || !strings.Contains(err.Error(), "bad.csv:2:8, byte 21") {
			t.Errorf("bad.csv (one byte %v): err = %v, want not text at bad.csv:2:8, byte 21", oneByte, err)
		}
		if _, err := read("key.csv", oneByte); !errors.Is(err, ErrSecret) || !strings.Contains(err.Error(), "key.csv:2)") {
			t.Errorf("key.csv (one byte %v): err = %v, want a private key at key.csv:2", oneByte, err)
		}
		if _, err := read("big.csv", oneByte); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "big.csv:17:5)") {
			t.Errorf("big.csv (one byte %v): err = %v, want too large at big.csv:17:5", oneByte, err)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	rc, err := Open(ctx, filepath.Join(dir, "ok.csv"), kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	cancel()
	if _, err := rc.Read(make([]byte, 10)); !errors.Is(err, context.Canceled) {
		t.Errorf("read after cancel: err = %v, want context.Canceled", err)
	}
	if _, err := Read(ctx, filepath.Join(dir, "ok.csv"), kind); !errors.Is(err, context.Canceled) {
		t.Errorf("Read with a cancelled context: err = %v, want context.Canceled", err)
	}
}

func TestScope(t *testing.T) {
	base := t.TempDir()
	repo := filepath.Join(base, "repo")
	write(t, filepath.Join(repo, ".git", "HEAD"), []byte("ref: refs/heads/main\n"))
	write(t, filepath.Join(repo, "plans", "p.yaml"), []byte("id: p\n"))
	write(t, filepath.Join(repo, "net", "topo.yaml"), []byte("nodes: []\n"))
	write(t, filepath.Join(base, "secret.yaml"), []byte("password: hunter2\n"))
	write(t, filepath.Join(base, "shared", "traffic.csv"), []byte("a,b,1\n"))
	// A directory with no repository above it (in the test's temp dir).
	loose := filepath.Join(base, "loose")
	write(t, filepath.Join(loose, "p.yaml"), []byte("id: q\n"))
	write(t, filepath.Join(loose, "topo.yaml"), []byte("nodes: []\n"))
	if err := os.Symlink(filepath.Join(base, "secret.yaml"), filepath.Join(repo, "net", "escape.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("topo.yaml", filepath.Join(repo, "net", "alias.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(base, filepath.Join(repo, "up")); err != nil {
		t.Fatal(err)
	}
	plan := filepath.Join(repo, "plans", "p.yaml")
	tests := []struct {
		name  string
		scope Scope
		from  string
		ref   string
		want  error
		data  string
	}{
		{"inside, relative", Scope{}, plan, "../net/topo.yaml", nil, "nodes: []\n"},
		{"inside, absolute", Scope{}, plan, filepath.Join(repo, "net", "topo.yaml"), nil, "nodes: []\n"},
		{"a link inside the repository", Scope{}, plan, "../net/alias.yaml", nil, "nodes: []\n"},
		{"../ out of the repository", Scope{}, plan, "../../secret.yaml", ErrOutside, ""},
		{"absolute, outside", Scope{}, plan, filepath.Join(base, "secret.yaml"), ErrOutside, ""},
		{"/etc/passwd", Scope{}, plan, "/etc/passwd", ErrOutside, ""},
		{"/proc/self/environ", Scope{}, plan, "/proc/self/environ", ErrOutside, ""},
		{"a symbolic link out of the repository", Scope{}, plan, "../net/escape.yaml", ErrOutside, ""},
		{"a linked directory out of the repository", Scope{}, plan, "../up/secret.yaml", ErrOutside, ""},
		{"paths.allow", Scope{Allow: []string{filepath.Join(base, "shared")}}, plan, "../../shared/traffic.csv", nil, "a,b,1\n"},
		{"paths.allow does not allow its parent", Scope{Allow: []string{filepath.Join(base, "shared")}}, plan, "../../secret.yaml", ErrOutside, ""},
		{"no repository: the file's directory", Scope{}, filepath.Join(loose, "p.yaml"), "topo.yaml", nil, "nodes: []\n"},
		{"no repository: not its parent", Scope{}, filepath.Join(loose, "p.yaml"), "../secret.yaml", ErrOutside, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, data, err := tt.scope.Read(context.Background(), tt.from, tt.ref, Topology)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Read: %v", err)
				}
				if string(data) != tt.data {
					t.Fatalf("Read = %q, want %q", data, tt.data)
				}
				if _, err := tt.scope.Resolve(tt.from, tt.ref, Topology); err != nil {
					t.Fatalf("Resolve: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Read: err = %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), "hunter2") || data != nil {
				t.Fatalf("the refusal read the file: %q, %q", err, data)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "paths.allow") {
				t.Errorf("message %q should name %s and say how to allow it", err, path)
			}
		})
	}
}

func TestRepository(t *testing.T) {
	base := t.TempDir()
	write(t, filepath.Join(base, "r", ".git"), []byte("gitdir: /elsewhere\n")) // a worktree's .git file
	write(t, filepath.Join(base, "r", "a", "b", "p.yaml"), nil)
	got, _, err := Repository(filepath.Join(base, "r", "a", "b", "p.yaml"))
	if err != nil || got != filepath.Join(base, "r") {
		t.Fatalf("Repository = %q, %v; want %s", got, err, filepath.Join(base, "r"))
	}
}

// TestPositions checks the line and column a refusal names, wherever the
// reads cut the file: they count characters, not bytes, and lines by \n.
func TestPositions(t *testing.T) {
	dir := t.TempDir()
	kind := Kind{Name: "plan", Limit: 1 << 10}
	tests := []struct {
		name, data string
		want       error
		line, col  int
	}{
		{"NUL on the third line", "a\nb\nc\x00d\n", ErrNotText, 3, 2},
		{"NUL after two-byte characters", "ü\nzürich\x00\n", ErrNotText, 2, 7},
		{"a byte that is not UTF-8 at a line's start", "x\n\xff", ErrNotText, 2, 1},
		{"CRLF, then a cut sequence at the end", "line1\r\nline2 \xc3", ErrNotText, 2, 7},
		{"a three-byte character, then invalid UTF-8", "€€\xe2\x28\xa1", ErrNotText, 1, 3},
		{"a key header after two lines", "a\nb\nfoo -----BEGIN RSA PRIVATE KEY-----\n", ErrSecret, 3, 0},
		{"over the limit on the second line", "x\n" + strings.Repeat("y", 1<<10), ErrTooLarge, 2, 1023},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, "f")
		write(t, path, []byte(tt.data))
		for size := 1; size <= 8; size++ {
			rc, err := Open(context.Background(), path, kind)
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, size)
			for err == nil {
				_, err = rc.Read(buf)
			}
			rc.Close()
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, tt.want) {
				t.Errorf("%s, reads of %d: err = %v, want %v", tt.name, size, err, tt.want)
				continue
			}
			if e.Line != tt.line || e.Col != tt.col {
				t.Errorf("%s, reads of %d: at %d:%d, want %d:%d (%v)", tt.name, size, e.Line, e.Col, tt.line, tt.col, err)
			}
		}
	}
}

func TestReadStream(t *testing.T) {
	tests := []struct {
		name, in string
		err      error
	}{
		{"text", "title: x\n", nil},
		{"empty", "", nil},
		{"NUL", "title: x\x00\n", ErrNotText},
		{"not UTF-8", "title: \xff\n", ErrNotText},
		{"too large", strings.Repeat("a", int(Plan.Limit)+1), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := ReadStream(context.Background(), strings.NewReader(tt.in), "<stdin>", Plan)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "<stdin>") {
					t.Errorf("error %q does not name <stdin>", err)
				}
				return
			}
			if string(data) != tt.in {
				t.Errorf("read %q", data)
			}
		})
	}
}
