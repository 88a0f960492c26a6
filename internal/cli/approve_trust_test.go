package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/approval"
	"github.com/changegate/changegate/internal/digest"
	"github.com/changegate/changegate/internal/fakedev"
	"github.com/changegate/changegate/internal/report"
)

// keySigner reads the private key newKey wrote.
func keySigner(t *testing.T, path string) ssh.Signer {
	t.Helper()
	s, err := ssh.ParsePrivateKey([]byte(readFile(t, path)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// planDigests returns the digests plan digest gives for args.
func planDigests(t *testing.T, args ...string) digest.Set {
	t.Helper()
	out, errs, code := run(t, append(append([]string{}, args[:len(args)-1]...), "plan", "digest", args[len(args)-1], "--format", "json")...)
	if code != 0 {
		t.Fatalf("plan digest: exit %d %s", code, errs)
	}
	var d digest.Set
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// writeApproval signs an approval of plan as approver with the key file,
// for the digests d, as approve would, without approve's own refusals.
func writeApprovalFile(t *testing.T, plan, key, approver string, d digest.Set) {
	t.Helper()
	a, err := approval.Sign(keySigner(t, key), approver, "", d, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := approval.Write(context.Background(), plan, a); err != nil {
		t.Fatal(err)
	}
}

// checkResults runs check --format json and returns its verdict and the
// messages of its approvals results.
func checkResults(t *testing.T, args ...string) (report.CheckDoc, []string) {
	t.Helper()
	out, errs, code := run(t, append(args, "--format", "json")...)
	if code != 0 && code != ExitDenied {
		t.Fatalf("check: exit %d %s", code, errs)
	}
	var doc report.CheckDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("check JSON: %v\n%s", err, out)
	}
	var msgs []string
	for _, r := range doc.Results {
		if r.Policy == "changegate.approvals" {
			msgs = append(msgs, string(r.Kind)+": "+r.Msg)
		}
	}
	return doc, msgs
}

// TestSelfApprovalNeverCounts: the safe example is written by "Jane Doe
// <jane@example.net>". An approval by Jane counts neither in check nor in
// approvals, whether her approval names her e-mail, the same e-mail in
// other letters, or another name of a key that the allowed signers also
// list as her e-mail; Bob's counts in both. approve refuses Jane outright.
func TestSelfApprovalNeverCounts(t *testing.T) {
	isolate(t)
	keys := t.TempDir()
	jane, jane2, jdoe, bob := newKey(t, keys, "jane"), newKey(t, keys, "jane2"), newKey(t, keys, "jdoe"), newKey(t, keys, "bob")
	writeFile(t, keys, "allowed_signers", fmt.Sprintf(`jane@example.net namespaces="changegate" %s
Jane@Example.NET namespaces="changegate" %s
jdoe namespaces="changegate" %s
jane@example.net namespaces="git" %s
bob@example.net namespaces="changegate" %s
`, jane, jane2, jdoe, jdoe, bob))
	cfg := writeFile(t, keys, "changegate.yaml", "approvals:\n  allowed_signers: allowed_signers\n")

	tests := []struct {
		name, key, approver string
		self                bool
	}{
		{"the author's e-mail", "jane", "jane@example.net", true},
		{"the author's e-mail in other letters", "jane2", "Jane@Example.NET", true},
		{"a key also listed as the author", "jdoe", "jdoe", true},
		{"someone else", "bob", "bob@example.net", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "april-2011.yaml", readFile(t, "../../examples/april-2011.yaml"))
			plan := writeFile(t, dir, "plan.yaml", readFile(t, "../../examples/safe-plan.yaml"))
			writeApprovalFile(t, plan, filepath.Join(keys, tt.key), tt.approver, planDigests(t, "--config", cfg, plan))

			doc, msgs := checkResults(t, "--config", cfg, "check", plan)
			selfDenied := strings.Contains(strings.Join(msgs, "\n"), "the plan's author (jane@example.net), does not count")
			missing := strings.Contains(strings.Join(msgs, "\n"), `needs 1 approval, has 0 valid`)
			countsInCheck := !selfDenied && !missing
			out, errs, code := run(t, "--config", cfg, "approvals", plan)
			if code != 0 {
				t.Fatalf("approvals: exit %d %s", code, errs)
			}
			countsInApprovals := strings.HasPrefix(out, "COUNTS ")
			if countsInCheck != countsInApprovals {
				t.Fatalf("check and approvals disagree: check %v %q, approvals:\n%s", countsInCheck, msgs, out)
			}
			if countsInCheck == tt.self {
				t.Fatalf("counts %v for an approval by the author %v: %q\n%s", countsInCheck, tt.self, msgs, out)
			}
			if tt.self {
				if !selfDenied || doc.Verdict != "denied" {
					t.Errorf("check: verdict %s, %q", doc.Verdict, msgs)
				}
				if !strings.Contains(out, "DOES NOT COUNT") || !strings.Contains(out, "by the plan's author (jane@example.net): the author's own approval never counts") {
					t.Errorf("approvals:\n%s", out)
				}
			}
		})
	}

	// approve refuses the author before anything is signed or written.
	dir := t.TempDir()
	writeFile(t, dir, "april-2011.yaml", readFile(t, "../../examples/april-2011.yaml"))
	plan := writeFile(t, dir, "plan.yaml", readFile(t, "../../examples/safe-plan.yaml"))
	for _, key := range []string{"jane", "jdoe"} {
		_, errs, code := run(t, "--config", cfg, "approve", plan, "--key", filepath.Join(keys, key))
		if code != 1 || !strings.Contains(errs, "wrote "+plan+" (author: Jane Doe <jane@example.net>), and the author's own approval never counts") {
			t.Errorf("approve by %s: exit %d %s", key, code, errs)
		}
	}
	if _, err := os.Stat(approval.Dir(plan)); !os.IsNotExist(err) {
		t.Errorf("approve by the author wrote something: %v", err)
	}
}

// TestApprovalsNeedAnAuthor: a plan whose risk needs approvals and that
// names no author is denied, at the plan's line, saying to add author:;
// a low-risk plan needs none.
func TestApprovalsNeedAnAuthor(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	writeFile(t, dir, "april-2011.yaml", readFile(t, "../../examples/april-2011.yaml"))
	src := readFile(t, "../../examples/safe-plan.yaml")
	plan := writeFile(t, dir, "plan.yaml", strings.Replace(src, "author: Jane Doe <jane@example.net>\n", "", 1))
	doc, msgs := checkResults(t, "check", plan)
	if doc.Verdict != "denied" {
		t.Fatalf("verdict %s: %q", doc.Verdict, msgs)
	}
	// The plan's first key is on the line after the leading comments.
	line := 1 + strings.Index(strings.Join(strings.SplitAfter(src, "\n"), ""), "id: ")
	line = strings.Count(src[:line], "\n") + 1
	found := false
	for _, r := range doc.Results {
		if strings.Contains(r.Msg, "names no author: add `author:`") {
			found = true
			if r.Source.File != plan || r.Source.Line != line {
				t.Errorf("the denial points at %s, want %s:%d", r.Source, plan, line)
			}
		}
	}
	if !found {
		t.Errorf("no denial for the missing author: %q", msgs)
	}
	out, _, _ := run(t, "check", plan, "--format", "github")
	if !strings.Contains(out, fmt.Sprintf("file=%s,line=%d", plan, line)) {
		t.Errorf("github annotation:\n%s", out)
	}

	writeFile(t, dir, "topology.yaml", readFile(t, "../../examples/lab/topology.yaml"))
	low := writeFile(t, dir, "low.yaml", readFile(t, "../../examples/lab/cost-out.yaml"))
	if doc, msgs := checkResults(t, "check", low); doc.Verdict != "allowed" || len(msgs) > 0 {
		t.Errorf("a low-risk plan without an author: %s %q", doc.Verdict, msgs)
	}
}

// TestApproveAsAnotherKey: approve --as bob with alice's key is refused
// before anything is written, and bob's approval stays byte for byte;
// without allowed signers the same is refused because the file there was
// signed by another key. bob replacing his own approval is fine.
func TestApproveAsAnotherKey(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	writeFile(t, dir, "april-2011.yaml", readFile(t, "../../examples/april-2011.yaml"))
	plan := writeFile(t, dir, "plan.yaml", readFile(t, "../../examples/safe-plan.yaml"))
	bob, alice := newKey(t, dir, "bob"), newKey(t, dir, "alice")
	writeFile(t, dir, "allowed_signers", fmt.Sprintf("bob@example.net %s\nalice@example.net %s\n", bob, alice))
	cfg := writeFile(t, dir, "changegate.yaml", "approvals:\n  allowed_signers: allowed_signers\n")
	open := writeFile(t, dir, "open.yaml", "{}\n")

	if _, errs, code := run(t, "--config", cfg, "approve", plan, "--key", filepath.Join(dir, "bob"), "--comment", "looks right"); code != 0 {
		t.Fatalf("bob: exit %d %s", code, errs)
	}
	bobFile := filepath.Join(approval.Dir(plan), "bob@example.net.json")
	before := readFile(t, bobFile)
	listing := func() []string {
		es, _ := os.ReadDir(approval.Dir(plan))
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		return names
	}

	_, errs, code := run(t, "--config", cfg, "approve", plan, "--key", filepath.Join(dir, "alice"), "--as", "bob@example.net")
	if code != 1 || !strings.Contains(errs, "approve refused: the key SHA256:") || !strings.Contains(errs, "is not listed for bob@example.net in the allowed signers") ||
		!strings.Contains(errs, "nothing was written") || !strings.Contains(errs, "the key is listed for alice@example.net: approve as that (leave out --as)") {
		t.Errorf("alice as bob: exit %d %s", code, errs)
	}
	_, errs, code = run(t, "--config", open, "approve", plan, "--key", filepath.Join(dir, "alice"), "--as", "bob@example.net")
	if code != 1 || !strings.Contains(errs, "signed with another key") || !strings.Contains(errs, "nothing was written") {
		t.Errorf("alice as bob, no allowed signers: exit %d %s", code, errs)
	}
	if after := readFile(t, bobFile); after != before {
		t.Fatalf("bob's approval changed:\n%s", after)
	}
	if names := listing(); strings.Join(names, " ") != "bob@example.net.json" {
		t.Errorf("approvals directory holds %q", names)
	}
	out, _, _ := run(t, "--config", cfg, "approvals", plan)
	if !strings.HasPrefix(out, "COUNTS          bob@example.net") || !strings.Contains(out, `"looks right"`) {
		t.Errorf("approvals:\n%s", out)
	}

	// bob replaces his own approval.
	if _, errs, code := run(t, "--config", cfg, "approve", plan, "--key", filepath.Join(dir, "bob"), "--comment", "second look"); code != 0 {
		t.Fatalf("bob again: exit %d %s", code, errs)
	}
	if after := readFile(t, bobFile); !strings.Contains(after, "second look") {
		t.Errorf("bob's approval not replaced:\n%s", after)
	}

	// An approvals directory that is a symbolic link is not written through.
	elsewhere := t.TempDir()
	linked := writeFile(t, dir, "linked.yaml", readFile(t, plan))
	if err := os.Symlink(elsewhere, approval.Dir(linked)); err != nil {
		t.Fatal(err)
	}
	_, errs, code = run(t, "--config", cfg, "approve", linked, "--key", filepath.Join(dir, "bob"))
	if code != 1 || !strings.Contains(errs, "is a symbolic link") {
		t.Errorf("linked directory: exit %d %s", code, errs)
	}
	if es, _ := os.ReadDir(elsewhere); len(es) > 0 {
		t.Errorf("written through the link: %v", es)
	}
}

// TestApprovalBindsInventory: an approval binds the inventory the plan
// runs with. Swapping the inventory after the approval (for one that does
// not check host keys) makes the approval stale in approvals, check and
// apply, which refuses without contacting a device; a reviewed verdict
// (--checked) refuses too. The approved inventory runs, and the journal
// records its digest. An approval given without an inventory does not
// cover a run with one.
func TestApprovalBindsInventory(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	t.Setenv("CHANGEGATE_STATE_DIR", state)
	writeFile(t, dir, "topology.yaml", readFile(t, "../../examples/lab/topology.yaml"))
	plan := writeFile(t, dir, "plan.yaml", `title: cost out a-b on a
author: Jane Doe <jane@example.net>
risk: medium
topology: topology.yaml
inventory: inventory.yaml
steps:
  - name: cost out a-b on a
    device: a
    config: ["interface cg-b", " ip ospf cost 1000"]
    rollback_config: ["interface cg-b", " ip ospf cost 10"]
    effects:
      - {type: set_metric, link: ab, metric: 1000, from: a}
    checks:
      - {name: cost set, command: show running-config, expect: {contains: ip ospf cost 1000}}
post_checks:
  - {name: a answers, device: a, command: show running-config, expect: {contains: interface}}
`)
	bob := newKey(t, dir, "bob")
	writeFile(t, dir, "allowed_signers", "bob@example.net "+bob+"\n")
	// The fake router has no routes to compare with the model.
	cfg := writeFile(t, dir, "changegate.yaml", "approvals:\n  allowed_signers: allowed_signers\napply:\n  observe: false\n")

	p, _ := fakedev.Platform("frr_vtysh", "a")
	srv, err := fakedev.Start(context.Background(), fakedev.Options{Personality: p, Users: map[string]string{"admin": "pw"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	kh := filepath.Join(dir, "known_hosts")
	srv.WriteKnownHosts(kh)
	pw := writeFile(t, dir, "pw", "pw\n")
	good := fmt.Sprintf("devices:\n  a: {platform: frr_vtysh, host: 127.0.0.1, port: %d, username: admin, password: {file: %s}, host_key: {known_hosts: %s}}\n", srv.Port(), pw, kh)
	swapped := fmt.Sprintf("devices:\n  a: {platform: frr_vtysh, host: 127.0.0.1, port: %d, username: admin, password: {file: %s}, host_key: {insecure_ignore: true, reason: trust me}}\n", srv.Port(), pw)
	inv := writeFile(t, dir, "inventory.yaml", good)
	loaded, ds := devices.Parse(inv, []byte(good))
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	want := loaded.Digest()

	out, errs, code := run(t, "--config", cfg, "approve", plan, "--key", filepath.Join(dir, "bob"))
	if code != 0 || !strings.Contains(out, "\n  inventory "+want+"\n") {
		t.Fatalf("approve: exit %d\n%s%s", code, out, errs)
	}
	if d := planDigests(t, "--config", cfg, plan); d.Inventory != want {
		t.Errorf("plan digest: inventory %q, want %s", d.Inventory, want)
	}
	doc, msgs := checkResults(t, "--config", cfg, "check", plan)
	if doc.Digests.Inventory != want || doc.Verdict != "allowed" || len(msgs) > 0 {
		t.Fatalf("check: inventory %q, verdict %s, %q", doc.Digests.Inventory, doc.Verdict, msgs)
	}
	verdict, _, _ := run(t, "--config", cfg, "check", plan, "--format", "json")
	verdictFile := writeFile(t, dir, "verdict.json", verdict)
	md, _, _ := run(t, "--config", cfg, "review", plan)
	if !strings.Contains(md, "inventory `"+want+"`") {
		t.Errorf("the review does not give the inventory digest")
	}

	// The inventory is swapped after the approval.
	writeFile(t, dir, "inventory.yaml", swapped)
	out, _, _ = run(t, "--config", cfg, "approvals", plan)
	if !strings.HasPrefix(out, "STALE           bob@example.net") || !strings.Contains(out, "the inventory changed since it was signed") {
		t.Errorf("approvals after the swap:\n%s", out)
	}
	doc, msgs = checkResults(t, "--config", cfg, "check", plan)
	if doc.Digests.Inventory == want || !strings.Contains(strings.Join(msgs, "\n"), "approval by bob@example.net is stale: given for another inventory") {
		t.Errorf("check after the swap: inventory %s, %q", doc.Digests.Inventory, msgs)
	}
	_, errs, code = run(t, "--config", cfg, "apply", plan)
	if code != ExitDenied || !strings.Contains(errs, "approval by bob@example.net is stale: given for another inventory") || !strings.Contains(errs, "no device was contacted") {
		t.Errorf("apply after the swap: exit %d\n%s", code, errs)
	}
	_, errs, code = run(t, "--config", cfg, "apply", plan, "--checked", verdictFile)
	if code != 1 || !strings.Contains(errs, "apply refused: what would run is not what was checked: inventory differs from "+verdictFile) {
		t.Errorf("apply --checked after the swap: exit %d\n%s", code, errs)
	}
	if srv.Connections() != 0 {
		t.Fatalf("the device was contacted %d times", srv.Connections())
	}
	if _, err := os.Stat(filepath.Join(state, "runs")); !os.IsNotExist(err) {
		t.Fatalf("a run was created: %v", err)
	}

	// The approved inventory runs, and the journal records its digest.
	writeFile(t, dir, "inventory.yaml", good)
	aout, errs, code := run(t, "--config", cfg, "apply", plan, "--checked", verdictFile)
	if code != 0 || srv.Connections() == 0 {
		t.Fatalf("apply with the approved inventory: exit %d\n%s%s", code, aout, errs)
	}
	metas, _ := filepath.Glob(filepath.Join(state, "runs", "*", "meta.json"))
	if len(metas) != 1 {
		t.Fatalf("runs: %v", metas)
	}
	var meta struct{ Digests map[string]string }
	if err := json.Unmarshal([]byte(readFile(t, metas[0])), &meta); err != nil {
		t.Fatal(err)
	}
	if meta.Digests["inventory"] != want {
		t.Errorf("the journal records inventory %q, want %s", meta.Digests["inventory"], want)
	}

	// An approval given without an inventory covers no run with one.
	noInv := writeFile(t, dir, "noinv.yaml", strings.Replace(readFile(t, plan), "inventory: inventory.yaml\n", "", 1))
	if _, errs, code := run(t, "--config", cfg, "approve", noInv, "--key", filepath.Join(dir, "bob")); code != 0 {
		t.Fatalf("approve without an inventory: exit %d %s", code, errs)
	}
	if !bytes.Contains([]byte(readFile(t, filepath.Join(approval.Dir(noInv), "bob@example.net.json"))), []byte(`"inventory": ""`)) {
		t.Errorf("the approval does not record that there was no inventory")
	}
	out, _, _ = run(t, "--config", cfg, "approvals", noInv, "--inventory", inv)
	if !strings.HasPrefix(out, "STALE ") || !strings.Contains(out, "it was approved without an inventory, and the plan now runs with one: approve again") {
		t.Errorf("approvals with an inventory:\n%s", out)
	}
	_, errs, code = run(t, "--config", cfg, "apply", noInv, "--inventory", inv)
	if code != ExitDenied || !strings.Contains(errs, "approved without an inventory, and the plan now runs with one") {
		t.Errorf("apply with an inventory: exit %d\n%s", code, errs)
	}
}
