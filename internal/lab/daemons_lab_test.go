package lab

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/changegate/changegate/internal/testscale"
)

// TestLabDaemonsInheritNoFiles holds a lock on a file through a
// descriptor opened without close-on-exec, as a caller's flock(1) does,
// brings a lab up, and checks that none of the lab's daemons (zebra,
// ospfd, sshd) has the file open and that, once the test closes its
// descriptor, another process can take the lock while the lab runs.
func TestLabDaemonsInheritNoFiles(t *testing.T) {
	SkipUnlessAvailable(t)
	lock := filepath.Join(t.TempDir(), "caller.lock")
	fd, err := syscall.Open(lock, syscall.O_RDWR|syscall.O_CREAT, 0o600) // no O_CLOEXEC, as inherited
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			syscall.Close(fd)
		}
	}()
	if err := syscall.Flock(fd, syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	l, _ := UpForTest(t, "fds", `
igp: ospf
nodes: [{name: a}, {name: b}]
links: [{a: a, b: b, capacity: 10G, metric: 10}]
`)
	ctx, cancel := context.WithTimeout(context.Background(), testscale.Timeout(time.Minute))
	defer cancel()
	roles := map[string]bool{}
	for _, p := range l.Procs {
		roles[p.Comm] = true
		ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", p.PID))
		if err != nil {
			t.Fatalf("%s (pid %d): %v", p.Role, p.PID, err)
		}
		for _, e := range ents {
			target, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", p.PID, e.Name()))
			if target == lock {
				t.Errorf("%s (pid %d) has the caller's %s open as fd %s", p.Role, p.PID, lock, e.Name())
			}
		}
	}
	for _, c := range []string{"cg-zebra", "cg-ospfd", "cg-sshd"} {
		if !roles[c] {
			t.Errorf("no %s among the lab's processes %+v", c, l.Procs)
		}
	}
	syscall.Close(fd)
	closed = true
	if out, err := exec.CommandContext(ctx, "flock", "--nonblock", "--exclusive", lock, "true").CombinedOutput(); err != nil {
		t.Errorf("the caller's lock is still held while the lab runs: flock: %v: %s", err, out)
	}
}

// TestLabSSHDStartError starts an sshd of the lab on a port something
// else listens on: the error says which sshd, routers and ports, and
// quotes sshd's own words, and it comes as soon as sshd exits.
func TestLabSSHDStartError(t *testing.T) {
	SkipUnlessAvailable(t)
	ctx, cancel := context.WithTimeout(context.Background(), testscale.Timeout(time.Minute))
	defer cancel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	dir := filepath.Join(t.TempDir(), "cg-lab-sshderr")
	for _, d := range []string{filepath.Join(dir, "bin"), filepath.Join(dir, "ssh")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(sshdBin, filepath.Join(dir, "bin", "cg-sshd")); err != nil {
		t.Fatal(err)
	}
	if _, err := run(ctx, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(dir, "ssh", "host_ed25519")); err != nil {
		t.Fatal(err)
	}
	l := &Lab{State: State{Name: "sshderr", Dir: dir, User: "cg-nobody"}}
	g := sshdGroups(dir, []NodeLayout{{Name: "r1", Hostname: "r1", SSHPort: port}})[0]
	err = l.startSSHD(ctx, g)
	defer func() {
		for _, p := range l.Procs {
			if procComm(p.PID) == p.Comm {
				syscall.Kill(p.PID, syscall.SIGKILL)
			}
		}
	}()
	if err == nil {
		t.Fatalf("sshd started on busy port %d", port)
	}
	t.Log(err)
	for _, want := range []string{"sshd 1 (router r1, port " + strconv.Itoa(port) + ")", "exited while starting", "Address already in use"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// TestLabManyLinks joins two routers by 25 parallel links on OSPF: more
// than the 20 multicast groups Linux lets one socket join by default
// (net.ipv4.igmp_max_memberships), which is how ospfd listens for hellos
// on each interface. Every adjacency comes up because the lab raises the
// limit in each router's namespace (without that, ospfd logs "can't
// setsockopt IP_ADD_MEMBERSHIP" and hears nothing on five of them).
func TestLabManyLinks(t *testing.T) {
	SkipUnlessAvailable(t)
	var b strings.Builder
	b.WriteString("igp: ospf\nnodes: [{name: a}, {name: b}]\nlinks:\n")
	for i := range 25 {
		fmt.Fprintf(&b, "  - {id: l%d, a: a, b: b, capacity: 10G, metric: 10}\n", i+1)
	}
	l, _ := UpForTest(t, "many", b.String())
	ctx, cancel := context.WithTimeout(context.Background(), testscale.Timeout(time.Minute))
	defer cancel()
	for _, r := range []string{"a", "b"} {
		got, err := l.Adjacencies(ctx, r)
		if err != nil || got != 25 {
			t.Errorf("%s: %d adjacencies Full (%v), want 25", r, got, err)
		}
		// The routes follow the adjacencies within an SPF run.
		var out string
		for deadline := time.Now().Add(testscale.Timeout(30 * time.Second)); ; time.Sleep(100 * time.Millisecond) {
			out, err = l.Vtysh(ctx, r, "show ip route "+map[string]string{"a": "198.18.0.2/32", "b": "198.18.0.1/32"}[r])
			if err == nil && strings.Count(out, ", via cg-") == 25 {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("%s: want the other's loopback over all 25 links, got %v:\n%s", r, err, out)
				break
			}
		}
	}
}
