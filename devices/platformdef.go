package devices

import (
	"embed"
	"fmt"
	"slices"

	"github.com/scrapli/scrapligo/driver/network"
	"github.com/scrapli/scrapligo/driver/options"
	"github.com/scrapli/scrapligo/platform"
)

// platformFiles are changegate's own scrapligo platform definitions, for
// platforms scrapligo does not ship.
//
//go:embed platforms/*.yaml
var platformFiles embed.FS

// platformDef is how changegate drives one platform: scrapligo's
// definition (or changegate's own YAML), the failure strings added to
// scrapligo's, and how configuration is sent and committed.
type platformDef struct {
	name string
	// yaml is changegate's own definition; nil for scrapligo's built-in.
	yaml []byte
	// extraFailures are failure strings scrapligo's definition lacks,
	// mostly commit errors.
	extraFailures []string
	config        configMethod
}

// lookupPlatform returns how to drive the named platform.
func lookupPlatform(name string) (*platformDef, error) {
	if !KnownPlatform(name) {
		return nil, fmt.Errorf("unknown platform %q: %s", name, platformHint(name))
	}
	def := &platformDef{name: name, config: configMethods[name]}
	if def.config.guarantees.Platform == "" {
		def.config = commandsOnly(name)
	}
	def.extraFailures = extraFailures[name]
	if p, ok := findPlatform(name); ok && p.Custom {
		b, err := platformFiles.ReadFile("platforms/" + name + ".yaml")
		if err != nil {
			return nil, fmt.Errorf("platform %s: definition missing from the binary: %w", name, err)
		}
		def.yaml = b
	}
	return def, nil
}

func findPlatform(name string) (Platform, bool) {
	for _, p := range platforms {
		if p.Name == name {
			return p, true
		}
	}
	return Platform{}, false
}

// driver builds the scrapligo network driver for d over tr, writing the
// raw session to log.
func (p *platformDef) driver(d *Device, tr *sshTransport, log *transcript) (*network.Driver, error) {
	var src any = p.name
	if p.yaml != nil {
		src = p.yaml
	}
	pl, err := platform.NewPlatform(src, d.Host,
		options.WithCustomTransport(tr),
		options.WithPort(d.Port),
		options.WithTimeoutOps(d.Timeouts.Command),
		options.WithChannelLog(log),
	)
	if err != nil {
		return nil, err
	}
	return pl.GetNetworkDriver()
}

// configFailWhen is the platform's failure strings for configuration:
// scrapligo's plus changegate's commit errors. Show commands use
// scrapligo's alone, since output such as interface counters may hold
// "error:".
func (p *platformDef) configFailWhen(drv *network.Driver) []string {
	out := slices.Clone(drv.FailedWhenContains)
	for _, s := range p.extraFailures {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// extraFailures are failure strings changegate adds to scrapligo's
// definitions for configuration: what a failed commit or a refused
// configuration line prints on each platform (matched case-sensitively, as substrings).
var extraFailures = map[string][]string{
	"juniper_junos": {"error: commit failed", "error: configuration check-out failed", "error:", "missing mandatory statement"},
	"cisco_iosxr":   {"% Failed to commit", "% Invalid", "% Commit failed"},
	"cisco_iosxe":   {"% Invalid", "% Incomplete"},
	"arista_eos":    {"% Invalid input", "% Cannot commit", "% Unable to commit"},
	"nokia_srl":     {"Error:", "Validation error"},
}
