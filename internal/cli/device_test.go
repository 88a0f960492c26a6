package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/changegate/changegate/internal/fakedev"
	"github.com/changegate/changegate/internal/lab"
	"github.com/changegate/changegate/internal/testscale"
)

const fakePW = "cli-fake-pw-31"

// fakeNetwork starts fake FRR devices r0..r(n-1), each answering the
// canned outputs given, and writes into a temporary directory their
// inventory, a topology of them in a line, and returns the directory.
func fakeNetwork(t *testing.T, n int, outputs map[string]string) string {
	t.Helper()
	isolate(t)
	dir := t.TempDir()
	pw := writeFile(t, dir, "password", fakePW+"\n")
	kh := filepath.Join(dir, "known_hosts")
	var inv, topo strings.Builder
	fmt.Fprintf(&inv, "defaults:\n  platform: frr_vtysh\n  host: 127.0.0.1\n  username: admin\n  password: {file: %s}\n  host_key: {known_hosts: %s}\n  timeouts: {command: %s}\ndevices:\n", pw, kh, testscale.Timeout(10*time.Second))
	topo.WriteString("nodes:\n")
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("r%d", i)
		p, err := fakedev.Platform("frr_vtysh", name)
		if err != nil {
			t.Fatal(err)
		}
		for cmd, out := range outputs {
			p.Respond(cmd, strings.ReplaceAll(out, "NAME", name))
		}
		srv, err := fakedev.Start(context.Background(), fakedev.Options{Personality: p, Users: map[string]string{"admin": fakePW}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		if err := srv.WriteKnownHosts(kh); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&inv, "  %s: {port: %d}\n", name, srv.Port())
		fmt.Fprintf(&topo, "  - {name: %s}\n", name)
	}
	topo.WriteString("links:\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&topo, "  - {a: r%d, b: r%d, capacity: 10G, metric: 10}\n", i-1, i)
	}
	writeFile(t, dir, "inventory.yaml", inv.String())
	writeFile(t, dir, "topology.yaml", topo.String())
	return dir
}

func TestDeviceRun(t *testing.T) {
	dir := fakeNetwork(t, 2, map[string]string{"show version": "FRRouting 8.4.4 (NAME)", "show secret": "pw is " + fakePW})
	inv := filepath.Join(dir, "inventory.yaml")

	// One device: the output alone, as the device gave it.
	out, errs, code := run(t, "device", "run", "r0", "show", "version", "--inventory", inv)
	if code != 0 || out != "FRRouting 8.4.4 (r0)\n" || errs != "" {
		t.Errorf("one device: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	// Several: headed by device.
	out, _, code = run(t, "device", "run", "r0,r1", "show version", "--inventory", inv)
	if code != 0 || !strings.Contains(out, "=== r0 (") || !strings.Contains(out, "FRRouting 8.4.4 (r1)") {
		t.Errorf("two devices: exit %d\n%s", code, out)
	}
	// A refused command: the answer is printed, the failure said, exit 1.
	out, errs, code = run(t, "device", "run", "--all", "show", "bogus", "--inventory", inv)
	if code != 1 || strings.Count(out, "% Unknown command") != 2 || !strings.Contains(errs, `answer contains "% Unknown command"`) || !strings.Contains(errs, "2 of 2 devices failed") {
		t.Errorf("refused: exit %d\nstdout %s\nstderr %s", code, out, errs)
	}
	// JSON, and a transcript without the password.
	tr := filepath.Join(dir, "transcript.txt")
	out, _, code = run(t, "device", "run", "r1", "show secret", "--inventory", inv, "--format", "json", "--transcript", tr)
	var doc struct {
		Results []struct {
			Device, Command, Output string
			TookSeconds             float64 `json:"took_seconds"`
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 0 || len(doc.Results) != 1 || doc.Results[0].Device != "r1" || doc.Results[0].Output != "pw is <redacted>" {
		t.Errorf("json: exit %d, %v\n%s", code, err, out)
	}
	b, err := os.ReadFile(tr)
	if err != nil || !strings.Contains(string(b), "### device r1") || !strings.Contains(string(b), "show secret") || strings.Contains(string(b), fakePW) {
		t.Errorf("transcript (%v):\n%s", err, b)
	}
	// A credential to ask for, and no terminal to ask on.
	promptInv := writeFile(t, dir, "prompt.yaml", regexp.MustCompile(`password: \{file: [^}]*\}`).ReplaceAllString(readFile(t, inv), "password: {prompt: true}"))
	_, errs, code = run(t, "device", "run", "r0", "show version", "--inventory", promptInv)
	if code != 1 || !strings.Contains(errs, "standard input is not a terminal") {
		t.Errorf("prompt without a terminal: exit %d, %s", code, errs)
	}
	// Unknown device: nothing is run.
	_, errs, code = run(t, "device", "run", "r3", "show version", "--inventory", inv)
	if code != 1 || !strings.Contains(errs, `has no device "r3" (did you mean one of: "r0", "r1"?)`) {
		t.Errorf("unknown device: exit %d, %s", code, errs)
	}
}

// TestDeviceRunErrorAnswer: a device that answers with one of its
// platform's error messages (FRR's "% Can't find interface") fails the
// run, exit 1, with the answer still printed and the device and the
// matched error named; the other devices' answers are printed as usual.
func TestDeviceRunErrorAnswer(t *testing.T) {
	dir := fakeNetwork(t, 2, map[string]string{
		"show interface eth9":   "% Can't find interface eth9",
		"show vrf blue":         "% No such VRF blue",
		"show ip ospf vrf blue": "% Unknown VRF blue",
		"show version":          "FRRouting 8.4.4 (NAME)",
	})
	inv := filepath.Join(dir, "inventory.yaml")
	tests := []struct {
		command, matched string
	}{
		{"show interface eth9", "% Can't find"},
		{"show vrf blue", "% No such"},
		{"show ip ospf vrf blue", "% Unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.command, func(t *testing.T) {
			out, errs, code := run(t, "device", "run", "r0", tt.command, "--inventory", inv)
			answer := strings.TrimPrefix(tt.matched, "% ")
			if code != 1 || !strings.Contains(out, answer) ||
				!strings.Contains(errs, fmt.Sprintf("device r0: %q: command failed on the device: the answer contains %q", tt.command, tt.matched)) ||
				!strings.Contains(errs, "1 of 1 devices failed") {
				t.Errorf("exit %d\nstdout %s\nstderr %s", code, out, errs)
			}
		})
	}
	// JSON says which failure string matched.
	out, _, code := run(t, "device", "run", "r0", "show interface eth9", "--inventory", inv, "--format", "json")
	if code != 1 || !strings.Contains(out, `"failed_when": "% Can't find"`) || !strings.Contains(out, `"output": "% Can't find interface eth9"`) {
		t.Errorf("json: exit %d\n%s", code, out)
	}
	// Several devices: each answer printed under its device, each failure named.
	out, errs, code := run(t, "device", "run", "r0,r1", "show interface eth9", "--inventory", inv)
	if code != 1 || !strings.Contains(out, "=== r0") || !strings.Contains(out, "=== r1") || strings.Count(out, "% Can't find interface eth9") != 2 ||
		!strings.Contains(errs, "device r0: ") || !strings.Contains(errs, "device r1: ") || !strings.Contains(errs, "2 of 2 devices failed") {
		t.Errorf("two devices: exit %d\n%s\n%s", code, out, errs)
	}
	// A command whose answer is no error still exits 0.
	if out, errs, code := run(t, "device", "run", "r0", "show version", "--inventory", inv); code != 0 || errs != "" {
		t.Errorf("show version: exit %d\n%s\n%s", code, out, errs)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDeviceCheck(t *testing.T) {
	dir := fakeNetwork(t, 2, map[string]string{
		"show ip ospf neighbor json": `{"neighbors":{"198.18.0.1":[{"nbrState":"Full/-"}]}}`,
		"show interface lo":          "Interface lo is up, line protocol is up",
	})
	writeFile(t, dir, "plan.yaml", `title: try checks
topology: topology.yaml
inventory: inventory.yaml
pre_checks:
  - name: r0 has a Full neighbour
    device: r0
    command: show ip ospf neighbor json
    expect:
      json: count([n | some _, ns in output.neighbors; n := ns[_]; startswith(n.nbrState, "Full")]) >= 1
steps:
  - name: touch r0 and r1
    devices: [r0, r1]
    config: |
      interface lo
       description x
    effects:
      - {type: set_metric, link: r0-r1, metric: 20}
    checks:
      - name: loopback up
        command: show interface lo
        expect: {contains: "is up"}
      - name: not there
        device: r1
        command: show interface lo
        expect: {regex: 'is down'}
        retries: 5
        interval: 1s
post_checks:
  - name: a change
    device: r0
    command: clear ip ospf process
    expect: {contains: x}
`)
	plan := filepath.Join(dir, "plan.yaml")
	out, errs, code := run(t, "device", "check", plan, "--pre")
	if code != 0 || !strings.Contains(out, "pre_checks: 1 of 1 checks passed") || !strings.Contains(out, "PASS  r0 has a Full neighbour on r0") {
		t.Errorf("pre: exit %d\n%s%s", code, out, errs)
	}
	// A check without a device runs on each of the step's devices; a
	// failing check prints the command and the answer, and exits 2.
	out, errs, code = run(t, "device", "check", plan, "--step", "1", "--once")
	for _, want := range []string{
		`step 1 "touch r0 and r1": 2 of 3 checks passed`,
		"PASS  loopback up on r0", "PASS  loopback up on r1",
		"FAIL  not there on r1: regex is down matched 0 lines (of 1)",
		"      command: show interface lo", "      | Interface lo is up, line protocol is up",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("step 1 lacks %q:\n%s", want, out)
		}
	}
	if code != ExitDenied || errs != "" {
		t.Errorf("step 1: exit %d, stderr %q", code, errs)
	}
	// By name, in JSON, with every attempt's output.
	out, _, code = run(t, "device", "check", plan, "--step", "touch r0 and r1", "--once", "--format", "json")
	var doc struct {
		Passed  bool
		Results []struct {
			Check, Device string
			Passed        bool
			Attempts      []struct{ Output string }
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Passed || len(doc.Results) != 3 || doc.Results[2].Attempts[0].Output == "" || code != ExitDenied {
		t.Errorf("json: exit %d %v\n%s", code, err, out)
	}
	// Refusals before anything is sent.
	for _, tc := range []struct {
		args  []string
		inErr string
	}{
		{[]string{"--post"}, `command "clear ip ospf process" is not read-only`},
		{[]string{"--step", "2"}, "the plan has steps 1 to 1"},
		{[]string{"--step", "nope"}, `no step by that name (steps: touch r0 and r1)`},
		{nil, "say which checks to run"},
		{[]string{"--pre", "--post"}, "say which checks to run"},
	} {
		_, errs, code := run(t, append([]string{"device", "check", plan}, tc.args...)...)
		if code != 1 || !strings.Contains(errs, tc.inErr) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, code, errs, tc.inErr)
		}
	}
}

// TestDeviceLab runs device run and device check against real FRR
// routers over real SSH: the lab built from the same topology the plan
// is checked against, reached through the inventory the lab writes.
func TestDeviceLab(t *testing.T) {
	lab.SkipUnlessAvailable(t)
	isolate(t)
	topo := `igp: ospf
nodes: [{name: a}, {name: b}, {name: c}]
links:
  - {id: ab, a: a, b: b, capacity: 10G, metric: 10}
  - {id: bc, a: b, b: c, capacity: 10G, metric: 10}
  - {id: ac, a: a, b: c, capacity: 10G, metric: 10}
`
	l, _ := lab.UpForTest(t, "cli", topo)
	dir := t.TempDir()
	writeFile(t, dir, "topology.yaml", topo)
	cLoop, _ := l.Layout.Node("c")
	writeFile(t, dir, "plan.yaml", fmt.Sprintf(`title: lab checks
topology: topology.yaml
steps:
  - name: raise a-b
    device: a
    effects:
      - {type: set_metric, link: ab, metric: 100}
    checks:
      - name: two Full neighbours
        command: show ip ospf neighbor json
        expect:
          json: count([n | some _, ns in output.neighbors; n := ns[_]; startswith(n.nbrState, "Full")]) == 2
        retries: 20
        interval: 250ms
      - name: route to c
        command: show ip route %s/32 json
        expect:
          json: count(output["%s/32"]) >= 1
        retries: 20
        interval: 250ms
`, cLoop.Loopback, cLoop.Loopback))
	inv := l.InventoryFile()
	out, errs, code := run(t, "device", "run", "a,b,c", "show ip ospf neighbor", "--inventory", inv)
	if code != 0 || strings.Count(out, "Full/") != 6 {
		t.Errorf("device run: exit %d\n%s%s", code, out, errs)
	}
	out, errs, code = run(t, "device", "check", filepath.Join(dir, "plan.yaml"), "--step", "1", "--inventory", inv)
	if code != 0 || !strings.Contains(out, "2 of 2 checks passed") {
		t.Errorf("device check: exit %d\n%s%s", code, out, errs)
	}
}
