// Package fakedev is a fake network device for tests and benchmarks: a real
// SSH server (golang.org/x/crypto/ssh) listening on 127.0.0.1 that behaves
// like a router's command line closely enough for scrapligo's standard and
// system transports to drive it.
//
// A Server authenticates with passwords, keyboard-interactive or public
// keys, accepts "session" channels with "pty-req" and "shell" (it refuses
// "exec" and subsystems), echoes every byte it receives as a terminal does,
// and answers each line with the output and prompt of a Personality: the
// modes, prompts, commands and error texts of one platform's CLI. Platform
// returns the built-in personalities (frr_vtysh, cisco_iosxe, cisco_iosxr,
// juniper_junos, arista_eos, nokia_srl); their prompts match scrapligo
// v1.4.3's privilege-level patterns, and their rules are written out in
// platforms.go as a specification of each CLI.
//
// Configuration lines sent in a configuration mode are applied at once or
// kept in a candidate until a commit, as the platform does; Committed,
// Pending and Inputs let a test check what reached the device. Options.Reject
// makes chosen lines fail with the platform's own error text, and
// Options.Faults makes chosen commands slow, hang, drop the connection or
// answer with a prompt the driver does not know.
//
// It is not an emulator: it does not parse configuration, keep a running
// config beyond the list of committed lines, or model routing state. Canned
// outputs (Personality.Respond) stand in for show commands. It is a test
// harness and is not imported by the changegate binary.
package fakedev
