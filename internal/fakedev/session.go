package fakedev

import (
	"io"
	"net"
	"strings"

	"golang.org/x/crypto/ssh"
)

// serveSession answers a session channel's requests: "pty-req" and one
// "shell" are accepted, everything else ("exec", "subsystem", "env", ...)
// is refused.
func (s *Server) serveSession(user string, nc net.Conn, ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	started := false
	for req := range reqs {
		ok := false
		switch req.Type {
		case "pty-req", "window-change":
			ok = true
		case "shell":
			ok = !started
		}
		_ = req.Reply(ok, nil)
		if req.Type == "shell" && ok {
			started = true
			sh := &shell{srv: s, st: newState(s, user), ch: ch, nc: nc}
			s.wg.Go(sh.run)
		}
	}
}

// shell is the terminal side of one session: it echoes input, cuts it into
// lines, and writes each line's answer and the next prompt.
type shell struct {
	srv  *Server
	st   *State
	ch   ssh.Channel
	nc   net.Conn // the TCP connection, for Fault.Drop
	line []byte
	cr   bool // the last byte was "\r": a "\n" right after it is part of it
}

func (sh *shell) run() {
	defer sh.ch.Close()
	greeting := sh.st.Prompt()
	if b := sh.srv.opts.Banner; b != "" {
		greeting = strings.TrimRight(b, "\r\n") + "\n" + greeting
	}
	if sh.write(greeting) != nil {
		return
	}
	buf := make([]byte, 4096)
	for {
		n, err := sh.ch.Read(buf)
		if n > 0 && !sh.input(buf[:n]) {
			return
		}
		if err != nil {
			return
		}
	}
}

// input echoes b and answers every line it completes. It returns false
// when the shell is over.
func (sh *shell) input(b []byte) bool {
	var echo []byte
	for _, c := range b {
		wasCR := sh.cr
		sh.cr = c == '\r'
		switch c {
		case '\n', '\r':
			if c == '\n' && wasCR {
				continue
			}
			echo = append(echo, "\r\n"...)
			if _, err := sh.ch.Write(echo); err != nil {
				return false
			}
			echo = echo[:0]
			line := string(sh.line)
			sh.line = sh.line[:0]
			if !sh.answer(line) {
				return false
			}
		case 0x7f, '\b':
			if len(sh.line) > 0 {
				sh.line = sh.line[:len(sh.line)-1]
				echo = append(echo, "\b \b"...)
			}
		default:
			sh.line = append(sh.line, c)
			echo = append(echo, c)
		}
	}
	if len(echo) > 0 {
		if _, err := sh.ch.Write(echo); err != nil {
			return false
		}
	}
	return true
}

// answer runs one line, applying latency and faults, and writes the answer
// and the prompt. It returns false when the shell is over.
func (sh *shell) answer(raw string) bool {
	srv := sh.srv
	line := strings.TrimSpace(raw)
	var f Fault
	hit := false
	if line != "" {
		srv.record(raw)
		f, hit = srv.fault(line)
	}
	if !srv.sleep(srv.opts.Latency + f.Delay) {
		return false
	}
	out := ""
	if !hit || !f.replaces() {
		out = sh.st.run(line)
	}
	if hit && f.Output != "" {
		out = f.Output
	}
	out = strings.TrimRight(out, "\r\n")
	switch {
	case hit && f.Drop:
		_ = sh.write(out)
		_ = sh.nc.Close()
		return false
	case hit && f.Hang:
		_ = sh.write(out)
		_, _ = io.Copy(io.Discard, sh.ch)
		return false
	}
	if out != "" {
		out += "\n"
	}
	if sh.st.exit {
		_ = sh.write(out)
		_, _ = sh.ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{0}))
		return false
	}
	prompt := sh.st.Prompt()
	if hit && f.Prompt != "" {
		prompt = f.Prompt
	}
	return sh.write(out+prompt) == nil
}

// write writes s with every line ending turned into "\r\n".
func (sh *shell) write(s string) error {
	if s == "" {
		return nil
	}
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
	_, err := sh.ch.Write([]byte(s))
	return err
}
