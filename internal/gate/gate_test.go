package gate

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/changegate/changegate/internal/approval"
	"github.com/changegate/changegate/internal/digest"
	"github.com/changegate/changegate/internal/policy"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
	"github.com/changegate/changegate/userfile"
)

func loadExample(t *testing.T, name string) (*plans.Plan, *topology.Network) {
	t.Helper()
	p, ds, err := plans.LoadFile(context.Background(), "../../examples/"+name, userfile.Scope{})
	if err != nil || ds.HasErrors() {
		t.Fatalf("%v %v", err, ds.Err())
	}
	net, ds, err := topology.LoadFile(context.Background(), p.TopologyPath(), userfile.Scope{})
	if err != nil || ds.HasErrors() {
		t.Fatalf("%v %v", err, ds.Err())
	}
	return p, net
}

func engine(t *testing.T) *policy.Engine {
	t.Helper()
	e, err := policy.Load(context.Background(), policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestVerdictBindsDigests(t *testing.T) {
	p, net := loadExample(t, "safe-plan.yaml")
	eng := engine(t)
	const inventory = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	v, ds, err := Check(context.Background(), p, net, eng, Options{InventoryDigest: inventory})
	if err != nil || ds.HasErrors() {
		t.Fatalf("%v %v", err, ds.Err())
	}
	want := digest.Set{Plan: p.Digest(), Topology: net.TopologyDigest(), Traffic: net.TrafficDigest(), Policy: eng.Digest(), Inventory: inventory}
	if v.Digests != want {
		t.Errorf("digests %+v, want %+v", v.Digests, want)
	}
	if !v.Allowed() {
		t.Errorf("the safe example must be allowed: %+v", v.Decision.Results)
	}
	if v.Stage != policy.StageCheck {
		t.Errorf("stage %q", v.Stage)
	}
}

// At apply, approvals must be there, verified, independent and for
// exactly what was checked.
func TestApprovalsAtApply(t *testing.T) {
	p, net := loadExample(t, "safe-plan.yaml")
	if p.Risk != plans.RiskMedium || p.Author == "" {
		t.Fatalf("the test expects the safe example to be a medium-risk plan with an author; it is %q by %q", p.Risk, p.Author)
	}
	eng := engine(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	const inventory = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	v, _, err := Check(ctx, p, net, eng, Options{Time: now, InventoryDigest: inventory})
	if err != nil {
		t.Fatal(err)
	}
	// approved is bob's verified approval of what was checked, edited.
	approved := func(edit func(c *approval.Checked, a *approval.Approval)) []approval.Checked {
		a := approval.Approval{Version: approval.Version, Approver: "bob", Time: now, Digests: v.Digests}
		c := approval.Checked{File: "safe-plan.approvals/bob.json", Identities: []string{"bob"}, Roles: []string{"network-engineer"}, Verified: true}
		if edit != nil {
			edit(&c, &a)
		}
		c.Approval = &a
		return []approval.Checked{c}
	}
	tests := []struct {
		name      string
		approvals []approval.Checked
		allowed   bool
		want      string
	}{
		{"none", nil, false, "approval"},
		{"valid", approved(nil), true, ""},
		{"stale", approved(func(_ *approval.Checked, a *approval.Approval) { a.Digests.Traffic = "sha256:0000" }), false, "approval"},
		{"for another inventory", approved(func(_ *approval.Checked, a *approval.Approval) { a.Digests.Inventory = "sha256:2222" }), false, "approval"},
		{"without an inventory", approved(func(_ *approval.Checked, a *approval.Approval) { a.Digests.Inventory = "" }), false, "approval"},
		{"unverified", approved(func(c *approval.Checked, _ *approval.Approval) { c.Verified = false }), false, "approval"},
		// The author, by the e-mail of "Name <email>", under another name.
		{"self-approval", approved(func(c *approval.Checked, a *approval.Approval) {
			a.Approver, c.Identities = "jane", []string{"jane", p.AuthorIdentity()}
		}), false, "the plan's author (" + p.AuthorIdentity() + ")"},
		{"not an approval file", []approval.Checked{{File: "safe-plan.approvals/bob.json", Invalid: true, Why: "not an approval file"}}, false, "approval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _, err := Check(ctx, p, net, eng, Options{Stage: policy.StageApply, Time: now, Approvals: tt.approvals, InventoryDigest: inventory})
			if err != nil {
				t.Fatal(err)
			}
			if v.Allowed() != tt.allowed {
				t.Fatalf("allowed %v, want %v: %+v", v.Allowed(), tt.allowed, v.Decision.Results)
			}
			if tt.want == "" {
				return
			}
			var found bool
			for _, r := range v.Decision.Results {
				if r.Kind == policy.Deny && r.Policy == "changegate.approvals" && strings.Contains(r.Msg, tt.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("no approvals denial mentioning %q: %+v", tt.want, v.Decision.Results)
			}
		})
	}
}

func TestOutageDeniedByCapacityAtStep2(t *testing.T) {
	p, net := loadExample(t, "outage-plan.yaml")
	v, _, err := Check(context.Background(), p, net, engine(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v.Allowed() {
		t.Fatal("the outage example must be denied")
	}
	var secondary bool
	for _, r := range v.Decision.Results {
		if r.Kind == policy.Deny && r.Policy == "changegate.capacity" && r.Step == 2 && r.Facts["class"] == "secondary" {
			secondary = true
		}
	}
	if !secondary {
		t.Errorf("no capacity denial of a secondary link at step 2: %+v", v.Decision.Results)
	}
}

// TestApprovalFacts: the policies see an approval's approver, identities,
// roles, time, digests and whether it verified; a file that is not an
// approval at all, its file name and nothing else.
func TestApprovalFacts(t *testing.T) {
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	d := digest.Set{Plan: "sha256:aa", Topology: "sha256:bb", Traffic: "sha256:cc", Policy: "sha256:dd", Inventory: "sha256:ee"}
	got := approvalFacts([]approval.Checked{
		{File: "x/change.approvals/jane@x.json", Approval: &approval.Approval{Version: approval.Version, Approver: "jane@x", Time: at, Digests: d},
			Verified: true, Roles: []string{"lead"}, Identities: []string{"jane.doe@x", "jane@x"}},
		{File: "x/change.approvals/junk.json", Invalid: true, Why: "not an approval file"},
	})
	want := []policy.Approval{
		{Approver: "jane@x", Identities: []string{"jane.doe@x", "jane@x"}, Roles: []string{"lead"}, Time: at, Digests: d, Verified: true},
		{Approver: "junk.json"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("approvalFacts (-want +got):\n%s", diff)
	}
	if got := approvalFacts(nil); got != nil {
		t.Errorf("no approvals: %+v", got)
	}
}
