package devconfig

import (
	"strings"
	"sync"
	"unicode"
)

var once sync.Once

// ensure registers the built-in interpreters, once: the one place that
// says which dialects are read. Which platforms speak each is said by
// their records (internal/platform).
func ensure() {
	once.Do(func() {
		register(iosLike{dialect: "frr", canon: exact})
		register(iosLike{dialect: "iosxe", canon: iosxeTypes.canon, bareMaxMetric: true})
		register(iosLike{dialect: "eos", canon: eosTypes.canon, bareMaxMetric: true})
		register(iosXR{})
		register(junos{})
		register(srl{})
	})
}

// exact compares interface names as they are written (Linux, FRR).
func exact(s string) string { return s }

// interfaceTypes are the interface types of a Cisco or Arista platform,
// spelt out in lower case, and the abbreviations the platforms' own
// output uses. Any other unambiguous prefix of a type is accepted too,
// as the CLIs accept it.
type interfaceTypes struct {
	full   []string
	abbrev map[string]string
}

var (
	iosxeTypes = interfaceTypes{
		full: []string{"appgigabitethernet", "ethernet", "fastethernet", "fortygigabitethernet", "fourhundredgige",
			"gigabitethernet", "hundredgige", "loopback", "port-channel", "tengigabitethernet", "tunnel", "twentyfivegige", "vlan"},
		abbrev: map[string]string{"gi": "gigabitethernet", "te": "tengigabitethernet", "fo": "fortygigabitethernet",
			"hu": "hundredgige", "twe": "twentyfivegige", "fa": "fastethernet", "lo": "loopback", "po": "port-channel",
			"tu": "tunnel", "vl": "vlan", "et": "ethernet"},
	}
	eosTypes = interfaceTypes{
		full:   []string{"ethernet", "loopback", "management", "port-channel", "tunnel", "vlan", "vxlan"},
		abbrev: map[string]string{"et": "ethernet", "lo": "loopback", "ma": "management", "po": "port-channel", "vl": "vlan", "vx": "vxlan"},
	}
	iosxrTypes = interfaceTypes{
		full: []string{"bundle-ether", "fortygige", "fourhundredgige", "gigabitethernet", "hundredgige", "loopback",
			"mgmteth", "tengige", "tunnel-ip", "twentyfivegige", "twohundredgige"},
		abbrev: map[string]string{"be": "bundle-ether", "fo": "fortygige", "gi": "gigabitethernet", "hu": "hundredgige",
			"lo": "loopback", "te": "tengige", "tf": "twentyfivegige", "fh": "fourhundredgige", "th": "twohundredgige"},
	}
)

// canon writes an interface name one way: its type spelt out in lower
// case ("Gi0/0/1" -> "gigabitethernet0/0/1"), the rest as written. A
// prefix that is no type's, or several types', is kept as written, in
// lower case.
func (ts interfaceTypes) canon(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsDigit(r) })
	if i < 0 {
		return strings.ToLower(s)
	}
	typ, rest := strings.ToLower(strings.TrimSpace(s[:i])), s[i:]
	if full, ok := ts.abbrev[typ]; ok {
		return full + rest
	}
	var match string
	for _, full := range ts.full {
		if full == typ {
			return full + rest
		}
		if strings.HasPrefix(full, typ) {
			if match != "" {
				return typ + rest
			}
			match = full
		}
	}
	if match != "" {
		return match + rest
	}
	return typ + rest
}
