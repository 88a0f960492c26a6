package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/changegate/changegate/internal/topology"
)

// TopologyText writes the normalised model as tables; at most maxDemands
// demands are listed (all when negative), and the rest are counted.
func TopologyText(w io.Writer, net *topology.Network, maxDemands int) error {
	ew := &errWriter{w: w}
	ew.printf("Network %s: %s, %s, %s, %s in total\n\n",
		orDash(net.Name), plural(len(net.Nodes), "node"), plural(len(net.Links), "link"), plural(len(net.Demands), "demand"), rate(net.TotalDemandBps()))
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tROLE\tSITE\tZONE\tDRAINED")
	for _, n := range net.Nodes {
		tabf(tw, "%s\t%s\t%s\t%s\t%s\n", n.Name, orDash(n.Role), orDash(n.Site), orDash(n.Zone), yesNo(n.Drained))
	}
	fmt.Fprintln(tw)
	if err := tw.Flush(); err != nil {
		return err
	}
	tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "LINK\tA\tB\tCAPACITY\tMETRIC A->B\tMETRIC B->A\tSTATE\tCLASS\tSRLG")
	for _, l := range net.Links {
		state := "up"
		if !l.Up {
			state = "down"
		}
		tabf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", l.ID, endpointText(l.A, l.AInterface), endpointText(l.B, l.BInterface),
			rate(l.CapacityBps), l.MetricAB, l.MetricBA, state, orDash(l.Class), orDash(strings.Join(l.SRLG, ",")))
	}
	fmt.Fprintln(tw)
	if err := tw.Flush(); err != nil {
		return err
	}
	tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	// Demands have no name: the first column numbers them, as the other
	// tables' first column names what each row is.
	fmt.Fprintln(tw, "DEMAND\tSRC\tDST\tRATE")
	n := len(net.Demands)
	if maxDemands >= 0 {
		n = min(n, maxDemands)
	}
	for i, d := range net.Demands[:n] {
		tabf(tw, "%d\t%s\t%s\t%s\n", i+1, d.Src, d.Dst, rate(d.RateBps))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if n < len(net.Demands) {
		ew.printf("... and %d more demands (--max-demands -1 lists all; --format json gives every field)\n", len(net.Demands)-n)
	}
	return ew.err
}

func endpointText(node, iface string) string {
	if iface == "" {
		return node
	}
	return node + ":" + iface
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
