package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/internal/runbook"
	"github.com/changegate/changegate/internal/topology"
)

// runbookRenderArgs are the inputs of `changegate runbook render`.
type runbookRenderArgs struct {
	name     string
	params   map[string]string
	platform string
	igp      string
	topology string
	out      string
	title    string
}

func (a *app) runbookRenderCommand() *cobra.Command {
	var dirs, kvs []string
	var args runbookRenderArgs
	cmd := &cobra.Command{
		Use:   "render NAME --param KEY=VALUE ... [--platform P] [--topology FILE] [-o PLAN]",
		Short: "Instantiate a runbook into a plan",
		Long: `Instantiate a runbook with parameters into a plan (YAML, the format of
docs/plans.md): a title, the topology and the rendered steps, written to
-o PLAN or to stdout. changegate dryrun and changegate check accept it as
it is.

The parameters are checked by type; with --topology, devices, links and
interfaces are checked against the topology, and runbooks that iterate
over a device's links (router-maintenance-drain) read them from it.
The topology path is written into the plan relative to the plan file.

A runbook with OSPF and IS-IS forms (runbook show lists its IGPs) is
rendered for the topology's igp (IS-IS when it names none), and refused
for an IGP it has no form for; without --topology, --igp says which.`,
		Example: `  changegate runbook render link-metric --param device=p2 --param link=p2-p4 \
      --param metric=500 --param restore_metric=10 \
      --platform frr_vtysh --topology examples/april-2011.yaml -o cost-out.yaml
  changegate dryrun cost-out.yaml
  changegate runbook render router-drain --param device=d --platform cisco_iosxr --igp isis`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, pos []string) error {
			args.name = pos[0]
			args.params = map[string]string{}
			for _, kv := range kvs {
				k, v, ok := strings.Cut(kv, "=")
				if !ok || strings.TrimSpace(k) == "" {
					return fmt.Errorf("--param %q: write KEY=VALUE, such as --param device=p2", kv)
				}
				if _, dup := args.params[k]; dup {
					return fmt.Errorf("--param %s given twice: give each parameter once", k)
				}
				args.params[k] = v
			}
			lib, err := a.loadRunbooks(cmd, dirs)
			if err != nil {
				return err
			}
			cfg, err := a.config(cmd, nil)
			if err != nil {
				return err
			}
			return a.runbookRender(cmd.Context(), cfg, lib, args)
		},
	}
	cmd.Flags().StringArrayVar(&kvs, "param", nil, "a parameter, KEY=VALUE; repeat for more")
	cmd.Flags().StringVar(&args.platform, "platform", "", "the platform to render for (see runbook show)")
	cmd.Flags().StringVar(&args.igp, "igp", "", "the IGP to render for, ospf or isis (default: the topology's)")
	cmd.Flags().StringVar(&args.topology, "topology", "", "the topology to check the parameters against, written into the plan")
	cmd.Flags().StringVarP(&args.out, "output", "o", "", "write the plan to this file (default: stdout)")
	cmd.Flags().StringVar(&args.title, "title", "", "the plan's title (default: the runbook and its parameters)")
	cmd.Flags().StringArrayVar(&dirs, "runbooks", nil, "a directory of your runbooks; repeat for more")
	return cmd
}

func (a *app) runbookRender(ctx context.Context, cfg Config, lib *runbook.Library, args runbookRenderArgs) error {
	r, err := lib.Get(args.name)
	if err != nil {
		return err
	}
	opts := runbook.RenderOptions{Platform: args.platform, IGP: args.igp, Params: args.params, Origin: "--param"}
	meta := runbook.PlanMeta{Title: args.title}
	if args.topology != "" {
		net, ds, err := topology.LoadFile(ctx, args.topology, cfg.Paths.scope())
		if err != nil {
			return err
		}
		if ds.HasErrors() {
			return diagErr(ds)
		}
		a.printDiags(ds)
		opts.Topology = net
		meta.Topology = topologyRef(args.topology, args.out)
	}
	p, ds := r.RenderPlan(opts, meta)
	if ds.HasErrors() {
		return diagErr(ds)
	}
	a.printDiags(ds)
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# Rendered by changegate runbook render %s (%s).\n", r.Name, r.Source)
	if err := runbook.WritePlan(&buf, p); err != nil {
		return err
	}
	if args.out == "" {
		_, err := a.stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(args.out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	return nil
}

// topologyRef is the topology path as the plan at out must name it:
// relative to the plan's directory when possible (stdout: the working
// directory), else absolute.
func topologyRef(topo, out string) string {
	abs, err := filepath.Abs(topo)
	if err != nil {
		return topo
	}
	dir := "."
	if out != "" {
		dir = filepath.Dir(out)
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return abs
	}
	rel, err := filepath.Rel(absDir, abs)
	if err != nil {
		return abs
	}
	return filepath.ToSlash(rel)
}
