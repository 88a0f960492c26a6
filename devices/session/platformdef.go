package session

import (
	"embed"
	"fmt"
	"slices"

	"github.com/scrapli/scrapligo/driver/network"
	"github.com/scrapli/scrapligo/driver/options"
	scrapliplatform "github.com/scrapli/scrapligo/platform"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/platform"
)

// platformFiles are changegate's own scrapligo platform definitions, for
// platforms scrapligo does not ship.
//
//go:embed platforms/*.yaml
var platformFiles embed.FS

// platformDef is how changegate drives one platform, from its record in
// the platform registry: scrapligo's definition (or changegate's own
// YAML), the failure strings added to scrapligo's, and how configuration
// is sent and committed.
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
	p, ok := platform.Builtin().Lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown platform %q: %s", name, devices.PlatformHint(name))
	}
	def := &platformDef{name: name, config: methodOf(p), extraFailures: p.ConfigFailures}
	if p.Custom {
		b, err := platformFiles.ReadFile("platforms/" + name + ".yaml")
		if err != nil {
			return nil, fmt.Errorf("platform %s: definition missing from the binary: %w", name, err)
		}
		def.yaml = b
	}
	return def, nil
}

// driver builds the scrapligo network driver for d over tr, writing the
// raw session to log.
func (p *platformDef) driver(d *devices.Device, tr *sshTransport, log *transcript) (*network.Driver, error) {
	var src any = p.name
	if p.yaml != nil {
		src = p.yaml
	}
	pl, err := scrapliplatform.NewPlatform(src, d.Host,
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
