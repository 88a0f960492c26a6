package cli

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/policy"

	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/userfile"
)

// Config is changegate.yaml. Every key can also be set by environment
// (CHANGEGATE_ + the key with dots as underscores, upper case) and most by
// a flag. docs/config.md documents it.
type Config struct {
	// File is the configuration file read (configFile says how it is
	// found), as every verdict names it; "" when there was none.
	File      string          `mapstructure:"-"`
	Apply     ApplyConfig     `mapstructure:"apply"`
	Approvals ApprovalsConfig `mapstructure:"approvals"`
	DryRun    DryRunConfig    `mapstructure:"dryrun"`
	Import    ImportConfig    `mapstructure:"import"`
	Inventory InventoryConfig `mapstructure:"inventory"`
	Paths     PathsConfig     `mapstructure:"paths"`
	Policy    PolicyConfig    `mapstructure:"policy"`
	Runbook   RunbookConfig   `mapstructure:"runbook"`
	State     StateConfig     `mapstructure:"state"`
}

// ApplyConfig tunes changegate apply and recover (docs/apply.md).
type ApplyConfig struct {
	// Concurrency bounds the devices configured or checked at once.
	Concurrency int `mapstructure:"concurrency"`
	// RollbackTimeout bounds a rollback once the run was interrupted.
	RollbackTimeout time.Duration `mapstructure:"rollback_timeout"`
	// ConfirmMargin is added to the time a confirmed commit is given.
	ConfirmMargin time.Duration `mapstructure:"confirm_margin"`
	// Observe compares the routers' forwarding with the dry-run's
	// prediction after every step (docs/observe.md).
	Observe bool `mapstructure:"observe"`
	// ObserveTolerance is how many destinations per device may differ.
	ObserveTolerance int `mapstructure:"observe_tolerance"`
	// ObserveTimeout is how long the routers get to converge to the
	// prediction (the comparison is retried until then).
	ObserveTimeout time.Duration `mapstructure:"observe_timeout"`
	// ObserveSettled is how long a difference may stay exactly as it is,
	// in the comparison before the first step (nothing changed yet, so
	// nothing converges), before it is reported without waiting out
	// ObserveTimeout.
	ObserveSettled time.Duration `mapstructure:"observe_settled"`
}

// ApprovalsConfig says whose approvals count (docs/approvals.md).
type ApprovalsConfig struct {
	// AllowedSigners is an OpenSSH allowed_signers file: the keys whose
	// approvals count, and the names they approve as. Relative paths in
	// the file are relative to the file.
	AllowedSigners string `mapstructure:"allowed_signers"`
	// Roles maps approver names to their roles. Read from the file only,
	// with the case of names kept.
	Roles map[string][]string `mapstructure:"-"`
}

// StateConfig says where runs keep their journals and device locks.
type StateConfig struct {
	// Dir is the state directory; "" means $XDG_STATE_HOME/changegate
	// (~/.local/state/changegate).
	Dir string `mapstructure:"dir"`
}

// dir returns the state directory.
func (c StateConfig) dir() (string, error) {
	if c.Dir != "" {
		return c.Dir, nil
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "changegate"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no state directory: set state.dir in changegate.yaml or CHANGEGATE_STATE_DIR (%w)", err)
	}
	return filepath.Join(home, ".local", "state", "changegate"), nil
}

// PathsConfig says where the files a plan or a topology names may be
// (docs/security.md): inside the repository that holds the plan or
// topology, or inside one of Allow.
type PathsConfig struct {
	// Allow are more directories whose files plans and topologies may
	// name (a shared traffic matrix, say). Relative paths in the file are
	// relative to the file.
	Allow []string `mapstructure:"allow"`
}

// scope is the userfile.Scope of the files plans and topologies name.
func (c PathsConfig) scope() userfile.Scope { return userfile.Scope{Allow: c.Allow} }

// InventoryConfig names the device inventory (docs/inventory.md) that
// the inventory verbs read when no file is given, and that validate
// checks.
type InventoryConfig struct {
	// File is a changegate inventory, a Nornir hosts.yaml (or the
	// directory holding it) or a containerlab topology (*.clab.yml). A
	// relative path in the file is relative to the file.
	File string `mapstructure:"file"`
	// Format is native, nornir or containerlab; empty tells them apart
	// by the file's name.
	Format string `mapstructure:"format"`
}

// PolicyConfig says which policies the gate evaluates and how they are
// tuned (docs/policies.md).
type PolicyConfig struct {
	// Dirs are the user's policy directories, loaded beside the built-in
	// policies. Relative paths in the file are relative to the file.
	Dirs []string `mapstructure:"dirs"`
	// Disable lists policy packages not to evaluate.
	Disable []string `mapstructure:"disable"`
	// Params are the policy parameters: overrides of the built-in ones,
	// by policy name, and the parameters of the user's policies, by
	// package path. They are read from the file only, with their case
	// kept (viper lower-cases keys, and zone or class names may not be
	// lower case).
	Params map[string]any `mapstructure:"-"`
	// Timeout bounds the evaluation of each policy package.
	Timeout time.Duration `mapstructure:"timeout"`
	// MemoryLimit bounds how much memory the evaluation of each policy
	// package may take, as a size such as 2GiB.
	MemoryLimit string `mapstructure:"memory_limit"`
	// memoryLimit is MemoryLimit in bytes, set by check.
	memoryLimit int64
	// doc is changegate.yaml, to report its lines; nil without a file.
	doc *configDoc
}

// Smallest policy limits accepted: below them no policy could finish,
// and the value is almost certainly a number given without its unit.
const (
	minPolicyTimeout = 10 * time.Millisecond
	minPolicyMemory  = 1 << 20
)

// check refuses limits that are not positive (NaN included) or too small
// to be meant, and parses the memory limit.
func (c *PolicyConfig) check() error {
	if c.Timeout < minPolicyTimeout {
		val := " " + c.Timeout.String()
		if c.Timeout == math.MinInt64 { // what .nan decodes to
			val = " (not a number)"
		}
		return fmt.Errorf("policy.timeout%s: give a positive duration with its unit, such as 10s (at least %v)", val, minPolicyTimeout)
	}
	n, err := parseSize(c.MemoryLimit)
	if err != nil {
		return fmt.Errorf("policy.memory_limit %q: %w", c.MemoryLimit, err)
	}
	if n < minPolicyMemory {
		return fmt.Errorf("policy.memory_limit %q: give a positive size with its unit, such as 2GiB (at least 1MiB)", c.MemoryLimit)
	}
	c.memoryLimit = n
	return nil
}

// parseSize reads a size in bytes: an integer, optionally followed by
// KiB, MiB, GiB or TiB.
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(n), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mult {
		return 0, errors.New("give a size such as 2GiB or 512MiB (units KiB, MiB, GiB, TiB)")
	}
	return n * mult, nil
}

// options are the policy engine's options: the configured policies and
// directories plus those of --policy flags.
func (c PolicyConfig) options(flagDirs []string) policy.Options {
	return policy.Options{
		Dirs:        append(append([]string(nil), c.Dirs...), flagDirs...),
		Disable:     c.Disable,
		Params:      c.Params,
		Timeout:     c.Timeout,
		MemoryLimit: c.memoryLimit,
	}
}

// RunbookConfig says where user runbooks are (docs/runbooks.md).
type RunbookConfig struct {
	// Dirs are the user's runbook directories, read beside the built-in
	// runbooks.
	Dirs []string `mapstructure:"dirs"`
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
	"apply.concurrency":          20,
	"apply.rollback_timeout":     "10m",
	"apply.confirm_margin":       "2m",
	"apply.observe":              true,
	"apply.observe_tolerance":    0,
	"apply.observe_timeout":      "60s",
	"apply.observe_settled":      "15s",
	"state.dir":                  "",
	"approvals.allowed_signers":  "",
	"dryrun.threshold":           0.8,
	"dryrun.n1":                  true,
	"dryrun.top_movers":          5,
	"import.default_capacity":    "",
	"import.metric":              "",
	"import.reference_bandwidth": "100G",
	"inventory.file":             "",
	"inventory.format":           "",
	"paths.allow":                []string{},
	"policy.dirs":                []string{},
	"policy.disable":             []string{},
	"policy.timeout":             "10s",
	"policy.memory_limit":        "2GiB",
	"runbook.dirs":               []string{},
}

// freeFormPrefixes mark configuration subtrees whose keys are not fixed:
// policy parameters (checked against the policies by the engine) and
// approvers' roles.
var freeFormPrefixes = []string{"policy.params.", "approvals.roles."}

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

// readFileSettings reads what viper cannot give as written: policy.params
// and approvals.roles with the case of their keys kept, and policy.dirs,
// runbook.dirs and inventory.file from the file made relative to the
// file's directory (paths given by flags or the environment stay
// relative to the working directory).
func readFileSettings(cf *configDoc, cfg *Config) error {
	file := cf.file
	if cf.root == nil {
		return nil
	}
	var doc struct {
		Policy struct {
			Dirs   []string       `yaml:"dirs"`
			Params map[string]any `yaml:"params"`
		} `yaml:"policy"`
		Runbook struct {
			Dirs []string `yaml:"dirs"`
		} `yaml:"runbook"`
		Inventory struct {
			File string `yaml:"file"`
		} `yaml:"inventory"`
		Paths struct {
			Allow []string `yaml:"allow"`
		} `yaml:"paths"`
		Approvals struct {
			AllowedSigners string `yaml:"allowed_signers"`
		} `yaml:"approvals"`
	}
	roles, ds := cf.roles()
	if kv, ok := cf.keys["policy.params"]; ok && !diag.IsNull(kv.val) && kv.val.Kind != yaml.MappingNode {
		ds.Add(diag.Pos{File: file, Line: kv.val.Line, Col: kv.val.Column}, "write policy.params as POLICY: {PARAMETER: VALUE}; docs/policies.md lists them",
			"policy.params must be a mapping, found %s", diag.Describe(kv.val))
	}
	if ds.HasErrors() {
		return diagErr(ds)
	}
	if err := cf.root.Decode(&doc); err != nil {
		return fmt.Errorf("read config %s: %w", file, err)
	}
	cfg.Policy.Params = doc.Policy.Params
	cfg.Approvals.Roles = roles
	if f := doc.Approvals.AllowedSigners; f != "" && cfg.Approvals.AllowedSigners == f && !filepath.IsAbs(f) {
		cfg.Approvals.AllowedSigners = filepath.Join(filepath.Dir(file), f)
	}
	relativeTo(filepath.Dir(file), doc.Policy.Dirs, cfg.Policy.Dirs)
	relativeTo(filepath.Dir(file), doc.Runbook.Dirs, cfg.Runbook.Dirs)
	relativeTo(filepath.Dir(file), doc.Paths.Allow, cfg.Paths.Allow)
	// The environment overrides the file (an empty variable counts as
	// unset, as it does for viper).
	if f := doc.Inventory.File; f != "" && cfg.Inventory.File == f && os.Getenv(inventoryFileEnv) == "" && !filepath.IsAbs(f) {
		cfg.Inventory.File = filepath.Join(filepath.Dir(file), f)
	}
	return nil
}

// rolesShape is the hint for an approvals.roles of the wrong shape.
const rolesShape = "write approvals.roles as APPROVER: [ROLE, ...], such as jane@example.net: [network-lead]"

// roles reads approvals.roles (key case-insensitive, approver names as
// written): each approver with a list of role names.
func (cf *configDoc) roles() (map[string][]string, diag.Diagnostics) {
	var ds diag.Diagnostics
	kv, ok := cf.keys["approvals.roles"]
	if !ok || diag.IsNull(kv.val) {
		return nil, ds
	}
	y := diag.YAML{File: cf.file, Diags: &ds}
	if kv.val.Kind != yaml.MappingNode {
		y.Errorf(kv.val, rolesShape, "approvals.roles must be a mapping of approvers to their roles, found %s", diag.Describe(kv.val))
		return nil, ds
	}
	out := map[string][]string{}
	for i := 0; i+1 < len(kv.val.Content); i += 2 {
		k, v := kv.val.Content[i], diag.Deref(kv.val.Content[i+1])
		name, ok := y.String(k, "approvals.roles: an approver")
		if !ok {
			continue
		}
		if _, dup := out[name]; dup {
			y.Errorf(k, "give each approver once, with all their roles", "approvals.roles: %q is given twice", name)
			continue
		}
		if v == nil || v.Kind != yaml.SequenceNode {
			if !diag.IsNull(v) {
				y.Errorf(v, rolesShape, "approvals.roles: %s must be a list of roles, found %s", name, diag.Describe(v))
				continue
			}
		}
		roles := []string{}
		for _, it := range y.Sequence(v, "approvals.roles: "+name) {
			if it = diag.Deref(it); it.Kind != yaml.ScalarNode || diag.IsNull(it) {
				y.Errorf(it, rolesShape, "approvals.roles: %s: a role must be a scalar value, found %s", name, diag.Describe(it))
				continue
			}
			roles = append(roles, it.Value)
		}
		out[name] = roles
	}
	return out, ds
}

// inventoryFileEnv is the variable that sets inventory.file.
const inventoryFileEnv = "CHANGEGATE_INVENTORY_FILE"

// relativeTo resolves the relative paths of dirs against base when dirs
// came from the file (they equal what the file says).
func relativeTo(base string, fromFile, dirs []string) {
	if len(fromFile) == 0 || !sameStrings(fromFile, dirs) {
		return
	}
	for i, d := range dirs {
		if !filepath.IsAbs(d) {
			dirs[i] = filepath.Join(base, d)
		}
	}
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
