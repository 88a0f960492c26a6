package lab

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// maxSSHDPorts is how many ports one sshd listens on: OpenSSH's
// MAX_LISTEN_SOCKS is 16, and an sshd given more ports exits ("Too many
// listen sockets"). The lab starts one sshd per group of this many
// routers.
const maxSSHDPorts = 16

// sshdStartTimeout bounds how long one sshd may take to write its pid
// file once started.
const sshdStartTimeout = 10 * time.Second

// sshdGroup is one of the lab's sshds and the routers it serves.
type sshdGroup struct {
	Index int          // 1-based
	Dir   string       // <state>/ssh/sshd-<Index>: config, pid file, logs
	Nodes []NodeLayout // at most maxSSHDPorts
}

// sshdGroups splits the routers, in layout order, into groups of at most
// maxSSHDPorts, one sshd each.
func sshdGroups(labDir string, nodes []NodeLayout) []sshdGroup {
	var gs []sshdGroup
	for i := 0; i < len(nodes); i += maxSSHDPorts {
		k := len(gs) + 1
		gs = append(gs, sshdGroup{
			Index: k,
			Dir:   filepath.Join(labDir, "ssh", fmt.Sprintf("sshd-%d", k)),
			Nodes: nodes[i:min(i+maxSSHDPorts, len(nodes))],
		})
	}
	return gs
}

// describe names the group's routers and ports for messages.
func (g sshdGroup) describe() string {
	first, last := g.Nodes[0], g.Nodes[len(g.Nodes)-1]
	if len(g.Nodes) == 1 {
		return fmt.Sprintf("sshd %d (router %s, port %d)", g.Index, first.Name, first.SSHPort)
	}
	ports := make([]string, len(g.Nodes))
	for i, n := range g.Nodes {
		ports[i] = strconv.Itoa(n.SSHPort)
	}
	return fmt.Sprintf("sshd %d (routers %s to %s, ports %s)", g.Index, first.Name, last.Name, strings.Join(ports, ","))
}

// startSSH generates the host and client keys, the login user and the
// known_hosts file, and starts the lab's sshds, one per group of at most
// maxSSHDPorts routers, all with the same host key.
func (l *Lab) startSSH(ctx context.Context) error {
	sshDir := filepath.Join(l.Dir, "ssh")
	if err := os.MkdirAll(sshDir, 0o700); err != nil {
		return err
	}
	os.Chmod(sshDir, 0o755) // the login user traverses it to nothing; keys stay 0600
	for _, k := range []string{filepath.Join(sshDir, "host_ed25519"), l.KeyFile()} {
		if _, err := run(ctx, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "cg-lab-"+l.Name, "-f", k); err != nil {
			return err
		}
	}
	hostPub, err := os.ReadFile(filepath.Join(sshDir, "host_ed25519.pub"))
	if err != nil {
		return err
	}
	f := strings.Fields(string(hostPub))
	var kh strings.Builder
	for _, nd := range l.Layout.Nodes {
		fmt.Fprintf(&kh, "[127.0.0.1]:%d %s %s\n", nd.SSHPort, f[0], f[1])
	}
	if err := os.WriteFile(l.KnownHostsFile(), []byte(kh.String()), 0o644); err != nil {
		return err
	}
	userPub, err := os.ReadFile(l.KeyFile() + ".pub")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(sshDir, "authorized_keys"), userPub, 0o644); err != nil {
		return err
	}
	if err := l.createUser(ctx); err != nil {
		return err
	}
	if err := l.installNsenter(); err != nil {
		l.logf("the routers' kernel tables will not be readable over SSH: %v", err)
	}
	groups := sshdGroups(l.Dir, l.Layout.Nodes)
	for _, g := range groups {
		if err := l.startSSHD(ctx, g); err != nil {
			return err
		}
	}
	// sshd carries on when it can bind some of its ports: its log says
	// why it could not bind the others.
	for _, g := range groups {
		for _, nd := range g.Nodes {
			if err := waitPort(ctx, nd.SSHPort, 5*time.Second); err != nil {
				return fmt.Errorf("router %s: %w: %s: %s", nd.Name, err, g.describe(), daemonFailure(filepath.Join(g.Dir, "sshd.log")))
			}
		}
	}
	return os.WriteFile(l.InventoryFile(), l.inventory(), 0o644)
}

// startSSHD writes the config of one of the lab's sshds and starts it in
// the foreground (-D) as a child of this process, in its own session,
// logging to sshd.log in its directory (-E). It returns once sshd has
// written its pid file; if sshd exits first, or does not write it in
// time, the error quotes what it logged and names its routers and ports.
func (l *Lab) startSSHD(ctx context.Context, g sshdGroup) error {
	if err := os.MkdirAll(filepath.Join(g.Dir, "var-log"), 0o700); err != nil {
		return err
	}
	conf := filepath.Join(g.Dir, "sshd_config")
	if err := os.WriteFile(conf, []byte(sshdConf(l.Dir, g, l.User)), 0o644); err != nil {
		return err
	}
	startLog, sshdLog, pidFile := filepath.Join(g.Dir, "start.log"), filepath.Join(g.Dir, "sshd.log"), filepath.Join(g.Dir, "sshd.pid")
	out, err := os.Create(startLog)
	if err != nil {
		return err
	}
	defer out.Close()
	// sshd needs /run/sshd, which exists only once the system service has
	// run, and writes utmp/wtmp/lastlog: give it a private mount namespace
	// with its own /run and /var/log instead of touching the host's. The
	// routers' namespaces (/run/netns) stay reachable at ssh/netns, for
	// the login script's kernel commands (each sshd binds them there in
	// its own mount namespace). unshare and sh exec, so the process
	// started here becomes sshd.
	script := fmt.Sprintf(`mkdir -p %[5]s/netns
mount -n --rbind /run/netns %[5]s/netns
mount -n -t tmpfs -o mode=755 cg-sshd-run /run
mkdir -m 755 /run/sshd
mount -n --bind %[1]s/var-log /var/log
%[2]s -t -f %[3]s
exec %[2]s -D -E %[4]s -f %[3]s
`, g.Dir, filepath.Join(l.Dir, "bin", "cg-sshd"), conf, sshdLog, filepath.Join(l.Dir, "ssh"))
	// Not CommandContext: sshd outlives ctx (Down stops it).
	cmd := exec.Command("unshare", "-m", "--propagation", "private", "sh", "-ec", script)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %w", g.describe(), err)
	}
	pid := cmd.Process.Pid
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }() // reaps sshd whenever it ends
	// Recorded now: Down kills it by pid once it shows as cg-sshd.
	l.Procs = append(l.Procs, Proc{PID: pid, Comm: "cg-sshd", Role: fmt.Sprintf("sshd %d", g.Index)})
	if err := l.save(); err != nil {
		return err
	}
	deadline := time.After(sshdStartTimeout)
	for {
		if data, err := os.ReadFile(pidFile); err == nil && strings.TrimSpace(string(data)) == strconv.Itoa(pid) {
			return nil
		}
		select {
		case err := <-exited:
			return fmt.Errorf("%s exited while starting (%v): %s", g.describe(), err, daemonFailure(startLog, sshdLog))
		case <-deadline:
			cmd.Process.Kill() // os.Process does not signal a process it has reaped
			return fmt.Errorf("%s wrote no pid file %s in %s: %s", g.describe(), pidFile, sshdStartTimeout, daemonFailure(startLog, sshdLog))
		case <-ctx.Done():
			cmd.Process.Kill()
			return fmt.Errorf("%s: %w", g.describe(), ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// daemonFailure quotes the last lines of what a failed daemon start left
// in its logs (for sshd: the start script's output, including `sshd -t`,
// and sshd's own log), or names the logs when they are empty.
func daemonFailure(logs ...string) string {
	var parts []string
	for _, f := range logs {
		data, _ := os.ReadFile(f)
		if s := lastLines(string(data), 10); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return "it logged nothing (" + strings.Join(logs, ", ") + ")"
	}
	return strings.Join(parts, "; ")
}

// lastLines returns the last n non-empty lines of s, joined by "; ".
func lastLines(s string, n int) string {
	var lines []string
	for _, ln := range strings.Split(s, "\n") {
		if ln = strings.TrimSpace(ln); ln != "" {
			lines = append(lines, ln)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "; ")
}

// createUser adds the lab's login user (group frrvty, for the vtysh
// sockets) with a random password kept in the state directory.
func (l *Lab) createUser(ctx context.Context) error {
	name := "cg-" + l.Name
	if len(name) > 31 {
		name = strings.TrimRight(name[:31], "-")
	}
	if _, err := user.Lookup(name); err == nil {
		return fmt.Errorf("user %s already exists (left by a lab that was not taken down?)", name)
	}
	l.User, l.UserCreated = name, true
	if err := l.save(); err != nil {
		return err
	}
	home := filepath.Join(l.Dir, "home")
	if _, err := run(ctx, "useradd", "--system", "--no-create-home", "--home-dir", home, "--shell", "/bin/sh", "--gid", "frrvty", name); err != nil {
		return err
	}
	u, err := user.Lookup(name)
	if err != nil {
		return err
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.MkdirAll(home, 0o700); err != nil {
		return err
	}
	if err := os.Chown(home, uid, gid); err != nil {
		return err
	}
	pw := make([]byte, 12)
	rf, err := os.Open("/dev/urandom")
	if err != nil {
		return err
	}
	_, err = io.ReadFull(rf, pw)
	rf.Close()
	if err != nil {
		return err
	}
	pass := fmt.Sprintf("cg-%x", pw)
	if err := os.WriteFile(l.PasswordFile(), []byte(pass+"\n"), 0o600); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "chpasswd")
	cmd.Stdin = strings.NewReader(name + ":" + pass + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("chpasswd: %w: %s", err, out)
	}
	return nil
}

func waitPort(ctx context.Context, port int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("no sshd listening on %s: %w", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// SSHArgs returns the arguments for the system ssh client to run command
// on router node over the lab's sshd, with strict host-key checking
// against the lab's known_hosts file. An empty command opens vtysh.
func (l *Lab) SSHArgs(node, command string) ([]string, error) {
	nd, ok := l.Layout.Node(node)
	if !ok {
		return nil, fmt.Errorf("no router %q in the lab", node)
	}
	args := []string{"-p", strconv.Itoa(nd.SSHPort), "-i", l.KeyFile(),
		"-o", "UserKnownHostsFile=" + l.KnownHostsFile(), "-o", "StrictHostKeyChecking=yes",
		"-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "GlobalKnownHostsFile=/dev/null",
		"-o", "ConnectTimeout=5", "-o", "LogLevel=ERROR",
		l.User + "@127.0.0.1"}
	if command != "" {
		args = append(args, command)
	}
	return args, nil
}

// SSH runs command on router node over real SSH (system ssh client).
func (l *Lab) SSH(ctx context.Context, node, command string) (string, error) {
	args, err := l.SSHArgs(node, command)
	if err != nil {
		return "", err
	}
	return run(ctx, "ssh", args...)
}

// installNsenter gives the login user a way into the routers' network
// namespaces, to read their kernel tables as an FRR router's shell
// would: a copy of nsenter, bin/cg-nsenter, that only that user may run
// (mode 0500, owned by it), with the file capability CAP_SYS_ADMIN, which
// setns needs. nsenter keeps it only until it runs the command: ip then
// runs without capabilities, so it reads the table and can change
// nothing (RTNETLINK answers: Operation not permitted). The login script
// runs it only for observe.KernelCommands.
func (l *Lab) installNsenter() error {
	src, err := exec.LookPath("nsenter")
	if err != nil {
		return err
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	u, err := user.Lookup(l.User)
	if err != nil {
		return err
	}
	uid, _ := strconv.Atoi(u.Uid)
	dst := filepath.Join(l.Dir, "bin", "cg-nsenter")
	if err := os.WriteFile(dst, data, 0o500); err != nil {
		return err
	}
	// Ownership first: changing it clears file capabilities.
	if err := os.Chown(dst, uid, 0); err != nil {
		return err
	}
	if err := os.Chmod(dst, 0o500); err != nil {
		return err
	}
	return syscall.Setxattr(dst, "security.capability", sysAdminCap(), 0)
}

// sysAdminCap is the security.capability value granting CAP_SYS_ADMIN,
// permitted and effective (struct vfs_cap_data, revision 2).
func sysAdminCap() []byte {
	const (
		revision2   = 0x02000000
		effective   = 0x000001
		capSysAdmin = 21
	)
	b := make([]byte, 20) // magic, then {permitted, inheritable} for caps 0-31 and 32-63
	binary.LittleEndian.PutUint32(b[0:], revision2|effective)
	binary.LittleEndian.PutUint32(b[4:], 1<<capSysAdmin)
	return b
}
