package devices

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/changegate/changegate/diag"
)

func addSeeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(pattern)
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// checkInvariants holds for any result: an inventory exactly when there
// are no errors, every diagnostic placed in a file, and every device
// with a host and a known platform.
func checkInvariants(t *testing.T, inv *Inventory, ds diag.Diagnostics) {
	t.Helper()
	if ds.HasErrors() != (inv == nil) {
		t.Fatalf("inventory %v with diagnostics %v", inv != nil, ds)
	}
	for _, d := range ds {
		if d.Pos.File == "" {
			t.Fatalf("diagnostic without a file: %v", d)
		}
	}
	if inv == nil {
		return
	}
	for _, d := range inv.Devices() {
		if d.Host == "" || !KnownPlatform(d.Platform) || d.Port < 1 || d.Port > 65535 {
			t.Fatalf("unusable device %+v", d)
		}
		if d.HostKey.InsecureIgnore && d.HostKey.Reason == "" {
			t.Fatalf("insecure without a reason: %+v", d)
		}
	}
}

func FuzzParse(f *testing.F) {
	addSeeds(f, "testdata/*.yaml")
	f.Add([]byte("groups:\n  a: {groups: [b]}\n  b: {groups: [a]}\ndevices:\n  r: {host: h, platform: frr_vtysh, groups: [a]}\n"))
	f.Add([]byte("defaults: &d {port: 1}\ndevices:\n  r: {<<: *d, host: h}\n"))
	f.Add([]byte("devices: {r: {password: {env: X, file: y}}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, ds := Parse("inv.yaml", data)
		checkInvariants(t, inv, ds)
	})
}

func FuzzParseNornir(f *testing.F) {
	addSeeds(f, "testdata/nornir/*.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		groups := []byte("g: {platform: eos, groups: [h]}\nh: {groups: [g]}\n")
		inv, ds := ParseNornir(NornirFile{Path: "hosts.yaml", Data: data}, NornirFile{Path: "groups.yaml", Data: groups}, NornirFile{Path: "defaults.yaml", Data: data})
		checkInvariants(t, inv, ds)
		for _, d := range ds {
			if strings.Contains(d.Msg, "password:") && strings.Contains(d.Msg, string(data)) && len(data) > 8 {
				t.Fatalf("diagnostic quotes its input: %v", d)
			}
		}
	})
}

func FuzzParseContainerlab(f *testing.F) {
	addSeeds(f, "testdata/containerlab/*.clab.yml")
	f.Add([]byte("name: x\ntopology:\n  defaults: &d\n    kind: srl\n    <<: *d\n  nodes:\n    r1: {<<: [*d, *d]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, ds := ParseContainerlab("lab.clab.yml", data)
		checkInvariants(t, inv, ds)
	})
}
