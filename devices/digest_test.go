package devices

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// digestOf parses an inventory document named file and returns its digest.
func digestOf(t *testing.T, file, doc string) string {
	t.Helper()
	inv, ds := Parse(file, []byte(doc))
	if ds.HasErrors() {
		t.Fatalf("%s: %v", file, ds.Err())
	}
	return inv.Digest()
}

const digestBase = `defaults:
  username: {env: NET_USER}
  password: {env: NET_PASSWORD}
groups:
  frr:
    platform: frr_vtysh
devices:
  p1: {host: 192.0.2.1, groups: [frr]}
  p2: {host: 192.0.2.2, port: 2202, groups: [frr], key: {file: keys/p2}}
`

// TestDigestIgnoresHowItIsWritten: what resolves to the same devices
// digests alike.
func TestDigestIgnoresHowItIsWritten(t *testing.T) {
	want := digestOf(t, "inventory.yaml", digestBase)
	if !strings.HasPrefix(want, DigestPrefix) || len(want) != len(DigestPrefix)+64 {
		t.Fatalf("digest %q", want)
	}
	for _, tt := range []struct{ name, doc string }{
		{"comments, flow and block style, device order", `# lab
devices:
  p2:
    host: 192.0.2.2
    port: 2202
    groups: [frr]
    key: {file: ./keys/p2}   # the same file
  p1: {host: 192.0.2.1, groups: [frr]}
groups:
  frr: {platform: frr_vtysh}
defaults: {username: {env: NET_USER}, password: {env: NET_PASSWORD}}
`},
		{"defaults written out", strings.Replace(digestBase, "defaults:\n", "defaults:\n  port: 22\n  host_key: {known_hosts: ~/.ssh/known_hosts}\n  timeouts: {connect: 10s, command: 30s}\n", 1)},
		{"a value moved from the defaults to each device", `groups:
  frr:
    platform: frr_vtysh
devices:
  p1: {host: 192.0.2.1, groups: [frr], username: {env: NET_USER}, password: {env: NET_PASSWORD}}
  p2: {host: 192.0.2.2, port: 2202, groups: [frr], key: {file: keys/p2}, username: {env: NET_USER}, password: {env: NET_PASSWORD}}
`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := digestOf(t, "inventory.yaml", tt.doc); got != want {
				t.Errorf("digest %s, want %s", got, want)
			}
		})
	}
	// Read from elsewhere, through a relative or an absolute path: the
	// key file is the one beside the inventory either way.
	dir := t.TempDir()
	path := filepath.Join(dir, "inventory.yaml")
	inv, ds := Parse(path, []byte(digestBase))
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	if got := inv.Digest(); got != want {
		t.Errorf("read as %s: digest %s, want %s", path, got, want)
	}
}

// TestDigestCoversWhatARunDependsOn: every setting that decides which
// machine is reached, and how, changes the digest.
func TestDigestCoversWhatARunDependsOn(t *testing.T) {
	base := digestOf(t, "inventory.yaml", digestBase)
	for _, tt := range []struct{ name, from, to string }{
		{"address", "host: 192.0.2.1", "host: 198.51.100.1"},
		{"port", "port: 2202", "port: 2203"},
		{"platform", "platform: frr_vtysh", "platform: cisco_iosxe"},
		{"host keys not checked", "defaults:\n", "defaults:\n  host_key: {insecure_ignore: true, reason: lab}\n"},
		{"another known_hosts", "defaults:\n", "defaults:\n  host_key: {known_hosts: lab_known_hosts}\n"},
		{"connect timeout", "defaults:\n", "defaults:\n  timeouts: {connect: 11s}\n"},
		{"command timeout", "defaults:\n", "defaults:\n  timeouts: {command: 31s}\n"},
		{"password from another variable", "{env: NET_PASSWORD}", "{env: OTHER_PASSWORD}"},
		{"password asked for", "password: {env: NET_PASSWORD}", "password: {prompt: true}"},
		{"username written out", "username: {env: NET_USER}", "username: admin"},
		{"another key file", "keys/p2", "keys/p3"},
		{"key from ssh-agent", "key: {file: keys/p2}", "key: {agent: true}"},
		{"another group", "groups:\n  frr:\n    platform: frr_vtysh\n", "groups:\n  frr:\n    platform: frr_vtysh\n  core: {groups: [frr]}\n"},
		{"a device more", "devices:\n", "devices:\n  p3: {host: 192.0.2.3, groups: [frr]}\n"},
		{"a device renamed", "p1:", "p9:"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc := strings.Replace(digestBase, tt.from, tt.to, 1)
			if doc == digestBase {
				t.Fatalf("%q is not in the inventory", tt.from)
			}
			if tt.name == "another group" {
				doc = strings.Replace(doc, "p1: {host: 192.0.2.1, groups: [frr]}", "p1: {host: 192.0.2.1, groups: [core]}", 1)
			}
			if got := digestOf(t, "inventory.yaml", doc); got == base {
				t.Errorf("the digest did not change")
			}
		})
	}
}

// TestDigestHoldsNoSecret: the digest depends on where a secret is, never
// on its value, resolved or not.
func TestDigestHoldsNoSecret(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "keys"), 0o700)
	inv, ds := Parse(filepath.Join(dir, "inventory.yaml"), []byte(digestBase))
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	before := inv.Digest()
	t.Setenv("NET_PASSWORD", "hunter2")
	d, _ := inv.Device("p1")
	if v, err := d.Password.Resolve(context.Background()); err != nil || v != "hunter2" {
		t.Fatalf("resolve: %q %v", v, err)
	}
	os.WriteFile(filepath.Join(dir, "keys", "p2"), []byte("PRIVATE KEY"), 0o600)
	if after := inv.Digest(); after != before {
		t.Errorf("resolving a secret changed the digest: %s, then %s", before, after)
	}
}

// TestDigestIsStable pins the digest of the documented example: approvals
// bind it, so a change to how it is computed must be deliberate (it makes
// every approval given with an inventory stale).
func TestDigestIsStable(t *testing.T) {
	data, err := os.ReadFile("testdata/inventory.yaml")
	if err != nil {
		t.Fatal(err)
	}
	inv, ds := Parse("testdata/inventory.yaml", data)
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	const want = "sha256:81a1cdcf43d412080e884aef232b2ad61b0e590d025049ee5cfa1dac12ece14d"
	if got := inv.Digest(); got != want {
		t.Errorf("digest of testdata/inventory.yaml is %s, was %s", got, want)
	}
}

// TestDigestOfNornirHoldsNoPassword: a Nornir inventory holds passwords
// in plain text; its digest names where each is (file and key), not what.
func TestDigestOfNornirHoldsNoPassword(t *testing.T) {
	digest := func(password string) string {
		t.Helper()
		dir := t.TempDir()
		hosts := filepath.Join(dir, "hosts.yaml")
		os.WriteFile(hosts, []byte("core1:\n  hostname: 10.0.0.1\n  platform: ios\n  password: "+password+"\n"), 0o600)
		inv, ds, err := FromNornir(context.Background(), hosts, "", "")
		if err != nil || ds.HasErrors() {
			t.Fatal(err, ds.Err())
		}
		return inv.Digest()
	}
	if a, b := digest("hunter2"), digest("correct-horse"); a != b {
		t.Errorf("the password's value changed the digest: %s, %s", a, b)
	}
}
