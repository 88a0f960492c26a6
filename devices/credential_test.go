package devices

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const secretValue = "s3cr3t-Value-42"

type fakePrompter struct {
	answer string
	calls  int
	labels []string
}

func (f *fakePrompter) Prompt(_ context.Context, label string) (string, error) {
	f.calls++
	f.labels = append(f.labels, label)
	return f.answer, nil
}

// TestSecretsNeverShow resolves every kind of credential and then prints
// and marshals the devices, the inventory and the credentials every way
// the fmt and json packages offer: the secret must never appear.
func TestSecretsNeverShow(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pw"), []byte(secretValue+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CG_TEST_SECRET", secretValue)
	src := `defaults:
  username: {env: CG_TEST_SECRET}
  password: {file: pw}
  passphrase: {prompt: true}
devices:
  r1: {host: a, platform: frr_vtysh, key: {file: pw}}
`
	inv, ds := Parse(filepath.Join(dir, "inv.yaml"), []byte(src))
	if inv == nil {
		t.Fatal(ds)
	}
	d, _ := inv.Device("r1")
	ctx := context.Background()
	p := &fakePrompter{answer: secretValue}
	for _, c := range []Credential{d.Username, d.Password, d.Key, d.Passphrase} {
		v, err := c.ResolveWith(ctx, p)
		if err != nil || v != secretValue {
			t.Fatalf("resolve %v = %q, %v", c, v, err)
		}
	}
	js, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	invJS, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{"json": string(js), "inventory json": string(invJS)}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		outputs[verb+" device"] = fmt.Sprintf(verb, *d)
		outputs[verb+" *device"] = fmt.Sprintf(verb, d)
		outputs[verb+" inventory"] = fmt.Sprintf(verb, inv)
		outputs[verb+" *inventory"] = fmt.Sprintf(verb, *inv)
		outputs[verb+" password"] = fmt.Sprintf(verb, d.Password)
		outputs[verb+" devices"] = fmt.Sprintf(verb, inv.Devices())
	}
	for what, out := range outputs {
		if strings.Contains(out, secretValue) || strings.Contains(out, fmt.Sprintf("%x", secretValue)) {
			t.Errorf("%s reveals the secret: %s", what, out)
		}
	}
	if !strings.Contains(outputs["%+v device"], "env:CG_TEST_SECRET") || !strings.Contains(outputs["json"], `"passphrase":{"prompt":true}`) {
		t.Errorf("references are not shown:\n%s\n%s", outputs["%+v device"], outputs["json"])
	}
}

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Setenv("CG_SET", "value")
	t.Setenv("CG_EMPTY", "")
	big := write("big", strings.Repeat("x", maxSecretFile+1))
	tests := []struct {
		name    string
		c       Credential
		want    string
		wantErr string
		is      error
	}{
		{"env", newCredential(EnvCredential, "CG_SET", "password"), "value", "", nil},
		{"env unset", newCredential(EnvCredential, "CG_UNSET_XYZ", "password"), "", "environment variable CG_UNSET_XYZ is not set", nil},
		{"env empty", newCredential(EnvCredential, "CG_EMPTY", "password"), "", "environment variable CG_EMPTY is empty", nil},
		{"file crlf", newCredential(FileCredential, write("crlf", "pw\r\n"), "password"), "pw", "", nil},
		{"file keeps inner newlines", newCredential(FileCredential, write("key", "a\nb\n"), "key"), "a\nb", "", nil},
		{"file missing", newCredential(FileCredential, filepath.Join(dir, "nope"), "password"), "", "no such file", nil},
		{"file empty", newCredential(FileCredential, write("empty", "\n"), "password"), "", "is empty", nil},
		{"file too big", newCredential(FileCredential, big, "password"), "", "larger than 64 KiB", nil},
		{"agent", newCredential(AgentCredential, "", "key"), "", "held by ssh-agent", ErrAgent},
		{"prompt without prompter", newCredential(PromptCredential, "", "password"), "", "asked of the user", ErrInteractive},
		{"none", Credential{}, "", "no credential given", nil},
		{"username", newCredential(ValueCredential, "admin", "username"), "admin", "", nil},
		{"nornir", Credential{Kind: NornirCredential, Ref: write("hosts.yaml", "r1:\n  password: pw1\n"), Key: []string{"r1", "password"}}, "pw1", "", nil},
		{"nornir trailing ---", Credential{Kind: NornirCredential, Ref: write("hosts3.yaml", "r1:\n  password: pw1\n---\n"), Key: []string{"r1", "password"}}, "pw1", "", nil},
		{"nornir second document", Credential{Kind: NornirCredential, Ref: write("hosts4.yaml", "r1:\n  password: pw1\n---\nr1:\n  password: pw2\n"), Key: []string{"r1", "password"}}, "", "no longer holds one YAML document", nil},
		{"nornir key gone", Credential{Kind: NornirCredential, Ref: write("hosts2.yaml", "r1: {}\n"), Key: []string{"r1", "password"}}, "", "no longer has r1.password", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := tt.c.Resolve(context.Background())
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			case tt.is != nil && !errors.Is(err, tt.is):
				t.Fatalf("error %v is not %v", err, tt.is)
			}
			if v != tt.want {
				t.Errorf("value %q, want %q", v, tt.want)
			}
		})
	}
}

func TestPromptAskedOncePerReference(t *testing.T) {
	inv, ds := Parse("inv.yaml", []byte("defaults:\n  password: {prompt: true}\ndevices:\n  r1: {host: a, platform: frr_vtysh}\n  r2: {host: b, platform: frr_vtysh}\n  r3: {host: c, platform: frr_vtysh, password: {prompt: true}}\n"))
	if inv == nil {
		t.Fatal(ds)
	}
	p := &fakePrompter{answer: "pw"}
	for _, name := range []string{"r1", "r2", "r1", "r3"} {
		d, _ := inv.Device(name)
		if v, err := d.Password.ResolveWith(context.Background(), p); err != nil || v != "pw" {
			t.Fatalf("%s: %q %v", name, v, err)
		}
	}
	if p.calls != 2 {
		t.Errorf("prompted %d times, want 2 (once for the defaults, once for r3): %q", p.calls, p.labels)
	}
	if p.labels[0] != "password of defaults (inv.yaml:2:13)" {
		t.Errorf("label %q", p.labels[0])
	}
}

func TestResolveHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	t.Setenv("CG_SET", "v")
	if _, err := newCredential(EnvCredential, "CG_SET", "x").Resolve(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

func TestCredentialPath(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip(err)
	}
	p, err := newCredential(FileCredential, "~/.ssh/id", "key").Path()
	if err != nil || p != filepath.Join(home, ".ssh/id") {
		t.Errorf("Path = %q, %v", p, err)
	}
	if _, err := newCredential(EnvCredential, "X", "key").Path(); err == nil {
		t.Error("Path of an env credential succeeded")
	}
}
