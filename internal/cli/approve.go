package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/ssh"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/approval"
	"github.com/changegate/changegate/internal/digest"
	"github.com/changegate/changegate/internal/gate"
	"github.com/changegate/changegate/internal/operation"
	"github.com/changegate/changegate/internal/report"
	"github.com/changegate/changegate/internal/sshkey"
	"github.com/changegate/changegate/internal/sshsig"
	"github.com/changegate/changegate/plans"
	"github.com/changegate/changegate/userfile"
)

func (a *app) approveCommand() *cobra.Command {
	var topoFile, key, as, comment string
	var dirs []string
	var invFlags inventoryFlags
	var denied bool
	cmd := &cobra.Command{
		Use:   "approve PLAN --key KEY [--as NAME] [--comment TEXT] [--denied]",
		Short: "Approve a plan: sign what was checked with your SSH key",
		Long: `Check the plan as changegate check does, then sign the digests of the plan,
its topology, its traffic, the policy set and the inventory it runs with
(--inventory, else the plan's inventory:, else inventory.file; none when
there is none) with your SSH key, in OpenSSH's signature format (namespace
"changegate"; ssh-keygen -Y verify checks it, as git checks signed
commits). The approval is written next to the plan (change.yaml ->
change.approvals/NAME.json), to commit with it.

The approval counts only while the plan, topology, traffic, policies and
inventory are exactly what was signed, when the key is in the
allowed-signers file (approvals.allowed_signers) under the approver's
name, and when the approver is not the plan's author: the approvals
policy judges that at check and at apply.

--key is a private key file (ed25519 or RSA; a passphrase is asked for on
the terminal), or a public key file (.pub) whose private key ssh-agent
holds. The approver's name is --as, else the key's name in the allowed
signers. Nothing is written when the approval could not count: with
allowed signers configured, a key not listed for --as NAME is refused; so
is the plan's author, and an approval file of NAME signed with another key
(an approval is only ever replaced by the key that signed it).

A plan the gate denies is not approved (exit status 2, with the verdict)
unless --denied says it is meant: the approval then says, under the
signature, that the plan was denied when it was approved.`,
		Example: `  changegate approve change.yaml --key ~/.ssh/id_ed25519
  changegate approve change.yaml --key ~/.ssh/id_ed25519.pub --comment "looked at the N-1 table"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if key == "" {
				return errors.New("give your SSH key: --key FILE (a private key, or a .pub whose key ssh-agent holds)")
			}
			if err := needsPlanFile(args[0], "approve writes the approval beside the plan file (PLAN.approvals/)"); err != nil {
				return err
			}
			a.plan = args[0]
			cfg, err := a.config(cmd, nil)
			if err != nil {
				return err
			}
			c, err := a.check(cmd, cfg, operation.CheckRequest{Plan: args[0], Topology: topoFile, Inventory: invFlags.file(), PolicyDirs: dirs})
			if err != nil {
				return err
			}
			v := c.Verdict
			plan := v.Plan
			if !v.Allowed() && !denied {
				report.CheckText(a.stderr, v, c.Engine.Packages(), cfg.Policy.Disable)
				fmt.Fprintf(a.stderr, "changegate: approve refused: the gate denies %s; approving a denied plan is a deliberate act: pass --denied to approve it anyway, and the signed approval will say it was denied\n", plan.File)
				return errDenied
			}
			signer, closeSigner, err := a.signer(cmd.Context(), key)
			defer closeSigner()
			if err != nil {
				return err
			}
			signers, err := a.loader(cfg).AllowedSigners(cmd.Context())
			if err != nil {
				return err
			}
			pub := signer.PublicKey()
			if as == "" {
				s, ok := sshsig.Find(signers, pub, approval.Namespace)
				if !ok || len(s.Principals) == 0 {
					return fmt.Errorf("the key %s is not in the allowed signers (approvals.allowed_signers): say who you are with --as NAME; the approval will not count until the key is listed under that name", ssh.FingerprintSHA256(pub))
				}
				as = s.Principals[0]
			}
			if err := mayApprove(cmd.Context(), cfg, signers, plan, as, pub); err != nil {
				return err
			}
			sign := approval.Sign
			if !v.Allowed() {
				sign = approval.SignDenied
			}
			ap, err := sign(signer, as, comment, v.Digests, time.Now())
			if err != nil {
				return err
			}
			path, err := approval.Write(cmd.Context(), plan.File, ap)
			if err != nil {
				return fmt.Errorf("approve refused: %w", err)
			}
			verdict := "ALLOWED"
			if !v.Allowed() {
				verdict = "DENIED"
			}
			fmt.Fprintf(a.stdout, "approved by %s: %s (the gate's verdict now: %s)\n  plan      %s\n  topology  %s\n  traffic   %s\n  policy    %s\n  inventory %s\nwritten to %s: commit it with the plan\n",
				as, plan.File, verdict, v.Digests.Plan, v.Digests.Topology, v.Digests.Traffic, v.Digests.Policy, digest.Show(v.Digests.Inventory), path)
			return nil
		},
	}
	cmd.Flags().StringVar(&topoFile, "topology", "", "topology file (default: the plan's topology:)")
	invFlags.register(cmd)
	cmd.Flags().StringVar(&key, "key", "", "your SSH private key, or a .pub file whose key ssh-agent holds")
	cmd.Flags().StringVar(&as, "as", "", "your name as in the allowed signers (default: the key's name there)")
	cmd.Flags().StringVar(&comment, "comment", "", "a comment, signed with the approval")
	cmd.Flags().StringArrayVar(&dirs, "policy", nil, "a directory of your own policies (repeatable)")
	cmd.Flags().BoolVar(&denied, "denied", false, "approve a plan the gate denies (the approval says so, signed)")
	return cmd
}

// mayApprove refuses, before anything is signed or written, an approval
// of plan by as with key that could not count or would take another's
// place: with allowed signers configured, key must be listed for as; the
// approver must not be the plan's author (by name or by any principal of
// the key); and an approval file of as signed with another key is never
// replaced.
func mayApprove(ctx context.Context, cfg Config, signers []sshsig.AllowedSigner, plan *plans.Plan, as string, key ssh.PublicKey) error {
	fp := ssh.FingerprintSHA256(key)
	if cfg.Approvals.AllowedSigners != "" && !sshsig.Listed(signers, key, approval.Namespace, as) {
		hint := "if the key is yours, have it added to the allowed signers under " + as
		var listed []string
		for _, p := range sshsig.Principals(signers, key) {
			if sshsig.Listed(signers, key, approval.Namespace, p) {
				listed = append(listed, p)
			}
		}
		if len(listed) > 0 {
			hint = fmt.Sprintf("the key is listed for %s: approve as that (leave out --as)", strings.Join(listed, ", "))
		}
		return fmt.Errorf("approve refused: the key %s is not listed for %s in the allowed signers (%s) for namespace %q; nothing was written. Sign with %s's own key; %s",
			fp, as, cfg.Approvals.AllowedSigners, approval.Namespace, as, hint)
	}
	if author := plan.AuthorIdentity(); slices.Contains(approval.Identities(as, key, signers), author) {
		return fmt.Errorf("approve refused: %s wrote %s (author: %s), and the author's own approval never counts (the gate denies a plan that carries one); nothing was written. Ask someone else to approve", as, plan.File, plan.Author)
	}
	if err := approval.CheckReplace(ctx, plan.File, as, key); err != nil {
		return fmt.Errorf("approve refused: %w", err)
	}
	return nil
}

// signer returns the SSH signer of path: a private key file (asking for
// its passphrase on the terminal when it has one), or a public key whose
// private key ssh-agent holds. close ends the agent connection.
func (a *app) signer(ctx context.Context, path string) (s ssh.Signer, close func(), err error) {
	data, err := userfile.Read(ctx, path, userfile.Key)
	if err != nil {
		return nil, func() {}, fmt.Errorf("--key: %w", err)
	}
	if pub, _, _, _, err := ssh.ParseAuthorizedKey(data); err == nil {
		s, close, err := sshkey.AgentSigner(ctx, pub)
		switch {
		case errors.Is(err, sshkey.ErrNoAgent):
			return nil, close, fmt.Errorf("--key %s is a public key, and SSH_AUTH_SOCK is not set: start ssh-agent and add the key, or give the private key", path)
		case errors.Is(err, sshkey.ErrNotInAgent):
			return nil, close, fmt.Errorf("ssh-agent does not hold the key of %s (%s): ssh-add it", path, ssh.FingerprintSHA256(pub))
		case err != nil:
			return nil, close, fmt.Errorf("ssh-agent: %w", err)
		}
		return s, close, nil
	}
	var promptErr error
	s, _, err = sshkey.Parse(data, func() (string, error) {
		pass, err := terminalPrompter{in: a.stdin, out: a.stderr}.Prompt(ctx, "passphrase of "+path)
		promptErr = err
		return pass, err
	})
	if errors.Is(promptErr, errNoTerminal) {
		return nil, func() {}, fmt.Errorf("--key %s is protected by a passphrase, and %w: add the key to ssh-agent (ssh-add %s) and pass its public key (--key %s.pub), or run approve on a terminal", path, errNoTerminal, path, path)
	}
	if promptErr != nil {
		return nil, func() {}, promptErr
	}
	if err != nil {
		return nil, func() {}, fmt.Errorf("--key %s: %w", path, err)
	}
	return s, func() {}, nil
}

// checkWithApprovals checks the plan as changegate check does: the
// verdict, and the approvals verified.
func (a *app) checkWithApprovals(cmd *cobra.Command, cfg Config, planFile, topoFile string, dirs []string, invFlags inventoryFlags) (*gate.Verdict, []approval.Checked, error) {
	c, err := a.check(cmd, cfg, operation.CheckRequest{Plan: planFile, Topology: topoFile, Inventory: invFlags.file(), PolicyDirs: dirs})
	if err != nil {
		return nil, nil, err
	}
	return c.Verdict, c.Approvals, nil
}

// approvalStatus says whether an approval of plan counts against the
// digests now: COUNTS, STALE or DOES NOT COUNT, and why not. It judges
// as the approvals policy does: by the author (identities), verified,
// and for the digests now.
func approvalStatus(c approval.Checked, plan *plans.Plan, now digest.Set) (string, []string) {
	var why []string
	status := "COUNTS"
	if c.By(plan.AuthorIdentity()) {
		status = "DOES NOT COUNT"
		why = append(why, fmt.Sprintf("by the plan's author (%s): the author's own approval never counts", plan.AuthorIdentity()))
	}
	if !c.Verified {
		status = "DOES NOT COUNT"
		why = append(why, c.Why)
	}
	if c.Approval != nil {
		var changed []string
		for _, d := range digest.Diff(c.Approval.Digests, now) {
			if d.WithoutInventory() {
				why = append(why, "it was approved without an inventory, and the plan now runs with one: approve again")
				continue
			}
			changed = append(changed, string(d.Name))
		}
		if len(changed) > 0 {
			why = append(why, "the "+strings.Join(changed, ", ")+" changed since it was signed")
		}
		if len(why) > 0 && status == "COUNTS" {
			status = "STALE"
		}
	}
	return status, why
}

func (a *app) approvalsCommand() *cobra.Command {
	var topoFile, export string
	var dirs []string
	var invFlags inventoryFlags
	cmd := &cobra.Command{
		Use:   "approvals PLAN | --export-message FILE",
		Short: "List the plan's approvals: who approved what, and whether each still counts",
		Long: `List the approvals kept next to the plan (PLAN.approvals/), each with its
approver, time and comment, and whether it still counts, as the approvals
policy of check and apply judges it: its signature verifies, its key is in
the allowed signers under the approver's name, it is not by the plan's
author (by name or by any principal of its key), and the plan, topology,
traffic, policies and inventory are still what it signed (stale otherwise,
naming what changed).

--export-message FILE writes the exact message the approval file FILE's
signature covers to standard output, and nothing else is done (no PLAN):
with its signature, OpenSSH checks the approval by itself (docs/approvals.md):

  changegate approvals --export-message change.approvals/bob@example.net.json > msg
  jq -r .signature change.approvals/bob@example.net.json > sig
  ssh-keygen -Y verify -f allowed_signers -I bob@example.net -n changegate -s sig < msg`,
		Args: func(cmd *cobra.Command, args []string) error {
			if export != "" {
				if len(args) > 0 {
					return fmt.Errorf("--export-message reads one approval file and takes no PLAN (got %q)", args[0])
				}
				return nil
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if export != "" {
				ap, err := approval.ReadFile(cmd.Context(), export)
				if err != nil {
					return err
				}
				_, err = a.stdout.Write(ap.Message())
				return err
			}
			if err := needsPlanFile(args[0], "approvals are read from beside the plan file (PLAN.approvals/)"); err != nil {
				return err
			}
			a.plan = args[0]
			cfg, err := a.config(cmd, nil)
			if err != nil {
				return err
			}
			v, checked, err := a.checkWithApprovals(cmd, cfg, args[0], topoFile, dirs, invFlags)
			if err != nil {
				return err
			}
			plan := v.Plan
			if len(checked) == 0 {
				fmt.Fprintf(a.stdout, "%s has no approvals (%s/ is empty or missing)\n", plan.File, approval.Dir(plan.File))
				return nil
			}
			invalid := 0
			for _, c := range checked {
				writeApproval(a, c, plan, v.Digests)
				if c.Invalid {
					invalid++
				}
			}
			if invalid > 0 {
				return fmt.Errorf("%d of the %d approval files of %s are not valid approvals (edited after signing, forged, or not approval files): see each above; remove them, or have the approver approve again", invalid, len(checked), plan.File)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&topoFile, "topology", "", "topology file (default: the plan's topology:)")
	invFlags.register(cmd)
	cmd.Flags().StringArrayVar(&dirs, "policy", nil, "a directory of your own policies (repeatable)")
	cmd.Flags().StringVar(&export, "export-message", "", "write the message the approval FILE signs, for ssh-keygen -Y verify, and stop")
	return cmd
}

// writeApproval lists one approval. What the file says (the approver,
// the comment) is escaped and clipped: the file is anyone's.
func writeApproval(a *app, c approval.Checked, plan *plans.Plan, now digest.Set) {
	status, why := approvalStatus(c, plan, now)
	if c.Invalid || c.Approval == nil {
		fmt.Fprintf(a.stdout, "%-14s  %s: %s\n", status, c.Pos, diag.Escape(strings.Join(why, "; ")))
		return
	}
	ap := c.Approval
	fmt.Fprintf(a.stdout, "%-14s  %s at %s", status, diag.Escape(diag.Clip(ap.Approver)), ap.Time.Local().Format(time.DateTime))
	if len(c.Roles) > 0 {
		fmt.Fprintf(a.stdout, " (roles: %s)", diag.Escape(strings.Join(c.Roles, ", ")))
	}
	if ap.Denied {
		fmt.Fprint(a.stdout, " [approved while DENIED]")
	}
	if ap.Comment != "" {
		fmt.Fprintf(a.stdout, ": %s", diag.Excerpt(ap.Comment))
	}
	fmt.Fprintln(a.stdout)
	for _, w := range why {
		fmt.Fprintf(a.stdout, "                %s\n", diag.Escape(w))
	}
}
