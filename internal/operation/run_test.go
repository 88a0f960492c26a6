package operation

import (
	"cmp"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/devices/session"
	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/lock"
	"github.com/changegate/changegate/internal/policy"
)

// The square of examples/lab, and a plan that costs out a-b on a (allowed:
// the traffic goes around), or takes down two links at once (denied: it
// partitions the square).
const (
	squareTopology = `igp: ospf
nodes:
  - {name: a, loopback: 198.18.0.1}
  - {name: b, loopback: 198.18.0.2}
  - {name: c, loopback: 198.18.0.3}
  - {name: d, loopback: 198.18.0.4}
links:
  - {id: ab, a: "a:cg-b", b: "b:cg-a", capacity: 10G, metric: 10}
  - {id: bc, a: "b:cg-c", b: "c:cg-b", capacity: 10G, metric: 10}
  - {id: cd, a: "c:cg-d", b: "d:cg-c", capacity: 10G, metric: 10}
  - {id: da, a: "d:cg-a", b: "a:cg-d", capacity: 10G, metric: 10}
demands:
  - {src: a, dst: b, rate: 1G}
  - {src: c, dst: d, rate: 3G}
  - {src: d, dst: c, rate: 3G}
  - {src: b, dst: c, rate: 3G}
`
	allowedPlan = `title: cost out a-b
risk: low
topology: topology.yaml
platform: frr_vtysh
steps:
  - name: cost out a-b on a
    device: a
    config: |
      interface cg-b
       ip ospf cost 1000
    rollback_config: |
      interface cg-b
       ip ospf cost 10
    checks:
      - {name: a answers, command: show version, expect: {regex: '.*'}}
`
	deniedPlan = `title: cut a off
risk: low
topology: topology.yaml
platform: frr_vtysh
steps:
  - name: shut both links of a
    device: a
    config: |
      interface cg-b
       shutdown
      interface cg-d
       shutdown
    rollback_config: |
      interface cg-b
       no shutdown
      interface cg-d
       no shutdown
`
	inventory = `defaults: {platform: frr_vtysh, host: 127.0.0.1, username: admin, password: {env: CG_TEST_UNUSED}, host_key: {known_hosts: known_hosts}}
devices:
  a: {port: 2201}
  b: {port: 2202}
  c: {port: 2203}
  d: {port: 2204}
`
)

// fakeLocks is a Locker in memory: held devices refuse.
type fakeLocks struct {
	mu       sync.Mutex
	held     map[string]lock.Holder
	acquired [][]string
	released int
}

func (f *fakeLocks) Acquire(_ context.Context, devs []string, h lock.Holder) (Lease, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range devs {
		if old, ok := f.held[d]; ok {
			return nil, &lock.HeldError{Device: d, Holder: old}
		}
	}
	for _, d := range devs {
		f.held[d] = h
	}
	f.acquired = append(f.acquired, slices.Clone(devs))
	return leaseFunc(func() error {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, d := range devs {
			delete(f.held, d)
		}
		f.released++
		return nil
	}), nil
}

func (f *fakeLocks) List() ([]lock.Lock, error)        { return nil, nil }
func (f *fakeLocks) Break(string) (lock.Holder, error) { return lock.Holder{}, nil }

type leaseFunc func() error

func (l leaseFunc) Release() error { return l() }

// fakeJournals keeps one journal in memory; failOn makes appending that
// record type fail.
type fakeJournals struct {
	created []journal.Meta
	j       *fakeJournal
	failOn  string
	// dir, when set, is the runs' directory (files beside the journal).
	dir string
}

type fakeJournal struct {
	records []journal.Record
	status  []journal.Status
	closed  bool
	failOn  string
	dir     string
}

func (f *fakeJournals) Create(run string, meta journal.Meta) (Journal, error) {
	meta.RunID = run
	f.created = append(f.created, meta)
	f.j = &fakeJournal{failOn: f.failOn, dir: cmp.Or(f.dir, "/journals/x")}
	return f.j, nil
}
func (f *fakeJournals) Open(string) (Journal, *journal.Run, error) { return nil, nil, errors.New("no") }
func (f *fakeJournals) Read(string) (*journal.Run, error)          { return nil, errors.New("no") }
func (f *fakeJournals) List() ([]journal.Summary, error)           { return nil, nil }
func (f *fakeJournals) Path(run string) string                     { return "/journals/" + run }

func (j *fakeJournal) Append(r journal.Record) (journal.Record, error) {
	if r.Type == j.failOn {
		return r, errors.New("disk full")
	}
	r.Seq = len(j.records) + 1
	j.records = append(j.records, r)
	return r, nil
}
func (j *fakeJournal) SetStatus(s journal.Status) error { j.status = append(j.status, s); return nil }
func (j *fakeJournal) Path() string                     { return filepath.Join(j.dir, "journal.jsonl") }
func (j *fakeJournal) Close() error                     { j.closed = true; return nil }

func (j *fakeJournal) types() []string {
	var out []string
	for _, r := range j.records {
		out = append(out, r.Type)
	}
	return out
}

// fakeDevices accepts every configuration and answers every command
// with nothing; it counts what it is asked.
type fakeDevices struct {
	mu        sync.Mutex
	opened    int
	closed    int
	configure []string
}

func (f *fakeDevices) Target(*devices.Inventory) (apply.Target, func()) {
	f.mu.Lock()
	f.opened++
	f.mu.Unlock()
	return f, func() { f.mu.Lock(); f.closed++; f.mu.Unlock() }
}

func (f *fakeDevices) Configure(_ context.Context, device string, lines []string, _ session.ConfigOptions) (*session.ConfigResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.configure = append(f.configure, device+": "+strings.Join(lines, "; "))
	return &session.ConfigResult{}, nil
}
func (f *fakeDevices) Confirm(context.Context, string) ([]*session.Output, error) { return nil, nil }
func (f *fakeDevices) Run(context.Context, string, string) (string, error)        { return "", nil }
func (f *fakeDevices) Guarantees(string) session.Guarantees                       { return session.Guarantees{} }

// recView records what the view is told.
type recView struct {
	checked  int
	override *policy.Override
	started  []Started
	notices  []string
	events   int
}

func (v *recView) Checked(_ *Checked, o *policy.Override) { v.checked++; v.override = o }
func (v *recView) Started(s Started)                      { v.started = append(v.started, s) }
func (v *recView) Recovering(*journal.Run, *apply.State)  {}
func (v *recView) Notice(msg string)                      { v.notices = append(v.notices, msg) }
func (v *recView) Event(apply.Event)                      { v.events++ }

type fixture struct {
	b    *Backend
	lk   *fakeLocks
	js   *fakeJournals
	devs *fakeDevices
	view *recView
	dir  string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	for name, data := range map[string]string{
		"topology.yaml": squareTopology, "allowed.yaml": allowedPlan, "denied.yaml": deniedPlan, "inventory.yaml": inventory, "known_hosts": "",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{lk: &fakeLocks{held: map[string]lock.Holder{}}, js: &fakeJournals{}, devs: &fakeDevices{}, view: &recView{}, dir: dir}
	f.b = &Backend{
		Loader: Loader{Settings: Settings{
			Inventory: devices.InventoryFile{Path: filepath.Join(dir, "inventory.yaml")},
			Apply:     ApplySettings{Concurrency: 2},
		}},
		Locks: f.lk, Journals: f.js, Devices: f.devs,
	}
	return f
}

func (f *fixture) request(plan string) Request {
	return Request{CheckRequest: CheckRequest{Plan: filepath.Join(f.dir, plan)}, User: "ops@host"}
}

// A plan the gate denies is refused before anything is locked, journaled
// or connected to.
func TestRunDeniedTouchesNothing(t *testing.T) {
	f := newFixture(t)
	res, err := f.b.Run(context.Background(), f.request("denied.yaml"), f.view)
	var denied *DeniedError
	if !errors.As(err, &denied) || res != nil {
		t.Fatalf("Run = %v, %v; want a *DeniedError", res, err)
	}
	if !strings.Contains(denied.Msg, "apply refused: the gate denies this plan") || !denied.Checked.Decision.Denied() {
		t.Errorf("refusal: %q", denied.Msg)
	}
	if len(f.lk.acquired) != 0 || len(f.js.created) != 0 || f.devs.opened != 0 {
		t.Errorf("touched: locks %v, journals %d, device pools %d", f.lk.acquired, len(f.js.created), f.devs.opened)
	}
	if f.view.checked != 1 {
		t.Errorf("the view saw the verdict %d times, want 1", f.view.checked)
	}
}

// An allowed plan runs: its devices are locked, the gate's verdict is the
// journal's first record, before the run's; the run succeeds, the journal
// says so, and locks and sessions are released.
func TestRunAllowed(t *testing.T) {
	f := newFixture(t)
	res, err := f.b.Run(context.Background(), f.request("allowed.yaml"), f.view)
	if err != nil {
		t.Fatal(err)
	}
	if res.Report == nil || res.Report.Status != journal.Succeeded || res.Run == "" {
		t.Fatalf("result %+v", res)
	}
	if got := f.lk.acquired; len(got) != 1 || !slices.Equal(got[0], []string{"a"}) || f.lk.released != 1 {
		t.Errorf("locks acquired %v, released %d", got, f.lk.released)
	}
	types := f.js.j.types()
	if len(types) < 2 || types[0] != "gate" || types[1] != "run.start" {
		t.Errorf("journal records %v: want the gate's first, then run.start", types)
	}
	if st := f.js.j.status; len(st) != 1 || st[0] != journal.Succeeded || !f.js.j.closed {
		t.Errorf("journal status %v, closed %v", st, f.js.j.closed)
	}
	if meta := f.js.created[0]; meta.Digests.Plan != res.Checked.Digests.Plan || meta.Extra["verdict"] != "allowed" {
		t.Errorf("journal meta %+v", meta)
	}
	if len(f.devs.configure) != 1 || !strings.HasPrefix(f.devs.configure[0], "a: interface cg-b") {
		t.Errorf("configured %v", f.devs.configure)
	}
	if f.devs.opened != 1 || f.devs.closed != 1 {
		t.Errorf("device pools opened %d, closed %d", f.devs.opened, f.devs.closed)
	}
	if len(f.view.started) != 1 || f.view.started[0].Run != res.Run || f.view.events == 0 {
		t.Errorf("view: started %v, %d events", f.view.started, f.view.events)
	}
}

// Break-glass runs a denied plan, and its record (the reason, who, the
// denials) is in the journal before the gate's and before any change.
func TestRunBreakGlass(t *testing.T) {
	f := newFixture(t)
	req := f.request("denied.yaml")
	req.BreakGlass = "INC-1: restore service"
	res, err := f.b.Run(context.Background(), req, f.view)
	if err != nil {
		t.Fatal(err)
	}
	if f.view.override == nil || f.view.override.Reason != req.BreakGlass || f.view.override.User != "ops@host" {
		t.Errorf("the view was told override %+v", f.view.override)
	}
	types := f.js.j.types()
	if len(types) < 3 || types[0] != "override" || types[1] != "gate" {
		t.Errorf("journal records %v: want override, gate, then the run", types)
	}
	if meta := f.js.created[0]; meta.Extra["break_glass"] != req.BreakGlass || meta.Extra["verdict"] != "denied" {
		t.Errorf("journal meta extra %v", meta.Extra)
	}
	if res.Report == nil {
		t.Error("no report")
	}
}

// A record that cannot be written before the run stops it: nothing is
// configured (the CLI used to drop the override record's error).
func TestRunJournalFailureStopsBeforeChanges(t *testing.T) {
	for _, typ := range []string{"override", "gate"} {
		t.Run(typ, func(t *testing.T) {
			f := newFixture(t)
			f.js.failOn = typ
			req := f.request("denied.yaml")
			req.BreakGlass = "INC-1"
			_, err := f.b.Run(context.Background(), req, f.view)
			if err == nil || !strings.Contains(err.Error(), "disk full") {
				t.Fatalf("Run: %v, want the journal's error", err)
			}
			if len(f.devs.configure) != 0 || f.devs.opened != 0 {
				t.Errorf("configured %v", f.devs.configure)
			}
			if f.lk.released != 1 {
				t.Errorf("locks released %d times, want 1", f.lk.released)
			}
			if st := f.js.j.status; len(st) != 1 || st[0] != journal.NotStarted || !f.js.j.closed {
				t.Errorf("journal status %v, closed %v: want not-started, closed", st, f.js.j.closed)
			}
		})
	}
}

// A device another run holds refuses the run before its journal exists.
func TestRunLockHeld(t *testing.T) {
	f := newFixture(t)
	f.lk.held["a"] = lock.Holder{Run: "other", User: "x", Host: "h", PID: 1}
	_, err := f.b.Run(context.Background(), f.request("allowed.yaml"), f.view)
	var held *lock.HeldError
	if !errors.As(err, &held) || !strings.HasPrefix(err.Error(), "apply refused: ") {
		t.Fatalf("Run: %v, want a held lock", err)
	}
	if len(f.js.created) != 0 || f.devs.opened != 0 {
		t.Errorf("journal created %d, device pools %d", len(f.js.created), f.devs.opened)
	}
}

// Without an inventory there is nothing to run on: refused after the
// gate, before any lock.
func TestRunWithoutInventory(t *testing.T) {
	f := newFixture(t)
	f.b.Settings.Inventory = devices.InventoryFile{}
	_, err := f.b.Run(context.Background(), f.request("allowed.yaml"), f.view)
	if err == nil || !strings.Contains(err.Error(), "no inventory") || len(f.lk.acquired) != 0 {
		t.Fatalf("Run: %v (locks %v)", err, f.lk.acquired)
	}
}
