package lock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var since = time.Date(2026, 11, 24, 0, 57, 34, 0, time.UTC)

// holder is this process holding locks for run, so that its locks are live.
func holder(run string) Holder {
	h := CurrentHolder(run, run+".yaml")
	h.Since = since
	return h
}

func locked(t *testing.T, l *Locker) map[string]string {
	t.Helper()
	locks, err := l.List()
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	m := map[string]string{}
	for _, lk := range locks {
		if lk.Problem != "" {
			t.Errorf("lock %s: %s", lk.Device, lk.Problem)
		}
		m[lk.Device] = lk.Holder.Run
	}
	return m
}

func TestAcquire(t *testing.T) {
	tests := []struct {
		name     string
		held     []string // locked by run "a" first
		want     []string // then run "b" asks for these
		conflict string   // the device b is refused on, or ""
		after    map[string]string
	}{
		{"disjoint", []string{"p1", "p2"}, []string{"p3", "p4"}, "", map[string]string{"p1": "a", "p2": "a", "p3": "b", "p4": "b"}},
		{"overlap, all or nothing", []string{"p2"}, []string{"p3", "p1", "p2"}, "p2", map[string]string{"p2": "a"}},
		{"first in order", []string{"p1", "p9"}, []string{"p9", "p1"}, "p1", map[string]string{"p1": "a", "p9": "a"}},
		{"duplicates asked", nil, []string{"p1", "p1", "p2"}, "", map[string]string{"p1": "b", "p2": "b"}},
		{"nothing asked", []string{"p1"}, nil, "", map[string]string{"p1": "a"}},
		{"odd names", []string{"a/b", "..", " sp ace"}, []string{"a%2Fb", ".", ".lock", "a"}, "", map[string]string{
			"a/b": "a", "..": "a", " sp ace": "a", "a%2Fb": "b", ".": "b", ".lock": "b", "a": "b"}},
		{"odd names collide only with themselves", []string{"a/b"}, []string{"a/b"}, "a/b", map[string]string{"a/b": "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := t.TempDir()
			l := New(state)
			a, err := l.Acquire(context.Background(), tt.held, holder("a"))
			if err != nil {
				t.Fatalf("Acquire a: %v", err)
			}
			b, err := l.Acquire(context.Background(), tt.want, holder("b"))
			if tt.conflict == "" {
				if err != nil {
					t.Fatalf("Acquire b: %v", err)
				}
				want := slices.Compact(slices.Sorted(slices.Values(tt.want)))
				if diff := cmp.Diff(want, b.Devices(), cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("Devices (-want +got):\n%s", diff)
				}
			} else {
				var held *HeldError
				if !errors.As(err, &held) {
					t.Fatalf("Acquire b = %v, want a *HeldError", err)
				}
				if held.Device != tt.conflict || held.Holder.Run != "a" || held.Stale {
					t.Errorf("HeldError = %+v, want device %s held by a, live", held, tt.conflict)
				}
			}
			if diff := cmp.Diff(tt.after, locked(t, l)); diff != "" {
				t.Errorf("locks (-want +got):\n%s", diff)
			}
			// No file outside the locks directory, no temporary left.
			entries, _ := os.ReadDir(state)
			if len(entries) > 1 {
				t.Errorf("state directory holds %v, want only locks/", entries)
			}
			files, _ := filepath.Glob(filepath.Join(l.Dir(), ".tmp-*"))
			if len(files) > 0 {
				t.Errorf("temporary files left: %v", files)
			}
			if err := a.Release(); err != nil {
				t.Error(err)
			}
			if b != nil {
				if err := b.Release(); err != nil {
					t.Error(err)
				}
			}
			if m := locked(t, l); len(m) != 0 {
				t.Errorf("after Release: %v", m)
			}
		})
	}
}

func TestAcquireRefuses(t *testing.T) {
	l := New(t.TempDir())
	ctx := context.Background()
	tests := []struct {
		name    string
		ctx     context.Context
		devices []string
		h       Holder
	}{
		{"no run", ctx, []string{"p1"}, Holder{PID: 1}},
		{"no pid", ctx, []string{"p1"}, Holder{Run: "r"}},
		{"empty device", ctx, []string{"p1", ""}, holder("r")},
		{"device name too long", ctx, []string{strings.Repeat("x", 300)}, holder("r")},
		{"cancelled", func() context.Context { c, cancel := context.WithCancel(ctx); cancel(); return c }(), []string{"p1", "p2"}, holder("r")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := l.Acquire(tt.ctx, tt.devices, tt.h); err == nil {
				t.Error("Acquire succeeded")
			}
			if m := locked(t, l); len(m) != 0 {
				t.Errorf("left locked: %v", m)
			}
		})
	}
}

func TestHeldErrorMessage(t *testing.T) {
	h := Holder{Run: "20261124T005734Z-ab12cd", Plan: "maint.yaml", User: "root", Host: "jump1", PID: 4242, Since: since}
	tests := []struct {
		err  HeldError
		want string
	}{
		{HeldError{Device: "p2", Holder: h},
			"device p2 is locked by run 20261124T005734Z-ab12cd (plan maint.yaml, root@jump1 pid 4242) since 2026-11-24T00:57:34Z"},
		{HeldError{Device: "p2", Holder: h, Stale: true},
			"device p2 is locked by run 20261124T005734Z-ab12cd (plan maint.yaml, root@jump1 pid 4242) since 2026-11-24T00:57:34Z; the holder is gone: break the lock with `changegate lock break p2`"},
		{HeldError{Device: "core sw'1", Holder: h, Stale: true},
			`device "core sw'1" is locked by run 20261124T005734Z-ab12cd (plan maint.yaml, root@jump1 pid 4242) since 2026-11-24T00:57:34Z; the holder is gone: break the lock with ` + "`changegate lock break 'core sw'\\''1'`"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
}

func TestReleaseLeavesOthersAlone(t *testing.T) {
	l := New(t.TempDir())
	ctx := context.Background()
	a, err := l.Acquire(ctx, []string{"x", "y"}, holder("a"))
	if err != nil {
		t.Fatal(err)
	}
	// x's lock disappears behind a's back (broken by hand) and b takes it.
	name, _ := fileName("x")
	if err := os.Remove(filepath.Join(l.Dir(), name)); err != nil {
		t.Fatal(err)
	}
	b, err := l.Acquire(ctx, []string{"x"}, holder("b"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := a.Release(); err != nil {
			t.Fatalf("Release %d: %v", i, err)
		}
		if diff := cmp.Diff(map[string]string{"x": "b"}, locked(t, l)); diff != "" {
			t.Errorf("after a's Release %d (-want +got):\n%s", i, diff)
		}
	}
	// The same run and process acquiring again is another set: releasing
	// the first set leaves the second's lock.
	b.Release()
	c1, err := l.Acquire(ctx, []string{"z"}, holder("c"))
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(l.Dir(), "z.lock"))
	c2, err := l.Acquire(ctx, []string{"z"}, holder("c"))
	if err != nil {
		t.Fatal(err)
	}
	c1.Release()
	if diff := cmp.Diff(map[string]string{"z": "c"}, locked(t, l)); diff != "" {
		t.Errorf("after c1.Release (-want +got):\n%s", diff)
	}
	c2.Release()
	if m := locked(t, l); len(m) != 0 {
		t.Errorf("after c2.Release: %v", m)
	}
}

// TestRace has goroutines race for random overlapping sets that all
// share one device, the last in lock order: in every round exactly one
// wins, and it holds its whole set. (Sorted acquisition guarantees a
// winner: a racer that fails does so on a device held by a racer that has
// got further in the order.)
func TestRace(t *testing.T) {
	l := New(t.TempDir())
	devices := []string{"x", "p1", "p2", "p3", "p4", "p5", "p6"}
	for round := range 20 {
		const racers = 8
		var wins atomic.Int32
		var wg sync.WaitGroup
		sets := make([]*Set, racers)
		for i := range racers {
			want := []string{"x"}
			for _, d := range devices[1:] {
				if rand.IntN(2) == 0 {
					want = append(want, d)
				}
			}
			rand.Shuffle(len(want), func(a, b int) { want[a], want[b] = want[b], want[a] })
			wg.Go(func() {
				s, err := l.Acquire(context.Background(), want, holder(fmt.Sprintf("r%d", i)))
				var held *HeldError
				switch {
				case err == nil:
					wins.Add(1)
					sets[i] = s
				case !errors.As(err, &held):
					t.Errorf("round %d racer %d: %v", round, i, err)
				}
			})
		}
		wg.Wait()
		if n := wins.Load(); n != 1 {
			t.Fatalf("round %d: %d winners, want 1", round, n)
		}
		m := locked(t, l)
		for i, s := range sets {
			if s == nil {
				continue
			}
			for _, d := range s.Devices() {
				if m[d] != fmt.Sprintf("r%d", i) {
					t.Errorf("round %d: winner r%d does not hold %s (%q does)", round, i, d, m[d])
				}
			}
			if len(m) != len(s.Devices()) {
				t.Errorf("round %d: locks %v beyond the winner's %v", round, m, s.Devices())
			}
			if err := s.Release(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

const sleepEnv = "CHANGEGATE_LOCK_SLEEP_CHILD"

// TestSleepChild is the process TestStale kills.
func TestSleepChild(t *testing.T) {
	if os.Getenv(sleepEnv) == "" {
		t.Skip("the child of TestStale")
	}
	time.Sleep(time.Minute)
}

// TestStale locks a device for a child process, finds the lock live while
// the child runs, kills the child, and finds it stale and breakable.
func TestStale(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestSleepChild$")
	cmd.Env = append(os.Environ(), sleepEnv+"=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()
	st, err := readStat(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	h := holder("dead")
	h.PID, h.Start = cmd.Process.Pid, st.start

	l := New(t.TempDir())
	ctx := context.Background()
	if _, err := l.Acquire(ctx, []string{"p 2"}, h); err != nil {
		t.Fatal(err)
	}
	stale := func() bool {
		t.Helper()
		locks, err := l.List()
		if err != nil || len(locks) != 1 {
			t.Fatalf("List = %v, %v", locks, err)
		}
		return locks[0].Stale
	}

	if stale() {
		t.Error("lock of a running child is stale")
	}
	var held *HeldError
	if _, err := l.Acquire(ctx, []string{"p 2"}, holder("next")); !errors.As(err, &held) || held.Stale {
		t.Errorf("Acquire over a live lock = %v", err)
	}
	got, err := l.Break("p 2")
	if !errors.As(err, &held) || held.Holder.Run != "dead" || got.PID != h.PID {
		t.Errorf("Break of a live lock = %+v, %v; want a refusal naming the holder", got, err)
	} else if !strings.Contains(err.Error(), "still running; not breaking the lock") {
		t.Errorf("Break refusal %q does not say why", err)
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	killed = true

	if !stale() {
		t.Error("lock of a dead child is not stale")
	}
	_, err = l.Acquire(ctx, []string{"p1", "p 2"}, holder("next"))
	if !errors.As(err, &held) || !held.Stale || !strings.HasSuffix(err.Error(), "break the lock with `changegate lock break 'p 2'`") {
		t.Errorf("Acquire over a stale lock = %v", err)
	}
	got, err = l.Break("p 2")
	if err != nil || got.Run != "dead" || got.PID != h.PID {
		t.Fatalf("Break of a stale lock = %+v, %v", got, err)
	}
	if _, err := l.Break("p 2"); !errors.Is(err, ErrNotLocked) {
		t.Errorf("second Break = %v, want ErrNotLocked", err)
	}
	s, err := l.Acquire(ctx, []string{"p1", "p 2"}, holder("next"))
	if err != nil {
		t.Fatalf("Acquire after Break: %v", err)
	}
	s.Release()
	if files, _ := filepath.Glob(filepath.Join(l.Dir(), ".broken-*")); len(files) > 0 {
		t.Errorf("left aside: %v", files)
	}
}

func TestGone(t *testing.T) {
	me := holder("me")
	pidMax := 1 << 22 // the kernel's ceiling: no pid above it exists
	tests := []struct {
		name string
		edit func(*Holder)
		gone bool
	}{
		{"this process", func(*Holder) {}, false},
		{"this process without a start time", func(h *Holder) { h.Start = 0 }, false},
		{"pid reused", func(h *Holder) { h.Start++ }, true},
		{"no such pid", func(h *Holder) { h.PID = pidMax + 1 }, true},
		{"no pid", func(h *Holder) { h.PID = 0 }, true},
		{"rebooted", func(h *Holder) { h.Boot = "00000000-0000-0000-0000-000000000000" }, true},
		{"another host, dead pid", func(h *Holder) { h.Host, h.PID = "elsewhere", pidMax+1 }, false},
		{"another host, rebooted", func(h *Holder) { h.Host, h.Boot = "elsewhere", "x" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if me.Boot == "" && tt.name == "rebooted" {
				t.Skip("no boot id here")
			}
			h := me
			tt.edit(&h)
			if got, why := gone(h); got != tt.gone {
				t.Errorf("gone = %v (%s), want %v", got, why, tt.gone)
			}
		})
	}
}

func TestBreakRefuses(t *testing.T) {
	l := New(t.TempDir())
	if _, err := l.Break("p1"); !errors.Is(err, ErrNotLocked) {
		t.Errorf("Break without a locks directory = %v, want ErrNotLocked", err)
	}
	h := holder("far")
	h.Host, h.PID = "elsewhere", 1<<22+1
	if _, err := l.Acquire(context.Background(), []string{"p1"}, h); err != nil {
		t.Fatal(err)
	}
	var held *HeldError
	_, err := l.Break("p1")
	if !errors.As(err, &held) || !strings.Contains(err.Error(), "host elsewhere") || !strings.Contains(err.Error(), "by hand") {
		t.Errorf("Break of another host's lock = %v", err)
	}
	if _, err := l.Break("p2"); !errors.Is(err, ErrNotLocked) {
		t.Errorf("Break of an unlocked device = %v, want ErrNotLocked", err)
	}
	if _, err := l.Break(""); err == nil {
		t.Error("Break of an empty name succeeded")
	}
	// An unreadable lock file is listed with its problem and not broken.
	if err := os.WriteFile(filepath.Join(l.Dir(), "p3.lock"), []byte("{"), 0o640); err != nil {
		t.Fatal(err)
	}
	var unreadable *UnreadableError
	if _, err := l.Break("p3"); !errors.As(err, &unreadable) || !strings.Contains(err.Error(), "lock break p3 --unreadable") {
		t.Errorf("Break of an unreadable lock = %v", err)
	}
	locks, err := l.List()
	if err != nil || len(locks) != 2 || locks[1].Device != "p3" || locks[1].Problem == "" || locks[1].Stale {
		t.Errorf("List = %+v, %v", locks, err)
	}
	if _, err := l.Acquire(context.Background(), []string{"p3"}, holder("r")); err == nil || !strings.Contains(err.Error(), "unreadable") {
		t.Errorf("Acquire over an unreadable lock = %v", err)
	}
}

// TestBreakRace has goroutines break one stale lock and then acquire the
// device: one Break succeeds, the others find nothing to break or a live
// lock, and one Acquire wins.
func TestBreakRace(t *testing.T) {
	l := New(t.TempDir())
	dead := holder("dead")
	dead.Start++ // this pid, another process: gone
	if _, err := l.Acquire(context.Background(), []string{"p1"}, dead); err != nil {
		t.Fatal(err)
	}
	var broke, won atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if _, err := l.Break("p1"); err == nil {
				broke.Add(1)
			}
			if s, err := l.Acquire(context.Background(), []string{"p1"}, holder(fmt.Sprint(i))); err == nil {
				won.Add(1)
				_ = s // held to the end of the test
			}
		})
	}
	wg.Wait()
	if broke.Load() != 1 || won.Load() != 1 {
		t.Errorf("%d Breaks and %d Acquires succeeded, want 1 and 1", broke.Load(), won.Load())
	}
}

// A lock file that is not a lock Acquire wrote (garbled, cut short, a
// hand-written holder with pid 0 and no time, another device's lock, a
// symbolic link) is unreadable: listed with its problem and path, never
// stale, never free for Acquire, not broken by Break; BreakUnreadable
// removes it (a link, not its target), and refuses a readable lock.
func TestUnreadableLock(t *testing.T) {
	target := filepath.Join(t.TempDir(), "target")
	good, _ := json.Marshal(file{Device: "other", Token: "t", Holder: holder("r0")})
	tests := []struct {
		name, content, link, want string
	}{
		{"garbled", "\x00\x01garbage", "", "not a lock: invalid character"},
		{"empty", "", "", "not a lock: unexpected end of JSON input"},
		{"pid 0 since year 1", `{"device":"p1","token":"t","holder":{"run":"r1"}}`, "", "not a lock: holder pid 0"},
		{"another device's", string(good), "", `not a lock: it names device "other", not "p1"`},
		{"symbolic link", "", target, "is a symbolic link (to " + target + ")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New(t.TempDir())
			os.MkdirAll(l.Dir(), 0o755)
			path := filepath.Join(l.Dir(), "p1.lock")
			if tt.link != "" {
				os.WriteFile(tt.link, good, 0o600)
				if err := os.Symlink(tt.link, path); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(path, []byte(tt.content), 0o640); err != nil {
				t.Fatal(err)
			}
			locks, err := l.List()
			if err != nil || len(locks) != 1 {
				t.Fatalf("List = %+v, %v", locks, err)
			}
			if lk := locks[0]; lk.Device != "p1" || lk.File != path || lk.Stale || !strings.Contains(lk.Problem, tt.want) {
				t.Errorf("List: %+v, want problem %q", lk, tt.want)
			}
			var unreadable *UnreadableError
			_, err = l.Acquire(context.Background(), []string{"p1"}, holder("r2"))
			if !errors.As(err, &unreadable) || unreadable.File != path || !strings.Contains(err.Error(), "stays locked") {
				t.Errorf("Acquire = %v", err)
			}
			if _, err := l.Break("p1"); !errors.As(err, &unreadable) {
				t.Errorf("Break = %v", err)
			}
			if got, err := l.BreakUnreadable("p1"); err != nil || got != path {
				t.Fatalf("BreakUnreadable = %s, %v", got, err)
			}
			if _, err := os.Lstat(path); !os.IsNotExist(err) {
				t.Errorf("still there: %v", err)
			}
			if tt.link != "" {
				if b, _ := os.ReadFile(tt.link); string(b) != string(good) {
					t.Errorf("the link's target changed: %q", b)
				}
			}
			s, err := l.Acquire(context.Background(), []string{"p1"}, holder("r2"))
			if err != nil {
				t.Fatalf("Acquire after the break: %v", err)
			}
			if _, err := l.BreakUnreadable("p1"); err == nil || !strings.Contains(err.Error(), "can be read (held by run r2)") {
				t.Errorf("BreakUnreadable of a readable lock = %v", err)
			}
			s.Release()
			if _, err := l.BreakUnreadable("p1"); !errors.Is(err, ErrNotLocked) {
				t.Errorf("BreakUnreadable of no lock = %v", err)
			}
		})
	}
}

// TestBreakUnreadableRace has goroutines remove one unreadable lock and
// then acquire the device: one removal succeeds, the others find no lock
// or a readable one (which they leave), and one Acquire wins.
func TestBreakUnreadableRace(t *testing.T) {
	l := New(t.TempDir())
	os.MkdirAll(l.Dir(), 0o755)
	if err := os.WriteFile(filepath.Join(l.Dir(), "p1.lock"), []byte("garbage"), 0o640); err != nil {
		t.Fatal(err)
	}
	var broke, won atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if _, err := l.BreakUnreadable("p1"); err == nil {
				broke.Add(1)
			}
			if s, err := l.Acquire(context.Background(), []string{"p1"}, holder(fmt.Sprint(i))); err == nil {
				won.Add(1)
				_ = s // held to the end of the test
			}
		})
	}
	wg.Wait()
	if broke.Load() != 1 || won.Load() != 1 {
		t.Errorf("%d removals and %d Acquires succeeded, want 1 and 1", broke.Load(), won.Load())
	}
	if m := locked(t, l); len(m) != 1 {
		t.Errorf("locks after the race: %v", m)
	}
}
