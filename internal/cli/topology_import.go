package cli

import (
	"bytes"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/importer"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/internal/traffic"
	"github.com/changegate/changegate/userfile"
)

func (a *app) topologyImportCommand() *cobra.Command {
	var from, demands, demandTotal, out, peakMinCap string
	var peakClasses []string
	var peak float64
	cmd := &cobra.Command{
		Use:   "import --from graphml|containerlab FILE",
		Short: "Import a Topology Zoo GraphML or containerlab file as topology YAML",
		Long: `Import a network from another format and write it as changegate topology YAML
(to standard output, or to -o FILE).

  graphml       Internet Topology Zoo GraphML: capacity from LinkSpeedRaw where
                present, else --default-capacity; metric from capacity
                (--metric inverse-capacity, OSPF auto-cost against
                --reference-bandwidth) or hop count (--metric hop).
  containerlab  containerlab topology files: nodes and links (capacity from
                --default-capacity or a link's vars).

Networks that come without traffic can get a deterministic demand matrix:
--demands uniform (every ordered pair alike) or gravity (proportional to the
product of node degrees), scaled to --demand-total or so that the busiest
link sits at --peak-utilization. See docs/import.md.`,
		Example: `  changegate topology import --from graphml ../shared/data/topology-zoo/graphml/Abilene.graphml \
      --default-capacity 10G --demands gravity --peak-utilization 0.5 -o abilene.yaml
  changegate topology import --from containerlab lab.clab.yml --default-capacity 10G`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.config(cmd, map[string]string{
				"default-capacity": "import.default_capacity", "metric": "import.metric", "reference-bandwidth": "import.reference_bandwidth",
			})
			if err != nil {
				return err
			}
			defCap, err := rateOrZero("default capacity", cfg.Import.DefaultCapacity)
			if err != nil {
				return err
			}
			ref, err := rateOrZero("reference bandwidth", cfg.Import.ReferenceBandwidth)
			if err != nil {
				return err
			}
			gen, total, err := demandOptions(demands, demandTotal, peak, cmd.Flags().Changed("peak-utilization"))
			if err != nil {
				return err
			}
			if (peakMinCap != "" || len(peakClasses) > 0) && peak <= 0 {
				return fmt.Errorf("--peak-min-capacity and --peak-classes choose the links --peak-utilization counts: give --peak-utilization too")
			}
			data, err := userfile.Read(cmd.Context(), args[0], userfile.Import)
			if err != nil {
				return err
			}
			var net *topology.Network
			var ds diag.Diagnostics
			switch from {
			case "graphml":
				net, ds, err = importer.GraphML(bytes.NewReader(data), args[0], importer.GraphMLOptions{DefaultCapacity: defCap, Metric: cfg.Import.Metric, ReferenceBps: ref})
			case "containerlab":
				net, ds, err = importer.Containerlab(bytes.NewReader(data), args[0], importer.ContainerlabOptions{DefaultCapacity: defCap, Metric: cfg.Import.Metric, ReferenceBps: ref})
			case "":
				return fmt.Errorf("say which format %s is in: --from graphml or --from containerlab", args[0])
			default:
				return fmt.Errorf("unknown --from %q: use graphml or containerlab", from)
			}
			if err != nil {
				return err
			}
			if ds.HasErrors() {
				return diagErr(ds)
			}
			a.printDiags(ds)
			if gen != "" {
				if len(net.Demands) > 0 {
					return fmt.Errorf("%s already has %d demands: drop --demands to keep them", args[0], len(net.Demands))
				}
				if peak > 0 {
					total = 1e9 // any total: scaled below
				}
				switch gen {
				case "uniform":
					net.Demands = traffic.Uniform(net, total)
				case "gravity":
					net.Demands = traffic.Gravity(net, total)
				}
				if peak > 0 {
					p := traffic.Peak{Utilization: peak, Classes: peakClasses}
					if peakMinCap != "" {
						if p.MinCapacityBps, err = topology.ParseRate(peakMinCap); err != nil {
							return fmt.Errorf("--peak-min-capacity: %w", err)
						}
					}
					scaled, err := traffic.ScaleToPeakUtilization(net, p)
					if err != nil {
						return fmt.Errorf("scale demands: %w", err)
					}
					a.printScaled(net, p, scaled)
				}
				// Rates as people write them (8.333M), rounded down so that
				// a peak stays at or under its target.
				traffic.RoundRates(net.Demands, 4)
			}
			vs := net.Validate()
			if vs.HasErrors() {
				return fmt.Errorf("imported network is not valid (please report this): %w", diagErr(vs))
			}
			a.printDiags(vs)
			var buf bytes.Buffer
			if err := topology.Write(&buf, net); err != nil {
				return err
			}
			return a.writeOutput(out, buf.Bytes(), fmt.Sprintf("%d nodes, %d links, %d demands", len(net.Nodes), len(net.Links), len(net.Demands)))
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "input format: graphml or containerlab (required)")
	cmd.Flags().StringVar(&demands, "demands", "", "generate demands: uniform or gravity (default: none)")
	cmd.Flags().StringVar(&demandTotal, "demand-total", "", "total rate of generated demands, e.g. 500G")
	cmd.Flags().Float64Var(&peak, "peak-utilization", 0, "scale generated demands so the busiest link is at this utilisation, e.g. 0.5")
	cmd.Flags().StringVar(&peakMinCap, "peak-min-capacity", "", "with --peak-utilization: leave links under this capacity out of the busiest, e.g. 1G")
	cmd.Flags().StringSliceVar(&peakClasses, "peak-classes", nil, "with --peak-utilization: count only links of these classes")
	cmd.Flags().String("default-capacity", "", "capacity of links whose file gives none, e.g. 10G")
	cmd.Flags().String("metric", "", "IGP metric: inverse-capacity or hop (default: inverse-capacity for graphml, hop for containerlab)")
	cmd.Flags().String("reference-bandwidth", "100G", "reference bandwidth of --metric inverse-capacity")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
	return cmd
}

// demandOptions checks the demand generator flags.
func demandOptions(gen, totalStr string, peak float64, peakSet bool) (string, float64, error) {
	switch gen {
	case "", "uniform", "gravity":
	default:
		return "", 0, fmt.Errorf("unknown --demands %q: use uniform or gravity", gen)
	}
	if gen == "" {
		if totalStr != "" || peakSet {
			return "", 0, fmt.Errorf("--demand-total and --peak-utilization need --demands uniform or --demands gravity")
		}
		return "", 0, nil
	}
	if (totalStr == "") == !peakSet {
		return "", 0, fmt.Errorf("--demands %s needs exactly one of --demand-total RATE or --peak-utilization FRACTION", gen)
	}
	if peakSet {
		if peak <= 0 {
			return "", 0, fmt.Errorf("--peak-utilization %v: use a positive fraction such as 0.5", peak)
		}
		return gen, 0, nil
	}
	total, err := topology.ParseRate(totalStr)
	if err != nil {
		return "", 0, fmt.Errorf("--demand-total: %w", err)
	}
	if total <= 0 {
		return "", 0, fmt.Errorf("--demand-total must be more than 0")
	}
	return gen, total, nil
}

// printScaled says what a generated matrix was scaled to, and when a
// link left out of the peak runs hotter than the target, which.
func (a *app) printScaled(net *topology.Network, p traffic.Peak, s *traffic.Scaled) {
	fmt.Fprintf(a.stderr, "scaled the demands to %s in all: link %s %s->%s (%s) at %.0f%%",
		topology.FormatRate(s.TotalBps), s.Link, s.From, peer(net, s.Link, s.From), topology.FormatRate(s.CapacityBps), 100*p.Utilization)
	if s.MaxLink != s.Link || s.MaxFrom != s.From {
		fmt.Fprintf(a.stderr, "; link %s %s->%s, left out, runs at %.0f%%", s.MaxLink, s.MaxFrom, peer(net, s.MaxLink, s.MaxFrom), 100*s.MaxUtilization)
	}
	fmt.Fprintln(a.stderr)
}

// peer is the other end of link id from node from.
func peer(net *topology.Network, id, from string) string {
	for _, l := range net.Links {
		if l.ID == id {
			if l.A == from {
				return l.B
			}
			return l.A
		}
	}
	return "?"
}
