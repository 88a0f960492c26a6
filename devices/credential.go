package devices

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// CredentialKind says where a credential's value comes from.
type CredentialKind int

const (
	// NoCredential: none given; the SSH adapter does without (for
	// example, a key from ssh-agent and no password).
	NoCredential CredentialKind = iota
	// EnvCredential: the environment variable Ref.
	EnvCredential
	// FileCredential: the contents of the file Ref, less one trailing
	// newline. For a key, Ref is the private key file itself.
	FileCredential
	// AgentCredential: keys held by ssh-agent (SSH_AUTH_SOCK). Only for
	// key. The SSH adapter uses the agent directly; Resolve refuses.
	AgentCredential
	// PromptCredential: asked of the user at run time, through a
	// Prompter (ResolveWith).
	PromptCredential
	// NornirCredential: a plain-text value inside a Nornir inventory
	// file, read from there when resolved (never copied): Ref is the
	// file, Key the path of keys to the value (["p1", "password"]).
	NornirCredential
	// ValueCredential: a value written in the inventory itself. Only a
	// username may be written this way; it is not a secret.
	ValueCredential
)

// ErrInteractive is returned (wrapped) by Resolve for a credential that
// must be asked of the user: use ResolveWith and a Prompter.
var ErrInteractive = errors.New("credential must be asked of the user")

// ErrAgent is returned (wrapped) by Resolve for a key held by ssh-agent:
// there is no value to read; the SSH adapter asks the agent to sign.
var ErrAgent = errors.New("key is held by ssh-agent")

// Prompter asks the user for a credential. label says which one and
// where the inventory asks for it ("password of group core
// (inventory.yaml:9:15)"); an implementation must not echo the answer.
type Prompter interface {
	Prompt(ctx context.Context, label string) (string, error)
}

// Credential is a reference to a secret (or a username): an environment
// variable, a file, ssh-agent or an interactive prompt. It never holds the
// secret in a form that printing or marshalling it can show: String,
// Format and MarshalJSON give only the reference, before and after
// resolution. A resolved value is kept behind a pointer shared by every
// device that inherits the reference, so a prompt is asked once per place
// it is written, not once per device.
type Credential struct {
	Kind CredentialKind
	// Ref is the environment variable or the file (relative paths already
	// joined to the inventory's directory; a leading ~/ is expanded when
	// read). Empty for agent and prompt. For ValueCredential it is the
	// username itself.
	Ref string
	// Key is the path of keys to a NornirCredential's value.
	Key []string
	// Label names the credential and where it is written, for prompts
	// and messages.
	Label string
	cache *credCache
}

type credCache struct {
	mu   sync.Mutex
	done bool
	val  string
}

func newCredential(kind CredentialKind, ref, label string) Credential {
	return Credential{Kind: kind, Ref: ref, Label: label, cache: &credCache{}}
}

// IsZero reports whether no credential was given.
func (c Credential) IsZero() bool { return c.Kind == NoCredential }

// String gives the reference, never the value: "env:NET_PASSWORD",
// "file:/home/u/.pw", "agent", "prompt", "nornir:hosts.yaml#p1.password",
// "none"; a username written in the inventory is shown as itself.
func (c Credential) String() string {
	switch c.Kind {
	case EnvCredential:
		return "env:" + c.Ref
	case FileCredential:
		return "file:" + c.Ref
	case AgentCredential:
		return "agent"
	case PromptCredential:
		return "prompt"
	case NornirCredential:
		return "nornir:" + c.Ref + "#" + strings.Join(c.Key, ".")
	case ValueCredential:
		return c.Ref
	}
	return "none"
}

// Format prints the reference for every verb, %+v and %#v included, so
// that a Device printed with the fmt package shows no secret.
func (c Credential) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		io.WriteString(f, strconv.Quote(c.String()))
		return
	}
	io.WriteString(f, c.String())
}

// MarshalJSON writes the reference in the inventory's own form:
// {"env": "VAR"}, {"file": "path"}, {"agent": true}, {"prompt": true},
// {"nornir_file": "hosts.yaml", "nornir_key": "p1.password"}, a plain
// string for a username, and null for none.
func (c Credential) MarshalJSON() ([]byte, error) {
	var v any
	switch c.Kind {
	case EnvCredential:
		v = map[string]string{"env": c.Ref}
	case FileCredential:
		v = map[string]string{"file": c.Ref}
	case AgentCredential:
		v = map[string]bool{"agent": true}
	case PromptCredential:
		v = map[string]bool{"prompt": true}
	case NornirCredential:
		v = map[string]string{"nornir_file": c.Ref, "nornir_key": strings.Join(c.Key, ".")}
	case ValueCredential:
		v = c.Ref
	}
	return json.Marshal(v)
}

// Path returns the file of a FileCredential with a leading ~/ expanded,
// for callers that pass a path on (a private key file to the SSH
// transport) rather than its contents.
func (c Credential) Path() (string, error) {
	if c.Kind != FileCredential && c.Kind != NornirCredential {
		return "", fmt.Errorf("%s is not a file credential", c.describe())
	}
	return expandHome(c.Ref)
}

func (c Credential) describe() string {
	if c.Label != "" {
		return c.Label
	}
	return "credential " + c.String()
}

// Resolve returns the value: the environment variable, the file's
// contents (one trailing newline removed) or the value in a Nornir file.
// A prompt gives an error wrapping ErrInteractive (use ResolveWith), a key
// from ssh-agent one wrapping ErrAgent. A value once resolved is reused.
// Errors name the reference, never the value.
func (c Credential) Resolve(ctx context.Context) (string, error) {
	return c.ResolveWith(ctx, nil)
}

// ResolveWith is Resolve that asks p for a PromptCredential.
func (c Credential) ResolveWith(ctx context.Context, p Prompter) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("resolve %s: %w", c.describe(), err)
	}
	if c.Kind == ValueCredential {
		return c.Ref, nil
	}
	if c.cache == nil { // a Credential built by hand
		c.cache = &credCache{}
	}
	c.cache.mu.Lock()
	defer c.cache.mu.Unlock()
	if c.cache.done {
		return c.cache.val, nil
	}
	v, err := c.read(ctx, p)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", c.describe(), err)
	}
	c.cache.val, c.cache.done = v, true
	return v, nil
}

// maxSecretFile is the largest credential file read: a password or a key
// is a few KiB at most.
const maxSecretFile = 64 << 10

func (c Credential) read(ctx context.Context, p Prompter) (string, error) {
	switch c.Kind {
	case NoCredential:
		return "", errors.New("no credential given")
	case EnvCredential:
		v, ok := os.LookupEnv(c.Ref)
		switch {
		case !ok:
			return "", fmt.Errorf("environment variable %s is not set", c.Ref)
		case v == "":
			return "", fmt.Errorf("environment variable %s is empty", c.Ref)
		}
		return v, nil
	case FileCredential:
		data, err := ReadSecretFile(c.Ref)
		if err != nil {
			return "", err
		}
		v := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
		if v == "" {
			return "", fmt.Errorf("file %s is empty", c.Ref)
		}
		return v, nil
	case NornirCredential:
		return readNornirValue(c.Ref, c.Key)
	case AgentCredential:
		return "", ErrAgent
	case PromptCredential:
		if p == nil {
			return "", ErrInteractive
		}
		v, err := p.Prompt(ctx, c.describe())
		if err != nil {
			return "", fmt.Errorf("prompt: %w", err)
		}
		if v == "" {
			return "", errors.New("nothing was entered")
		}
		return v, nil
	}
	return "", fmt.Errorf("unknown credential kind %d", c.Kind)
}

// ReadSecretFile reads the credential file at ref (a leading ~ is the
// user's home) and returns its contents, refusing a file larger than a
// credential can be (64 KiB). Its errors name the file, never its
// contents.
func ReadSecretFile(ref string) ([]byte, error) {
	path, err := expandHome(ref)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err // names the path, not the contents
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", ref, err)
	}
	if len(data) > maxSecretFile {
		return nil, fmt.Errorf("file %s is larger than %d KiB; a credential file holds one secret", ref, maxSecretFile>>10)
	}
	return data, nil
}

// readNornirValue reads the scalar at key in the Nornir YAML file.
func readNornirValue(ref string, key []string) (string, error) {
	data, err := ReadSecretFile(ref)
	if err != nil {
		return "", err
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return "", fmt.Errorf("file %s is no longer valid YAML", ref) // the YAML error may quote the secret
	}
	if !lastDocument(dec) {
		return "", fmt.Errorf("file %s no longer holds one YAML document", ref)
	}
	n := &doc
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, k := range key {
		var next *yaml.Node
		for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				next = n.Content[i+1]
			}
		}
		if next == nil {
			return "", fmt.Errorf("file %s no longer has %s", ref, strings.Join(key, "."))
		}
		n = next
	}
	if n.Kind != yaml.ScalarNode || n.Value == "" {
		return "", fmt.Errorf("%s in %s is not a non-empty value", strings.Join(key, "."), ref)
	}
	return n.Value, nil
}

// lastDocument reports whether dec holds nothing more than empty
// documents (a file holds one document, as diag.YAML.Parse checks when
// the inventory is read).
func lastDocument(dec *yaml.Decoder) bool {
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return true
		}
		if err != nil || len(doc.Content) > 0 && doc.Content[0].Tag != "!!null" {
			return false
		}
	}
}

// expandHome expands a leading ~/ to the user's home directory.
func expandHome(p string) (string, error) {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("expand %s: %w", p, err)
	}
	return filepath.Join(home, strings.TrimPrefix(p, "~")), nil
}
