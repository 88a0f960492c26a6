package lock

import (
	"fmt"
	"net/url"
	"strings"
)

const lockExt = ".lock"

// fileName returns the lock file name for device: the name escaped with
// url.PathEscape (so '/', '%', spaces, control and non-ASCII bytes become
// %XX), a leading '.' escaped too (so "." and ".." cannot name a directory
// and no lock is a hidden file, which the package keeps for its temporary
// files), and ".lock" after it. The mapping is one to one: deviceName
// reverses it.
func fileName(device string) (string, error) {
	if device == "" {
		return "", fmt.Errorf("invalid device name: empty")
	}
	e := url.PathEscape(device)
	if e[0] == '.' {
		e = "%2E" + e[1:]
	}
	name := e + lockExt
	if len(name) > 255 {
		return "", fmt.Errorf("invalid device name %.40q...: too long for a lock file name", device)
	}
	return name, nil
}

// deviceName returns the device a lock file name stands for, and false
// for a name fileName would not produce.
func deviceName(file string) (string, bool) {
	base, ok := strings.CutSuffix(file, lockExt)
	if !ok || base == "" {
		return "", false
	}
	device, err := url.PathUnescape(base)
	if err != nil {
		return "", false
	}
	if back, err := fileName(device); err != nil || back != file {
		return "", false
	}
	return device, true
}
