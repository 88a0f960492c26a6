package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestFromBuild(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-12-07T18:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	for _, tt := range []struct {
		name     string
		main     string
		settings []debug.BuildSetting
		override string
		want     Info
		str      string
	}{
		{"go run or go test", "(devel)", nil, "", Info{Version: "devel", Go: "go1.26.8"}, "changegate devel go1.26.8"},
		{"built from a checkout", "v0.0.0-20261207180000-0123456789ab+dirty", vcs, "",
			Info{Version: "v0.0.0-20261207180000-0123456789ab+dirty", Revision: "0123456789abcdef0123456789abcdef01234567", Time: "2026-12-07T18:00:00Z", Modified: true, Go: "go1.26.8"},
			"changegate v0.0.0-20261207180000-0123456789ab+dirty (revision 0123456789ab, 2026-12-07T18:00:00Z, modified) go1.26.8"},
		{"a tag set at link time", "(devel)", vcs[:3], "v1.2.3",
			Info{Version: "v1.2.3", Revision: "0123456789abcdef0123456789abcdef01234567", Time: "2026-12-07T18:00:00Z", Go: "go1.26.8"},
			"changegate v1.2.3 (revision 0123456789ab, 2026-12-07T18:00:00Z) go1.26.8"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/changegate/changegate", Version: tt.main}, Settings: tt.settings}
			got := fromBuild(bi, tt.override)
			if got != tt.want {
				t.Errorf("fromBuild = %+v, want %+v", got, tt.want)
			}
			if got.String() != tt.str {
				t.Errorf("String() = %q, want %q", got.String(), tt.str)
			}
		})
	}
}

// The test binary records no module version: Read says devel, never "".
func TestReadInTests(t *testing.T) {
	if v := Read().Version; v == "" || v == "(devel)" {
		t.Errorf("Read().Version = %q", v)
	}
}
