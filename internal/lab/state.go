package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// stateFile is the name of the state file in a lab's directory.
const stateFile = "state.json"

// State is what a lab created, written to <dir>/state.json before each
// thing is created (so a crash leaves a superset of what exists) and read
// by Down. Removing what it lists, and nothing else, is the cleanup
// guarantee.
type State struct {
	Name       string    `json:"name"`
	Dir        string    `json:"dir"`
	Prefix     string    `json:"prefix"`
	Created    time.Time `json:"created"`
	OwnerPID   int       `json:"owner_pid"`
	Ephemeral  bool      `json:"ephemeral"` // a test lab: may be swept once its owner is gone
	Namespaces []string  `json:"namespaces"`
	Procs      []Proc    `json:"procs"`
	// User is the login user of the lab's sshd; UserCreated says whether
	// this lab created it (and so deletes it).
	User        string  `json:"user,omitempty"`
	UserCreated bool    `json:"user_created,omitempty"`
	Layout      *Layout `json:"layout"`
	Ready       bool    `json:"ready"` // Up completed
}

// Proc is a process the lab started, identified by PID and the name the
// kernel shows for it (comm), which is checked before it is killed.
type Proc struct {
	PID  int    `json:"pid"`
	Comm string `json:"comm"`
	Role string `json:"role"` // e.g. "p1 zebra", "sshd"
}

// Paths of the SSH material in a lab directory.
func (s *State) KeyFile() string        { return filepath.Join(s.Dir, "ssh", "id_ed25519") }
func (s *State) KnownHostsFile() string { return filepath.Join(s.Dir, "ssh", "known_hosts") }
func (s *State) PasswordFile() string   { return filepath.Join(s.Dir, "ssh", "password") }
func (s *State) nodeDir(n NodeLayout) string {
	return filepath.Join(s.Dir, "nodes", n.Hostname)
}

func (s *State) save() error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode lab state: %w", err)
	}
	tmp := filepath.Join(s.Dir, stateFile+".tmp")
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("write lab state: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(s.Dir, stateFile)); err != nil {
		return fmt.Errorf("write lab state: %w", err)
	}
	return nil
}

// ErrNoLab is returned by Open when a directory holds no lab state.
var ErrNoLab = errors.New("no lab state")

// Open reads the lab whose state directory is dir.
func Open(dir string) (*Lab, error) {
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("open lab %s: %w", dir, ErrNoLab)
	}
	if err != nil {
		return nil, fmt.Errorf("open lab: %w", err)
	}
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("open lab %s: %w", dir, err)
	}
	if filepath.Clean(s.Dir) != filepath.Clean(dir) {
		return nil, fmt.Errorf("open lab %s: state names directory %s", dir, s.Dir)
	}
	if err := checkOwned(&s); err != nil {
		return nil, fmt.Errorf("open lab %s: %w", dir, err)
	}
	return &Lab{State: s}, nil
}

// checkOwned refuses state that names anything without the cg- prefix,
// so a corrupt or hand-edited file cannot make Down remove other things.
func checkOwned(s *State) error {
	if !strings.HasPrefix(filepath.Base(s.Dir), "cg-") {
		return fmt.Errorf("state directory %s does not start with cg-", s.Dir)
	}
	for _, ns := range s.Namespaces {
		if !strings.HasPrefix(ns, "cg-") || strings.ContainsAny(ns, "/ ") {
			return fmt.Errorf("namespace %q does not start with cg-", ns)
		}
	}
	for _, p := range s.Procs {
		if !strings.HasPrefix(p.Comm, "cg-") {
			return fmt.Errorf("process %d %q does not start with cg-", p.PID, p.Comm)
		}
	}
	if s.User != "" && !strings.HasPrefix(s.User, "cg-") {
		return fmt.Errorf("user %q does not start with cg-", s.User)
	}
	return nil
}

// DefaultStateDir is where a lab named name keeps its state unless told
// otherwise: /tmp/cg-lab-<name>. It is outside /run on purpose: sshd runs
// in a private mount namespace with its own /run (see startSSHD) and must
// still see the lab's files.
func DefaultStateDir(name string) string {
	return filepath.Join(os.TempDir(), "cg-lab-"+sanitize(name))
}

// StateDirs lists the lab state directories under os.TempDir().
func StateDirs() ([]string, error) {
	m, err := filepath.Glob(filepath.Join(os.TempDir(), "cg-lab-*", stateFile))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range m {
		out = append(out, filepath.Dir(f))
	}
	return out, nil
}

// InventoryFile is the changegate inventory of the lab's routers
// (platform frr_vtysh, the lab's key, host keys checked against the lab's
// known_hosts), written when the lab comes up.
func (s *State) InventoryFile() string { return filepath.Join(s.Dir, "inventory.yaml") }

// inventory returns the lab's inventory in changegate's format.
func (s *State) inventory() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# The routers of lab %s, written by lab up. Host keys are checked\n# against the lab's own known_hosts file.\n", s.Name)
	fmt.Fprintf(&b, "defaults:\n  platform: frr_vtysh\n  host: 127.0.0.1\n  username: %s\n  key: {file: %s}\n  host_key: {known_hosts: %s}\n  timeouts: {connect: 5s, command: 10s}\ndevices:\n",
		s.User, s.KeyFile(), s.KnownHostsFile())
	for _, nd := range s.Layout.Nodes {
		fmt.Fprintf(&b, "  %q: {port: %d}\n", nd.Name, nd.SSHPort)
	}
	return []byte(b.String())
}
