package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/changegate/changegate/internal/digest"
)

// newJournal creates a run in a fresh state directory, with a clock that
// advances one second per call from 2026-11-24T00:57:34Z.
func newJournal(t *testing.T, runID string) (*Journal, string) {
	t.Helper()
	state := t.TempDir()
	j, err := Create(state, runID, Meta{PlanFile: "plans/maint.yaml", PlanTitle: "maintenance"})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { _ = j.Close() })
	clock := time.Date(2026, 11, 24, 0, 57, 34, 0, time.FixedZone("CET", 3600))
	j.now = func() time.Time { clock = clock.Add(time.Second); return clock }
	return j, state
}

func TestNewRunID(t *testing.T) {
	now := time.Date(2026, 11, 24, 1, 57, 34, 999, time.FixedZone("CET", 3600))
	id := NewRunID(now)
	if !regexp.MustCompile(`^20261124T005734Z-[0-9a-f]{6}$`).MatchString(id) {
		t.Errorf("NewRunID = %q, want 20261124T005734Z-xxxxxx in UTC", id)
	}
	if err := CheckRunID(id); err != nil {
		t.Errorf("CheckRunID(NewRunID) = %v", err)
	}
	if later := NewRunID(now.Add(time.Second)); later <= id {
		t.Errorf("a run one second later sorts first: %q <= %q", later, id)
	}
}

func TestCheckRunID(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{"20261124T005734Z-3f9a1c", true},
		{"run_1.retry-2", true},
		{"a", true},
		{strings.Repeat("a", 64), true},
		{"", false},
		{".", false},
		{"..", false},
		{"../x", false},
		{"x/../../etc", false},
		{"/etc/passwd", false},
		{".hidden", false},
		{"-flag", false},
		{"a b", false},
		{"a\x00b", false},
		{"a\\b", false},
		{"é", false},
		{strings.Repeat("a", 65), false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			if err := CheckRunID(tt.id); (err == nil) != tt.ok {
				t.Errorf("CheckRunID(%q) = %v, want ok=%v", tt.id, err, tt.ok)
			}
		})
	}
}

func TestAppendRead(t *testing.T) {
	tests := []struct {
		name string
		in   []Record
	}{
		{"none", nil},
		{"one", []Record{{Type: "run.start"}}},
		{"a step", []Record{
			{Type: "run.start", Data: json.RawMessage(`{"plan":"maint.yaml"}`)},
			{Type: "step.intent", Step: 1, Device: "p2", Data: json.RawMessage(`{"lines":["interface et1","shutdown"]}`)},
			{Type: "config.result", Step: 1, Device: "p2", Data: json.RawMessage(`{"ok":true}`)},
			{Type: "run.end", Data: json.RawMessage(`"succeeded"`)},
		}},
		{"caller's seq and time are overwritten", []Record{
			{Seq: 42, Time: time.Unix(1, 0), Type: "x"},
			{Seq: 1, Type: "y"},
		}},
		{"strings with newlines stay on one line", []Record{
			{Type: "config", Device: "r1\nr2", Data: json.RawMessage(`{"text":"line 1\nline 2"}`)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, state := newJournal(t, "20261124T005734Z-3f9a1c")
			var want []Record
			for i, r := range tt.in {
				got, err := j.Append(r)
				if err != nil {
					t.Fatalf("Append %d: %v", i, err)
				}
				if got.Seq != i+1 {
					t.Errorf("Append %d: Seq = %d, want %d", i, got.Seq, i+1)
				}
				if got.Time.Location() != time.UTC {
					t.Errorf("Append %d: Time %v is not UTC", i, got.Time)
				}
				want = append(want, got)
			}
			if err := j.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			b, _ := os.ReadFile(j.Path())
			if n := strings.Count(string(b), "\n"); n != len(tt.in) {
				t.Errorf("journal has %d lines, want %d:\n%s", n, len(tt.in), b)
			}
			run, err := Read(state, j.RunID())
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if diff := cmp.Diff(want, run.Records); diff != "" {
				t.Errorf("records (-appended +read):\n%s", diff)
			}
			if run.Torn != nil {
				t.Errorf("Torn = %q, want nil", run.Torn)
			}
		})
	}
}

func TestAppendRefuses(t *testing.T) {
	j, state := newJournal(t, "r1")
	if _, err := j.Append(Record{Type: "ok"}); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Append(Record{}); err == nil {
		t.Error("Append without a type succeeded")
	}
	if _, err := j.Append(Record{Type: "bad", Data: json.RawMessage(`{"unterminated`)}); err == nil {
		t.Error("Append with invalid JSON data succeeded")
	}
	r, err := j.Append(Record{Type: "ok"})
	if err != nil || r.Seq != 2 {
		t.Errorf("Append after refusals = seq %d, %v; want seq 2 (refused records take no number)", r.Seq, err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, err := j.Append(Record{Type: "late"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close = %v, want ErrClosed", err)
	}
	if err := j.SetStatus(RollbackFailed); !errors.Is(err, ErrClosed) {
		t.Errorf("SetStatus after Close = %v, want ErrClosed", err)
	}
	run, err := Read(state, "r1")
	if err != nil || len(run.Records) != 2 {
		t.Fatalf("Read = %d records, %v; want 2", len(run.Records), err)
	}
}

func TestCreate(t *testing.T) {
	state := t.TempDir()
	meta := Meta{
		PlanFile: "maint.yaml", PlanTitle: "drain p2",
		Digests: digest.Set{Plan: "sha256:aa", Topology: "sha256:bb"},
		User:    "alice", Host: "jump1", PID: 4242,
		Started: time.Date(2026, 11, 24, 1, 57, 34, 0, time.FixedZone("CET", 3600)),
		Extra:   map[string]string{"ticket": "CHG-1"},
	}
	j, err := Create(state, "r1", meta)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if want := filepath.Join(state, "runs", "r1", "journal.jsonl"); j.Path() != want {
		t.Errorf("Path = %q, want %q", j.Path(), want)
	}
	run, err := Read(state, "r1")
	if err != nil {
		t.Fatal(err)
	}
	meta.RunID, meta.Started = "r1", meta.Started.UTC()
	if diff := cmp.Diff(meta, run.Meta); diff != "" {
		t.Errorf("meta (-given +read):\n%s", diff)
	}
	if run.Status != Running || !run.Live || run.Abandoned() {
		t.Errorf("new run: status %q live %v abandoned %v; want running, live", run.Status, run.Live, run.Abandoned())
	}

	// Defaults describe this process.
	j2, err := Create(state, "r2", Meta{PlanFile: "x.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	run, err = Read(state, "r2")
	if err != nil {
		t.Fatal(err)
	}
	if m := run.Meta; m.PID != os.Getpid() || m.Host == "" || m.Started.IsZero() || m.Started.Location() != time.UTC {
		t.Errorf("defaults not filled: %+v", m)
	}

	tests := []struct{ name, id string }{
		{"existing run", "r1"},
		{"path traversal", "../x"},
		{"empty id", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Create(state, tt.id, Meta{}); err == nil {
				t.Errorf("Create(%q) succeeded", tt.id)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(state, "x")); err == nil {
		t.Error("Create(../x) created something outside runs/")
	}
}

func TestReadRefuses(t *testing.T) {
	state := t.TempDir()
	outside := filepath.Join(state, "x")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"../x", "..", "/etc", "nope"} {
		if _, err := Read(state, id); err == nil {
			t.Errorf("Read(%q) succeeded", id)
		}
		if _, _, err := Open(state, id); err == nil {
			t.Errorf("Open(%q) succeeded", id)
		}
	}
}

// writeJournal writes a run whose journal.jsonl is exactly content.
func writeJournal(t *testing.T, content string) (state, path string) {
	t.Helper()
	j, state := newJournal(t, "r1")
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(j.Path(), []byte(content), 0o640); err != nil {
		t.Fatal(err)
	}
	return state, j.Path()
}

func line(seq int, typ string) string {
	return fmt.Sprintf(`{"seq":%d,"time":"2026-11-24T00:57:34Z","type":%q}`, seq, typ) + "\n"
}

var twoLines = line(1, "run.start") + line(2, "step.intent")

func TestReadTorn(t *testing.T) {
	tests := []struct {
		name    string
		content string
		records int
		torn    string
	}{
		{"clean", twoLines, 2, ""},
		{"empty", "", 0, ""},
		{"cut inside the JSON", twoLines + `{"seq":3,"ti`, 2, `{"seq":3,"ti`},
		{"complete JSON without its newline", twoLines + strings.TrimSuffix(line(3, "x"), "\n"), 2, strings.TrimSuffix(line(3, "x"), "\n")},
		{"only a torn line", `{"se`, 0, `{"se`},
		{"zeros from a lost page", twoLines + "\x00\x00\x00\n", 2, "\x00\x00\x00\n"},
		{"cut first line", line(1, "a")[:5], 0, line(1, "a")[:5]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state, _ := writeJournal(t, tt.content)
			run, err := Read(state, "r1")
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if len(run.Records) != tt.records || string(run.Torn) != tt.torn {
				t.Errorf("Read = %d records, torn %q; want %d, %q", len(run.Records), run.Torn, tt.records, tt.torn)
			}
		})
	}
}

func TestReadCorrupt(t *testing.T) {
	tests := []struct {
		name    string
		content string
		line    int
		msg     string
	}{
		{"garbage in the middle", line(1, "a") + "garbage\n" + line(3, "c"), 2, "not a journal record"},
		{"empty line in the middle", line(1, "a") + "\n" + line(2, "b"), 2, "not a journal record"},
		{"gap", line(1, "a") + line(3, "c") + line(4, "d"), 2, "seq 3, want 2"},
		{"does not start at 1", line(2, "a") + line(3, "b"), 1, "seq 2, want 1"},
		{"repeated", line(1, "a") + line(1, "a") + line(2, "b"), 2, "seq 1, want 2"},
		{"no type", line(1, "a") + `{"seq":2,"time":"2026-11-24T00:57:34Z"}` + "\n" + line(3, "c"), 2, "no type"},
		{"no time", line(1, "a") + `{"seq":2,"type":"b"}` + "\n" + line(3, "c"), 2, "no time"},
		{"two objects on a line", line(1, "a") + strings.TrimSuffix(line(2, "b"), "\n") + line(3, "c") + line(4, "d"), 2, "not a journal record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state, path := writeJournal(t, tt.content)
			_, err := Read(state, "r1")
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("Read = %v, want a *CorruptError", err)
			}
			if ce.File != path || ce.Line != tt.line {
				t.Errorf("error at %s:%d, want %s:%d", ce.File, ce.Line, path, tt.line)
			}
			if want := fmt.Sprintf("%s:%d: ", path, tt.line); !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q and %q", err, want, tt.msg)
			}
			if _, _, err := Open(state, "r1"); !errors.As(err, &ce) {
				t.Errorf("Open of a corrupt journal = %v, want a *CorruptError", err)
			}
		})
	}
}

func TestOpen(t *testing.T) {
	state, path := writeJournal(t, twoLines+`{"seq":3,"time":"2026-11`)
	j, run, err := Open(state, "r1")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer j.Close()
	if len(run.Records) != 2 || string(run.Torn) != `{"seq":3,"time":"2026-11` {
		t.Errorf("Open: %d records, torn %q", len(run.Records), run.Torn)
	}
	if b, _ := os.ReadFile(path); string(b) != twoLines {
		t.Errorf("torn line not cut; journal is now:\n%s", b)
	}
	if r, err := j.Append(Record{Type: "recover.start"}); err != nil || r.Seq != 3 {
		t.Errorf("Append after Open = seq %d, %v; want 3", r.Seq, err)
	}
	if _, _, err := Open(state, "r1"); err == nil {
		t.Error("a second Open of a journal being written succeeded")
	}
	if err := j.SetStatus(Recovered); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	run, err = Read(state, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Records) != 3 || run.Torn != nil || run.Status != Recovered {
		t.Errorf("after recovery: %d records, torn %q, status %q", len(run.Records), run.Torn, run.Status)
	}
}

func TestStatusAndLive(t *testing.T) {
	j, state := newJournal(t, "r1")
	if _, _, err := Open(state, "r1"); err == nil {
		t.Error("Open of a journal that Create holds succeeded")
	}
	summary := func() Summary {
		t.Helper()
		runs, err := List(state)
		if err != nil || len(runs) != 1 {
			t.Fatalf("List = %v, %v", runs, err)
		}
		return runs[0]
	}
	if s := summary(); s.Status != Running || !s.Live || s.Abandoned() {
		t.Errorf("open run: %+v", s)
	}
	if err := j.SetStatus("done"); err == nil {
		t.Error("SetStatus(unknown) succeeded")
	}
	if err := j.SetStatus(RolledBack); err != nil {
		t.Fatal(err)
	}
	if s := summary(); s.Status != RolledBack || s.Live || s.Abandoned() || !s.Status.Finished() {
		t.Errorf("rolled-back run: %+v", s)
	}
	if err := j.SetStatus(Running); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if s := summary(); s.Status != Running || s.Live || !s.Abandoned() {
		t.Errorf("closed while running: %+v, want abandoned", s)
	}
}

func TestList(t *testing.T) {
	state := t.TempDir()
	if runs, err := List(state); err != nil || len(runs) != 0 {
		t.Fatalf("List of an empty state = %v, %v", runs, err)
	}
	ids := []string{"20261124T005734Z-aaaaaa", "20261125T000000Z-000000", "20261123T235959Z-ffffff"}
	final := []Status{Succeeded, RollbackFailed, ""}
	for i, id := range ids {
		j, err := Create(state, id, Meta{PlanFile: id + ".yaml"})
		if err != nil {
			t.Fatal(err)
		}
		if final[i] != "" {
			if err := j.SetStatus(final[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := j.Close(); err != nil {
			t.Fatal(err)
		}
	}
	runs := filepath.Join(state, "runs")
	// Not runs: a stray file, a hidden directory, a name no run can have.
	for _, p := range []string{"README", ".trash/x", "bad name/x"} {
		if err := os.MkdirAll(filepath.Join(runs, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(runs, p), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A run whose process died inside Create, before meta.json.
	if err := os.Mkdir(filepath.Join(runs, "20261126T000000Z-dead00"), 0o755); err != nil {
		t.Fatal(err)
	}

	got, err := List(state)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID, Plan  string
		Status    Status
		Abandoned bool
		Problem   bool
	}
	var rows []row
	for _, s := range got {
		rows = append(rows, row{s.Meta.RunID, s.Meta.PlanFile, s.Status, s.Abandoned(), s.Problem != ""})
	}
	want := []row{
		{"20261126T000000Z-dead00", "", "", false, true},
		{"20261125T000000Z-000000", "20261125T000000Z-000000.yaml", RollbackFailed, false, false},
		{"20261124T005734Z-aaaaaa", "20261124T005734Z-aaaaaa.yaml", Succeeded, false, false},
		{"20261123T235959Z-ffffff", "20261123T235959Z-ffffff.yaml", Running, true, false},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
}

func TestConcurrentAppend(t *testing.T) {
	const writers, each = 8, 50
	j, state := newJournal(t, "r1")
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				data, _ := json.Marshal(map[string]int{"w": w, "i": i})
				if _, err := j.Append(Record{Type: "x", Step: w, Data: data}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	run, err := Read(state, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Records) != writers*each {
		t.Fatalf("%d records, want %d", len(run.Records), writers*each)
	}
	next := make([]int, writers) // each writer's records appear in its order
	for _, r := range run.Records {
		var d struct{ W, I int }
		if err := json.Unmarshal(r.Data, &d); err != nil {
			t.Fatal(err)
		}
		if d.I != next[d.W] {
			t.Errorf("seq %d: writer %d record %d, want %d", r.Seq, d.W, d.I, next[d.W])
		}
		next[d.W]++
	}
}

// TestAppendResultDurableWithNextAppend checks that a result written
// without waiting for the disk is in the journal, in order, and becomes
// durable with the next Append (tested by reading it back after Close).
func TestAppendResultDurableWithNextAppend(t *testing.T) {
	dir := t.TempDir()
	j, err := Create(dir, "r1", Meta{PlanFile: "p.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	for i, typ := range []string{"intent", "result", "result", "intent"} {
		var r Record
		if typ == "intent" {
			r, err = j.Append(Record{Type: typ})
		} else {
			r, err = j.AppendResult(Record{Type: typ})
		}
		if err != nil || r.Seq != i+1 {
			t.Fatalf("record %d: %v %+v", i, err, r)
		}
	}
	if j.dirty {
		t.Error("an Append left earlier results unsynced")
	}
	j.AppendResult(Record{Type: "result"})
	if !j.dirty {
		t.Error("AppendResult synced")
	}
	if err := j.Close(); err != nil || j.dirty {
		t.Fatalf("close: %v, dirty %v", err, j.dirty)
	}
	run, err := Read(dir, "r1")
	if err != nil || len(run.Records) != 5 {
		t.Fatalf("%v, %d records", err, len(run.Records))
	}
}

// A state file that is a symbolic link is refused, by Open (which would
// append through it) and by Read and List, and the link's target is left
// as it was; so is a run directory that is a link.
func TestSymlinkRefused(t *testing.T) {
	for _, name := range []string{journalFile, metaFile, statusFile} {
		t.Run(name, func(t *testing.T) {
			state, path := writeJournal(t, twoLines)
			target := filepath.Join(t.TempDir(), "elsewhere")
			const content = "precious\n"
			if err := os.WriteFile(target, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(filepath.Dir(path), name)
			if err := os.Remove(file); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, file); err != nil {
				t.Fatal(err)
			}
			want := file + " is a symbolic link (to " + target + "): refused"
			if j, _, err := Open(state, "r1"); err == nil {
				j.Append(Record{Type: "recover.start"})
				j.Close()
				t.Error("Open followed the link")
			} else if !strings.Contains(err.Error(), want) {
				t.Errorf("Open: %v\nwant %q", err, want)
			}
			if _, err := Read(state, "r1"); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("Read: %v", err)
			}
			runs, err := List(state)
			if err != nil || len(runs) != 1 || !strings.Contains(runs[0].Problem, want) {
				t.Errorf("List: %+v %v", runs, err)
			}
			if b, _ := os.ReadFile(target); string(b) != content {
				t.Errorf("the link's target was written: %q", b)
			}
		})
	}
	t.Run("run directory", func(t *testing.T) {
		state, path := writeJournal(t, twoLines)
		runs := filepath.Join(state, runsDir)
		if err := os.Rename(filepath.Dir(path), filepath.Join(state, "moved")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(state, "moved"), filepath.Join(runs, "r1")); err != nil {
			t.Fatal(err)
		}
		if _, _, err := Open(state, "r1"); err == nil || !strings.Contains(err.Error(), "is a symbolic link") {
			t.Errorf("Open: %v", err)
		}
		if _, err := Read(state, "r1"); err == nil || !strings.Contains(err.Error(), "is a symbolic link") {
			t.Errorf("Read: %v", err)
		}
		if l, err := List(state); err != nil || len(l) != 1 || !strings.Contains(l[0].Problem, "is a symbolic link") {
			t.Errorf("List: %+v %v", l, err)
		}
		if b, _ := os.ReadFile(filepath.Join(state, "moved", journalFile)); string(b) != twoLines {
			t.Errorf("the linked journal changed: %q", b)
		}
	})
}

// A run whose journal was deleted says so (JournalMissing), to List and
// Read alike, and Open refuses it with ErrNoJournal naming the file.
func TestJournalMissing(t *testing.T) {
	state, path := writeJournal(t, twoLines)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	run, err := Read(state, "r1")
	if err != nil || !run.JournalMissing || len(run.Records) != 0 {
		t.Fatalf("Read: %+v %v", run, err)
	}
	runs, err := List(state)
	if err != nil || len(runs) != 1 || !runs[0].JournalMissing || runs[0].Problem != "" {
		t.Errorf("List: %+v %v", runs, err)
	}
	_, _, err = Open(state, "r1")
	if !errors.Is(err, ErrNoJournal) || !strings.Contains(err.Error(), path+" is missing") {
		t.Errorf("Open: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("Open created the journal again: %v", err)
	}
	if PathOf(state, "r1") != path {
		t.Errorf("PathOf = %s, want %s", PathOf(state, "r1"), path)
	}
}

// TestStatusFile checks what status.json may say: every status SetStatus
// writes reads back as itself; "failed", how a rollback that did not
// finish was written before the statuses were one vocabulary, reads as
// RollbackFailed; anything else is a problem naming the file.
func TestStatusFile(t *testing.T) {
	read := func(t *testing.T, state string) Summary {
		t.Helper()
		runs, err := List(state)
		if err != nil || len(runs) != 1 {
			t.Fatalf("List: %v %v", runs, err)
		}
		return runs[0]
	}
	for _, st := range statuses {
		j, state := newJournal(t, "r1")
		if err := j.SetStatus(st); err != nil {
			t.Fatal(err)
		}
		j.Close()
		if s := read(t, state); s.Status != st || s.Problem != "" {
			t.Errorf("set %q, read %q (%s)", st, s.Status, s.Problem)
		}
	}
	for _, tc := range []struct {
		file    string
		want    Status
		problem string
	}{
		{file: `{"status":"failed","time":"2026-11-24T01:03:10.5Z"}`, want: RollbackFailed},
		{file: `{"status":"rolled-back","time":"2026-11-24T01:03:10.5Z"}`, want: RolledBack},
		{file: `{"status":"done"}`, problem: `status.json: unknown status "done"`},
	} {
		_, state := newJournal(t, "r1")
		if err := os.WriteFile(filepath.Join(state, runsDir, "r1", statusFile), []byte(tc.file), 0o644); err != nil {
			t.Fatal(err)
		}
		s := read(t, state)
		if tc.problem != "" {
			if !strings.Contains(s.Problem, tc.problem) {
				t.Errorf("%s: problem %q, want %q", tc.file, s.Problem, tc.problem)
			}
			continue
		}
		if s.Status != tc.want || s.Problem != "" {
			t.Errorf("%s: read %q (%s), want %q", tc.file, s.Status, s.Problem, tc.want)
		}
	}
}
