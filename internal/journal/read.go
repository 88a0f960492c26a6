package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/changegate/changegate/internal/durable"
)

// Summary is what List tells about a run without reading its journal.
type Summary struct {
	Meta    Meta
	Status  Status
	Updated time.Time // when Status was set
	// Live says that a process has the journal open for writing right
	// now (it holds the journal's flock). A Running run that is not Live
	// was abandoned: its process died before setting a final status.
	Live bool
	// JournalMissing says that the run has no journal.jsonl: it was
	// deleted, or the process died inside Create before making it. What
	// the run did is then unknown.
	JournalMissing bool `json:"journal_missing,omitempty"`
	// Problem says why List could not read the run's meta.json or
	// status.json; the rest of the Summary is then partial. Read returns
	// such problems as errors instead.
	Problem string
}

// Abandoned reports whether the run was left unfinished by a process that
// is gone: the run needs recovery.
func (s Summary) Abandoned() bool { return s.Status == Running && !s.Live }

// Run is a run as Read finds it: its summary, every complete record in
// order, and the torn last line if the writer died while writing it.
type Run struct {
	Summary
	Records []Record
	// Torn holds the bytes of a last line that is incomplete (no final
	// newline) or not a valid record: the writer died in the middle of
	// Append, which therefore never returned for it. It is nil when the
	// journal ends cleanly.
	Torn []byte
}

// CorruptError is a line of the journal, before its last, that is not a
// valid record. Unlike a torn last line, no crash explains it.
type CorruptError struct {
	File string
	Line int // 1-based
	Err  error
}

func (e *CorruptError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *CorruptError) Unwrap() error { return e.Err }

// Read reads a run: meta.json, status.json and every record of
// journal.jsonl. A torn last line is not an error (see Run.Torn); a
// corrupt line before it is, as a *CorruptError naming file:line. Records
// must be numbered 1, 2, ... without a gap. A run without journal.jsonl
// (deleted, or never created because the process died inside Create) has
// no records and JournalMissing set. A state file that is a symbolic link
// or not a regular file is an error wrapping durable.ErrNotRegular: links
// are never followed.
func Read(stateDir, runID string) (*Run, error) {
	dir, err := runDir(stateDir, runID)
	if err != nil {
		return nil, err
	}
	return readRun(dir, runID, nil)
}

// List returns every run in stateDir, newest first (by run id, which
// NewRunID makes chronological). It reads meta.json and status.json of
// each run, and probes the journal's flock only for runs still Running; it
// does not read journals. A run it cannot read fully is still listed,
// with Problem set. No runs directory means no runs.
func List(stateDir string) ([]Summary, error) {
	runs := filepath.Join(stateDir, runsDir)
	entries, err := os.ReadDir(runs)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("list runs: %w", err)
	}
	var ids []string
	for _, e := range entries {
		if (e.IsDir() || e.Type()&fs.ModeSymlink != 0) && CheckRunID(e.Name()) == nil {
			ids = append(ids, e.Name())
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(ids)))
	out := make([]Summary, 0, len(ids))
	for _, id := range ids {
		var s Summary
		dir, err := runDir(stateDir, id)
		if err == nil {
			s, err = readSummary(dir, id)
		}
		if err != nil {
			s.Meta.RunID = id
			s.Problem = err.Error()
		}
		out = append(out, s)
	}
	return out, nil
}

// readSummary reads meta.json and status.json of the run in dir. On error
// it returns what it could read.
func readSummary(dir, runID string) (Summary, error) {
	var s Summary
	b, err := durable.ReadFile(filepath.Join(dir, metaFile))
	if err != nil {
		return s, fmt.Errorf("read run %s: %w", runID, err)
	}
	if err := json.Unmarshal(b, &s.Meta); err != nil {
		return s, fmt.Errorf("read run %s: %s: %w", runID, metaFile, err)
	}
	if s.Meta.RunID != runID {
		return s, fmt.Errorf("read run %s: %s names run %q", runID, metaFile, s.Meta.RunID)
	}
	s.Status = Running
	b, err = durable.ReadFile(filepath.Join(dir, statusFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// The process died inside Create: it never finished anything.
	case err != nil:
		return s, fmt.Errorf("read run %s: %w", runID, err)
	default:
		var d statusDoc
		if err := json.Unmarshal(b, &d); err != nil {
			return s, fmt.Errorf("read run %s: %s: %w", runID, statusFile, err)
		}
		if d.Status == legacyFailed {
			d.Status = RollbackFailed
		}
		if !knownStatus(d.Status) {
			return s, fmt.Errorf("read run %s: %s: unknown status %q", runID, statusFile, d.Status)
		}
		s.Status, s.Updated = d.Status, d.Time
	}
	path := filepath.Join(dir, journalFile)
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		s.JournalMissing = true
		return s, nil
	case err != nil:
		return s, fmt.Errorf("read run %s: %w", runID, err)
	case !fi.Mode().IsRegular():
		// Say why, as OpenFile words it.
		f, err := durable.OpenFile(path, os.O_RDONLY, 0)
		if err == nil {
			f.Close()
			err = fmt.Errorf("%s is not a regular file: %w", path, durable.ErrNotRegular)
		}
		return s, fmt.Errorf("read run %s: %w", runID, err)
	}
	if s.Status == Running {
		s.Live = probeLive(path)
	}
	return s, nil
}

// readRun reads the run in dir. With f set (Open, which holds the writer's
// flock), the journal is read from f and Live is left false.
func readRun(dir, runID string, f *os.File) (*Run, error) {
	var run Run
	var err error
	if run.Summary, err = readSummary(dir, runID); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, journalFile)
	var data []byte
	if f != nil {
		run.Live = false
		data, err = readAll(f)
	} else {
		data, err = durable.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			run.JournalMissing, err = true, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("read run %s: %w", runID, err)
	}
	if run.Records, run.Torn, err = decode(data, path); err != nil {
		return nil, fmt.Errorf("read run %s: %w", runID, err)
	}
	return &run, nil
}

// decode splits a journal into records. Every line but the last must be a
// valid record numbered one more than the line before (else a
// *CorruptError naming name:line). The last line is accepted only if it is
// complete (ends in a newline) and valid; otherwise it is returned as torn.
func decode(data []byte, name string) (recs []Record, torn []byte, err error) {
	for line := 1; len(data) > 0; line++ {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return recs, data, nil
		}
		r, err := decodeLine(data[:i], len(recs)+1)
		if err != nil {
			if i == len(data)-1 {
				return recs, data, nil
			}
			return nil, nil, &CorruptError{File: name, Line: line, Err: err}
		}
		recs = append(recs, r)
		data = data[i+1:]
	}
	return recs, nil, nil
}

func decodeLine(b []byte, seq int) (Record, error) {
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return Record{}, fmt.Errorf("not a journal record: %w", err)
	}
	switch {
	case r.Seq != seq:
		return Record{}, fmt.Errorf("record has seq %d, want %d", r.Seq, seq)
	case r.Type == "":
		return Record{}, errors.New("record has no type")
	case r.Time.IsZero():
		return Record{}, errors.New("record has no time")
	}
	return r, nil
}

// StatusText is the run's status for people, with what is wrong with it:
// unreadable, abandoned, its journal missing.
func (r Summary) StatusText() string {
	switch {
	case r.Problem != "":
		return "UNREADABLE (see below)"
	case r.JournalMissing && r.Status == Running && !r.Live:
		return "ABANDONED, JOURNAL MISSING (runs show says more)"
	case r.JournalMissing:
		return string(r.Status) + ", JOURNAL MISSING"
	case r.Abandoned():
		return "ABANDONED (recover it)"
	}
	return string(r.Status)
}
