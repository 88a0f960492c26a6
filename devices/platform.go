package devices

import (
	"slices"
	"strings"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/platform"
)

// Platform is a platform an inventory device can have: a scrapligo
// platform name (scrapligo ships the definition) or one of changegate's
// own definitions (Custom).
type Platform struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Custom is true for platforms scrapligo does not ship, whose
	// definition changegate provides (frr_vtysh).
	Custom bool `json:"custom,omitempty"`
}

// Platforms returns the platforms an inventory may name, sorted by name:
// those of the platform registry (internal/platform), every built-in
// platform of scrapligo v1.4.3 and changegate's own definitions.
func Platforms() []Platform {
	all := platform.Builtin().All()
	out := make([]Platform, len(all))
	for i, p := range all {
		out[i] = Platform{Name: p.Name, Description: p.Description, Custom: p.Custom}
	}
	slices.SortFunc(out, func(a, b Platform) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// KnownPlatform reports whether name is a platform an inventory may name.
func KnownPlatform(name string) bool { return platform.Builtin().Known(name) }

// platformNames are the names of the platforms, sorted.
func platformNames() []string { return slices.Sorted(slices.Values(platform.Builtin().Names())) }

// PlatformHint is the hint for an unknown platform name: the known ones
// close to it (a vendor alone, such as cisco, gives its platforms), or
// the list.
func PlatformHint(name string) string {
	lower := strings.ToLower(strings.TrimSpace(name))
	if p, ok := platform.Builtin().FromNornir(lower); ok { // another tool's name for it: ios, junos, eos
		return diag.DidYouMean([]string{p})
	}
	if h := diag.DidYouMean(diag.Near(lower, platformNames())); h != "" {
		return h
	}
	var starts []string
	for _, p := range platformNames() {
		if lower != "" && strings.HasPrefix(p, lower+"_") {
			starts = append(starts, p)
		}
	}
	if len(starts) > 0 {
		return diag.DidYouMean(starts)
	}
	return "known platforms: " + strings.Join(platformNames(), ", ")
}
