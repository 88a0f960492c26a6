package lab

import (
	"fmt"
	"path/filepath"
	"strings"
)

// OSPF and zebra settings follow /work/shared/notes/lab.md: point-to-point
// links, 1 s hellos, 4 s dead interval and no SPF/LSA throttling give
// convergence in about a second.

// zebraConf renders zebra.conf for node.
func zebraConf(lay *Layout, node NodeLayout, logFile string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "hostname %s\nlog file %s\nip forwarding\n!\n", node.Hostname, logFile)
	for _, e := range lay.Ends(node.Name) {
		fmt.Fprintf(&b, "interface %s\n description %s\n!\n", e.End.Interface, describe(e))
	}
	return b.String()
}

// describe is the interface description: the model's link and interface.
func describe(e NodeEnd) string {
	s := "link " + e.Link.ID
	if e.End.Model != "" {
		s += " " + e.End.Node + ":" + e.End.Model
	}
	return fmt.Sprintf("%s to %s (%s)", s, e.Peer.Node, e.Peer.Interface)
}

// ospfdConf renders ospfd.conf for node.
func ospfdConf(lay *Layout, node NodeLayout, logFile string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "hostname %s\nlog file %s\n!\n", node.Hostname, logFile)
	for _, e := range lay.Ends(node.Name) {
		fmt.Fprintf(&b, "interface %s\n ip ospf network point-to-point\n ip ospf hello-interval 1\n ip ospf dead-interval 4\n ip ospf cost %d\n!\n",
			e.End.Interface, e.End.Cost)
	}
	fmt.Fprintf(&b, "router ospf\n ospf router-id %s\n timers throttle spf 0 50 500\n timers throttle lsa all 0\n timers lsa min-arrival 0\n passive-interface lo\n network 198.18.0.0/15 area 0\n",
		node.Loopback)
	if node.Drained {
		b.WriteString(" max-metric router-lsa administrative\n")
	}
	b.WriteString("!\n")
	return b.String()
}

// vtyshConf sets the prompt to the router's name (otherwise vtysh shows
// the host's hostname).
func vtyshConf(node NodeLayout) string {
	return fmt.Sprintf("hostname %s\nno service integrated-vtysh-config\n", node.Hostname)
}

// sshdConf renders the one sshd of the lab: 127.0.0.1 only, one port per
// router, key and password login for user, each port forced into its
// router's vtysh by the login script.
func sshdConf(dir string, lay *Layout, user string) string {
	ssh := filepath.Join(dir, "ssh")
	var b strings.Builder
	b.WriteString("# changegate lab sshd (internal/lab); generated, do not edit\n")
	fmt.Fprintf(&b, "ListenAddress 127.0.0.1\n")
	for _, n := range lay.Nodes {
		fmt.Fprintf(&b, "Port %d\n", n.SSHPort)
	}
	fmt.Fprintf(&b, `HostKey %s
PidFile %s
AuthorizedKeysFile %s
AllowUsers %s
PermitRootLogin no
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTunnel no
Subsystem sftp internal-sftp
LogLevel ERROR
# One sshd serves every router: let every router be connected to at once
# (the default, 10:30:100, drops handshakes beyond 10).
MaxStartups %d
MaxSessions 20
`, filepath.Join(ssh, "host_ed25519"), filepath.Join(ssh, "sshd.pid"), filepath.Join(ssh, "authorized_keys"), user, max(100, 4*len(lay.Nodes)))
	for _, n := range lay.Nodes {
		fmt.Fprintf(&b, "\nMatch LocalPort %d\n  ForceCommand %s %s\n", n.SSHPort, filepath.Join(dir, "bin", "cg-login"), filepath.Join(dir, "nodes", n.Hostname))
	}
	return b.String()
}

// loginScript is the ForceCommand: vtysh for the router whose directory
// is $1, interactive, or running the command given on the ssh line (exit
// status 1 when vtysh rejects it).
func loginScript(dir string) string {
	vtysh := filepath.Join(dir, "bin", "cg-vtysh")
	return fmt.Sprintf(`#!/bin/sh
# changegate lab: land in one router's vtysh (internal/lab); generated.
d="$1"
if [ -n "$SSH_ORIGINAL_COMMAND" ]; then
  exec %[1]s --vty_socket "$d/run" --config_dir "$d/etc" -c "$SSH_ORIGINAL_COMMAND"
fi
exec %[1]s --vty_socket "$d/run" --config_dir "$d/etc"
`, vtysh)
}
