package operation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/durable"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
	"github.com/changegate/changegate/userfile"
)

// ModelAfterFile is the name of the file, in a run's directory beside its
// journal, that holds the model of the network an applied run left,
// unless apply rewrote the topology file itself (Request.UpdateTopology).
const ModelAfterFile = "topology-after.yaml"

// Model is the model of the network a run left (the dry-run's state after
// its last step), and where it was written.
type Model struct {
	// Digest is its topology digest, which the run's run.end record
	// holds; "" when the run was not applied.
	Digest string
	// Path is the file it was written to; "" when none was.
	Path string
	// Updated says that Path is the topology file the plan was checked
	// against, rewritten in place.
	Updated bool
	// Whole says that the file was written whole (topology.Write), not as
	// the topology file with the changed values edited: its comments and
	// layout are lost. Why is in Note.
	Whole bool
	// Note says what was not done and why: the run was not applied, the
	// topology file was not rewritten, or not edited in place.
	Note string
}

// ModelAfter is the model of the network net once every step of plan is
// applied: the dry-run's state after the last step (dryrun.Undo's After),
// each step's configuration read in the devices' platforms.
func ModelAfter(net *topology.Network, plan *plans.Plan, platforms map[string]string) (*topology.Network, error) {
	undo, ds, err := dryrun.Undo(net, plan, platforms)
	if err != nil {
		return nil, err
	}
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	return undo.After, nil
}

func modelAfter(c *Checked) (*topology.Network, error) {
	return ModelAfter(c.Network, c.Plan, c.Inventory.PlatformsByDevice())
}

// WriteState writes to path the model of net once every step of plan is
// applied, as apply writes it after a run (see ModelText), and says how.
// changegate dryrun --write-state uses it.
func WriteState(ctx context.Context, plan *plans.Plan, net *topology.Network, platforms map[string]string, path string) (*Model, error) {
	after, err := ModelAfter(net, plan, platforms)
	if err != nil {
		return nil, fmt.Errorf("the state after %s: %w", plan.File, err)
	}
	text, whole := ModelText(ctx, plan.File, net, after)
	if text == nil {
		return nil, whole
	}
	m := &Model{Digest: after.TopologyDigest(), Path: path}
	if whole != nil {
		m.Whole, m.Note = true, fmt.Sprintf("the model is written whole, without the comments and layout of %s: %v", fileOf(net), whole)
	}
	if err := writeAtomic(path, text, 0o644); err != nil {
		return nil, fmt.Errorf("write the state after %s: %w", plan.File, err)
	}
	return m, nil
}

// carryForward writes the model of the network after an applied run:
// the topology file rewritten in place with the values the plan changed
// (update), or else ModelAfterFile in the run's directory (runDir). A run
// that was not applied (rolled back, not started, or stopped by runErr)
// writes nothing, and says so.
func (b *Backend) carryForward(ctx context.Context, c *Checked, after *topology.Network, afterErr error, rep *apply.Report, runErr error, update bool, runDir string, view View) *Model {
	topo := fileOf(c.Network)
	if runErr != nil || rep == nil || rep.Status != journal.Succeeded {
		status := "it stopped"
		if rep != nil {
			status = string(rep.RunStatus())
		}
		m := &Model{Note: fmt.Sprintf("the run was not applied (%s): the model is left as it was, %s unchanged and nothing written", status, topo)}
		view.Notice(m.Note)
		return m
	}
	if afterErr != nil {
		m := &Model{Note: fmt.Sprintf("the model after the run could not be computed (%v): %s is not updated; write it by hand", afterErr, topo)}
		view.Notice(m.Note)
		return m
	}
	m := &Model{Digest: after.TopologyDigest()}
	text, err := ModelText(ctx, c.Plan.File, c.Network, after)
	if text == nil {
		m.Note = fmt.Sprintf("the model after the run could not be written: %v", err)
		view.Notice(m.Note)
		return m
	}
	if err != nil {
		m.Whole = true
		m.Note = fmt.Sprintf("the model is written whole, without the comments and layout of %s: %v", topo, err)
	}
	if update && !m.Whole {
		err := b.rewriteTopology(c, topo, text)
		if err == nil {
			m.Path, m.Updated = topo, true
			view.Notice(fmt.Sprintf("the model of the network after the run (%s) is in %s, rewritten with the values the plan changed (--update-topology)", m.Digest, topo))
			return m
		}
		m.Note = fmt.Sprintf("%s is not rewritten: %v", topo, err)
	}
	if update && m.Whole {
		m.Note = fmt.Sprintf("%s is not rewritten: %s", topo, m.Note)
	}
	path := filepath.Join(runDir, ModelAfterFile)
	if err := writeAtomic(path, text, durable.FilePerm); err != nil {
		m.Note = joinNote(m.Note, fmt.Sprintf("the model after the run could not be written to %s: %v", path, err))
		view.Notice(m.Note)
		return m
	}
	m.Path = path
	msg := fmt.Sprintf("the model of the network after the run (%s) is in %s", m.Digest, path)
	switch {
	case !m.Whole && !update:
		msg += fmt.Sprintf(": %s with the values the plan changed; copy it over %s, or apply with --update-topology to have it rewritten", filepath.Base(topo), topo)
	case !m.Whole:
		msg += fmt.Sprintf(": %s with the values the plan changed", filepath.Base(topo))
	}
	if m.Note != "" {
		msg = m.Note + "; " + msg
	}
	view.Notice(msg)
	return m
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// ModelText is the topology file of net (its first file) as the network
// is in after: its text with the values that differ edited in place
// (topology.Patch), comments and layout kept. When that cannot be done,
// it is the model written whole (topology.Write, with the demands net
// has) and the error says why; nil text is an error writing it.
func ModelText(ctx context.Context, planFile string, net, after *topology.Network) ([]byte, error) {
	topo := fileOf(net)
	src, err := userfile.Read(ctx, topo, userfile.Topology)
	if topo == "" {
		err = errors.New("the model was read from no file")
	}
	if err == nil {
		var text []byte
		if text, err = topology.Patch(topo, src, net, after); err == nil {
			return text, nil
		}
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# The model of the network after %s: %s with every effect of\n", filepath.Base(planFile), filepath.Base(topo))
	fmt.Fprintf(&buf, "# the plan applied, written whole (the file's own text could not be edited:\n# %s). The demands are those the plan was checked with.\n", oneLine(err.Error()))
	if werr := topology.Write(&buf, after); werr != nil {
		return nil, werr
	}
	return buf.Bytes(), err
}

// fileOf is the topology file net was read from; "" for none.
func fileOf(net *topology.Network) string {
	if len(net.Files) == 0 {
		return ""
	}
	return net.Files[0]
}

// oneLine keeps the first line of s, for a comment.
func oneLine(s string) string {
	if i := bytes.IndexAny([]byte(s), "\r\n"); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

// rewriteTopology replaces the topology file with text, if it is inside
// the plan's repository (not merely in an allowed directory).
func (b *Backend) rewriteTopology(c *Checked, topo string, text []byte) error {
	if _, err := (userfile.Scope{}).Resolve(c.Plan.File, topo, userfile.Topology); err != nil {
		return fmt.Errorf("only a topology file inside the plan's repository is rewritten: %w", err)
	}
	perm := os.FileMode(0o644)
	if fi, err := os.Stat(topo); err == nil {
		perm = fi.Mode().Perm()
	}
	return writeAtomic(topo, text, perm)
}

// writeAtomic replaces path with data: a temporary file in its directory,
// fsynced, renamed over it, and the directory fsynced. A reader sees the
// old content or the new, never a part.
func writeAtomic(path string, data []byte, perm os.FileMode) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err == nil {
		err = tmp.Chmod(perm)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return durable.SyncDir(dir)
}
