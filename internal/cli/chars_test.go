package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// injection is the value of issue 12 that became seven lines on FRR.
const injection = "uplink\n end\n clear ip ospf process\n configure terminal\n hostname PWNED"

// TestRenderRefusesInjectedParameter: the value given as --param is
// refused, naming the parameter, the character and its offset, and no
// plan is written.
func TestRenderRefusesInjectedParameter(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "uplink-description.yaml", `name: uplink-description
title: describe an interface
platforms: [frr_vtysh]
params:
  - {name: device, type: device}
  - {name: interface, type: interface}
  - {name: description, type: string}
steps:
  - name: "describe {{.interface}} on {{.device}}"
    device: "{{.device}}"
    effects: []
    config:
      frr_vtysh: |
        interface {{.interface}}
         description {{.description}}
`)
	plan := filepath.Join(dir, "plan.yaml")
	out, errs, code := run(t, "runbook", "render", "uplink-description", "--runbooks", dir, "--param", "device=p1", "--param", "interface=eth1",
		"--param", "description="+injection, "--topology", "../../examples/april-2011.yaml", "-o", plan)
	want := `--param: parameter "description" (string): "uplink\n end\n clear ip ospf "… holds U+000A LINE FEED, a control character, at offset 6 (and 3 more)`
	if code != 1 || !strings.Contains(errs, want) || out != "" {
		t.Errorf("exit %d\nstdout %q\nstderr %s\nwant %s", code, out, errs, want)
	}
	if _, err := os.Stat(plan); !os.IsNotExist(err) {
		t.Errorf("a plan was written (%v)", err)
	}
}

// TestDeviceRunRefusesLineBreaks: a command with a line break would be
// two commands on the device; it is refused before any device is
// contacted.
func TestDeviceRunRefusesLineBreaks(t *testing.T) {
	dir := fakeNetwork(t, 1, map[string]string{"show version": "FRRouting 8.4.4 (NAME)"})
	inv := filepath.Join(dir, "inventory.yaml")
	tr := filepath.Join(dir, "transcript.txt")
	out, errs, code := run(t, "device", "run", "r0", "show version\nconfigure terminal", "--inventory", inv, "--transcript", tr)
	want := `the command: "show version\nconfigure terminal" holds U+000A LINE FEED, a control character, at offset 12`
	if code != 1 || out != "" || !strings.Contains(errs, want) {
		t.Errorf("exit %d\nstdout %q\nstderr %s\nwant %s", code, out, errs, want)
	}
	if _, err := os.Stat(tr); !os.IsNotExist(err) {
		t.Errorf("a session was opened: the transcript exists (%v)", err)
	}
	if _, errs, code = run(t, "device", "run", "r0", "show", "version\u202E", "--inventory", inv); code != 1 || !strings.Contains(errs, "U+202E RIGHT-TO-LEFT OVERRIDE") {
		t.Errorf("bidi override: exit %d, %s", code, errs)
	}
}
