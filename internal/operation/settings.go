package operation

import (
	"time"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/policy"
	"github.com/changegate/changegate/userfile"
)

// Settings are what the configuration (changegate.yaml, docs/config.md)
// says the operations run with. The CLI reads them from the file, the
// environment and flags; a server would give its own.
type Settings struct {
	// ConfigFile is the file the settings were read from, named in
	// every verdict; "" when there was none (the defaults).
	ConfigFile string
	// Scope confines the files plans and topologies name (paths.allow).
	Scope userfile.Scope
	// RunbookDirs are the user's runbook directories (runbook.dirs).
	RunbookDirs []string
	// Policy is the policy set: the built-in policies, the user's
	// directories (policy.dirs), what is disabled, the parameters and
	// the limits. Request-level directories (--policy) come on top.
	Policy policy.Options
	// AllowedSigners is the OpenSSH allowed_signers file whose keys'
	// approvals count (approvals.allowed_signers); "" for none.
	AllowedSigners string
	// Roles are the approvers' roles, by name (approvals.roles).
	Roles map[string][]string
	// Inventory is the configured inventory (inventory.file and
	// inventory.format), used when neither the request nor the plan
	// names one; a zero Path for none.
	Inventory devices.InventoryFile
	// Apply tunes apply, recover and resume.
	Apply ApplySettings
}

// ApplySettings tune a run (apply.* of the configuration, docs/apply.md).
type ApplySettings struct {
	// Concurrency bounds the devices configured or checked at once.
	Concurrency int
	// RollbackTimeout bounds a rollback once the run was interrupted.
	RollbackTimeout time.Duration
	// ConfirmMargin is added to the time a confirmed commit is given.
	ConfirmMargin time.Duration
	// Observe compares the routers' forwarding with the dry-run's
	// prediction after every step (docs/observe.md).
	Observe bool
	// ObserveTolerance is how many destinations per device may differ.
	ObserveTolerance int
	// ObserveTimeout is how long the routers get to converge.
	ObserveTimeout time.Duration
	// ObserveSettled is how long a difference may stay unchanged before
	// the first step before it is reported (apply.ModelObserver.Settled).
	ObserveSettled time.Duration
}
