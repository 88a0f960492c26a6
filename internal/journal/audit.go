package journal

import (
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"time"

	"github.com/changegate/changegate/internal/durable"
)

// AuditFile is the audit log in the state directory: one JSON line
// (AuditEntry) per event of an action outside a run that may change a
// device (device run --allow-write).
const AuditFile = "audit.log"

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	Time string `json:"time"`
	// Event is "start" (written before anything is sent) or "end".
	Event string `json:"event"`
	User  string `json:"user"`
	Host  string `json:"host"`
	// Verb is what ran ("device run --allow-write").
	Verb    string   `json:"verb"`
	Devices []string `json:"devices"`
	// Command is the command sent, as the caller gives it (redacted).
	Command string `json:"command"`
	// Failed are the devices that failed, with why (end only).
	Failed map[string]string `json:"failed,omitempty"`
}

// Audit appends e to the audit log of stateDir, with the time, the user
// and the host filled in, creating the directory and the file (mode 0660
// as the state directory's files) when needed, and syncs it before it
// returns: an entry Audit returned for survives a crash. The file is
// opened as every state file is (durable.OpenFile): never through a
// symbolic link.
func Audit(stateDir string, e AuditEntry) error {
	e.Time = time.Now().UTC().Format(time.RFC3339Nano)
	if u, err := user.Current(); err == nil {
		e.User = u.Username
	} else {
		e.User = os.Getenv("USER")
	}
	e.Host, _ = os.Hostname()
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if err := durable.MkdirAll(stateDir); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	path := filepath.Join(stateDir, AuditFile)
	f, err := durable.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, durable.FilePerm)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("audit log %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("audit log %s: %w", path, err)
	}
	return f.Close()
}
