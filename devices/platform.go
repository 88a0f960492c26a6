package devices

import (
	"slices"
	"strings"

	"github.com/changegate/changegate/internal/diag"
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

// platforms lists the platforms an inventory may name: every built-in
// platform of scrapligo v1.4.3 (platform.GetPlatformNames) and
// changegate's own definitions. ruijie_rjos is the name of scrapligo's
// embedded file; its constant RuijieRgos ("ruijie_rgos") does not load.
var platforms = []Platform{
	{Name: "arista_eos", Description: "Arista EOS"},
	{Name: "aruba_wlc", Description: "Aruba wireless controller"},
	{Name: "cisco_iosxe", Description: "Cisco IOS-XE (and IOS)"},
	{Name: "cisco_iosxr", Description: "Cisco IOS-XR"},
	{Name: "cisco_nxos", Description: "Cisco NX-OS"},
	{Name: "cumulus_linux", Description: "Cumulus Linux (NCLU)"},
	{Name: "cumulus_vtysh", Description: "Cumulus Linux through vtysh"},
	{Name: "frr_vtysh", Description: "FRRouting through vtysh", Custom: true},
	{Name: "hp_comware", Description: "HPE Comware"},
	{Name: "huawei_vrp", Description: "Huawei VRP"},
	{Name: "ipinfusion_ocnos", Description: "IP Infusion OcNOS"},
	{Name: "juniper_junos", Description: "Juniper Junos"},
	{Name: "nokia_srl", Description: "Nokia SR Linux"},
	{Name: "nokia_sros", Description: "Nokia SR OS (MD-CLI)"},
	{Name: "nokia_sros_classic", Description: "Nokia SR OS (classic CLI)"},
	{Name: "paloalto_panos", Description: "Palo Alto PAN-OS"},
	{Name: "ruijie_rjos", Description: "Ruijie RGOS"},
	{Name: "vyatta_vyos", Description: "VyOS"},
}

// Platforms returns the platforms an inventory may name, sorted by name.
func Platforms() []Platform { return slices.Clone(platforms) }

// KnownPlatform reports whether name is a platform an inventory may name.
func KnownPlatform(name string) bool {
	_, ok := slices.BinarySearchFunc(platforms, name, func(p Platform, n string) int { return strings.Compare(p.Name, n) })
	return ok
}

func platformNames() []string {
	out := make([]string, len(platforms))
	for i, p := range platforms {
		out[i] = p.Name
	}
	return out
}

// platformHint is the hint for an unknown platform name: the known ones
// close to it (a vendor alone, such as cisco, gives its platforms), or
// the list.
func platformHint(name string) string {
	lower := strings.ToLower(strings.TrimSpace(name))
	if p, ok := nornirPlatforms[lower]; ok { // another tool's name for it: ios, junos, eos
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
