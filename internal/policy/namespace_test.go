package policy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// compileErrors loads opts and returns its compile problems as
// "file:line:col: message" lines; it fails the test when Load succeeds
// or fails otherwise.
func compileErrors(t *testing.T, load func() error) []string {
	t.Helper()
	err := load()
	var ce *CompileError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want a CompileError", err)
	}
	var out []string
	for _, d := range ce.Diags.Errors() {
		out = append(out, d.Pos.String()+": "+d.Msg)
	}
	return out
}

// No user policy can define or extend a package of the built-in
// namespace: the attack (package changegate.params.approvals
// lowering the approvals needed) and every other way into it are refused
// at load, at the package line, for policies and for tests alike.
func TestUserPackagesCannotEnterBuiltinNamespace(t *testing.T) {
	for _, tt := range []struct {
		name, file, src string
	}{
		{"approvals params", "p.rego", "package changegate.params.approvals\n\nrequired := {\"medium\": 0}\n"},
		{"blast radius params", "p.rego", "package changegate.params.blast_radius\n\nmax_devices_per_step := 100\n"},
		{"built-in params root", "p.rego", "package changegate.params\n\nlimits := {\"max\": 1000}\n"},
		{"namespace root", "p.rego", "package changegate\n\nparams := {}\n"},
		{"rule ref into params", "p.rego", "package changegate\n\nparams.limits.max := 1000\n"},
		{"extend a built-in policy", "p.rego", "package changegate.limits\n\nallow := true\n"},
		{"the library", "p.rego", "package changegate.lib\n\nthreshold(_) := 10\n"},
		{"user params", "p.rego", "package changegate.user_params.site\n\nlimits := {\"max\": 1000}\n"},
		{"a test file", "p_test.rego", "package changegate.limits_test\n\ntest_x if true\n"},
		{"quoted path", "p.rego", "package changegate[\"params\"]\n\nlimits := {}\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{tt.file: tt.src})
			loaders := map[string]func() error{
				"Load": func() error {
					_, err := Load(context.Background(), Options{Dirs: []string{dir}, builtinFS: testFS()})
					return err
				},
				"RunTests": func() error {
					_, err := RunTests(context.Background(), Options{Dirs: []string{dir}, builtinFS: testFS()})
					return err
				},
			}
			for via, load := range loaders {
				if via == "Load" && strings.HasSuffix(tt.file, "_test.rego") {
					continue // Load does not read tests
				}
				errs := compileErrors(t, load)
				pkg := strings.TrimPrefix(strings.SplitN(tt.src, "\n", 2)[0], "package ")
				pkg = strings.ReplaceAll(pkg, `["params"]`, ".params")
				want := fmt.Sprintf("%s/%s:1:1: package %s is in the built-in namespace changegate", dir, tt.file, pkg)
				if len(errs) != 1 || !strings.HasPrefix(errs[0], want) {
					t.Errorf("%s: got %q, want one problem starting %q", via, errs, want)
				}
			}
		})
	}
}

// User policies may read the built-in namespace and live beside it.
func TestUserPackagesMayReadBuiltinNamespace(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.rego": `package changegate_site

import data.changegate.params.limits

deny contains "over the built-in limit" if {
	some v in input.values
	v > limits.max
}
`,
		"b.rego": "package site.changegate\n\nwarn contains \"b\" if data.changegate.limits.deny\n",
	})
	e := load(t, Options{Dirs: []string{dir}})
	d := eval(t, e, map[string]any{"values": []any{11}})
	var got []string
	for _, r := range d.Results {
		got = append(got, r.Policy)
	}
	if strings.Join(got, " ") != "changegate.limits changegate_site site.changegate" {
		t.Errorf("results from %v", got)
	}
}

// Policies cannot do I/O or read the environment: such calls are
// refused at load with their position, the compiler's capabilities
// backing the check. Pure network arithmetic stays available.
func TestPoliciesCannotDoIO(t *testing.T) {
	for _, tt := range []struct {
		call, name string
	}{
		{`http.send({"method": "POST", "url": "http://127.0.0.1:9/", "body": input})`, "http.send"},
		{`net.lookup_ip_addr("example.com")`, "net.lookup_ip_addr"},
		{`opa.runtime().env`, "opa.runtime"},
		{`time.now_ns()`, "time.now_ns"},
		{`rand.intn("x", 10)`, "rand.intn"},
		{`uuid.rfc4122("x")`, "uuid.rfc4122"},
		{`io.jwt.decode_verify("x", {"secret": "s"})`, "io.jwt.decode_verify"},
		{`bits.lsh(1, 100000000000)`, "bits.lsh"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := fmt.Sprintf("package leak\n\ndeny contains msg if {\n\tx := %s\n\tmsg := sprintf(\"%%v\", [x])\n}\n", tt.call)
			dir := writeFiles(t, map[string]string{"leak.rego": src})
			errs := compileErrors(t, func() error {
				_, err := Load(context.Background(), Options{Dirs: []string{dir}, builtinFS: testFS()})
				return err
			})
			want := fmt.Sprintf("%s/leak.rego:4:7: %s is not available to policies", dir, tt.name)
			if len(errs) == 0 || !strings.HasPrefix(errs[0], want) {
				t.Errorf("got %q, want %q first", errs, want)
			}
		})
	}
	dir := writeFiles(t, map[string]string{"net.rego": `package site.net

deny contains "in 10/8" if net.cidr_contains("10.0.0.0/8", input.addr)
`})
	e := load(t, Options{Dirs: []string{dir}})
	if d := eval(t, e, map[string]any{"addr": "10.1.2.3", "values": []any{}}); !d.Denied() {
		t.Errorf("net.cidr_contains: %+v", d.Results)
	}
}

// The other ways into data.changegate are closed too: a rule of another
// package cannot name it (the compiler refuses rules that shadow data),
// and data files in a policy directory are not read.
func TestNoOtherWayIntoTheNamespace(t *testing.T) {
	dir := writeFiles(t, map[string]string{"p.rego": "package site\n\ndata.changegate.params.limits.max := 1000\n"})
	if errs := compileErrors(t, func() error {
		_, err := Load(context.Background(), Options{Dirs: []string{dir}, builtinFS: testFS()})
		return err
	}); len(errs) == 0 {
		t.Error("no problem reported")
	}

	base := load(t, Options{Dirs: []string{writeFiles(t, map[string]string{"a.rego": "package a\n\nwarn contains \"a\" if false\n"})}})
	dir = writeFiles(t, map[string]string{
		"a.rego":      "package a\n\nwarn contains \"a\" if false\n",
		"data.json":   `{"changegate": {"params": {"limits": {"max": 1000}}}}`,
		"params.yaml": "changegate:\n  params:\n    limits:\n      max: 1000\n",
	})
	e := load(t, Options{Dirs: []string{dir}})
	if d := eval(t, e, map[string]any{"values": []any{11}}); !d.Denied() {
		t.Errorf("a data file in a policy directory changed the built-in parameters: %+v", d.Results)
	}
	if len(e.Set().Files) != len(base.Set().Files) {
		t.Errorf("data files were read as policies: %v", e.Set().Files)
	}
}
