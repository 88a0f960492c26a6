package journal

import (
	"fmt"
	"time"
)

// runIDTime is the layout of the time part of a run id.
const runIDTime = "20060102T150405Z"

// NewRunID returns a new run id: the time in UTC to the second, a dash and
// six random hex digits, such as "20261124T005734Z-3f9a1c". Ids of runs
// started in different seconds sort by time; Create refuses an id that is
// already taken, so a collision is an error, never a shared directory.
func NewRunID(now time.Time) string {
	return now.UTC().Format(runIDTime) + "-" + randHex(3)
}

// CheckRunID reports whether id can name a run: 1 to 64 characters from
// A-Z a-z 0-9 '-' '_' '.', starting with a letter or digit. That rules out
// "", ".", "..", "../x", absolute paths and hidden files, so an id read
// from the command line or a file can never reach outside the runs
// directory.
func CheckRunID(id string) error {
	if id == "" {
		return fmt.Errorf("invalid run id: empty")
	}
	if len(id) > 64 {
		return fmt.Errorf("invalid run id %q: longer than 64 characters", id)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case i > 0 && (c == '-' || c == '_' || c == '.'):
		default:
			return fmt.Errorf("invalid run id %q: it may hold only letters, digits, '-', '_' and '.', and must start with a letter or digit", id)
		}
	}
	return nil
}
