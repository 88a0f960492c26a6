package devices

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
)

// DigestPrefix starts every digest: the algorithm, then the hex sum (as
// for the plan, topology, traffic and policy digests).
const DigestPrefix = "sha256:"

// Digest is a canonical digest of everything in the inventory that
// decides which machines a run talks to and how: for every device its
// name, platform, address and port, host-key policy (the known_hosts file,
// or that keys are not checked and why), timeouts, groups, and credential
// references (the environment variable, file, ssh-agent, prompt or Nornir
// entry, and a username written in the inventory) — never a secret's
// value, which the inventory does not hold. Settings are digested as
// resolved: a value moved between a device, its groups and the defaults
// keeps the digest, and so do the order of the devices, YAML formatting,
// comments and positions. Relative file references are digested as
// written relative to the inventory's directory, so that the digest does
// not depend on the directory it is read from. Approvals bind it, like
// the plan, topology, traffic and policy digests.
func (inv *Inventory) Digest() string {
	type credential struct {
		Kind string   `json:"kind"`
		Ref  string   `json:"ref,omitempty"`
		Key  []string `json:"key,omitempty"`
	}
	type device struct {
		Name             string     `json:"name"`
		Platform         string     `json:"platform"`
		Host             string     `json:"host"`
		Port             int        `json:"port"`
		Username         credential `json:"username"`
		Password         credential `json:"password"`
		Key              credential `json:"key"`
		Passphrase       credential `json:"passphrase"`
		KnownHosts       string     `json:"known_hosts"`
		InsecureIgnore   bool       `json:"insecure_ignore"`
		InsecureReason   string     `json:"insecure_reason"`
		ConnectTimeoutNs int64      `json:"connect_timeout_ns"`
		CommandTimeoutNs int64      `json:"command_timeout_ns"`
		Groups           []string   `json:"groups"`
	}
	base := ""
	if len(inv.Files) > 0 {
		base = filepath.Dir(inv.Files[0])
	}
	rel := func(path string) string { return relativeTo(base, path) }
	cred := func(c Credential) credential {
		out := credential{Kind: credentialKinds[c.Kind]}
		switch c.Kind {
		case EnvCredential, ValueCredential:
			out.Ref = c.Ref
		case FileCredential:
			out.Ref = rel(c.Ref)
		case NornirCredential:
			out.Ref, out.Key = rel(c.Ref), c.Key
		}
		return out
	}
	devs := make([]device, len(inv.devices))
	for i, d := range inv.devices {
		devs[i] = device{
			Name: d.Name, Platform: d.Platform, Host: strings.ToLower(d.Host), Port: d.Port,
			Username: cred(d.Username), Password: cred(d.Password), Key: cred(d.Key), Passphrase: cred(d.Passphrase),
			InsecureIgnore: d.HostKey.InsecureIgnore, InsecureReason: d.HostKey.Reason,
			ConnectTimeoutNs: int64(d.Timeouts.Connect), CommandTimeoutNs: int64(d.Timeouts.Command),
			Groups: slices.Clone(d.Groups),
		}
		if !d.HostKey.InsecureIgnore {
			devs[i].KnownHosts = rel(d.HostKey.KnownHosts)
		}
		if devs[i].Groups == nil {
			devs[i].Groups = []string{}
		}
	}
	slices.SortFunc(devs, func(a, b device) int { return strings.Compare(a.Name, b.Name) })
	h := sha256.New()
	h.Write([]byte("changegate inventory v1\n"))
	enc := json.NewEncoder(h)
	for _, d := range devs {
		_ = enc.Encode(d) // encoding to a hash cannot fail
	}
	return DigestPrefix + hex.EncodeToString(h.Sum(nil))
}

// credentialKinds names each kind in the digest; the names never change.
var credentialKinds = map[CredentialKind]string{
	NoCredential:     "none",
	EnvCredential:    "env",
	FileCredential:   "file",
	AgentCredential:  "agent",
	PromptCredential: "prompt",
	NornirCredential: "nornir",
	ValueCredential:  "value",
}

// relativeTo returns path relative to dir, the inventory's directory:
// the parser joins relative references to it, and the same file is named
// the same way whether the inventory was read through a relative or an
// absolute path. ~/ paths are kept as they are.
func relativeTo(dir, path string) string {
	if path == "" || path == "~" || strings.HasPrefix(path, "~/") {
		return path
	}
	ad, err := filepath.Abs(dir)
	if err == nil {
		var ap string
		if ap, err = filepath.Abs(path); err == nil {
			if r, err := filepath.Rel(ad, ap); err == nil {
				return filepath.ToSlash(r)
			}
		}
	}
	return filepath.ToSlash(filepath.Clean(path))
}
