// Package approval signs and verifies approvals of a plan: an approver's
// SSH signature (OpenSSH's SSHSIG format, namespace "changegate", the
// scheme git uses for signed commits) over the digests of the plan, its
// topology, its traffic and the policy set the gate checked it with. An
// approval is a small JSON file kept next to the plan, so that it can be
// committed in the same pull request; it counts only when its signature
// verifies against an allowed-signers file and its digests are still the
// plan's (the approvals policy judges that).
package approval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/changegate/changegate/internal/diag"
	"github.com/changegate/changegate/internal/policy"
	"github.com/changegate/changegate/internal/sshsig"
)

// Namespace is the SSH signature namespace of approvals: a signature made
// for anything else (git commits, files) is not an approval.
const Namespace = "changegate"

// Version is the version of the approval file format.
const Version = 1

// Approval is one approval file.
type Approval struct {
	Version  int    `json:"version"`
	Approver string `json:"approver"`
	// Time is when it was given (UTC, seconds).
	Time    time.Time `json:"time"`
	Comment string    `json:"comment,omitempty"`
	Digests Digests   `json:"digests"`
	// Key is the signing key in authorized_keys form, for people reading
	// the file; verification uses the key inside the signature.
	Key       string `json:"key"`
	Signature string `json:"signature"`
}

// Digests are what an approval is given for.
type Digests struct {
	Plan     string `json:"plan"`
	Topology string `json:"topology"`
	Traffic  string `json:"traffic"`
	Policy   string `json:"policy"`
}

// FromPolicy converts the gate's digests.
func FromPolicy(d policy.Digests) Digests {
	return Digests{Plan: d.Plan, Topology: d.Topology, Traffic: d.Traffic, Policy: d.Policy}
}

func (d Digests) policy() policy.Digests {
	return policy.Digests{Plan: d.Plan, Topology: d.Topology, Traffic: d.Traffic, Policy: d.Policy}
}

// Message is what is signed: every field but the key and the signature,
// one per line, in a fixed order. With it, ssh-keygen -Y verify -n
// changegate checks an approval's signature.
func (a *Approval) Message() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "changegate approval v%d\n", a.Version)
	fmt.Fprintf(&b, "approver %s\n", a.Approver)
	fmt.Fprintf(&b, "time %s\n", a.Time.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "plan %s\ntopology %s\ntraffic %s\npolicy %s\n", a.Digests.Plan, a.Digests.Topology, a.Digests.Traffic, a.Digests.Policy)
	fmt.Fprintf(&b, "comment %s\n", strings.ReplaceAll(a.Comment, "\n", " "))
	return b.Bytes()
}

// Sign makes an approval of digests by approver with signer.
func Sign(signer ssh.Signer, approver, comment string, d Digests, now time.Time) (*Approval, error) {
	if strings.TrimSpace(approver) == "" {
		return nil, errors.New("approve: no approver name")
	}
	if err := diag.CheckString("approve: approver", approver, diag.KindName); err != nil {
		return nil, err
	}
	a := &Approval{Version: Version, Approver: approver, Time: now.UTC().Truncate(time.Second), Comment: comment, Digests: d,
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

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._@-]+`)

// Write stores a in the approvals directory of plan, one file per
// approver (a new approval by the same approver replaces the old one),
// and returns its path.
func Write(plan string, a *Approval) (string, error) {
	dir := Dir(plan)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	data, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, unsafeName.ReplaceAllString(a.Approver, "_")+".json")
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return "", err
	}
	return path, nil
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
	// Roles are the approver's roles (from the configuration).
	Roles []string
}

// Policy returns the approval as the policies see it.
func (c Checked) Policy() policy.Approval {
	if c.Approval == nil {
		return policy.Approval{Approver: filepath.Base(c.File)}
	}
	return policy.Approval{Approver: c.Approval.Approver, Roles: c.Roles, Time: c.Approval.Time, Digests: c.Approval.Digests.policy(), Verified: c.Verified}
}

// Load reads and verifies every approval of plan against signers (nil:
// none verifies) with roles by approver name. A file that cannot be read
// or parsed is returned unverified, with why.
func Load(plan string, signers []sshsig.AllowedSigner, roles map[string][]string) ([]Checked, error) {
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
		out = append(out, check(filepath.Join(dir, e.Name()), signers, roles))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out, nil
}

func check(path string, signers []sshsig.AllowedSigner, roles map[string][]string) Checked {
	c := Checked{File: path}
	data, err := os.ReadFile(path)
	if err != nil {
		c.Why = err.Error()
		return c
	}
	var a Approval
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		c.Why = fmt.Sprintf("not an approval file: %v", err)
		return c
	}
	c.Approval = &a
	// The name is compared with principals and the plan's author, and
	// shown in reviews: one that could look like another never counts.
	if err := diag.CheckString("approver", a.Approver, diag.KindName); err != nil {
		c.Why = err.Error()
		return c
	}
	c.Roles = roles[a.Approver]
	if a.Version != Version {
		c.Why = fmt.Sprintf("approval format version %d, this changegate reads %d", a.Version, Version)
		return c
	}
	key, err := sshsig.Verify([]byte(a.Signature), Namespace, a.Message())
	if err != nil {
		c.Why = fmt.Sprintf("the signature does not verify: %v", err)
		return c
	}
	s, ok := sshsig.Find(signers, key, Namespace)
	if !ok {
		c.Why = fmt.Sprintf("the key %s is not in the allowed signers for namespace %q", ssh.FingerprintSHA256(key), Namespace)
		return c
	}
	found := false
	for _, p := range s.Principals {
		if p == a.Approver {
			found = true
		}
	}
	if !found {
		c.Why = fmt.Sprintf("the key %s belongs to %s in the allowed signers, not to %s", ssh.FingerprintSHA256(key), strings.Join(s.Principals, ", "), a.Approver)
		return c
	}
	c.Verified = true
	return c
}

// Stale returns the digests an approval was not given for, compared with
// now ("plan", "topology", "traffic", "policy").
func Stale(a *Approval, now Digests) []string {
	var out []string
	for _, d := range []struct{ name, was, is string }{
		{"plan", a.Digests.Plan, now.Plan}, {"topology", a.Digests.Topology, now.Topology},
		{"traffic", a.Digests.Traffic, now.Traffic}, {"policy", a.Digests.Policy, now.Policy},
	} {
		if d.was != d.is {
			out = append(out, d.name)
		}
	}
	return out
}
