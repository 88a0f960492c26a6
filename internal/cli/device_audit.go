package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"time"

	"github.com/changegate/changegate/devices/session"
)

// auditFile is the audit log in the state directory: one JSON line per
// event of a `device run --allow-write` (docs/devices.md).
const auditFile = "audit.log"

// auditEntry is one line of the audit log.
type auditEntry struct {
	Time string `json:"time"`
	// Event is "start" (written before anything is sent) or "end".
	Event   string   `json:"event"`
	User    string   `json:"user"`
	Verb    string   `json:"verb"`
	Devices []string `json:"devices"`
	// Command is as typed, with secret-looking values redacted.
	Command string `json:"command"`
	// Failed are the devices that failed (end only), with why.
	Failed map[string]string `json:"failed,omitempty"`
}

// audit appends e to the audit log of the state directory dir, creating
// both (0700 and 0600) when needed.
func audit(dir string, e auditEntry) error {
	e.Time = time.Now().UTC().Format(time.RFC3339Nano)
	e.Command = session.RedactConfig(e.Command)
	if u, err := user.Current(); err == nil {
		e.User = u.Username
	}
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, auditFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("audit log %s: %w", f.Name(), err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("audit log %s: %w", f.Name(), err)
	}
	return f.Close()
}
