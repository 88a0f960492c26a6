package userfile

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Scope says where the files that other files name may be: inside the
// repository of the naming file, or inside one of Allow. The zero value
// allows the repository only.
type Scope struct {
	// Allow are more directories named files may be in (the paths.allow
	// setting).
	Allow []string
}

// Repository returns the directory that holds the files file may name:
// the nearest directory at or above file's own that has a .git entry (a
// directory, or the file of a worktree), else file's own directory. The
// second result describes it for messages.
func Repository(file string) (dir, what string, err error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return "", "", fmt.Errorf("repository of %s: %w", file, err)
	}
	start := filepath.Dir(abs)
	for d := start; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d, "the repository of " + file + " (" + d + ")", nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	return start, "the directory of " + file + " (" + start + "; it is in no git repository)", nil
}

// Resolve returns the path of name as file names it (relative to file's
// directory unless absolute), checking that it is inside file's
// repository or an allowed directory, and a regular file: it is opened
// through that directory (os.Root), so that no symbolic link leads out,
// and closed unread. A name outside is an *Error with ErrOutside, refused
// before anything is opened.
func (s Scope) Resolve(file, name string, kind Kind) (string, error) {
	path, f, err := s.open(file, name, kind)
	if err != nil {
		return path, err
	}
	f.Close()
	return path, nil
}

// Read reads the file that file names, as Read does, opened through the
// directory that contains it (os.Root), so that no symbolic link leads
// out of it. It returns the path as Resolve does.
func (s Scope) Read(ctx context.Context, file, name string, kind Kind) (string, []byte, error) {
	path, f, err := s.open(file, name, kind)
	if err != nil {
		return path, nil, err
	}
	defer f.Close()
	data, err := readAll(ctx, f, path, kind)
	return path, data, err
}

// Open is Read for a stream (see Open).
func (s Scope) Open(ctx context.Context, file, name string, kind Kind) (string, io.ReadCloser, error) {
	path, f, err := s.open(file, name, kind)
	if err != nil {
		return path, nil, err
	}
	return path, newReader(ctx, f, path, kind), nil
}

func (s Scope) open(file, name string, kind Kind) (string, *os.File, error) {
	path, root, rel, err := s.locate(file, name, kind)
	if err != nil {
		return path, nil, err
	}
	f, err := openFile(path, kind, func() (*os.File, error) {
		r, err := os.OpenRoot(root)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		f, err := r.OpenFile(rel, os.O_RDONLY|syscall.O_NONBLOCK, 0)
		if err != nil && strings.Contains(err.Error(), "escapes from parent") {
			// os.Root's error for a symbolic link (or ..) that leads out.
			return nil, &Error{Path: path, Kind: kind, Err: ErrOutside, Detail: root + " (a symbolic link on the way leads out of it)"}
		}
		if pe, ok := err.(*fs.PathError); ok {
			pe.Op, pe.Path = "open", path // the name as the user sees it, not as the root does
		}
		return f, err
	})
	return path, f, err
}

// locate resolves name and finds the directory that may hold it: the
// path for messages, that directory, and the name relative to it.
func (s Scope) locate(file, name string, kind Kind) (path, root, rel string, err error) {
	path = name
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(file), name)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return path, "", "", &Error{Path: path, Kind: kind, Err: err}
	}
	repo, what, err := Repository(file)
	if err != nil {
		return path, "", "", &Error{Path: path, Kind: kind, Err: err}
	}
	for _, dir := range append([]string{repo}, s.Allow...) {
		d, err := filepath.Abs(dir)
		if err != nil {
			continue
		}
		if r, ok := inside(d, abs); ok {
			return path, d, r, nil
		}
	}
	detail := what
	if len(s.Allow) > 0 {
		detail += " and paths.allow (" + strings.Join(s.Allow, ", ") + ")"
	}
	return path, "", "", &Error{Path: path, Kind: kind, Err: ErrOutside, Detail: detail}
}

// inside reports whether path is dir or below it, and its name relative
// to dir, by their clean absolute names.
func inside(dir, path string) (string, bool) {
	rel, err := filepath.Rel(dir, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", false
	}
	return rel, true
}
