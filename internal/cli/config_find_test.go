package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyExample copies an example file into dir.
func copyExample(t *testing.T, dir, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, name, string(data))
}

// The configuration is found in the order docs/config.md gives: --config,
// CHANGEGATE_CONFIG, beside the plan up to its repository root, the
// working directory, the user config directory; the verdict names it
// (text and JSON), so that a plan gets the same verdict from any
// directory.
func TestConfigFound(t *testing.T) {
	// Each configuration disables another policy, so the verdict shows
	// which one was read.
	const (
		repoRoot  = "repo-root"
		planDir   = "plan-dir"
		workDir   = "work-dir"
		userDir   = "user-dir"
		flagFile  = "flag"
		envFile   = "env"
		noneFound = ""
	)
	disabled := map[string]string{
		repoRoot: "changegate.window", planDir: "changegate.approvals", workDir: "changegate.blast_radius",
		userDir: "changegate.capacity", flagFile: "changegate.reachability", envFile: "changegate.n1",
	}
	tests := []struct {
		name  string
		files []string // configurations present
		flag  bool     // --config
		env   bool     // CHANGEGATE_CONFIG
		want  string
	}{
		{"repository root over the working directory", []string{repoRoot, workDir, userDir}, false, false, repoRoot},
		{"beside the plan over the repository root", []string{planDir, repoRoot, workDir}, false, false, planDir},
		{"working directory when the repository has none", []string{workDir, userDir}, false, false, workDir},
		{"user config directory last", []string{userDir}, false, false, userDir},
		{"none", nil, false, false, noneFound},
		{"the environment over the repository", []string{repoRoot, planDir}, false, true, envFile},
		{"--config over everything", []string{repoRoot, planDir}, true, true, flagFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			repo := filepath.Join(base, "repo")
			plans := filepath.Join(repo, "changes")
			work := filepath.Join(base, "work")
			home := filepath.Join(base, "home")
			for _, d := range []string{filepath.Join(repo, ".git"), plans, work, filepath.Join(home, "changegate")} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			plan := copyExample(t, plans, "safe-plan.yaml")
			copyExample(t, plans, "april-2011.yaml")
			dirOf := map[string]string{repoRoot: repo, planDir: plans, workDir: work, userDir: filepath.Join(home, "changegate"), flagFile: base, envFile: base}
			paths := map[string]string{}
			write := func(which, name string) {
				paths[which] = writeFile(t, dirOf[which], name, "policy:\n  disable: ["+disabled[which]+"]\n")
			}
			for _, f := range tt.files {
				write(f, "changegate.yaml")
			}
			t.Setenv("XDG_CONFIG_HOME", home)
			t.Setenv(configEnv, "")
			args := []string{"check", plan, "--format", "json"}
			if tt.flag {
				write(flagFile, "flag.yaml")
				args = append(args, "--config", paths[flagFile])
			}
			if tt.env {
				write(envFile, "env.yaml")
				t.Setenv(configEnv, paths[envFile])
			}
			t.Chdir(work)
			out, errs, code := run(t, args...)
			if code != 0 && code != ExitDenied {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var doc struct {
				ConfigFile     string `json:"config_file"`
				PolicySettings struct {
					Disabled []string `json:"disabled"`
				} `json:"policy_settings"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatal(err)
			}
			wantFile, wantDisabled := "", []string(nil)
			if tt.want != noneFound {
				wantFile, wantDisabled = paths[tt.want], []string{disabled[tt.want]}
				if tt.want == workDir {
					wantFile = "changegate.yaml" // inside the working directory: relative
				}
			}
			if doc.ConfigFile != wantFile {
				t.Errorf("config_file %q, want %q", doc.ConfigFile, wantFile)
			}
			if strings.Join(doc.PolicySettings.Disabled, ",") != strings.Join(wantDisabled, ",") {
				t.Errorf("disabled %v, want %v", doc.PolicySettings.Disabled, wantDisabled)
			}
			// The text verdict names it too.
			text, _, _ := run(t, args[:2]...)
			name := wantFile
			if name == "" {
				name = "none (the defaults)"
			}
			if tt.flag {
				text, _, _ = run(t, append(args[:2:2], "--config", paths[flagFile])...)
			}
			if !strings.Contains(text, "  configuration: "+name+"\n") {
				t.Errorf("the text verdict does not name %s:\n%s", name, text)
			}
			// The CI formats name it in their notes of what it changed.
			if wantFile != "" && !tt.flag {
				gh, _, _ := run(t, args[0], args[1], "--format", "github")
				if !strings.Contains(gh, "(policy.disable in "+wantFile+")") {
					t.Errorf("the github format does not name %s:\n%s", wantFile, gh)
				}
			}
		})
	}
}

// A plan in no repository finds the configuration beside it only, not in
// the directories above.
func TestConfigNoRepository(t *testing.T) {
	base := t.TempDir()
	writeFile(t, base, "changegate.yaml", "policy:\n  disable: [changegate.window]\n")
	dir := filepath.Join(base, "plans")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	got := planDirs(filepath.Join(dir, "plan.yaml"))
	if len(got) != 1 || got[0] != dir {
		t.Errorf("planDirs = %v, want [%s] (no .git above, at least not up to /tmp)", got, dir)
	}
}
