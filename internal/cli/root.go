package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/buildinfo"
	"github.com/changegate/changegate/userfile"
)

// Exit codes.
const (
	ExitOK    = 0
	ExitError = 1 // bad input or an error
)

// Run executes changegate with args and returns the process exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{v: newViper(), stdin: stdin, stdout: stdout, stderr: stderr}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, errDenied) {
		return ExitDenied
	}
	if errors.Is(err, errDifferent) {
		return ExitDifferent
	}
	if errors.Is(err, errRolledBack) || errors.Is(err, errNotStarted) {
		fmt.Fprintf(stderr, "changegate: %v\n", err)
		return ExitRolledBack
	}
	if errors.Is(err, errRollbackFailed) {
		fmt.Fprintf(stderr, "changegate: %v\n", err)
		return ExitRollbackFailed
	}
	var list *diag.ListError
	if errors.As(err, &list) {
		for _, d := range list.Diags {
			fmt.Fprintln(stderr, d.String())
		}
		n := len(list.Diags.Errors())
		noun := "errors"
		if n == 1 {
			noun = "error"
		}
		fmt.Fprintf(stderr, "changegate: %d %s; nothing was done\n", n, noun)
		return ExitError
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		// Say why the context ended (an interrupt: its cause), not only
		// that it did.
		fmt.Fprintf(stderr, "changegate: %v: %v\n", context.Cause(ctx), err)
		return ExitError
	}
	fmt.Fprintf(stderr, "changegate: %v\n", err)
	return ExitError
}

// app holds what every verb shares: the one viper instance and the streams.
type app struct {
	v       *viper.Viper
	cfgFile string
	// plan is the plan (or, for validate, the path) the verb reads,
	// whose repository's changegate.yaml is the configuration
	// (configFile); "" for verbs without one.
	plan string
	// stdinPlan is the plan read from standard input for the plan "-"
	// (readStdinPlan); nil when none was.
	stdinPlan []byte
	stdin     io.Reader
	stdout    io.Writer
	stderr    io.Writer
}

func newViper() *viper.Viper {
	v := viper.New()
	v.SetEnvPrefix("CHANGEGATE")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_", "-", "_"))
	v.AutomaticEnv()
	for k, val := range defaults {
		v.SetDefault(k, val)
	}
	return v
}

// configEnv names the configuration file, as --config does.
const configEnv = "CHANGEGATE_CONFIG"

// configNames are the names a configuration file is found by.
var configNames = []string{"changegate.yaml", "changegate.yml"}

// configFile finds the configuration file (docs/config.md): --config
// (flag), else $CHANGEGATE_CONFIG, else changegate.yaml (or .yml) in the
// directory of plan or a directory above it up to its repository root
// (the directory holding .git; the plan's directory alone when it is in
// no repository; the working directory for a plan read from standard
// input), else in the working directory, else in the user config
// directory; "" when there is none. The plan's repository comes before
// the working directory so that a plan gets the same verdict from
// whatever directory it is checked.
func configFile(flag, plan string) string {
	if flag != "" {
		return flag
	}
	if env := os.Getenv(configEnv); env != "" {
		return env
	}
	var dirs []string
	if plan != "" {
		dirs = append(dirs, planDirs(plan)...)
	}
	dirs = append(dirs, ".")
	if dir, err := os.UserConfigDir(); err == nil {
		dirs = append(dirs, filepath.Join(dir, "changegate"))
	}
	for _, d := range dirs {
		for _, name := range configNames {
			p := filepath.Join(d, name)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				return displayPath(p)
			}
		}
	}
	return ""
}

// planDirs are the directories from plan's own up to its repository's
// root, nearest first.
func planDirs(plan string) []string {
	// A file in the directory to start from: the working directory for
	// standard input, a directory itself (validate DIR).
	if plan == "-" {
		plan = "stdin"
	} else if st, err := os.Stat(plan); err == nil && st.IsDir() {
		plan = filepath.Join(plan, "file")
	}
	root, _, err := userfile.Repository(plan)
	if err != nil {
		return nil
	}
	abs, err := filepath.Abs(plan)
	if err != nil {
		return nil
	}
	var dirs []string
	for d := filepath.Dir(abs); ; d = filepath.Dir(d) {
		dirs = append(dirs, d)
		if d == root || filepath.Dir(d) == d {
			return dirs
		}
	}
}

// displayPath is p relative to the working directory when it is inside
// it, else absolute: how a verdict names the configuration file.
func displayPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	wd, err := os.Getwd()
	if err != nil {
		return abs
	}
	if rel, err := filepath.Rel(wd, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return rel
	}
	return abs
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "changegate",
		Short: "A change-control gate for network operations",
		Long: `changegate dry-runs network change plans step by step against a model of the
network (devices, links with capacity and IGP metric, the traffic matrix): the
load on every link after every step, what cannot be delivered, what a single
failure would do to each intermediate state, and whether the rollback path
returns the network to where it started.

Configuration comes from one file: --config FILE, else $CHANGEGATE_CONFIG,
else changegate.yaml beside the plan or in a directory above it up to its
repository root, else in the working directory, else in the user config
directory (docs/config.md); then CHANGEGATE_* environment variables, then
flags; each overrides the one before. Every verdict names the file.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       buildinfo.Read().String(),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.PersistentFlags().StringVar(&a.cfgFile, "config", "", "configuration file (default: $CHANGEGATE_CONFIG, else changegate.yaml of the plan's repository, of ., or of the user config dir)")
	root.AddCommand(a.checkCommand(), a.dryrunCommand(), a.planCommand(), a.policyCommand(), a.topologyCommand())
	root.AddCommand(a.deviceCommand(), a.inventoryCommand(), a.runbookCommand())
	root.AddCommand(a.applyCommand(), a.recoverCommand(), a.revertCommand(), a.runsCommand(), a.lockCommand())
	root.AddCommand(a.approveCommand(), a.approvalsCommand(), a.reviewCommand())
	root.AddCommand(a.validateCommand(), a.versionCommand())
	a.registerCompletions(root)
	return root
}

// config reads the configuration with cmd's flags bound to their keys
// (flags named in binds; a flag overrides env and file only when set).
func (a *app) config(cmd *cobra.Command, binds map[string]string) (Config, error) {
	var cfg Config
	for flag, key := range binds {
		f := cmd.Flags().Lookup(flag)
		if f == nil {
			return cfg, fmt.Errorf("internal: no flag --%s", flag)
		}
		if err := a.v.BindPFlag(key, f); err != nil {
			return cfg, fmt.Errorf("bind --%s: %w", flag, err)
		}
	}
	file := configFile(a.cfgFile, a.plan)
	cfg.File = file
	var doc *configDoc
	if file != "" {
		var err error
		if doc, err = readConfigDoc(cmd.Context(), file); err != nil {
			return cfg, err
		}
		a.v.SetConfigType("yaml")
		if err := a.v.ReadConfig(bytes.NewReader(doc.data)); err != nil {
			return cfg, fmt.Errorf("read config %s: %w", file, err)
		}
		if err := doc.unknownKeys(a.v.AllKeys()); err != nil {
			return cfg, err
		}
	}
	if err := a.checkSettings(a.v, cmd, binds, doc); err != nil {
		return cfg, err
	}
	if err := a.v.Unmarshal(&cfg); err != nil {
		return cfg, fmt.Errorf("configuration (file, CHANGEGATE_* environment or flags): %w", err)
	}
	if doc != nil {
		if err := readFileSettings(doc, &cfg); err != nil {
			return cfg, err
		}
		cfg.Policy.doc = doc
	}
	if err := cfg.Policy.check(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// printDiags writes warnings (and errors) to stderr, one per line.
func (a *app) printDiags(ds diag.Diagnostics) {
	ds.Sort()
	for _, d := range ds {
		fmt.Fprintln(a.stderr, d.String())
	}
}

// diagErr turns diagnostics with errors into the error Run prints.
func diagErr(ds diag.Diagnostics) error {
	ds.Sort()
	return ds.Err()
}

func knownKeys() []string {
	keys := make([]string, 0, len(defaults))
	for k := range defaults {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// isTerminal reports whether w is a terminal (a character device), where
// transient progress lines make sense; pipes, files and CI logs get none.
func isTerminal(w io.Writer) bool {
	return isTerminalFile(w)
}

// isTerminalReader is isTerminal for standard input.
func isTerminalReader(r io.Reader) bool { return isTerminalFile(r) }

func isTerminalFile(x any) bool {
	f, ok := x.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progress returns a dry-run progress callback that rewrites one line on
// a terminal, or nil when stderr is not one (pipes and CI logs get none).
func (a *app) progress() func(i, n int, label string) {
	if !isTerminal(a.stderr) {
		return nil
	}
	return func(i, n int, label string) {
		fmt.Fprintf(a.stderr, "\r\033[Kstate %d of %d: %s", i, n, label)
	}
}

// endProgress clears the progress line, if there was one.
func (a *app) endProgress(p func(i, n int, label string)) {
	if p != nil {
		fmt.Fprint(a.stderr, "\r\033[K")
	}
}

// freeForm reports whether key is in a free-form subtree, or is its root
// (whose shape readFileSettings checks).
func freeForm(key string) bool {
	for _, p := range freeFormPrefixes {
		if strings.HasPrefix(key, p) || key == strings.TrimSuffix(p, ".") {
			return true
		}
	}
	return false
}
