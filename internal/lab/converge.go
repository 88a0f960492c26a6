package lab

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/changegate/changegate/internal/observe"
	"github.com/changegate/changegate/internal/topology"
)

// Adjacencies counts a router's IGP adjacencies that are up: OSPF
// neighbours in state Full, or IS-IS adjacencies in state Up.
func (l *Lab) Adjacencies(ctx context.Context, node string) (int, error) {
	if l.Layout.igp() == topology.IGPISIS {
		out, err := l.Vtysh(ctx, node, "show isis neighbor json")
		if err != nil {
			return 0, err
		}
		return countUp([]byte(out))
	}
	out, err := l.Vtysh(ctx, node, "show ip ospf neighbor json")
	if err != nil {
		return 0, err
	}
	return countFull([]byte(out))
}

// countFull counts the neighbours in state Full in the JSON of FRR's
// `show ip ospf neighbor json`.
func countFull(data []byte) (int, error) {
	var v struct {
		Neighbors map[string][]struct {
			NbrState string `json:"nbrState"`
			State    string `json:"state"`
		} `json:"neighbors"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return 0, fmt.Errorf("parse ospf neighbors: %w", err)
	}
	n := 0
	for _, ns := range v.Neighbors {
		for _, nb := range ns {
			st := nb.NbrState
			if st == "" {
				st = nb.State
			}
			if strings.HasPrefix(st, "Full") {
				n++
			}
		}
	}
	return n, nil
}

// countUp counts the adjacencies in state Up in the JSON of FRR 8.4's
// `show isis neighbor json`: {"areas": [{"circuits": [{"adj": "b",
// "interface": "cg-b", "state": "Up", ...}, ...]}]}, where circuits
// without an adjacency (the passive loopback) have no state.
func countUp(data []byte) (int, error) {
	var v struct {
		Areas []struct {
			Circuits []struct {
				State string `json:"state"`
			} `json:"circuits"`
		} `json:"areas"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return 0, fmt.Errorf("parse isis neighbors: %w", err)
	}
	n := 0
	for _, a := range v.Areas {
		for _, c := range a.Circuits {
			if c.State == "Up" {
				n++
			}
		}
	}
	return n, nil
}

// WaitConverged waits until every router has an adjacency up on every
// link of the lab (OSPF Full: the databases are exchanged). On IS-IS,
// where an adjacency comes up before the LSPs that carry it, it also
// waits until every router holds the current LSP of every router it is
// connected to, each router's own LSP lists all its adjacencies, and no
// SPF run is pending.
func (l *Lab) WaitConverged(ctx context.Context) error {
	last := ""
	for {
		pending := ""
		for _, nd := range l.Layout.Nodes {
			want := len(l.Layout.Ends(nd.Name))
			got, err := l.Adjacencies(ctx, nd.Name)
			if err != nil || got < want {
				pending = fmt.Sprintf("%s has %d of %d adjacencies up", nd.Name, got, want)
				if err != nil {
					pending += ": " + err.Error()
				}
				break
			}
		}
		if pending == "" && l.Layout.igp() == topology.IGPISIS {
			pending = l.isisPending(ctx)
		}
		if pending == "" {
			return nil
		}
		if ctx.Err() != nil && last != "" {
			// The deadline cut this round short (a vtysh killed): the
			// last whole round says what was missing.
			pending = last
		}
		last = pending
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not converged: %s: %w", l.Layout.igp(), pending, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// isisPending says what keeps the IS-IS routers from having converged,
// or "" when nothing does: see WaitConverged.
func (l *Lab) isisPending(ctx context.Context) string {
	own := map[string]uint32{}             // router -> its own L2 LSP's sequence number
	held := map[string]map[string]uint32{} // router -> system -> sequence number it holds
	system := map[string]string{}          // router -> the name its LSPs go by
	for _, nd := range l.Layout.Nodes {
		out, err := l.Vtysh(ctx, nd.Name, "show isis database detail")
		if err != nil {
			return fmt.Sprintf("%s: %v", nd.Name, err)
		}
		lsps, err := observe.ParseFRRISISDatabase(nd.Name, []byte(out))
		if err != nil {
			return err.Error()
		}
		held[nd.Name] = map[string]uint32{}
		adjs := 0
		for _, lsp := range lsps {
			if lsp.Level != 2 || lsp.Pseudonode != 0 || lsp.Fragment != 0 {
				continue
			}
			held[nd.Name][lsp.System] = lsp.Seq
			if lsp.Own {
				own[nd.Name], system[nd.Name] = lsp.Seq, lsp.System
				adjs = len(lsp.Neighbors)
			}
		}
		if want := len(l.Layout.Ends(nd.Name)); adjs < want {
			return fmt.Sprintf("%s's LSP lists %d of its %d adjacencies", nd.Name, adjs, want)
		}
		out, err = l.Vtysh(ctx, nd.Name, "show isis summary json")
		if err != nil {
			return fmt.Sprintf("%s: %v", nd.Name, err)
		}
		if spfPending([]byte(out)) {
			return nd.Name + " has an SPF run pending"
		}
	}
	for _, nd := range l.Layout.Nodes {
		for _, other := range l.Layout.connected(nd.Name) {
			if seq, ok := held[nd.Name][system[other]]; !ok || seq != own[other] {
				return fmt.Sprintf("%s does not hold %s's current LSP", nd.Name, other)
			}
		}
	}
	return ""
}

// spfPending reports whether FRR's `show isis summary json` says an SPF
// run is pending on some level ("spf": "pending"; FRR 8.4 prints "no
// pending" otherwise). Output that does not read is taken as pending.
func spfPending(data []byte) bool {
	var v struct {
		Areas []struct {
			Levels []struct {
				SPF string `json:"spf"`
			} `json:"levels"`
		} `json:"areas"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return true
	}
	for _, a := range v.Areas {
		for _, lv := range a.Levels {
			if lv.SPF != "" && lv.SPF != "no pending" {
				return true
			}
		}
	}
	return false
}
