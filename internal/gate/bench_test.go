package gate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/importer"
	"github.com/changegate/changegate/internal/policy"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/internal/traffic"
	"github.com/changegate/changegate/plans"
)

// kdlFacts are the facts of a 20-step plan on Topology Zoo's Kdl network
// (754 nodes, 899 links), built once per test binary.
var kdlFacts = sync.OnceValues(func() (policy.Facts, error) {
	path := filepath.Join("..", "..", "..", "shared", "data", "topology-zoo", "graphml", "Kdl.graphml")
	f, err := os.Open(path)
	if err != nil {
		return policy.Facts{}, fmt.Errorf("topology zoo: %w (the benchmark needs ../shared beside the repository)", err)
	}
	defer f.Close()
	net, _, err := importer.GraphML(f, path, importer.GraphMLOptions{DefaultCapacity: 10e9})
	if err != nil {
		return policy.Facts{}, err
	}
	net.Demands = traffic.Gravity(net, 1e12)
	if _, err := traffic.ScaleToPeakUtilization(net, traffic.Peak{Utilization: 0.5}); err != nil {
		return policy.Facts{}, err
	}
	// Twenty steps, each costing out one more link, with its rollback.
	var b strings.Builder
	b.WriteString("title: cost out twenty links\nauthor: bench\nsteps:\n")
	for i := range 20 {
		l := net.Links[i*len(net.Links)/20]
		fmt.Fprintf(&b, "  - name: cost out %s\n    device: %s\n    config: [\"interface %s\", \" ip ospf cost 60000\"]\n", l.ID, l.A, l.AInterface)
		fmt.Fprintf(&b, "    rollback_config: [\"interface %s\", \" no ip ospf cost\"]\n", l.AInterface)
		fmt.Fprintf(&b, "    checks: [{name: ospf, command: show ip ospf neighbor, expect: {contains: Full}}]\n")
		fmt.Fprintf(&b, "    effects: [{type: set_metric, link: %s, metric: 60000}]\n", l.ID)
	}
	p, ds := plans.Parse("bench-plan.yaml", []byte(b.String()))
	if ds.HasErrors() {
		return policy.Facts{}, ds.Err()
	}
	// The dry-run's N-1 of 21 states of Kdl takes minutes; the policy
	// input only needs its shape: every link direction with a worst case,
	// every link, node and SRLG failure with a result.
	res, ds, err := dryrun.Run(context.Background(), net, p, dryrun.Options{SkipN1: true, TopMovers: 5})
	if err != nil || ds.HasErrors() {
		return policy.Facts{}, fmt.Errorf("dry-run: %v %v", err, ds.Err())
	}
	for i := range res.States {
		res.States[i].N1 = syntheticN1(net, &res.States[i])
	}
	return policy.Facts{Plan: p, Network: net, DryRun: res, Digests: res.Digests, Stage: policy.StageCheck, Time: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}, nil
})

// syntheticN1 gives a state an N-1 section of the real size: each link
// direction's worst case half again its utilisation, under the failure
// of a real link.
func syntheticN1(net *topology.Network, st *dryrun.State) *dryrun.N1 {
	n := &dryrun.N1{}
	for i, l := range st.Links {
		f := "link:" + net.Links[(i/2+1)%len(net.Links)].ID
		n.Links = append(n.Links, dryrun.N1Link{ID: l.ID, From: l.From, To: l.To, WorstUtilization: l.Utilization * 1.5, WorstFailure: &f})
		if l.Utilization*1.5 > n.MaxUtilization {
			n.MaxUtilization = l.Utilization * 1.5
			n.MaxLink = &dryrun.LinkRef{ID: l.ID, From: l.From, To: l.To}
			n.WorstFailure = &f
		}
	}
	for _, l := range net.Links {
		n.Failures = append(n.Failures, dryrun.FailureResult{Failure: "link:" + l.ID, MaxUtilization: st.MaxUtilization, MaxLink: st.MaxLink})
	}
	for _, nd := range net.Nodes {
		n.Failures = append(n.Failures, dryrun.FailureResult{Failure: "node:" + nd.Name, MaxUtilization: st.MaxUtilization, MaxLink: st.MaxLink})
	}
	return n
}

// BenchmarkPolicy measures the policy decision for a 20-step plan on a
// 754-node network: building the input from the per-state results, and
// evaluating the built-in policies over it. Target: under 100 ms in all.
func BenchmarkPolicy(b *testing.B) {
	facts, err := kdlFacts()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	eng, err := policy.Load(ctx, policy.Options{})
	if err != nil {
		b.Fatal(err)
	}
	facts.Digests.Policy = eng.Digest()
	facts.HotFloor = eng.HotFloor()
	b.Run("input", func(b *testing.B) {
		for b.Loop() {
			policy.BuildInput(facts)
		}
	})
	input := policy.BuildInput(facts)
	// The baseline: the same input handed to OPA as JSON (what
	// rego.EvalInput does with a Go value), decoded and converted.
	js, err := ast.JSON(input)
	if err != nil {
		b.Fatal(err)
	}
	data, err := json.Marshal(js)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("input-json-baseline", func(b *testing.B) {
		for b.Loop() {
			if _, err := ast.ValueFromReader(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("eval", func(b *testing.B) {
		for b.Loop() {
			if _, err := eng.Evaluate(ctx, input, policy.StageCheck); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("total", func(b *testing.B) {
		for b.Loop() {
			if _, err := eng.Evaluate(ctx, policy.BuildInput(facts), policy.StageCheck); err != nil {
				b.Fatal(err)
			}
		}
	})
}
