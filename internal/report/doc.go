// Package report renders results for people and machines; it is where
// changegate's views live. Each renderer writes to an io.Writer:
//
//   - a dry-run as a compact terminal table (DryRunText); its JSON form is
//     the dryrun.Result itself, written with WriteJSON (docs/dryrun.md);
//   - a topology as text (TopologyText); its JSON form is the
//     topology.Network itself (docs/topology.md);
//   - a verdict of the gate as text (CheckText), as the JSON document of
//     docs/policies.md (CheckDocument), and as findings (CheckFindings)
//     that internal/finding writes in the CI formats (JUnit, SARIF, GitHub
//     annotations; docs/ci-formats.md);
//   - the review of a verdict for approvers (docs/review.md): Markdown for
//     a pull-request comment (ReviewMarkdown), or one self-contained HTML
//     file with an SVG picture of the network per step and a chart of
//     utilisation and dropped traffic per state (ReviewHTML), both with
//     the plan's header facts, each step's devices, checks and N-1 worst
//     case, and every approval's time, roles, comment and status; the
//     same verdict gives the same bytes;
//   - a run of apply, recover or resume: its progress (Progress: a live
//     view on a terminal, plain lines, or JSON events), its report
//     (RunText, RunEvent), the state of a run as its journal tells it
//     (RunState), and what the configuration changed in the policy set
//     (PolicySettings).
//
// Commands choose among these with finding.Format (finding.ParseFormat:
// an unknown format is an error, never a fallback). Renderers compute
// nothing the result does not already hold, beyond choosing and ordering
// from it: the review's links a step moves traffic onto are the links
// whose load grew between two states, and its dropped traffic under N-1
// is the most any one of the state's failures drops; its net change from
// the baseline folds the effects of the steps so far into the topology.
//
// The review's pictures are laid out here (layout.go, labels.go): nodes
// with positions by their geography, those without among their
// neighbours, networks without positions by gonum's IsomapR2 (a stress
// layout); then nodes are moved off links not their own and labels placed
// where they overlap nothing, by deterministic passes. A network of more
// than 60 nodes is drawn around what the plan touches.
//
// The output of the device commands (device run, device check) is
// printed by internal/cli.
package report
