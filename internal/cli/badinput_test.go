package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/testscale"
)

// The bad-input corpus: testdata/badinput holds one directory per format
// that changegate reads, and in each the files an attacker or a tired
// engineer hands over (syntax errors, wrong types, misspelt fields, files
// of another format, binary content, secrets, escapes, bombs, references
// to nothing). TestBadInput runs, for every file, the command that reads
// it, in a repository of its own (a directory with .git) made of the good
// fixtures of testdata/badinput/fixtures and the bad file, and asserts
// what every bad input must give:
//
//   - exit status 1;
//   - a message naming the bad file with a line (FILE:LINE);
//   - no panic, no runtime error, no goroutine dump or Go stack frame;
//   - no more of the file echoed than a clipped excerpt: no run of more
//     than diag.ExcerptRunes+1 consecutive characters of the file appears
//     in the output.
//
// testdata/badinput.golden lists, per file, the command and the line that
// names the file (go test -update rewrites it), so that positions and
// messages are reviewed and their regressions show in diffs.

// badInputFormats maps each directory of the corpus to the command that
// reads its files: a function that writes the bad file (called name in
// the corpus) into the repository, with the fixture that names it when
// one does, and returns the path of the bad file and the command's
// arguments (--config is added when they have none).
var badInputFormats = map[string]func(r *badRepo, name string) (bad string, args []string){
	// A plan, checked.
	"plan": func(r *badRepo, name string) (string, []string) {
		bad := r.bad(name)
		return bad, []string{"check", bad}
	},
	// A file given as the topology of a plan (topology: FILE), checked.
	"plan-topology": func(r *badRepo, name string) (string, []string) {
		bad := r.bad(name)
		return bad, []string{"check", r.fixture("plan-topology.yaml", name)}
	},
	// A topology, shown.
	"topology": func(r *badRepo, name string) (string, []string) {
		bad := r.bad(name)
		return bad, []string{"topology", "show", bad}
	},
	// A demand file of a topology (demand_files:), shown.
	"demands": func(r *badRepo, name string) (string, []string) {
		bad := r.bad(name)
		return bad, []string{"topology", "show", r.fixture("topology-demands.yaml", name)}
	},
	// A demand file of a plan (traffic:), checked.
	"traffic": func(r *badRepo, name string) (string, []string) {
		bad := r.bad(name)
		return bad, []string{"check", r.fixture("plan-traffic.yaml", name)}
	},
	// A runbook in a runbook directory, listed.
	"runbook": func(r *badRepo, name string) (string, []string) {
		bad := r.bad(filepath.Join("runbooks", name))
		return bad, []string{"runbook", "list", "--runbooks", filepath.Dir(bad)}
	},
	// A changegate inventory, validated.
	"inventory": func(r *badRepo, name string) (string, []string) {
		bad := r.bad(name)
		return bad, []string{"inventory", "validate", bad, "--inventory-format", "native"}
	},
	// The hosts, groups or defaults of a Nornir SimpleInventory (the
	// other two the fixtures'), validated.
	"nornir-hosts":    nornirFormat("hosts.yaml"),
	"nornir-groups":   nornirFormat("groups.yaml"),
	"nornir-defaults": nornirFormat("defaults.yaml"),
	// A containerlab topology as an inventory, validated.
	"clab-inventory": func(r *badRepo, name string) (string, []string) {
		bad := r.bad(name)
		return bad, []string{"inventory", "validate", bad, "--inventory-format", "containerlab"}
	},
	// A containerlab topology, imported.
	"clab-import": func(r *badRepo, name string) (string, []string) {
		bad := r.bad(name)
		return bad, []string{"topology", "import", "--from", "containerlab", bad, "--default-capacity", "10G"}
	},
	// A Topology Zoo GraphML file, imported (without a default capacity,
	// so that a link speed that is not one is an error, not a warning).
	"graphml": func(r *badRepo, name string) (string, []string) {
		bad := r.bad(name)
		return bad, []string{"topology", "import", "--from", "graphml", bad}
	},
	// A user policy (--policy FILE) of a check.
	"policy": func(r *badRepo, name string) (string, []string) {
		bad := r.bad(filepath.Join("policies", name))
		return bad, []string{"check", r.path("plan.yaml"), "--policy", bad}
	},
	// The TextFSM template of a plan's check (textfsm: {template: FILE}),
	// checked.
	"textfsm": func(r *badRepo, name string) (string, []string) {
		bad := r.bad(name)
		return bad, []string{"check", r.fixture("plan-template.yaml", name)}
	},
	// The configuration (--config FILE) of a check.
	"config": func(r *badRepo, name string) (string, []string) {
		bad := r.bad(name)
		return bad, []string{"check", r.path("plan.yaml"), "--config", bad}
	},
	// The allowed signers file (approvals.allowed_signers) of approvals.
	"allowed-signers": func(r *badRepo, name string) (string, []string) {
		bad := r.bad(name)
		return bad, []string{"approvals", r.path("plan.yaml"), "--config", r.fixture("changegate-signers.yaml", name)}
	},
	// An approval of the plan (PLAN.approvals/*.json), listed.
	"approval": func(r *badRepo, name string) (string, []string) {
		bad := r.bad(filepath.Join("plan.approvals", name))
		return bad, []string{"approvals", r.path("plan.yaml")}
	},
	// The reviewed verdict of apply --checked FILE.
	"verdict": func(r *badRepo, name string) (string, []string) {
		bad := r.bad(name)
		return bad, []string{"apply", r.path("plan.yaml"), "--checked", bad}
	},
}

func nornirFormat(file string) func(r *badRepo, name string) (string, []string) {
	return func(r *badRepo, name string) (string, []string) {
		for _, f := range []string{"hosts.yaml", "groups.yaml", "defaults.yaml"} {
			if f != file {
				r.fixture(filepath.Join("nornir", f), "")
			}
		}
		bad := r.bad(filepath.Join("nornir", file))
		return bad, []string{"inventory", "validate", filepath.Dir(bad)}
	}
}

// badInputGenerated are bad inputs too large to keep in the corpus,
// made here: FORMAT/NAME -> content.
var badInputGenerated = map[string]func() []byte{
	// Over the size limit of its kind (1 MiB): refused unread.
	"runbook/generated-over-the-limit.yaml": func() []byte {
		return append([]byte("name: generated-over-the-limit\ndescription: |\n"), bytes.Repeat([]byte("  padding padding padding padding padding padding\n"), 21000)...)
	},
	// Over the size limit of an approval (64 KiB).
	"approval/generated-over-the-limit.json": func() []byte {
		return []byte(`{"version": 1, "approver": "` + strings.Repeat("x", 70<<10) + `"}`)
	},
	// 100,000 nested flow sequences.
	"plan/generated-deep-nesting.yaml": func() []byte {
		return []byte("title: deep\nsteps: " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "\n")
	},
	// 200 kB of one line in a demand file.
	"demands/generated-long-line.csv": func() []byte {
		return []byte("src,dst,rate\na,b," + strings.Repeat("9", 200000) + "G\n")
	},
}

// badInputTimeout bounds one command: a bomb must fail, not hang. It is
// generous and scaled for the machine (internal/testscale).
var badInputTimeout = testscale.Timeout(60 * time.Second)

func TestBadInput(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir()) // apply's state, if it ever got there
	root := filepath.Join("testdata", "badinput")
	cases := badInputCases(t, root)
	if len(cases) < 150 {
		t.Errorf("the corpus has %d files, want at least 150", len(cases))
	}
	seen := map[string]bool{}
	var golden strings.Builder
	golden.WriteString("# The bad-input corpus (testdata/badinput): for each file, the command that\n# reads it, its exit status and the line of its output that names the file\n# (else its first line). $REPO is the repository the test makes.\n")
	ran := 0
	for _, c := range cases {
		seen[c.format] = true
		t.Run(c.id, func(t *testing.T) {
			ran++
			r := newBadRepo(t, c.data)
			bad, args := badInputFormats[c.format](r, c.name)
			if !slices.Contains(args, "--config") {
				args = append(args, "--config", r.path("changegate.yaml"))
			}
			stdout, stderr, code, panicked := runBad(t, args)
			out := stderr + stdout
			fileLine := regexp.MustCompile(regexp.QuoteMeta(bad) + `:[1-9][0-9]*\b`)
			var problems []string
			if panicked != "" {
				problems = append(problems, "panicked: "+panicked)
			}
			if code != ExitError && panicked == "" {
				problems = append(problems, fmt.Sprintf("exit %d, want %d", code, ExitError))
			}
			if !fileLine.MatchString(out) {
				problems = append(problems, "no message names "+bad+":LINE")
			}
			if m := stackTrace.FindString(out); m != "" {
				problems = append(problems, fmt.Sprintf("a panic or stack trace in the output: %q", m))
			}
			if run := longestEcho(string(c.data), out, diag.ExcerptRunes+2); run != "" {
				problems = append(problems, fmt.Sprintf("%d characters of the file echoed (at most %d): %s", len([]rune(run)), diag.ExcerptRunes+1, diag.Excerpt(run)))
			}

			status := fmt.Sprintf("exit %d", code)
			if panicked != "" {
				status = "panic"
			}
			fmt.Fprintf(&golden, "\n%s\n$ changegate %s\n%s: %s\n", c.id, r.hide(strings.Join(args, " ")), status, goldenLine(r.hide(namingLine(fileLine, stderr, stdout))))

			for _, p := range problems {
				t.Error(p)
			}
			if t.Failed() {
				t.Logf("$ changegate %s\nexit %d\nstderr:\n%s\nstdout:\n%s", strings.Join(args, " "), code, clipLog(stderr), clipLog(stdout))
			}
		})
	}
	for format := range badInputFormats {
		if !seen[format] {
			t.Errorf("the corpus has no file of format %s (testdata/badinput/%s)", format, format)
		}
	}
	if ran < len(cases) {
		t.Logf("%d of %d files ran: testdata/badinput.golden is neither checked nor written", ran, len(cases))
		return
	}
	checkGolden(t, "badinput.golden", golden.String())
}

// badInputCase is one bad input: the file FORMAT/NAME of the corpus, or
// a generated one.
type badInputCase struct {
	id, format, name string
	data             []byte
}

// badInputCases lists the corpus (every directory but fixtures, whose
// name must be a format) and the generated inputs, sorted.
func badInputCases(t *testing.T, root string) []badInputCase {
	t.Helper()
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var cases []badInputCase
	for _, d := range dirs {
		if !d.IsDir() {
			continue // README.md
		}
		format := d.Name()
		if format == "fixtures" {
			continue
		}
		if badInputFormats[format] == nil {
			t.Errorf("testdata/badinput/%s: no command reads this format (add it to badInputFormats)", format)
			continue
		}
		files, err := os.ReadDir(filepath.Join(root, format))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if f.IsDir() {
				t.Errorf("testdata/badinput/%s/%s: a directory in the corpus", format, f.Name())
				continue
			}
			data, err := os.ReadFile(filepath.Join(root, format, f.Name()))
			if err != nil {
				t.Fatal(err)
			}
			cases = append(cases, badInputCase{id: format + "/" + f.Name(), format: format, name: f.Name(), data: data})
		}
	}
	for id, gen := range badInputGenerated {
		format, name, _ := strings.Cut(id, "/")
		if badInputFormats[format] == nil {
			t.Errorf("generated %s: no command reads format %s", id, format)
			continue
		}
		cases = append(cases, badInputCase{id: id, format: format, name: name, data: gen()})
	}
	sort.Slice(cases, func(i, j int) bool { return cases[i].id < cases[j].id })
	return cases
}

// badRepo is the repository of one bad input: the good fixtures and the
// bad file.
type badRepo struct {
	t    *testing.T
	dir  string
	data []byte
}

// The fixtures every repository holds: the plan and its topology, the
// configuration and the allowed signers and user runbooks it names.
var badRepoFixtures = []string{"plan.yaml", "topology.yaml", "changegate.yaml", "allowed_signers", "user-runbooks/interface-description.yaml"}

func newBadRepo(t *testing.T, data []byte) *badRepo {
	t.Helper()
	r := &badRepo{t: t, dir: t.TempDir(), data: data}
	if err := os.Mkdir(r.path(".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range badRepoFixtures {
		r.fixture(f, "")
	}
	return r
}

func (r *badRepo) path(rel string) string { return filepath.Join(r.dir, rel) }

// fixture copies fixtures/rel into the repository, with @BAD@ replaced
// by bad (the name of the bad file), and returns its path.
func (r *badRepo) fixture(rel, bad string) string {
	r.t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "badinput", "fixtures", rel))
	if err != nil {
		r.t.Fatal(err)
	}
	return r.write(rel, bytes.ReplaceAll(data, []byte("@BAD@"), []byte(bad)))
}

// bad writes the bad file at rel, and returns its path. It must not be a
// fixture's name.
func (r *badRepo) bad(rel string) string {
	r.t.Helper()
	if _, err := os.Lstat(r.path(rel)); err == nil {
		r.t.Fatalf("the bad file %s has the name of a fixture: rename it", rel)
	}
	return r.write(rel, r.data)
}

func (r *badRepo) write(rel string, data []byte) string {
	r.t.Helper()
	p := r.path(rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		r.t.Fatal(err)
	}
	return p
}

// hide replaces the repository's path with $REPO.
func (r *badRepo) hide(s string) string { return strings.ReplaceAll(s, r.dir, "$REPO") }

// runBad runs changegate in process, as run does, and recovers a panic
// (the message is returned). A command that runs longer than
// badInputTimeout is cancelled and fails the test; one that does not
// return then stops the test binary with every goroutine's stack.
func runBad(t *testing.T, args []string) (stdout, stderr string, code int, panicked string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				panicked = fmt.Sprint(p)
			}
		}()
		code = Run(ctx, args, strings.NewReader(""), &out, &errb)
	}()
	select {
	case <-done:
	case <-time.After(badInputTimeout):
		cancel()
		select {
		case <-done:
			t.Errorf("still running after %v: cancelled", badInputTimeout)
		case <-time.After(testscale.Timeout(30 * time.Second)):
			panic(fmt.Sprintf("changegate %s: still running %v after it was cancelled", strings.Join(args, " "), badInputTimeout))
		}
	}
	return out.String(), errb.String(), code, panicked
}

// stackTrace finds what a panic or a Go runtime error prints.
var stackTrace = regexp.MustCompile(`panic|goroutine |runtime error|(?m)^\s*\S+\.go:\d+ \+0x[0-9a-f]+$`)

// longestEcho returns the longest run of at least n characters of content
// that out holds, "" when there is none. A run is found by its windows of
// n characters, each of which content holds (the run as a whole may be
// pieced from several places of content: it is the length that counts).
func longestEcho(content, out string, n int) string {
	c, o := []rune(content), []rune(out)
	if len(c) < n || len(o) < n {
		return ""
	}
	windows := make(map[string]bool, len(c)-n+1)
	for i := 0; i+n <= len(c); i++ {
		windows[string(c[i:i+n])] = true
	}
	best := ""
	for i := 0; i+n <= len(o); i++ {
		if !windows[string(o[i:i+n])] {
			continue
		}
		j := i + n
		for j < len(o) && windows[string(o[j+1-n:j+1])] {
			j++
		}
		if j-i > len([]rune(best)) {
			best = string(o[i:j])
		}
		i = j - n
	}
	return best
}

// namingLine is the first line of the output that names the bad file
// with a line (an error rather than a warning when there are both), else
// the first line of stderr, else of stdout.
func namingLine(fileLine *regexp.Regexp, stderr, stdout string) string {
	lines := append(strings.Split(stderr, "\n"), strings.Split(stdout, "\n")...)
	found := ""
	for _, l := range lines {
		if fileLine.MatchString(l) {
			if !strings.Contains(l, ": warning: ") {
				found = l
				break
			}
			if found == "" {
				found = l
			}
		}
	}
	if found == "" {
		for _, l := range lines {
			if strings.TrimSpace(l) != "" {
				found = "(no line names the file) " + l
				break
			}
		}
	}
	if found == "" {
		return "(no output)"
	}
	return found
}

// goldenLine is a line as the golden file keeps it: every character
// that is not printable escaped, runs of spaces as one (columns aligned
// to a temporary path are as wide as the path), times (in the local time
// zone) as TIME, at most 400 characters.
func goldenLine(s string) string {
	s = manySpaces.ReplaceAllString(s, " ")
	s = localTime.ReplaceAllString(s, "TIME")
	var b strings.Builder
	for i, r := range []rune(s) {
		if i == 400 {
			b.WriteString("…")
			break
		}
		if r == ' ' || strconv.IsPrint(r) {
			b.WriteRune(r)
			continue
		}
		q := strconv.QuoteRune(r)
		b.WriteString(q[1 : len(q)-1])
	}
	return b.String()
}

var (
	manySpaces = regexp.MustCompile(`  +`)
	localTime  = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`)
)

// clipLog keeps a failure's log readable.
func clipLog(s string) string {
	if len(s) > 4000 {
		return s[:4000] + fmt.Sprintf("... (%d bytes more)", len(s)-4000)
	}
	return s
}
