package userfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"unicode/utf8"
)

// Kind is a kind of user file: its name in messages and the most bytes a
// file of that kind may hold.
type Kind struct {
	Name  string
	Limit int64
	// Secret says the file is meant to hold a private key (a signing
	// key): it is not refused for holding one.
	Secret bool
	// NoFollow says a file of this kind is never a symbolic link (an
	// approval, which a link could swap for another): one is refused.
	NoFollow bool
}

// The kinds changegate reads. The limits are far above any real file of
// the kind, and low enough that a wrong file is refused in a moment.
var (
	Plan           = Kind{Name: "plan", Limit: 8 << 20}
	Topology       = Kind{Name: "topology", Limit: 512 << 20}
	Demands        = Kind{Name: "demand file", Limit: 1 << 30}
	Inventory      = Kind{Name: "inventory", Limit: 16 << 20}
	Runbook        = Kind{Name: "runbook", Limit: 1 << 20}
	Policy         = Kind{Name: "policy", Limit: 4 << 20}
	Template       = Kind{Name: "TextFSM template", Limit: 1 << 20}
	Approval       = Kind{Name: "approval", Limit: 64 << 10, NoFollow: true}
	AllowedSigners = Kind{Name: "allowed signers file", Limit: 4 << 20}
	Config         = Kind{Name: "configuration", Limit: 1 << 20}
	Verdict        = Kind{Name: "verdict", Limit: 256 << 20}
	Import         = Kind{Name: "import source", Limit: 256 << 20}
	Key            = Kind{Name: "key", Limit: 64 << 10, Secret: true}
)

// Reasons a file is refused, for errors.Is.
var (
	// ErrOutside: the name leaves the scope of the file that names it.
	ErrOutside = errors.New("outside the repository")
	// ErrNotRegular: a directory, device, FIFO, socket, or a file of
	// /proc or /sys.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge: more bytes than the kind's limit.
	ErrTooLarge = errors.New("too large")
	// ErrNotText: NUL bytes or invalid UTF-8.
	ErrNotText = errors.New("not a text file")
	// ErrSecret: it holds a private key.
	ErrSecret = errors.New("holds a private key")
)

// Error is a file that was not read, and why. Its message names the file
// and what to do; it never quotes the file's content.
type Error struct {
	Path string
	Kind Kind
	// Err is one of the Err* reasons above, or the error of the file
	// system (fs.ErrNotExist and the like).
	Err error
	// Detail says more about Err: the repository a name leaves, the
	// kind of file found instead of a regular one, what the first
	// binary byte is.
	Detail string
	// Line and Col (1-based; zero when unknown) are where the file is
	// refused: its first binary byte, the private key's header, the byte
	// that passes the size limit. Col counts characters. Offset is that
	// byte's offset in the file.
	Line, Col int
	Offset    int64
}

// Pos is where the file is refused, as PATH:LINE:COL (PATH:LINE when
// the column is unknown); "" when the line is unknown.
func (e *Error) Pos() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d", e.Path, e.Line, e.Col)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d", e.Path, e.Line)
	}
	return ""
}

// Position is where the file is refused, as Line and Col; false when
// unknown.
func (e *Error) Position() (line, col int, ok bool) {
	return e.Line, e.Col, e.Line > 0
}

// at is " (at POS)" with POS as Pos says, before the words of more; ""
// when the position is unknown.
func (e *Error) at(more string) string {
	if pos := e.Pos(); pos != "" {
		return " (" + more + pos + ")"
	}
	return ""
}

func (e *Error) Error() string {
	switch {
	case errors.Is(e.Err, ErrOutside):
		return fmt.Sprintf("%s %s is outside %s and was not read: a plan or topology may only name files inside its repository; move the file there, or add its directory to paths.allow in changegate.yaml", e.Kind.Name, e.Path, e.Detail)
	case errors.Is(e.Err, ErrNotRegular):
		return fmt.Sprintf("%s %s is %s, not a regular file, and was not read; give the path of a %s file", e.Kind.Name, e.Path, e.Detail, e.Kind.Name)
	case errors.Is(e.Err, ErrTooLarge):
		return fmt.Sprintf("%s %s is larger than %s, the most %s may be%s; split it, or check that this is the file you meant", e.Kind.Name, e.Path, size(e.Kind.Limit), withArticle(e.Kind.Name), e.at("the limit is passed at "))
	case errors.Is(e.Err, ErrNotText):
		if pos := e.Pos(); pos != "" {
			return fmt.Sprintf("%s %s is not a text file (%s at %s, byte %d); check that this is the file you meant", e.Kind.Name, e.Path, e.Detail, pos, e.Offset)
		}
		return fmt.Sprintf("%s %s is not a text file (%s at byte %d); check that this is the file you meant", e.Kind.Name, e.Path, e.Detail, e.Offset)
	case errors.Is(e.Err, ErrSecret):
		return fmt.Sprintf("%s %s holds a private key%s; nothing of it is shown: check the path", e.Kind.Name, e.Path, e.at("its header is at "))
	}
	var pe *fs.PathError
	if errors.As(e.Err, &pe) {
		return fmt.Sprintf("read %s %s: %v", e.Kind.Name, e.Path, pe.Err)
	}
	return fmt.Sprintf("read %s %s: %v", e.Kind.Name, e.Path, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// withArticle is name with "a" or "an" before it.
func withArticle(name string) string {
	if name != "" && strings.ContainsRune("aeiouAEIOU", rune(name[0])) {
		return "an " + name
	}
	return "a " + name
}

func size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Read reads the file at path, which the user gave (on the command line,
// in the configuration): a regular text file of at most kind.Limit bytes.
// It stops when ctx ends. Every refusal is an *Error.
func Read(ctx context.Context, path string, kind Kind) ([]byte, error) {
	f, err := openPath(path, kind)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(ctx, f, path, kind)
}

// Open is Read for a file read as a stream (a large demand matrix): the
// same checks, made as the bytes are read. The size limit and the text
// check fail the read that crosses them with an *Error.
func Open(ctx context.Context, path string, kind Kind) (io.ReadCloser, error) {
	f, err := openPath(path, kind)
	if err != nil {
		return nil, err
	}
	return newReader(ctx, f, path, kind), nil
}

// openPath opens the file at path as openFile does, without following a
// symbolic link for a kind that is never one.
func openPath(path string, kind Kind) (*os.File, error) {
	return openFile(path, kind, func() (*os.File, error) {
		flags := os.O_RDONLY | syscall.O_NONBLOCK
		if kind.NoFollow {
			flags |= syscall.O_NOFOLLOW
		}
		f, err := os.OpenFile(path, flags, 0)
		if errors.Is(err, syscall.ELOOP) {
			return nil, &Error{Path: path, Kind: kind, Err: ErrNotRegular, Detail: "a symbolic link"}
		}
		return f, err
	})
}

// openFile opens a file with open and checks that it is a regular file
// outside /proc and /sys. Opening with O_NONBLOCK keeps a FIFO from
// blocking the open; for a regular file the flag does nothing.
func openFile(path string, kind Kind, open func() (*os.File, error)) (*os.File, error) {
	f, err := open()
	if e, ok := err.(*Error); ok {
		return nil, e
	}
	if err != nil {
		return nil, &Error{Path: path, Kind: kind, Err: err}
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, &Error{Path: path, Kind: kind, Err: err}
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, &Error{Path: path, Kind: kind, Err: ErrNotRegular, Detail: describeMode(st.Mode())}
	}
	if what := pseudoFS(f); what != "" {
		f.Close()
		return nil, &Error{Path: path, Kind: kind, Err: ErrNotRegular, Detail: "a file of " + what}
	}
	return f, nil
}

func describeMode(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "not a regular file"
}

// chunk is how much readAll reads between looks at the context.
const chunk = 1 << 20

func readAll(ctx context.Context, f *os.File, path string, kind Kind) ([]byte, error) {
	r := newReader(ctx, f, path, kind)
	// One buffer of the file's size (and a byte, to see it end), grown
	// only when the file grows while it is read.
	size := int64(512)
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		size = min(st.Size(), kind.Limit) + 1
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// reader enforces the limit, the context and the text check on a stream.
type reader struct {
	ctx     context.Context
	f       *os.File  // nil for a stream (ReadStream)
	in      io.Reader // f, or the stream
	path    string
	kind    Kind
	n       int64
	pending []byte // the start of a UTF-8 sequence cut by the last read
	key     keyScan
	// line is the line (1-based) the bytes read so far end on, and col
	// how many characters of it they hold.
	line, col int
}

func newReader(ctx context.Context, f *os.File, path string, kind Kind) *reader {
	return &reader{ctx: ctx, f: f, in: f, path: path, kind: kind, line: 1}
}

// ReadStream reads a user file from in (standard input, say), called
// name in messages, with the checks Read makes of a file's content: at
// most kind.Limit bytes, text, no private key. It stops when ctx ends.
// Every refusal is an *Error.
func ReadStream(ctx context.Context, in io.Reader, name string, kind Kind) ([]byte, error) {
	r := &reader{ctx: ctx, in: in, path: name, kind: kind, line: 1}
	data, err := io.ReadAll(r)
	if err != nil {
		if _, ok := err.(*Error); !ok {
			err = &Error{Path: name, Kind: kind, Err: err}
		}
		return nil, err
	}
	return data, nil
}

func (r *reader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, fmt.Errorf("read %s %s: %w", r.kind.Name, r.path, err)
	}
	if len(p) > chunk {
		p = p[:chunk]
	}
	n, err := r.in.Read(p)
	if n > 0 {
		if at, found := r.key.feed(p[:n]); found && !r.kind.Secret {
			line, _ := r.position(p[:n], at)
			return 0, &Error{Path: r.path, Kind: r.kind, Err: ErrSecret, Line: line, Offset: r.n + int64(at)}
		}
		if off, bad := r.checkText(p[:n]); bad {
			e := &Error{Path: r.path, Kind: r.kind, Err: ErrNotText, Detail: "bytes that are not UTF-8", Offset: r.n + int64(off)}
			if off >= 0 && p[off] == 0 {
				e.Detail = "a NUL byte"
			}
			e.Line, e.Col = r.position(p[:n], off)
			return 0, e
		}
		if r.n+int64(n) > r.kind.Limit {
			off := int(r.kind.Limit - r.n)
			line, col := r.position(p[:n], off)
			return 0, &Error{Path: r.path, Kind: r.kind, Err: ErrTooLarge, Line: line, Col: col, Offset: r.kind.Limit}
		}
		r.advance(p[:n])
		r.n += int64(n)
	}
	if err == io.EOF && len(r.pending) > 0 {
		// The cut sequence's first byte counts as a character of the line.
		return n, &Error{Path: r.path, Kind: r.kind, Err: ErrNotText, Detail: "a cut UTF-8 sequence", Offset: r.n - int64(len(r.pending)), Line: r.line, Col: r.col}
	}
	if err != nil && err != io.EOF {
		return n, &Error{Path: r.path, Kind: r.kind, Err: err}
	}
	return n, err
}

func (r *reader) Close() error { return r.f.Close() }

// position is the line and column (1-based, in characters) of the byte
// at off in b, the bytes read after those the reader has passed. A
// negative off is in the bytes before b: in the character they end with
// (a UTF-8 sequence cut between two reads, a marker across them).
func (r *reader) position(b []byte, off int) (line, col int) {
	if off < 0 {
		return r.line, max(r.col, 1)
	}
	off = min(off, len(b))
	before := b[:off]
	nl := bytes.LastIndexByte(before, '\n')
	if nl < 0 {
		return r.line, r.col + chars(before) + 1
	}
	return r.line + bytes.Count(before, []byte{'\n'}), chars(before[nl+1:]) + 1
}

// advance moves the reader's line and column past b.
func (r *reader) advance(b []byte) {
	if nl := bytes.LastIndexByte(b, '\n'); nl >= 0 {
		r.line += bytes.Count(b, []byte{'\n'})
		r.col = chars(b[nl+1:])
		return
	}
	r.col += chars(b)
}

// chars counts the characters that start in b: its bytes that are not
// UTF-8 continuation bytes. In text cut anywhere, each character is
// counted once, in the piece where it starts.
func chars(b []byte) int {
	n := 0
	for _, c := range b {
		if c&0xC0 != 0x80 {
			n++
		}
	}
	return n
}

// Stat returns the file's information (a reader of demands sizes its
// buffers from it).
func (r *reader) Stat() (fs.FileInfo, error) { return r.f.Stat() }

// checkText reports the offset in b (negative: in the bytes carried from
// the last read) of the first byte that is NUL or not UTF-8. A sequence
// cut at the end of b is carried to the next call.
func (r *reader) checkText(b []byte) (int, bool) {
	base := 0
	if carried := len(r.pending); carried > 0 {
		for !utf8.FullRune(r.pending) && base < len(b) {
			r.pending = append(r.pending, b[base])
			base++
		}
		if !utf8.FullRune(r.pending) {
			return 0, false
		}
		if rn, size := utf8.DecodeRune(r.pending); rn == utf8.RuneError && size <= 1 {
			return -carried, true
		}
		r.pending = r.pending[:0]
	}
	body := b[base:]
	cut := cutTail(body)
	whole := body[:len(body)-cut]
	nul := bytes.IndexByte(whole, 0)
	if nul >= 0 || !utf8.Valid(whole) {
		for i := 0; i < len(whole); {
			rn, size := utf8.DecodeRune(whole[i:])
			if i == nul || rn == utf8.RuneError && size <= 1 {
				return base + i, true
			}
			i += size
		}
	}
	r.pending = append(r.pending, body[len(body)-cut:]...)
	return 0, false
}

// cutTail returns how many bytes at the end of b start a UTF-8 sequence
// that b does not finish.
func cutTail(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax+1; i-- {
		if utf8.RuneStart(b[i]) {
			if b[i] >= utf8.RuneSelf && !utf8.FullRune(b[i:]) {
				return len(b) - i
			}
			return 0
		}
	}
	return 0
}

// keyScan finds a PEM or OpenSSH private key header in a stream.
type keyScan struct{ tail []byte }

var keyMarkers = [][]byte{[]byte("PRIVATE KEY-----"), []byte("BEGIN OPENSSH PRIVATE")}

// keyTail is how many bytes of one read are kept to find a marker cut
// between two reads: one less than the longest marker.
const keyTail = 20

// feed scans the next bytes of the stream, b, and reports whether a
// marker is in them (or across the seam with the bytes before), and where
// it starts: its offset in b, negative when it starts in the bytes before.
func (k *keyScan) feed(b []byte) (int, bool) {
	head := b
	if len(head) > keyTail {
		head = head[:keyTail]
	}
	seam := append(append([]byte(nil), k.tail...), head...)
	at, found := privateKeyAt(seam)
	if found {
		at -= len(k.tail)
	}
	if i, ok := privateKeyAt(b); ok && (!found || i < at) {
		at, found = i, true
	}
	if len(b) >= keyTail {
		k.tail = append(k.tail[:0], b[len(b)-keyTail:]...)
	} else {
		k.tail = append(k.tail, b...)
		if len(k.tail) > keyTail {
			k.tail = k.tail[len(k.tail)-keyTail:]
		}
	}
	return at, found
}

// privateKeyAt returns the offset of the first marker in data.
func privateKeyAt(data []byte) (int, bool) {
	at, found := 0, false
	for _, m := range keyMarkers {
		if i := bytes.Index(data, m); i >= 0 && (!found || i < at) {
			at, found = i, true
		}
	}
	return at, found
}
