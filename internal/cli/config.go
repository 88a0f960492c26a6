package cli

import (
	"fmt"

	"github.com/changegate/changegate/internal/topology"
)

// Config is changegate.yaml. Every key can also be set by environment
// (CHANGEGATE_ + the key with dots as underscores, upper case) and most by
// a flag. docs/config.md documents it.
type Config struct {
	DryRun DryRunConfig `mapstructure:"dryrun"`
	Import ImportConfig `mapstructure:"import"`
}

// DryRunConfig tunes `changegate dryrun`.
type DryRunConfig struct {
	// Threshold is the utilisation above which links are highlighted.
	Threshold float64 `mapstructure:"threshold"`
	// N1 turns the N-1 analysis of every state on or off.
	N1 bool `mapstructure:"n1"`
	// TopMovers is how many moved links to list per step.
	TopMovers int `mapstructure:"top_movers"`
}

// ImportConfig holds the defaults of `changegate topology import`.
type ImportConfig struct {
	DefaultCapacity    string `mapstructure:"default_capacity"`
	Metric             string `mapstructure:"metric"`
	ReferenceBandwidth string `mapstructure:"reference_bandwidth"`
}

var defaults = map[string]any{
	"dryrun.threshold":           0.8,
	"dryrun.n1":                  true,
	"dryrun.top_movers":          5,
	"import.default_capacity":    "",
	"import.metric":              "",
	"import.reference_bandwidth": "100G",
}

func (c DryRunConfig) check() error {
	if c.Threshold <= 0 || c.Threshold > 10 {
		return fmt.Errorf("threshold %v: give utilisation as a fraction, 0.8 for 80%% (at most 10, i.e. 1000%%)", c.Threshold)
	}
	if c.TopMovers < 0 {
		return fmt.Errorf("top movers %d: use 0 (none) or more", c.TopMovers)
	}
	return nil
}

// rateOrZero parses an optional rate setting.
func rateOrZero(key, s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	v, err := topology.ParseRate(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", key, err)
	}
	return v, nil
}
