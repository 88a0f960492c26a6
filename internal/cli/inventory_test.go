package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// transcript is a run as a golden file shows it: the command, its
// standard output, its standard error and its exit code.
func transcript(args []string, stdout, stderr string, code int) string {
	var b strings.Builder
	b.WriteString("$ changegate " + strings.Join(args, " ") + "\n")
	b.WriteString(stdout)
	if stderr != "" {
		b.WriteString("# stderr\n" + stderr)
	}
	b.WriteString("# exit " + strconv.Itoa(code) + "\n")
	return b.String()
}

const (
	labInventory = "testdata/inventory/lab.yaml"
	badInventory = "testdata/inventory/bad.yaml"
)

// isolate keeps the user's configuration out of a test: no
// changegate.yaml in the user config directory, no CHANGEGATE_INVENTORY_*.
func isolate(t *testing.T) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("CHANGEGATE_INVENTORY_FILE", "")
	t.Setenv("CHANGEGATE_INVENTORY_FORMAT", "")
}

func TestInventoryGolden(t *testing.T) {
	isolate(t)
	tests := []struct {
		golden string
		args   []string
		code   int
	}{
		{"show.txt", []string{"inventory", "show", "--inventory", labInventory}, 0},
		{"show-devices.txt", []string{"inventory", "show", "--inventory", labInventory, "p1", "fra-pe2"}, 0},
		{"show.json", []string{"inventory", "show", "--inventory", labInventory, "--format", "json"}, 0},
		{"show-device.json", []string{"inventory", "show", "--inventory", labInventory, "p1", "--format", "json"}, 0},
		{"show-nornir.txt", []string{"inventory", "show", "--inventory", "testdata/inventory/nornir"}, 0},
		{"show-nornir-device.txt", []string{"inventory", "show", "--inventory", "testdata/inventory/nornir/hosts.yaml", "pe1"}, 0},
		{"show-containerlab.txt", []string{"inventory", "show", "--inventory", "testdata/inventory/lab.clab.yml"}, 0},
		{"show-unknown-device.txt", []string{"inventory", "show", "--inventory", labInventory, "p3", "pe-1", "p1"}, 1},
		{"show-bad.txt", []string{"inventory", "show", "--inventory", badInventory}, 1},
		{"validate-good.txt", []string{"inventory", "validate", labInventory, "--topology", "testdata/inventory/topo.yaml"}, 0},
		{"validate-bad.txt", []string{"inventory", "validate", badInventory}, 1},
		{"validate-topology.txt", []string{"inventory", "validate", labInventory, "--topology", "testdata/inventory/topo-renamed.yaml"}, 1},
		{"validate-bad-topology.txt", []string{"inventory", "validate", labInventory, "--topology", "testdata/inventory/bad.yaml"}, 1},
		{"validate-nornir.txt", []string{"inventory", "validate", "testdata/inventory/nornir", "--topology", "testdata/inventory/topo.yaml"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			out, errs, code := run(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, errs)
			}
			checkGolden(t, filepath.Join("inventory", tt.golden), transcript(tt.args, out, errs, code))
		})
	}
}

// The JSON of show is the inventory's own form, with only the devices
// named when some are.
func TestInventoryShowJSON(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		devices []string
	}{
		{"all", nil, []string{"p1", "p2", "pe1", "fra-pe2"}},
		{"named, in the order named", []string{"pe1", "p1"}, []string{"pe1", "p1"}},
		{"named twice", []string{"p2", "p2"}, []string{"p2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"inventory", "show", "--inventory", labInventory, "--format", "json"}, tt.args...)
			out, errs, code := run(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var v struct {
				Files   []string `json:"files"`
				Devices []struct {
					Name    string                     `json:"name"`
					Sources map[string]json.RawMessage `json:"sources"`
				} `json:"devices"`
			}
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			var got []string
			for _, d := range v.Devices {
				got = append(got, d.Name)
				if len(d.Sources) == 0 {
					t.Errorf("device %s has no sources", d.Name)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.devices, " ") || len(v.Files) != 1 || v.Files[0] != labInventory {
				t.Errorf("files %v, devices %v; want %s and %v", v.Files, got, labInventory, tt.devices)
			}
		})
	}
}

// Nothing show prints holds a secret: not the environment's, not a
// secret file's, not a Nornir file's plain-text password.
func TestInventoryShowsNoSecret(t *testing.T) {
	t.Setenv("NET_PASSWORD", "env-secret-value")
	t.Setenv("KEY_PASSPHRASE", "env-passphrase-value")
	secrets := []string{"env-secret-value", "env-passphrase-value", "lab-secret-value", "hunter2"}
	for _, inv := range []string{labInventory, "testdata/inventory/nornir"} {
		for _, args := range [][]string{nil, {"--format", "json"}, {"p1"}, {"pe1", "--format", "json"}, {"pe1"}} {
			all := append([]string{"inventory", "show", "--inventory", inv}, args...)
			t.Run(strings.Join(all[2:], " "), func(t *testing.T) {
				out, errs, code := run(t, all...)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errs)
				}
				for _, s := range secrets {
					if strings.Contains(out, s) || strings.Contains(errs, s) {
						t.Errorf("output shows the secret %q:\n%s%s", s, out, errs)
					}
				}
			})
		}
	}
	// bad.yaml writes a password in plain text: the error names the
	// field, never the value.
	_, errs, _ := run(t, "inventory", "validate", badInventory)
	if strings.Contains(errs, "hunter2") || !strings.Contains(errs, "password is written in plain text") {
		t.Errorf("validate of a plain-text password:\n%s", errs)
	}
}

// The inventory comes from --inventory, else CHANGEGATE_INVENTORY_FILE,
// else inventory.file of the configuration, relative to the file.
func TestInventoryConfig(t *testing.T) {
	src, err := os.ReadFile(labInventory)
	if err != nil {
		t.Fatal(err)
	}
	nornir, err := os.ReadFile("testdata/inventory/nornir/hosts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	nornirGroups, err := os.ReadFile("testdata/inventory/nornir/groups.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "etc", "inv"), 0o755)
	os.MkdirAll(filepath.Join(dir, "work"), 0o755)
	writeFile(t, dir, "etc/inv/lab.yaml", string(src))
	writeFile(t, dir, "etc/inv/nodes.yaml", string(nornir))
	writeFile(t, dir, "etc/inv/groups.yaml", string(nornirGroups))
	writeFile(t, dir, "work/env.yaml", "devices:\n  env1: {host: 10.9.9.9, platform: frr_vtysh}\n")
	writeFile(t, dir, "work/flag.yaml", "devices:\n  flag1: {host: 10.8.8.8, platform: frr_vtysh}\n")
	cfg := filepath.Join(dir, "etc", "changegate.yaml")
	isolate(t)
	t.Chdir(filepath.Join(dir, "work"))

	tests := []struct {
		name   string
		config string // changegate.yaml in etc/, "" for none
		env    string
		args   []string
		want   string // in stdout, or in stderr when code is 1
		code   int
	}{
		{"config, relative to the file", "inventory:\n  file: inv/lab.yaml\n", "", nil, "fra-pe2", 0},
		{"config with a format", "inventory:\n  file: inv/nodes.yaml\n  format: nornir\n", "", nil, "pe1     cisco_iosxe", 0},
		{"config with a bad format", "inventory:\n  file: inv/nodes.yaml\n  format: nornr\n", "", nil, `unknown inventory format "nornr": use one of native, nornir, containerlab (did you mean "nornir"?)`, 1},
		{"env over config, relative to the working directory", "inventory:\n  file: inv/lab.yaml\n", "env.yaml", nil, "env1", 0},
		{"flag over env and config", "inventory:\n  file: inv/lab.yaml\n", "env.yaml", []string{"--inventory", "flag.yaml"}, "flag1", 0},
		{"flag format applies to the flag's file", "inventory:\n  file: inv/nodes.yaml\n  format: nornir\n", "", []string{"--inventory", "flag.yaml", "--inventory-format", "native"}, "flag1", 0},
		{"none", "", "", nil, "no inventory: pass --inventory FILE, or set inventory.file", 1},
		{"typo in the key", "inventory:\n  fiel: inv/lab.yaml\n", "", nil, `changegate.yaml:2:3: unknown key "inventory.fiel" (hint: did you mean "inventory.file"?)`, 1},
		{"missing file", "inventory:\n  file: inv/nope.yaml\n", "", nil, "nope.yaml", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CHANGEGATE_INVENTORY_FILE", tt.env)
			args := []string{"inventory", "show"}
			if tt.config != "" {
				writeFile(t, filepath.Dir(cfg), "changegate.yaml", tt.config)
				args = append(args, "--config", cfg)
			}
			out, errs, code := run(t, append(args, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errs)
			}
			got := out
			if code != 0 {
				got = errs
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("output lacks %q:\nstdout: %s\nstderr: %s", tt.want, out, errs)
			}
		})
	}
}

// changegate validate checks the inventory the configuration names, and
// reports health checks that do not compile at their line in the plan.
func TestValidateInventoryAndChecks(t *testing.T) {
	isolate(t)
	const topo = "name: t\nnodes:\n  - {name: a}\n  - {name: b}\nlinks:\n  - {id: a-b, a: a, b: b, capacity: 10G}\n  - {id: a-b2, a: a, b: b, capacity: 10G}\n"
	check := func(expect string) string {
		return "title: t\ntopology: topo.yaml\nsteps:\n  - name: s\n    effects:\n      - {type: link_down, link: a-b}\n    checks:\n      - {name: up, device: a, command: show x, expect: " + expect + "}\n"
	}
	tests := []struct {
		name  string
		files map[string]string
		code  int
		want  []string // lines of the output, FILE standing for the directory
		not   []string
	}{
		{"good inventory", map[string]string{
			"changegate.yaml":    "inventory:\n  file: inv/inventory.yaml\n",
			"inv/inventory.yaml": "devices:\n  a: {host: 10.0.0.1, platform: frr_vtysh}\n",
		}, 0, []string{"2 cases checked, 0 failed"}, []string{"skipped FILE/inv"}},
		{"bad inventory", map[string]string{
			"changegate.yaml":    "inventory:\n  file: inv/inventory.yaml\n",
			"inv/inventory.yaml": "defaults:\n  password: hunter2\ndevices:\n  a: {host: 10.0.0.1, platform: ios}\n",
		}, 1, []string{
			"FILE/inv/inventory.yaml:2:13: error: defaults: password is written in plain text (inventory/invalid)",
			`FILE/inv/inventory.yaml:4:33: error: device a: unknown platform "ios" (inventory/invalid)`,
		}, []string{"hunter2", "skipped FILE/inv"}},
		{"Nornir inventory", map[string]string{
			"changegate.yaml":   "inventory:\n  file: nornir\n",
			"nornir/hosts.yaml": "a:\n  hostname: 10.0.0.1\n  platform: frr\n",
		}, 0, []string{"2 cases checked, 0 failed"}, []string{"skipped FILE/nornir"}},
		{"inventory that does not exist", map[string]string{
			"changegate.yaml": "inventory:\n  file: nope.yaml\n",
		}, 1, nil, nil},
		{"no inventory configured", map[string]string{
			"inventory.yaml": "devices:\n  a: {host: 10.0.0.1, platform: frr_vtysh}\n",
		}, 0, []string{"skipped FILE/inventory.yaml: an inventory?"}, nil},
		{"bad regex check", map[string]string{"p.yaml": check("{regex: 'a(b'}")}, 1,
			[]string{"FILE/p.yaml:8:64: error: step \"s\" check \"up\": expect regex: missing closing ): `a(b` (plan/syntax)"}, nil},
		{"bad Rego check", map[string]string{"p.yaml": check("{json: 'output.up =='}")}, 1,
			[]string{`FILE/p.yaml:8:56: error: step "s": check "up": parse Rego expression: 1 error occurred: 1:12: rego_parse_error: unexpected eof token (plan/check)`}, nil},
		{"good Rego check", map[string]string{"p.yaml": check("{json: 'output.up == true'}")}, 0, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "topo.yaml", topo)
			for name, content := range tt.files {
				os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
				writeFile(t, dir, name, content)
			}
			args := []string{"validate", dir}
			if _, ok := tt.files["changegate.yaml"]; ok {
				args = append(args, "--config", filepath.Join(dir, "changegate.yaml"))
			}
			out, errs, code := run(t, args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errs)
			}
			for _, w := range tt.want {
				if w = strings.ReplaceAll(w, "FILE", dir); !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, n := range tt.not {
				if n = strings.ReplaceAll(n, "FILE", dir); strings.Contains(out+errs, n) {
					t.Errorf("output has %q:\n%s%s", n, out, errs)
				}
			}
		})
	}
}
