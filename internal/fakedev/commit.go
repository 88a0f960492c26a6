package fakedev

import (
	"slices"
	"time"
)

// configStore is the device's configuration, shared by its sessions and
// guarded by Server.mu: the committed lines, a confirmed commit waiting
// for confirmation, and EOS's named configuration sessions.
type configStore struct {
	committed []string
	commits   int // commits so far, for XR's commit list
	pending   bool
	base      int // len(committed) before the first unconfirmed commit
	gen       int // bumped on every confirmation, so a stale timer does nothing
	timer     *time.Timer
	sessions  map[string][]string
}

// Committed returns the configuration lines committed so far, in order.
// Lines of a confirmed commit that was rolled back are not in it.
func (s *Server) Committed() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.cfg.committed)
}

// Pending reports whether a confirmed commit waits for its confirmation.
func (s *Server) Pending() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg.pending
}

// apply commits one line at once, for platforms without a candidate.
func (s *Server) apply(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.committed = append(s.cfg.committed, line)
}

// commit commits lines. A confirmed commit leaves the configuration pending
// (and, with Options.ConfirmTimeout, starts the rollback timer); a plain one
// confirms whatever was pending.
func (s *Server) commit(lines []string, confirmed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &s.cfg
	if confirmed && !c.pending {
		c.pending, c.base = true, len(c.committed)
	}
	c.committed = append(c.committed, lines...)
	c.commits++
	if !confirmed {
		s.settleLocked()
		return
	}
	if s.opts.ConfirmTimeout > 0 {
		s.stopTimerLocked()
		c.gen++
		gen := c.gen
		c.timer = time.AfterFunc(s.opts.ConfirmTimeout, func() { s.expire(gen) })
	}
}

// confirm confirms a pending commit and reports whether one was pending.
func (s *Server) confirm() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	was := s.cfg.pending
	s.settleLocked()
	return was
}

// rollback undoes a pending commit and reports whether one was pending.
func (s *Server) rollback() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.cfg.pending {
		return false
	}
	s.cfg.committed = s.cfg.committed[:s.cfg.base]
	s.settleLocked()
	return true
}

func (s *Server) expire(gen int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg.gen != gen || !s.cfg.pending {
		return
	}
	s.cfg.committed = s.cfg.committed[:s.cfg.base]
	s.settleLocked()
}

func (s *Server) settleLocked() {
	s.cfg.pending = false
	s.cfg.gen++
	s.stopTimerLocked()
}

func (s *Server) stopTimerLocked() {
	if s.cfg.timer != nil {
		s.cfg.timer.Stop()
		s.cfg.timer = nil
	}
}

func (s *Server) addToSession(name, line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg.sessions == nil {
		s.cfg.sessions = make(map[string][]string)
	}
	s.cfg.sessions[name] = append(s.cfg.sessions[name], line)
}

func (s *Server) sessionLines(name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.cfg.sessions[name])
}

func (s *Server) dropSession(name string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	lines := s.cfg.sessions[name]
	delete(s.cfg.sessions, name)
	return lines
}

func (s *Server) commitCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg.commits
}
