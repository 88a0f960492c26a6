// Package approval signs and verifies approvals of a plan: an approver's
// SSH signature (OpenSSH's SSHSIG format, namespace "changegate", the
// scheme git uses for signed commits) over the digests of the plan, its
// topology, its traffic, the policy set the gate checked it with and the
// inventory it runs with. An
// approval is a small JSON file kept next to the plan, so that it can be
// committed in the same pull request; it counts only when its signature
// verifies against an allowed-signers file and its digests are still the
// plan's (the approvals policy judges that).
package approval

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/digest"
	"github.com/changegate/changegate/internal/sshsig"
	"github.com/changegate/changegate/plans"
	"github.com/changegate/changegate/userfile"
)

// Namespace is the SSH signature namespace of approvals: a signature made
// for anything else (git commits, files) is not an approval.
const Namespace = "changegate"

// Version is the version of the approval file format that Sign writes.
// Version 2 binds the inventory; version 1 files (which did not) are
// still read and verified, as approvals given without an inventory.
const Version = 2

// MinVersion is the oldest approval file format that is read.
const MinVersion = 1

// Approval is one approval file.
type Approval struct {
	Version  int    `json:"version"`
	Approver string `json:"approver"`
	// Time is when it was given (UTC, seconds).
	Time    time.Time `json:"time"`
	Comment string    `json:"comment,omitempty"`
	// Denied says the gate denied the plan when it was approved
	// (approve --denied): approving a denied plan is a deliberate act,
	// and the signature covers that it was one.
	Denied bool `json:"denied,omitempty"`
	// Digests are what the approval is given for. Inventory is "" for
	// an approval given without an inventory (and for every version 1
	// approval).
	Digests digest.Set `json:"digests"`
	// Key is the signing key in authorized_keys form, for people reading
	// the file; verification uses the key inside the signature.
	Key       string `json:"key"`
	Signature string `json:"signature"`
}

// Message is what is signed: every field but the key and the signature,
// one per line, in a fixed order (version 2 adds the inventory line,
// digest.None without one). With it, ssh-keygen -Y verify -n changegate checks an
// approval's signature.
func (a *Approval) Message() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "changegate approval v%d\n", a.Version)
	fmt.Fprintf(&b, "approver %s\n", a.Approver)
	fmt.Fprintf(&b, "time %s\n", a.Time.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "plan %s\ntopology %s\ntraffic %s\npolicy %s\n", a.Digests.Plan, a.Digests.Topology, a.Digests.Traffic, a.Digests.Policy)
	if a.Version >= 2 {
		inv := a.Digests.Inventory
		if inv == "" {
			inv = digest.None
		}
		fmt.Fprintf(&b, "inventory %s\n", inv)
	}
	if a.Denied {
		// Only approvals of denied plans have this line, so that every
		// approval signed before it existed verifies as it did.
		b.WriteString("denied true\n")
	}
	fmt.Fprintf(&b, "comment %s\n", strings.ReplaceAll(a.Comment, "\n", " "))
	return b.Bytes()
}

// Sign makes an approval of digests by approver with signer.
func Sign(signer ssh.Signer, approver, comment string, d digest.Set, now time.Time) (*Approval, error) {
	return signApproval(signer, approver, comment, d, now, false)
}

// SignDenied is Sign for a plan the gate denies: the approval says so
// (Approval.Denied), under the signature.
func SignDenied(signer ssh.Signer, approver, comment string, d digest.Set, now time.Time) (*Approval, error) {
	return signApproval(signer, approver, comment, d, now, true)
}

func signApproval(signer ssh.Signer, approver, comment string, d digest.Set, now time.Time, denied bool) (*Approval, error) {
	if strings.TrimSpace(approver) == "" {
		return nil, errors.New("approve: no approver name")
	}
	if err := diag.CheckString("approve: approver", approver, diag.KindName); err != nil {
		return nil, err
	}
	a := &Approval{Version: Version, Approver: approver, Time: now.UTC().Truncate(time.Second), Comment: comment, Digests: d, Denied: denied,
		Key: strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey())))}
	sig, err := sshsig.Sign(signer, Namespace, a.Message())
	if err != nil {
		return nil, fmt.Errorf("approve: sign: %w", err)
	}
	a.Signature = string(sig)
	return a, nil
}

// Dir is where the approvals of the plan file plan are kept: beside it,
// named after it ("change.yaml" -> "change.approvals").
func Dir(plan string) string {
	base := strings.TrimSuffix(filepath.Base(plan), filepath.Ext(plan))
	return filepath.Join(filepath.Dir(plan), base+".approvals")
}

// Checked is an approval as read and verified.
type Checked struct {
	File     string
	Approval *Approval
	// Verified is true when the signature verifies, its key is in the
	// allowed signers for the approver's name and the changegate
	// namespace; Why says why not.
	Verified bool
	Why      string
	// Invalid says the file is not a valid approval at all (it cannot be
	// read, is not an approval file of a version this changegate reads,
	// or its signature does not verify: it was edited after signing, or
	// forged), as opposed to a valid approval that does not count (a key
	// not allowed, a stale digest). Pos is where in the file, for an
	// invalid one.
	Invalid bool
	Pos     diag.Pos
	// Roles are the approver's roles (from the configuration).
	Roles []string
	// Identities are who the approval is known to be by, each as
	// plans.Identity writes it: the approver's name and, when the
	// signature verifies, every principal its key is listed under in the
	// allowed signers (in any namespace). Sorted, without repeats.
	Identities []string
}

// By reports whether the approval is by identity (a plans.Identity, such
// as the plan's AuthorIdentity): one of its Identities. An approval by
// the plan's author never counts.
func (c Checked) By(identity string) bool {
	return identity != "" && slices.Contains(c.Identities, identity)
}

// Load reads and verifies every approval of plan against signers (nil:
// none verifies) with roles by approver name. A file that cannot be read
// or parsed is returned unverified, with why.
func Load(ctx context.Context, plan string, signers []sshsig.AllowedSigner, roles map[string][]string) ([]Checked, error) {
	dir := Dir(plan)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Checked
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		out = append(out, check(ctx, filepath.Join(dir, e.Name()), signers, roles))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out, nil
}

// ReadFile reads the approval file at path without verifying it: its
// fields, from which Message rebuilds what was signed (approvals
// --export-message). An error names the file and the position.
func ReadFile(ctx context.Context, path string) (*Approval, error) {
	c := check(ctx, path, nil, nil)
	if c.Approval == nil {
		return nil, fmt.Errorf("%s: %s", c.Pos, c.Why)
	}
	return c.Approval, nil
}

func check(ctx context.Context, path string, signers []sshsig.AllowedSigner, roles map[string][]string) Checked {
	c := Checked{File: path, Pos: diag.Pos{File: path, Line: 1}}
	invalid := func(line int, why string) Checked {
		c.Invalid, c.Why = true, why
		if line > 0 {
			c.Pos.Line = line
		}
		return c
	}
	data, err := userfile.Read(ctx, path, userfile.Approval)
	if err != nil {
		var ue *userfile.Error
		if errors.As(err, &ue) {
			if line, col, ok := ue.Position(); ok {
				c.Pos.Line, c.Pos.Col = line, col
			}
		}
		return invalid(0, err.Error())
	}
	var a Approval
	lines, err := diag.JSON{File: path, Nested: []string{"digests"}}.Decode(data, &a)
	if err != nil {
		var je *diag.JSONError
		if errors.As(err, &je) {
			c.Pos = je.Pos
			return invalid(0, "not an approval file: "+je.Msg)
		}
		return invalid(0, "not an approval file: "+err.Error())
	}
	c.Approval = &a
	// The name is compared with principals and the plan's author, and
	// shown in reviews: one that could look like another never counts.
	if err := diag.CheckString("approver", a.Approver, diag.KindName); err != nil {
		return invalid(lines["approver"], err.Error())
	}
	c.Roles = roles[a.Approver]
	c.Identities = Identities(a.Approver, nil, nil)
	if a.Version < MinVersion || a.Version > Version {
		return invalid(lines["version"], fmt.Sprintf("approval format version %d, this changegate reads versions %d to %d (approve again with this changegate)", a.Version, MinVersion, Version))
	}
	if a.Version < 2 && a.Digests.Inventory != "" {
		return invalid(lines["digests.inventory"], fmt.Sprintf("approval format version %d does not bind an inventory, yet the file gives one", a.Version))
	}
	key, err := sshsig.Verify([]byte(a.Signature), Namespace, a.Message())
	if err != nil {
		return invalid(lines["signature"], fmt.Sprintf("the signature does not verify (the file was changed after it was signed, or forged): %s", diag.Escape(err.Error())))
	}
	// Whoever holds the key is each of its principals: an author cannot
	// approve their own plan under another name.
	c.Identities = Identities(a.Approver, key, signers)
	if !sshsig.Listed(signers, key, Namespace, a.Approver) {
		if _, ok := sshsig.Find(signers, key, Namespace); !ok {
			c.Why = fmt.Sprintf("the key %s is not in the allowed signers for namespace %q", ssh.FingerprintSHA256(key), Namespace)
		} else {
			c.Why = fmt.Sprintf("the key %s belongs to %s in the allowed signers, not to %s", ssh.FingerprintSHA256(key), strings.Join(principalsIn(signers, key, Namespace), ", "), a.Approver)
		}
		return c
	}
	c.Verified = true
	return c
}

// Identities returns who an approval by approver, signed with key, is
// known to be by: approver and every principal key is listed under in
// signers (in any namespace), each as plans.Identity writes it, sorted,
// without repeats. With a nil key, approver alone.
func Identities(approver string, key ssh.PublicKey, signers []sshsig.AllowedSigner) []string {
	out := []string{plans.Identity(approver)}
	for _, p := range sshsig.Principals(signers, key) {
		out = append(out, plans.Identity(p))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// principalsIn returns the principals key may sign as in namespace.
func principalsIn(signers []sshsig.AllowedSigner, key ssh.PublicKey, namespace string) []string {
	var out []string
	for _, s := range signers {
		if s.Key != nil && bytes.Equal(s.Key.Marshal(), key.Marshal()) && s.Allows(namespace) {
			for _, p := range s.Principals {
				if !slices.Contains(out, p) {
					out = append(out, p)
				}
			}
		}
	}
	return out
}
