// Package buildinfo says which changegate is running: the module version
// and the VCS revision the Go toolchain stamped into the binary
// (runtime/debug.ReadBuildInfo), for `changegate version`, every JSON
// document the CLI writes, and the CI formats' tool fields.
package buildinfo

import (
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
)

// Version, when set at link time (-ldflags "-X
// github.com/changegate/changegate/internal/buildinfo.Version=v1.2.3"),
// replaces the module version the build records.
var Version string

// Info is what the binary knows about its own build.
type Info struct {
	// Version is the module version: a tag (v1.2.3), a pseudo-version
	// that names the commit (v0.0.0-20261207150000-abcdef123456, with
	// +dirty for uncommitted changes), or "devel" when the build
	// recorded none (go run, go test).
	Version string `json:"version"`
	// Revision is the VCS commit the binary was built from; "" when the
	// build recorded none.
	Revision string `json:"revision,omitempty"`
	// Time is the commit's time (RFC 3339); "" when not recorded.
	Time string `json:"time,omitempty"`
	// Modified says the working tree had uncommitted changes.
	Modified bool `json:"modified,omitempty"`
	// Go is the Go toolchain that built the binary.
	Go string `json:"go"`
}

// Read returns the running binary's build information, read once: every
// JSON document the CLI writes asks for it.
func Read() Info { return read() }

var read = sync.OnceValue(func() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Info{Version: orDevel(Version)}
	}
	return fromBuild(bi, Version)
})

func fromBuild(bi *debug.BuildInfo, override string) Info {
	info := Info{Version: override, Go: bi.GoVersion}
	if info.Version == "" && bi.Main.Version != "(devel)" {
		info.Version = bi.Main.Version
	}
	info.Version = orDevel(info.Version)
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Revision = s.Value
		case "vcs.time":
			info.Time = s.Value
		case "vcs.modified":
			info.Modified = s.Value == "true"
		}
	}
	return info
}

func orDevel(v string) string {
	if v == "" {
		return "devel"
	}
	return v
}

// String is the one-line form: "changegate VERSION (revision R, TIME,
// modified) GO".
func (i Info) String() string {
	var extra []string
	if i.Revision != "" {
		extra = append(extra, "revision "+short(i.Revision))
	}
	if i.Time != "" {
		extra = append(extra, i.Time)
	}
	if i.Modified {
		extra = append(extra, "modified")
	}
	s := "changegate " + i.Version
	if len(extra) > 0 {
		s += fmt.Sprintf(" (%s)", strings.Join(extra, ", "))
	}
	if i.Go != "" {
		s += " " + i.Go
	}
	return s
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
