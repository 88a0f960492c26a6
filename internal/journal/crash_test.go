package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// crashEnv names the state directory TestCrashChild appends in; without
// it, TestCrashChild does nothing.
const (
	crashEnv   = "CHANGEGATE_JOURNAL_CRASH_STATE"
	crashRun   = "20261124T005734Z-c4a5h0"
	crashSplit = "CHANGEGATE_JOURNAL_CRASH_SPLIT"
)

// TestCrashChild is the process TestCrash kills. It creates the run (or
// reopens it, cutting the torn line the last kill left), prints "ready",
// then appends records in a loop, printing each Seq once Append has
// returned for it. Records are 0-12 KiB so that writes span pages. A
// kill seldom lands inside a write(2) of a few pages, so with crashSplit
// set the child writes each line in two halves a millisecond apart: the
// kill then often leaves a torn line, as a slow disk or a huge record
// would.
func TestCrashChild(t *testing.T) {
	state := os.Getenv(crashEnv)
	if state == "" {
		t.Skip("the child of TestCrash")
	}
	var j *Journal
	var err error
	if _, serr := os.Stat(filepath.Join(state, "runs", crashRun)); serr != nil {
		j, err = Create(state, crashRun, Meta{PlanFile: "crash.yaml"})
	} else {
		j, _, err = Open(state, crashRun)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "child: %v\n", err)
		os.Exit(3)
	}
	if os.Getenv(crashSplit) != "" {
		f := j.f
		j.write = func(b []byte) (int, error) {
			n, err := f.Write(b[:len(b)/2])
			if err != nil {
				return n, err
			}
			time.Sleep(time.Millisecond)
			m, err := f.Write(b[len(b)/2:])
			return n + m, err
		}
	}
	fmt.Println("ready")
	for i := 0; ; i++ {
		data, _ := json.Marshal(map[string]string{"pad": strings.Repeat("x", (i*7919)%(12<<10))})
		r, err := j.Append(Record{Type: "tick", Step: i, Data: data})
		if err != nil {
			fmt.Fprintf(os.Stderr, "child: %v\n", err)
			os.Exit(3)
		}
		fmt.Printf("seq %d\n", r.Seq)
	}
}

// TestCrash kills a process appending to a journal with SIGKILL at random
// moments, several times over the same run (at least two rounds, one with
// split writes, and up to eight within 1.5 s), and checks after each kill
// that Read succeeds and that every Seq the child saw Append return for
// is in the journal: records are 1..n without a gap, so it is enough that
// each printed Seq is at most n.
func TestCrash(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	state := t.TempDir()
	last, torn := 0, 0
	deadline := time.Now().Add(1500 * time.Millisecond)
	for round := 0; round < 8 && (round < 2 || time.Now().Before(deadline)); round++ {
		printed := crashRound(t, state, rng, round%2 == 1)
		run, err := Read(state, crashRun)
		if err != nil {
			t.Fatalf("round %d: Read after kill: %v", round, err)
		}
		n := len(run.Records)
		for _, seq := range printed {
			if seq <= last {
				t.Fatalf("round %d: child printed seq %d after %d", round, seq, last)
			}
			if seq > n {
				t.Fatalf("round %d: Append returned seq %d, but the journal ends at %d (torn %d bytes)", round, seq, n, len(run.Torn))
			}
			last = seq
		}
		for _, r := range run.Records {
			var d struct{ Pad string }
			if err := json.Unmarshal(r.Data, &d); err != nil || strings.Trim(d.Pad, "x") != "" {
				t.Fatalf("round %d: seq %d: damaged payload (%v)", round, r.Seq, err)
			}
		}
		if len(run.Torn) > 0 {
			torn++
		}
		t.Logf("round %d (split %v): killed after %d printed, journal holds %d records, torn tail %d bytes", round, round%2 == 1, len(printed), n, len(run.Torn))
	}
	t.Logf("%d kills left a torn line", torn)
}

// crashRound starts the child (splitting its writes if split), waits for it to be ready, lets it print a
// random number of Seqs, sleeps a random moment, kills it, and returns
// every Seq it printed on a complete line.
func crashRound(t *testing.T, state string, rng *rand.Rand, split bool) []int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+state)
	if split {
		cmd.Env = append(cmd.Env, crashSplit+"=1")
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(out)
	var printed []int
	readLine := func() (string, bool) {
		s, err := br.ReadString('\n')
		if err != nil { // io.EOF: a fragment without its newline does not count
			return "", false
		}
		return strings.TrimSuffix(s, "\n"), true
	}
	collect := func(s string) {
		if v, ok := strings.CutPrefix(s, "seq "); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatalf("child printed %q", s)
			}
			printed = append(printed, n)
		}
	}
	if s, ok := readLine(); !ok || s != "ready" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("child did not start: %q\n%s", s, stderr.String())
	}
	for k := rng.IntN(20); k > 0; k-- {
		s, ok := readLine()
		if !ok {
			break
		}
		collect(s)
	}
	time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	for {
		s, ok := readLine()
		if !ok {
			break
		}
		collect(s)
	}
	_, _ = io.Copy(io.Discard, br)
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != -1 {
		t.Fatalf("child was not killed but ended with %v:\n%s", err, stderr.String())
	}
	return printed
}
