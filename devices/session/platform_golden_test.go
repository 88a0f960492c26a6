package session

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/golden"
)

// TestGoldenPlatforms pins what devices knows of every platform: its
// description and definition, its guarantees, its configuration failure
// strings, the commands each configuration method sends (entering,
// committing, plain and confirmed at several timeouts, confirming,
// discarding), and the Nornir names and containerlab kinds that map to
// it, so that where this knowledge lives can change and what it says
// cannot.
func TestGoldenPlatforms(t *testing.T) {
	var b strings.Builder
	const id = "cg-0123abcd"
	confirms := []time.Duration{0, time.Second, 29 * time.Second, 90*time.Second + time.Millisecond, 61 * time.Minute, 30 * time.Hour, 1000 * time.Hour}
	for _, p := range devices.Platforms() {
		def, err := lookupPlatform(p.Name)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := PlatformGuarantees(p.Name)
		fmt.Fprintf(&b, "%s: %q custom=%v\n", p.Name, p.Description, p.Custom)
		fmt.Fprintf(&b, "  guarantees: %+v\n", g)
		fmt.Fprintf(&b, "  config failures: %q\n", def.extraFailures)
		m := def.config
		if m.enter != nil {
			fmt.Fprintf(&b, "  enter: %q\n", m.enter(id))
		}
		if m.commit != nil {
			for _, c := range confirms {
				fmt.Fprintf(&b, "  commit %v: %q\n", c, m.commit(id, c))
			}
		}
		if m.confirm != nil {
			fmt.Fprintf(&b, "  confirm: %q\n", m.confirm(id))
		}
		if m.abort != nil {
			fmt.Fprintf(&b, "  abort: %q\n", m.abort(id))
		}
		var nornir, kinds []string
		for from, to := range devices.NornirPlatforms() {
			if to == p.Name {
				nornir = append(nornir, from)
			}
		}
		for from, to := range devices.ContainerlabKinds() {
			if to == p.Name {
				kinds = append(kinds, from)
			}
		}
		slices.Sort(nornir)
		slices.Sort(kinds)
		fmt.Fprintf(&b, "  nornir: %q\n  containerlab: %q\n", nornir, kinds)
	}
	golden.Check(t, filepath.Join("testdata", "platforms.golden"), []byte(b.String()))
}
