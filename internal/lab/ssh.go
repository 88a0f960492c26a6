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

// startSSH generates the host and client keys, the login user, the
// known_hosts file and sshd's config, and starts the lab's sshd.
func (l *Lab) startSSH(ctx context.Context) error {
	sshDir := filepath.Join(l.Dir, "ssh")
	if err := os.MkdirAll(filepath.Join(sshDir, "var-log"), 0o700); err != nil {
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
	conf := filepath.Join(sshDir, "sshd_config")
	if err := os.WriteFile(conf, []byte(sshdConf(l.Dir, l.Layout, l.User)), 0o644); err != nil {
		return err
	}
	// sshd needs /run/sshd, which exists only once the system service has
	// run, and writes utmp/wtmp/lastlog: give it a private mount namespace
	// with its own /run and /var/log instead of touching the host's. The
	// routers' namespaces (/run/netns) stay reachable at ssh/netns, for
	// the login script's kernel commands.
	script := fmt.Sprintf(`mkdir -p %[1]s/netns
mount -n --rbind /run/netns %[1]s/netns
mount -n -t tmpfs -o mode=755 cg-sshd-run /run
mkdir -m 755 /run/sshd
mount -n --bind %[1]s/var-log /var/log
%[2]s -t -f %[3]s
exec %[2]s -f %[3]s
`, sshDir, filepath.Join(l.Dir, "bin", "cg-sshd"), conf)
	if err := runDaemonizing(ctx, filepath.Join(sshDir, "start.log"), "unshare", "-m", "--propagation", "private", "sh", "-ec", script); err != nil {
		return err
	}
	pid, err := waitPidFile(ctx, filepath.Join(sshDir, "sshd.pid"), 5*time.Second)
	if err != nil {
		return fmt.Errorf("sshd: %w", err)
	}
	l.Procs = append(l.Procs, Proc{PID: pid, Comm: "cg-sshd", Role: "sshd"})
	if err := l.save(); err != nil {
		return err
	}
	for _, nd := range l.Layout.Nodes {
		if err := waitPort(ctx, nd.SSHPort, 5*time.Second); err != nil {
			return err
		}
	}
	return os.WriteFile(l.InventoryFile(), l.inventory(), 0o644)
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
			return fmt.Errorf("sshd not listening on %s: %w", addr, err)
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
