package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"sync"
	"time"

	"github.com/changegate/changegate/internal/digest"
	"github.com/changegate/changegate/internal/durable"
)

// File names inside a run's directory.
const (
	runsDir     = "runs"
	journalFile = "journal.jsonl"
	metaFile    = "meta.json"
	statusFile  = "status.json"
)

// Record is one line of the journal. The journal assigns Seq and Time and
// does not interpret Type or Data: their meaning belongs to the caller.
type Record struct {
	Seq    int             `json:"seq"`  // 1, 2, ... in the order of Append
	Time   time.Time       `json:"time"` // when Append wrote it, in UTC
	Type   string          `json:"type"` // such as "run.start", "config.intent", "config.result"; required
	Step   int             `json:"step,omitempty"`
	Device string          `json:"device,omitempty"`
	Data   json.RawMessage `json:"data,omitempty"` // the caller's payload, already redacted by the caller
}

// Meta describes a run. It is written once, by Create, to meta.json; its
// JSON form is metaJSON's.
type Meta struct {
	RunID     string
	PlanFile  string
	PlanTitle string
	// Digests are those the run was checked with; zero when the caller
	// gave none. A digest meta.json does not hold is "".
	Digests digest.Set
	User    string
	Host    string
	PID     int
	Started time.Time
	Extra   map[string]string // anything else the caller wants to keep with the run
	// Policy describes the policy set the run was checked against, in
	// the caller's own JSON (changegate keeps the policy files' digests,
	// the disabled policies and the parameters that differ from their
	// defaults there).
	Policy json.RawMessage
}

// metaJSON is Meta as meta.json holds it (docs/journal.md), field for
// field: the digests are an object of name -> digest with the names
// sorted, every one of them, and absent without digests.
type metaJSON struct {
	RunID     string            `json:"run_id"`
	PlanFile  string            `json:"plan_file"`
	PlanTitle string            `json:"plan_title,omitempty"`
	Digests   digestsJSON       `json:"digests,omitzero"`
	User      string            `json:"user"`
	Host      string            `json:"host"`
	PID       int               `json:"pid"`
	Started   time.Time         `json:"started"`
	Extra     map[string]string `json:"extra,omitempty"`
	Policy    json.RawMessage   `json:"policy,omitempty"`
}

// digestsJSON is a digest.Set as meta.json holds it: written as a map of
// every digest by name (so with sorted keys), read by the Set's keys.
type digestsJSON digest.Set

func (d digestsJSON) MarshalJSON() ([]byte, error) {
	m := make(map[string]string)
	for _, n := range digest.Names() {
		m[string(n)] = digest.Set(d).Get(n)
	}
	return json.Marshal(m)
}

// MarshalJSON writes m as meta.json holds it (metaJSON).
func (m Meta) MarshalJSON() ([]byte, error) {
	return json.Marshal(metaJSON{
		RunID: m.RunID, PlanFile: m.PlanFile, PlanTitle: m.PlanTitle, Digests: digestsJSON(m.Digests),
		User: m.User, Host: m.Host, PID: m.PID, Started: m.Started, Extra: m.Extra, Policy: m.Policy,
	})
}

// UnmarshalJSON reads m as meta.json holds it (metaJSON).
func (m *Meta) UnmarshalJSON(b []byte) error {
	d, err := decodeMeta(b)
	if err != nil {
		return err
	}
	*m = Meta{
		RunID: d.RunID, PlanFile: d.PlanFile, PlanTitle: d.PlanTitle, Digests: digest.Set(d.Digests),
		User: d.User, Host: d.Host, PID: d.PID, Started: d.Started, Extra: d.Extra, Policy: d.Policy,
	}
	return nil
}

// decodeMeta decodes meta.json. Its errors name a field as Meta's
// ("Go struct field Meta.run_id"), the type the file is read into.
func decodeMeta(b []byte) (metaJSON, error) {
	type Meta metaJSON
	var d Meta
	err := json.Unmarshal(b, &d)
	return metaJSON(d), err
}

// Status is where a run stands and, once it ended, how: the one
// vocabulary of a run's outcome. It is kept in status.json beside the
// journal; the executor's report (apply.Report.Status) and its run.end
// record say it in the same words, and the CLI prints them.
type Status string

// The statuses a run can have. A run is Running from Create until the
// caller sets another status; the others are final as far as the journal
// is concerned, and SetStatus accepts any of them at any time.
const (
	Running Status = "running"
	// Succeeded: every step applied, every check passed.
	Succeeded Status = "succeeded"
	// NotStarted: the run stopped before it changed any device (a
	// pre-check failed, the routers did not forward as the model says).
	NotStarted Status = "not-started"
	// RolledBack: a step failed and every change was rolled back; the
	// checks of the states rolled back to passed.
	RolledBack Status = "rolled-back"
	// RollbackFailed: a step failed and undoing it did not fully work:
	// changes remain.
	RollbackFailed Status = "rollback-failed"
	// Recovered: the run died unfinished, or its rollback did not
	// finish, and recover then rolled back everything it left.
	Recovered Status = "recovered"
)

var statuses = []Status{Running, Succeeded, NotStarted, RolledBack, RollbackFailed, Recovered}

// legacyFailed is how status.json said RollbackFailed before the statuses
// were one vocabulary; it is still read.
const legacyFailed Status = "failed"

// Finished reports whether s is a final status, anything but Running.
func (s Status) Finished() bool { return s != Running }

// statusDoc is the content of status.json.
type statusDoc struct {
	Status Status    `json:"status"`
	Time   time.Time `json:"time"`
}

// Journal is an open run journal, with this process as its only writer.
// Its methods are safe for concurrent use.
type Journal struct {
	dir   string // <state>/runs/<run-id>
	runID string
	now   func() time.Time

	mu    sync.Mutex
	f     *os.File                  // nil once closed
	write func([]byte) (int, error) // f.Write; a test splits it to widen the moment a kill tears a line
	seq   int                       // the Seq of the last record written
	fail  error                     // set when a write or fsync failed: the file's tail is unknown
	dirty bool                      // a record was written since the last fsync (AppendResult)
}

// ErrClosed is returned by Append and SetStatus after Close.
var ErrClosed = errors.New("journal is closed")

// Create starts the journal of a new run in <stateDir>/runs/<runID>/. The
// run's directory must not exist yet (if Create fails after making it, it
// removes it again). It writes meta.json (filling RunID, and User, Host,
// PID and Started where they are zero) and status.json ("running")
// atomically, and creates an empty journal.jsonl; every new file and
// directory is fsynced, and so is its parent directory. The returned
// Journal holds an exclusive flock on journal.jsonl until Close or until
// the process dies, which is how readers tell a live run from an
// abandoned one (Summary.Live).
func Create(stateDir, runID string, meta Meta) (j *Journal, err error) {
	if err := CheckRunID(runID); err != nil {
		return nil, err
	}
	runs := filepath.Join(stateDir, runsDir)
	if err := durable.MkdirAll(runs); err != nil {
		return nil, fmt.Errorf("create runs directory: %w", err)
	}
	dir := filepath.Join(runs, runID)
	if err := os.Mkdir(dir, durable.DirPerm); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("run %s already exists in %s", runID, runs)
		}
		return nil, fmt.Errorf("create run directory: %w", err)
	}
	defer func() {
		if err != nil { // nothing was journaled: leave no half-made run behind
			_ = os.RemoveAll(dir)
			_ = durable.SyncDir(runs)
		}
	}()
	if err := durable.SyncDir(runs); err != nil {
		return nil, err
	}

	meta.RunID = runID
	fillMeta(&meta)
	b, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode meta: %w", err)
	}
	if err := writeAtomic(dir, metaFile, append(b, '\n')); err != nil {
		return nil, fmt.Errorf("write %s: %w", metaFile, err)
	}
	now := time.Now
	if err := writeStatus(dir, Running, now().UTC()); err != nil {
		return nil, err
	}

	path := filepath.Join(dir, journalFile)
	f, err := durable.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_EXCL, durable.FilePerm)
	if err != nil {
		return nil, fmt.Errorf("create journal: %w", err)
	}
	if err := lockWriter(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("lock journal: %w", err)
	}
	err = f.Sync()
	if err == nil {
		err = durable.SyncDir(dir)
	}
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("create journal: %w", err)
	}
	return &Journal{dir: dir, runID: runID, now: now, f: f, write: f.Write}, nil
}

// Open reopens the journal of an existing run for appending, for
// recovery. It refuses a run whose journal another process has open for
// writing, and a journal with a corrupt line before its last. A torn last
// line (Run.Torn) is cut off, and the truncation fsynced, so that new
// records follow the last complete one; Seq continues from there. The
// torn bytes are gone from the file afterwards: a caller that wants to
// keep them records them itself, from the returned Run.
//
// A run without journal.jsonl is refused with an error wrapping
// ErrNoJournal; a journal, meta.json or status.json that is a symbolic
// link or not a regular file, and a run directory that is a link, with
// one wrapping durable.ErrNotRegular. Links are never followed.
func Open(stateDir, runID string) (*Journal, *Run, error) {
	dir, err := runDir(stateDir, runID)
	if err != nil {
		return nil, nil, err
	}
	path := filepath.Join(dir, journalFile)
	f, err := durable.OpenFile(path, os.O_RDWR|os.O_APPEND, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, noJournal(runID, path)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("open run %s: %w", runID, err)
	}
	if err := lockWriter(f); err != nil {
		_ = f.Close()
		return nil, nil, fmt.Errorf("open run %s: %w", runID, err)
	}
	run, err := readRun(dir, runID, f)
	if err != nil {
		_ = f.Close()
		return nil, nil, err
	}
	if len(run.Torn) > 0 {
		fi, err := f.Stat()
		if err == nil {
			err = f.Truncate(fi.Size() - int64(len(run.Torn)))
		}
		if err == nil {
			err = f.Sync()
		}
		if err != nil {
			_ = f.Close()
			return nil, nil, fmt.Errorf("cut the torn last line of %s: %w", path, err)
		}
	}
	j := &Journal{dir: dir, runID: runID, now: time.Now, f: f, write: f.Write}
	if n := len(run.Records); n > 0 {
		j.seq = run.Records[n-1].Seq
	}
	return j, run, nil
}

// Append writes r as one line at the end of the journal and fsyncs it
// before returning: a record Append has returned for survives the process
// being killed at any moment. It sets r.Seq to the next number and r.Time
// to now in UTC, overwriting what the caller put there, and returns the
// record as written. r.Type is required and r.Data, when set, must be
// valid JSON. After a failed write or fsync the journal refuses every
// further Append, since the end of the file is then unknown.
func (j *Journal) Append(r Record) (Record, error) { return j.append(r, true) }

// AppendResult writes r like Append but does not wait for the disk: it
// is for a record that reports what already happened (a result), which no
// action depends on. The next Append (an intent, which must be durable
// before its action), SetStatus or Close makes it durable with everything
// before it. A crash may lose it: recovery then treats the action as
// possibly done, which is the safe reading.
func (j *Journal) AppendResult(r Record) (Record, error) { return j.append(r, false) }

func (j *Journal) append(r Record, sync bool) (Record, error) {
	if r.Type == "" {
		return Record{}, errors.New("append: record has no type")
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return Record{}, fmt.Errorf("append: %w", ErrClosed)
	}
	if j.fail != nil {
		return Record{}, j.fail
	}
	r.Seq = j.seq + 1
	r.Time = j.now().UTC()
	line, err := json.Marshal(r) // compact: a record never contains a newline
	if err != nil {
		return Record{}, fmt.Errorf("append %s: encode: %w", r.Type, err)
	}
	line = append(line, '\n')
	if _, err := j.write(line); err != nil {
		j.fail = fmt.Errorf("journal %s is unusable after a failed write: %w", j.Path(), err)
		return Record{}, j.fail
	}
	j.seq = r.Seq
	j.dirty = true
	if sync {
		if err := j.sync(); err != nil {
			return Record{}, err
		}
	}
	return r, nil
}

// sync fsyncs the journal if a record was written since the last fsync.
// j.mu is held.
func (j *Journal) sync() error {
	if !j.dirty {
		return nil
	}
	if err := j.f.Sync(); err != nil {
		j.fail = fmt.Errorf("journal %s is unusable after a failed fsync: %w", j.Path(), err)
		return j.fail
	}
	j.dirty = false
	return nil
}

// SetStatus records the run's status in status.json, atomically and
// durably. The caller appends its own closing record first, then sets the
// status, so that a finished status never precedes the journal's end.
func (j *Journal) SetStatus(s Status) error {
	if !knownStatus(s) {
		return fmt.Errorf("set status: unknown status %q (known: %v)", s, statuses)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return fmt.Errorf("set status: %w", ErrClosed)
	}
	if err := j.sync(); err != nil {
		return err
	}
	return writeStatus(j.dir, s, j.now().UTC())
}

// Close makes every record durable and releases the journal.
// Closing twice is not an error.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	serr := j.sync()
	err := j.f.Close()
	j.f = nil
	if err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("close journal: %w", err)
	}
	return nil
}

// Path returns the journal file, <state>/runs/<run-id>/journal.jsonl.
func (j *Journal) Path() string { return filepath.Join(j.dir, journalFile) }

// PathOf returns the journal file of run runID in stateDir, whether or not
// it exists.
func PathOf(stateDir, runID string) string {
	return filepath.Join(stateDir, runsDir, runID, journalFile)
}

// ErrNoJournal is returned, wrapped in a message naming the file, by Open
// for a run whose journal.jsonl is missing.
var ErrNoJournal = errors.New("the run has no journal")

func noJournal(runID, path string) error {
	return fmt.Errorf("run %s has no journal: %s is missing (deleted, or the run's process died before it created it), so what the run did is unknown: %w", runID, path, ErrNoJournal)
}

// runDir returns the directory of run runID, refusing an invalid id, a run
// that does not exist and a run directory that is a symbolic link.
func runDir(stateDir, runID string) (string, error) {
	if err := CheckRunID(runID); err != nil {
		return "", err
	}
	runs := filepath.Join(stateDir, runsDir)
	dir := filepath.Join(runs, runID)
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("run %s not found in %s (changegate runs lists the runs): %w", runID, runs, err)
	case err != nil:
		return "", fmt.Errorf("read run %s: %w", runID, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		to, _ := os.Readlink(dir)
		return "", fmt.Errorf("run %s: %s is a symbolic link (to %s): refused; changegate never follows links in its state directory. Remove the link (its target is left alone): %w", runID, dir, to, durable.ErrNotRegular)
	case !fi.IsDir():
		return "", fmt.Errorf("run %s: %s is not a directory: %w", runID, dir, durable.ErrNotRegular)
	}
	return dir, nil
}

// RunID returns the run's id.
func (j *Journal) RunID() string { return j.runID }

func knownStatus(s Status) bool {
	for _, k := range statuses {
		if s == k {
			return true
		}
	}
	return false
}

func writeStatus(dir string, s Status, now time.Time) error {
	b, err := json.Marshal(statusDoc{Status: s, Time: now})
	if err != nil {
		return fmt.Errorf("encode status: %w", err)
	}
	if err := writeAtomic(dir, statusFile, append(b, '\n')); err != nil {
		return fmt.Errorf("write %s: %w", statusFile, err)
	}
	return nil
}

// fillMeta fills the fields of m that describe this process, where the
// caller left them zero.
func fillMeta(m *Meta) {
	if m.Started.IsZero() {
		m.Started = time.Now()
	}
	m.Started = m.Started.UTC()
	if m.PID == 0 {
		m.PID = os.Getpid()
	}
	if m.Host == "" {
		m.Host, _ = os.Hostname()
	}
	if m.User == "" {
		if u, err := user.Current(); err == nil {
			m.User = u.Username
		} else {
			m.User = os.Getenv("USER")
		}
	}
}

// readAll reads f from its start.
func readAll(f *os.File) ([]byte, error) {
	return io.ReadAll(io.NewSectionReader(f, 0, 1<<62))
}
