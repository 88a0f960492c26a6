package approval

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"golang.org/x/crypto/ssh"

	"github.com/changegate/changegate/internal/durable"
	"github.com/changegate/changegate/internal/sshsig"
	"github.com/changegate/changegate/userfile"
)

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._@-]+`)

// File is the path of approver's approval of plan: one file per approver
// in the plan's approvals directory (Dir).
func File(plan, approver string) string {
	return filepath.Join(Dir(plan), unsafeName.ReplaceAllString(approver, "_")+".json")
}

// ErrOtherKey is returned (wrapped) by CheckReplace and Write when the
// approval file of the approver holds an approval signed with another
// key: an approval is only ever replaced by its own key.
var ErrOtherKey = errors.New("the approval there was signed with another key")

// CheckReplace says whether an approval by approver, signed with key,
// may be written for plan: when the approver's file exists, it must be a
// regular file holding an approval signed with the same key (replacing
// one's own approval is fine; another key's is refused). It writes
// nothing; Write checks again.
func CheckReplace(ctx context.Context, plan, approver string, key ssh.PublicKey) error {
	dir := Dir(plan)
	if err := checkDir(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return checkReplace(ctx, File(plan, approver), key)
}

// Write stores a in the approvals directory of plan (File), and returns
// its path. A new approval by the same key replaces the old one; the
// approval of another key is never overwritten (ErrOtherKey). Neither the
// directory nor the file is followed when it is a symbolic link: both are
// refused. The file is written whole or not at all: a temporary file
// beside it, synced, then linked (a new approval, which fails when one
// appeared meanwhile) or renamed (a replacement) into place.
func Write(ctx context.Context, plan string, a *Approval) (string, error) {
	key, err := sshsig.Verify([]byte(a.Signature), Namespace, a.Message())
	if err != nil {
		return "", fmt.Errorf("write approval: its signature does not verify: %w", err)
	}
	dir := Dir(plan)
	if err := checkDir(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("write approval: %w", err)
		}
		if err := checkDir(dir); err != nil {
			return "", err
		}
	} else if err != nil {
		return "", err
	}
	path := File(plan, a.Approver)
	if err := checkReplace(ctx, path, key); err != nil {
		return "", err
	}
	data, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return "", err
	}
	tmp, err := writeTemp(dir, append(data, '\n'))
	if err != nil {
		return "", fmt.Errorf("write approval: %w", err)
	}
	defer os.Remove(tmp) // after a link, or a failure; gone after a rename
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		// A new file: link(2) refuses to replace one that appeared since
		// it was checked.
		if err := os.Link(tmp, path); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return "", fmt.Errorf("write approval: %s appeared while it was written; run approve again", path)
			}
			return "", fmt.Errorf("write approval: %w", err)
		}
	} else if err := os.Rename(tmp, path); err != nil {
		return "", fmt.Errorf("write approval: %w", err)
	}
	if err := durable.SyncDir(dir); err != nil {
		return "", fmt.Errorf("write approval: %w", err)
	}
	return path, nil
}

// checkDir checks that dir is a directory, not a symbolic link to one.
func checkDir(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("write approval: %s is a symbolic link: approvals are written to a real directory beside the plan; replace the link with a directory", dir)
	}
	if !fi.IsDir() {
		return fmt.Errorf("write approval: %s is not a directory; move it away", dir)
	}
	return nil
}

// checkReplace checks that an approval signed with key may take the
// place of path: there is nothing there, or an approval signed with key.
func checkReplace(ctx context.Context, path string, key ssh.PublicKey) error {
	data, err := userfile.Read(ctx, path, userfile.Approval)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("write approval: %w; it is not replaced", err)
	}
	var old Approval
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&old); err != nil {
		return fmt.Errorf("write approval: %s is there and is not an approval file, so whose it is cannot be told; it is not replaced (remove it if it is yours)", path)
	}
	oldKey, err := sshsig.Verify([]byte(old.Signature), Namespace, old.Message())
	if err != nil {
		return fmt.Errorf("write approval: the signature of the approval in %s does not verify, so whose it is cannot be told; it is not replaced (remove it if it is yours)", path)
	}
	if !bytes.Equal(oldKey.Marshal(), key.Marshal()) {
		return fmt.Errorf("%w: %s holds %s's approval signed with the key %s, not %s; nothing was written (an approval is only replaced by the key that signed it)",
			ErrOtherKey, path, old.Approver, ssh.FingerprintSHA256(oldKey), ssh.FingerprintSHA256(key))
	}
	return nil
}

// writeTemp writes data to a new file in dir, synced, readable by all
// (approvals are public: they are committed with the plan).
func writeTemp(dir string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, ".approval-*.tmp")
	if err != nil {
		return "", err
	}
	name := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}
