package gate

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/changegate/changegate/internal/digest"
	"github.com/changegate/changegate/internal/policy"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/internal/userfile"
	"github.com/changegate/changegate/plans"
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
	good := policy.Approval{Approver: "bob", Identities: []string{"bob"}, Roles: []string{"network-engineer"}, Time: now, Digests: v.Digests, Verified: true}

	stale := good
	stale.Digests.Traffic = "sha256:0000"
	otherInventory := good
	otherInventory.Digests.Inventory = "sha256:2222"
	noInventory := good
	noInventory.Digests.Inventory = ""
	unverified := good
	unverified.Verified = false
	// The author, by the e-mail of "Name <email>", under another name.
	self := good
	self.Approver = "jane"
	self.Identities = []string{"jane", p.AuthorIdentity()}

	tests := []struct {
		name      string
		approvals []policy.Approval
		allowed   bool
		want      string
	}{
		{"none", nil, false, "approval"},
		{"valid", []policy.Approval{good}, true, ""},
		{"stale", []policy.Approval{stale}, false, "approval"},
		{"for another inventory", []policy.Approval{otherInventory}, false, "approval"},
		{"without an inventory", []policy.Approval{noInventory}, false, "approval"},
		{"unverified", []policy.Approval{unverified}, false, "approval"},
		{"self-approval", []policy.Approval{self}, false, "the plan's author (" + p.AuthorIdentity() + ")"},
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
