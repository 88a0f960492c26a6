package lab

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/changegate/changegate/internal/observe"
)

// OSPF and zebra settings follow the project notes (../shared/notes/lab.md, beside the repository): point-to-point
// links, 1 s hellos, 4 s dead interval and no SPF/LSA throttling give
// convergence in about a second. IS-IS is set up to the same ends:
// point-to-point, 1 s hellos (3 s hold time), SPF and LSP generation
// without delays.

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

// ISISTag is the IS-IS process tag of the lab's routers (router isis 1),
// the instance the built-in runbooks configure.
const ISISTag = "1"

// isisdConf renders isisd.conf for node: one level-2-only IS-IS process
// with wide metrics (the model routes on level 2, as
// internal/devconfig.ISISLevel says), its NET made of the loopback
// (NET), the loopback passive and advertised at metric 0 (so that a
// route's metric is its path's), every link point-to-point with its
// metric, 1 s hellos and a 3 s hold time. A drained node sets the
// overload bit.
//
// The order matters to isisd 8.4: the net comes last in the process, so
// that the LSP regenerated once the circuits come up uses the
// lsp-gen-interval given here (1 s) and not the default (30 s), and the
// process comes before the interfaces.
func isisdConf(lay *Layout, node NodeLayout, logFile string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "hostname %s\nlog file %s\n!\n", node.Hostname, logFile)
	fmt.Fprintf(&b, "router isis %s\n is-type level-2-only\n metric-style wide\n lsp-gen-interval 1\n spf-interval 1\n log-adjacency-changes\n", ISISTag)
	if node.Drained {
		b.WriteString(" set-overload-bit\n")
	}
	fmt.Fprintf(&b, " net %s\n!\n", NET(node.Loopback))
	fmt.Fprintf(&b, "interface lo\n ip router isis %s\n isis passive\n isis metric 0\n!\n", ISISTag)
	for _, e := range lay.Ends(node.Name) {
		fmt.Fprintf(&b, "interface %s\n ip router isis %s\n isis circuit-type level-2-only\n isis network point-to-point\n isis hello-interval 1\n isis hello-multiplier 3\n isis metric %d\n!\n",
			e.End.Interface, ISISTag, e.End.Cost)
	}
	return b.String()
}

// vtyshConf sets the prompt to the router's name (otherwise vtysh shows
// the host's hostname).
func vtyshConf(node NodeLayout) string {
	return fmt.Sprintf("hostname %s\nno service integrated-vtysh-config\n", node.Hostname)
}

// sshdConf renders the config of one of the lab's sshds, serving group
// g: 127.0.0.1 only, one port per router of the group, key and password
// login for user, each port forced into its router's vtysh by the login
// script. Every sshd of the lab uses the same host key.
func sshdConf(dir string, g sshdGroup, user string) string {
	ssh := filepath.Join(dir, "ssh")
	var b strings.Builder
	fmt.Fprintf(&b, "# changegate lab sshd %d (internal/lab); generated, do not edit\n", g.Index)
	fmt.Fprintf(&b, "ListenAddress 127.0.0.1\n")
	for _, n := range g.Nodes {
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
# Let every router be connected to at once (the default, 10:30:100,
# drops handshakes beyond 10).
MaxStartups %d
MaxSessions 20
`, filepath.Join(ssh, "host_ed25519"), filepath.Join(g.Dir, "sshd.pid"), filepath.Join(ssh, "authorized_keys"), user, max(100, 4*len(g.Nodes)))
	for _, n := range g.Nodes {
		fmt.Fprintf(&b, "\nMatch LocalPort %d\n  ForceCommand %s %s\n", n.SSHPort, filepath.Join(dir, "bin", "cg-login"), filepath.Join(dir, "nodes", n.Hostname))
	}
	return b.String()
}

// loginScript is the ForceCommand: vtysh for the router whose directory
// is $1, interactive, or running the command given on the ssh line (exit
// status 1 when vtysh rejects it). Like the shell of an FRR router on
// Linux, it also runs the read-only commands that show the kernel's
// forwarding table (observe.KernelCommands), in the router's namespace (named in
// $1/netns, reached at ssh/netns in sshd's mount namespace), through the
// lab's cg-nsenter; every other command that is
// not vtysh's is refused: it is no general shell.
func loginScript(dir string) string {
	bin := filepath.Join(dir, "bin")
	ip, err := exec.LookPath("ip")
	if err != nil {
		ip = "/usr/bin/ip"
	}
	var cases []string
	kernel := observe.KernelCommands("frr_vtysh")
	for _, c := range kernel {
		cases = append(cases, fmt.Sprintf("%q", c))
	}
	return fmt.Sprintf(`#!/bin/sh
# changegate lab: land in one router's vtysh (internal/lab); generated.
d="$1"
case "$SSH_ORIGINAL_COMMAND" in
"")
  exec %[1]s/cg-vtysh --vty_socket "$d/run" --config_dir "$d/etc" ;;
%[3]s)
  if [ ! -x %[1]s/cg-nsenter ]; then
    echo "%% this lab cannot show the kernel's table: %[1]s/cg-nsenter is missing (see docs/lab.md)" >&2
    exit 1
  fi
  ns=$(cat "$d/netns") || exit 1
  exec %[1]s/cg-nsenter --net="%[5]s/$ns" %[2]s ${SSH_ORIGINAL_COMMAND#ip } ;;
ip\ *|sh|sh\ *|bash*|exec*|/*)
  echo "%% not available: this lab's SSH runs vtysh commands and, of a shell's, only %[4]s" >&2
  exit 1 ;;
esac
exec %[1]s/cg-vtysh --vty_socket "$d/run" --config_dir "$d/etc" -c "$SSH_ORIGINAL_COMMAND"
`, bin, ip, strings.Join(cases, "|"), strings.Join(kernel, ", "), filepath.Join(dir, "ssh", "netns"))
}
